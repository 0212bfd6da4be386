"""Open311 GeoReport v2 under /open311/v2/ (JSON, and XML for clients that still want it).

    GET  services.{fmt}               departments as services (?locale=en for English names)
    GET  services/<code>.{fmt}        the service definition: one optional attribute, kind
    GET  requests.{fmt}               cases, filtered as the spec says; descriptions need an API key
    POST requests.{fmt}               a new case through intake.accept (API key: X-API-Key or api_key)
    GET  requests/<number>.{fmt}      one case

Errors are the spec's list of {code, description}. The citizen's number is never shown.
"""

from __future__ import annotations

import hashlib
import uuid
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from flask import Blueprint, Response, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from gateway import apikeys, intake, jobs, open311, ratelimit
from gateway.channels import channel_settings
from gateway.models import ApiKey
from gateway.web import runtime

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")

FORMATS = ("json", "xml")
DESCRIPTION_LIMIT = 4000
_XML_ITEMS = {"services": "service", "service_requests": "request", "errors": "error", "values": "value"}


def _settings():
    return channel_settings(runtime().settings.config_dir).open311


def _locale() -> str:
    return "en" if request.args.get("locale", "").lower().startswith("en") else "zh"


def _render(data, fmt: str, root: str, status: int = 200) -> Response:
    if fmt == "xml":
        element = _to_xml(root, data)
        body = ET.tostring(element, encoding="unicode", xml_declaration=True)
        return Response(body, status=status, mimetype="text/xml")
    response = jsonify(data)
    response.status_code = status
    return response


def _to_xml(tag: str, value) -> ET.Element:
    element = ET.Element(tag)
    if isinstance(value, list):
        for item in value:
            element.append(_to_xml(_XML_ITEMS.get(tag, "item"), item))
    elif isinstance(value, dict):
        for key, item in value.items():
            element.append(_to_xml(key, item))
    elif value is not None:
        element.text = str(value).lower() if isinstance(value, bool) else str(value)
    return element


def _errors(fmt: str, status: int, description: str) -> Response:
    return _render([{"code": status, "description": description}], fmt if fmt in FORMATS else "json", "errors", status)


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_exc):
    return _errors("json", 413, "request body too large")


def _key(form_key: str | None = None) -> ApiKey | None:
    raw = request.headers.get("X-API-Key") or form_key
    if not raw:
        return None
    with runtime().database.session() as session:
        key = apikeys.verify(session, raw)
        if key is not None:
            session.expunge(key)
    return key


@bp.get("/services.<fmt>")
def list_services(fmt: str) -> Response:
    if fmt not in FORMATS:
        return _errors("json", 404, f"unknown format {fmt!r}: use json or xml")
    return _render(open311.services(runtime().units, _settings().exclude_departments, _locale()), fmt, "services")


@bp.get("/services/<code>.<fmt>")
def service_definition(code: str, fmt: str) -> Response:
    if fmt not in FORMATS:
        return _errors("json", 404, f"unknown format {fmt!r}: use json or xml")
    if code not in runtime().units.departments or code in _settings().exclude_departments:
        return _errors(fmt, 404, f"unknown service_code {code}")
    return _render(open311.service_definition(code, _locale()), fmt, "service_definition")


def _split(name: str) -> tuple[str, ...]:
    raw = request.args.get(name, "")
    return tuple(part.strip() for part in raw.split(",") if part.strip())


@bp.get("/requests.<fmt>")
def list_requests(fmt: str) -> Response:
    if fmt not in FORMATS:
        return _errors("json", 404, f"unknown format {fmt!r}: use json or xml")
    statuses = _split("status")
    if any(s not in ("open", "closed") for s in statuses):
        return _errors(fmt, 400, "status must be open, closed or both (comma-separated)")
    dates = {}
    for name in ("start_date", "end_date"):
        raw = request.args.get(name)
        if raw:
            try:
                dates[name] = open311.parse_datetime(raw)
            except ValueError:
                return _errors(fmt, 400, f"{name} must be a W3C date-time with a zone, e.g. 2026-11-27T00:00:00+08:00")
    if "start_date" in dates and "end_date" in dates and dates["start_date"] > dates["end_date"]:
        return _errors(fmt, 400, "start_date is after end_date")
    ids = _split("service_request_id")
    if len(ids) > 100 or any(len(i) > 32 for i in ids):
        return _errors(fmt, 400, "service_request_id: at most 100 ids")
    query = open311.Query(
        ids=ids,
        service_codes=_split("service_code"),
        statuses=statuses,
        start=dates.get("start_date"),
        end=dates.get("end_date"),
    )
    return _render(_requests(query), fmt, "service_requests")


