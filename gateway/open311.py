"""Open311 GeoReport v2: the bureau's services and its cases as service requests.

Field names are the spec's (service_request_id = case number, agency_responsible = unit name...).
The citizen's number is never part of a request; digit runs that look like phone numbers in a
description are masked too, since citizens often type their number into the text.
No Flask here: the web layer (gateway/web/open311.py) parses the query and serialises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gateway.models import Case, CaseEvent, CaseStatus, InboundMessage
from gateway.units import Units

KINDS = {
    "complaint": ("投诉", "Complaint"),
    "report": ("举报", "Report"),
    "inquiry": ("咨询", "Inquiry"),
    "suggestion": ("建议", "Suggestion"),
    "praise": ("表扬", "Praise"),
}
STATUS_NOTES = {
    CaseStatus.NEW: ("已受理，正在分派", "Received, being assigned"),
    CaseStatus.REVIEW: ("已受理，正在分派", "Received, being assigned"),
    CaseStatus.ROUTED: ("已转承办单位", "With the responsible unit"),
    CaseStatus.SIGNED: ("承办单位正在办理", "Being handled by the responsible unit"),
    CaseStatus.REPLIED: ("承办单位已答复", "The responsible unit has replied"),
    CaseStatus.RETURNED: ("正在重新分派", "Being reassigned"),
    CaseStatus.CLOSED: ("已办结", "Resolved"),
}
# Seven or more digits, possibly broken by spaces or dashes: a phone number typed into the text.
_PHONE_LIKE = re.compile(r"\+?\d(?:[\s-]?\d){6,}")


def mask_numbers(text: str) -> str:
    return _PHONE_LIKE.sub(lambda m: "*" * (len(m.group(0)) - 2) + m.group(0)[-2:], text)


def _name(pair: tuple[str, str], locale: str) -> str:
    return pair[1] if locale == "en" else pair[0]


def services(units: Units, exclude: tuple[str, ...], locale: str) -> list[dict]:
    group = units.bureau.name_en if locale == "en" else units.bureau.name_zh
    return [
        {
            "service_code": dep.code,
            "service_name": dep.name_en if locale == "en" else dep.name_zh,
            "description": dep.name_en if locale == "en" else dep.name_zh,
            "metadata": True,
            "type": "realtime",
            "keywords": ",".join(KINDS),
            "group": group,
        }
        for dep in units.departments.values()
        if dep.code not in exclude
    ]


def service_definition(code: str, locale: str) -> dict:
    return {
        "service_code": code,
        "attributes": [
            {
                "variable": True,
                "code": "kind",
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": "",
                "order": 1,
                "description": "What kind of matter" if locale == "en" else "诉求类别",
                "values": [{"key": key, "name": _name(names, locale)} for key, names in KINDS.items()],
            }
        ],
    }


@dataclass(frozen=True)
class Query:
    ids: tuple[str, ...] = ()
    service_codes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()  # open | closed
    start: datetime | None = None
    end: datetime | None = None


def find(session: Session, query: Query, now: datetime, default_days: int, limit: int) -> list[Case]:
    stmt = select(Case)
    if query.ids:
        # The spec: with service_request_id, the other filters are ignored.
        stmt = stmt.where(Case.number.in_(query.ids))
    else:
        start = query.start or (query.end or now) - timedelta(days=default_days)
        stmt = stmt.where(Case.created_at >= start)
        if query.end is not None:
            stmt = stmt.where(Case.created_at <= query.end)
        if query.service_codes:
            stmt = stmt.where(Case.department.in_(query.service_codes))
        if set(query.statuses) == {"closed"}:
            stmt = stmt.where(Case.status == CaseStatus.CLOSED)
        elif set(query.statuses) == {"open"}:
            stmt = stmt.where(Case.status != CaseStatus.CLOSED)
    return list(session.scalars(stmt.order_by(Case.created_at.desc(), Case.id.desc()).limit(limit)))


def to_requests(session: Session, cases: list[Case], units: Units, locale: str, with_description: bool) -> list[dict]:
    """Cases as Open311 service requests. Descriptions only for an API key that may see them."""
    if not cases:
        return []
    ids = [c.id for c in cases]
    updated = dict(
        session.execute(
            select(CaseEvent.case_id, func.max(CaseEvent.at))
            .where(CaseEvent.case_id.in_(ids))
            .group_by(CaseEvent.case_id)
        ).all()
    )
    first: dict[int, InboundMessage] = {}
    if with_description:
        for inbound in session.scalars(
            select(InboundMessage).where(InboundMessage.case_id.in_(ids)).order_by(InboundMessage.id)
        ):
            first.setdefault(inbound.case_id, inbound)
    tz = ZoneInfo(units.bureau.timezone)
    out = []
    for case in cases:
        unit = units.get(case.unit) if case.unit else None
        inbound = first.get(case.id)
        payload = (inbound.payload or {}) if inbound is not None else {}
        service_code = case.department or payload.get("service_code")
        dep = units.departments.get(service_code) if service_code else None
        description = None
        if inbound is not None:
            description = mask_numbers(payload.get("description") or inbound.body)
        out.append(
            {
                "service_request_id": case.number,
                "status": "closed" if case.status == CaseStatus.CLOSED else "open",
                "status_notes": _name(STATUS_NOTES.get(case.status, ("", "")), locale),
                "service_name": (dep.name_en if locale == "en" else dep.name_zh) if dep else None,
                "service_code": service_code,
                "description": description,
                "agency_responsible": unit.name(locale) if unit else None,
                "service_notice": None,
                "requested_datetime": _w3c(case.created_at, tz),
                "updated_datetime": _w3c(updated.get(case.id) or case.created_at, tz),
                "expected_datetime": _w3c(case.close_due or case.reply_due, tz),
                "address": case.place or payload.get("address_string"),
                "address_id": None,
                "zipcode": None,
                "lat": payload.get("lat"),
                "long": payload.get("long"),
                "media_url": None,
            }
        )
    return out


def _w3c(value: datetime | None, tz: ZoneInfo) -> str | None:
    if value is None:
        return None
    return value.astimezone(tz).replace(microsecond=0).isoformat()


def parse_datetime(raw: str) -> datetime:
    """A W3C date-time (2026-11-27T09:30:00+08:00, or ...Z); ValueError when it is not one with a zone."""
    # An unencoded "+08:00" in a query string arrives as " 08:00"; that is what the client meant.
    text = re.sub(r" (\d\d:?\d\d)$", r"+\1", raw.strip(" \t"))
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError("a UTC offset is required")
    return value