@bp.get("/requests/<number>.<fmt>")
def one_request(number: str, fmt: str) -> Response:
    if fmt not in FORMATS:
        return _errors("json", 404, f"unknown format {fmt!r}: use json or xml")
    found = _requests(open311.Query(ids=(number[:32],)))
    if not found:
        return _errors(fmt, 404, f"no service request {number}")
    return _render(found, fmt, "service_requests")


def _requests(query: open311.Query) -> list[dict]:
    rt = runtime()
    settings = _settings()
    key = _key()
    with rt.database.session() as session:
        cases = open311.find(session, query, datetime.now(UTC), settings.default_days, settings.max_results)
        # Descriptions are the citizen's own words: only for a key that may see the case.
        visible = [c for c in cases if key is not None and apikeys.may_see(key, c.unit)]
        hidden = [c for c in cases if c not in visible]
        out = {r["service_request_id"]: r for r in open311.to_requests(session, visible, rt.units, _locale(), True)}
        out.update(
            {r["service_request_id"]: r for r in open311.to_requests(session, hidden, rt.units, _locale(), False)}
        )
        return [out[c.number] for c in cases]


@bp.post("/requests.<fmt>")
def create_request(fmt: str) -> Response:
    if fmt not in FORMATS:
        return _errors("json", 404, f"unknown format {fmt!r}: use json or xml")
    rt = runtime()
    form = request.form
    key = _key(form.get("api_key"))
    if key is None:
        return _errors(fmt, 403, "a valid api_key is required to submit a request")
    verdict = ratelimit.hit(rt.redis, f"open311:key{key.id}", _settings().rate)
    if not verdict.allowed:
        response = _errors(fmt, 429, "too many requests for this api_key")
        response.headers["Retry-After"] = str(verdict.retry_after)
        return response

    service_code = (form.get("service_code") or "").strip()
    if not service_code:
        return _errors(fmt, 400, "service_code is required")
    if service_code not in rt.units.departments or service_code in _settings().exclude_departments:
        return _errors(fmt, 400, f"unknown service_code {service_code}")
    description = (form.get("description") or "").strip()
    if not description:
        return _errors(fmt, 400, "description is required")
    if len(description) > DESCRIPTION_LIMIT:
        return _errors(fmt, 400, f"description must be at most {DESCRIPTION_LIMIT} characters")
    kind = (form.get("attribute[kind]") or "").strip()
    if kind and kind not in open311.KINDS:
        return _errors(fmt, 400, "attribute[kind] must be one of " + ", ".join(open311.KINDS))
    lat, lon = form.get("lat"), form.get("long")
    if bool(lat) != bool(lon) or (lat and not _coordinates(lat, lon)):
        return _errors(fmt, 400, "lat and long must be given together, as decimal degrees")
    address = (form.get("address_string") or "").strip()[:200]

    # Idempotency-Key (optional) makes a client's retry return the same request, per key.
    idem = request.headers.get("Idempotency-Key", "").strip()
    provider_id = f"k{key.id}-" + hashlib.sha256(idem.encode()).hexdigest()[:40] if idem else "o311-" + uuid.uuid4().hex
    body = description if not address else f"{description}\n地点：{address}"
    payload = {
        "service_code": service_code,
        "description": description,
        "address_string": address or None,
        "lat": lat or None,
        "long": lon or None,
        "kind": kind or None,
        "device_id": form.get("device_id"),
        "account_id": form.get("account_id"),
        "api_key_id": key.id,
    }
    msg = intake.IncomingMessage(
        channel="open311",
        provider_id=provider_id,
        sender=(form.get("phone") or "").strip()[:40],
        body=body,
        received_at=datetime.now(UTC),
        payload=payload,
    )
    with rt.database.session() as session:
        accepted = intake.accept(session, msg, rt.deployment)
    jobs.request_intake(rt.redis)
    result = [
        {"service_request_id": accepted.case_number, "service_notice": None, "account_id": form.get("account_id")}
    ]
    return _render(result, fmt, "service_requests", 200 if accepted.duplicate else 201)


def _coordinates(lat: str, lon: str) -> bool:
    try:
        return -90 <= float(lat) <= 90 and -180 <= float(lon) <= 180
    except ValueError:
        return False
