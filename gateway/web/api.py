"""The JSON API for the bureau's other systems (API key in the X-API-Key header)."""

from __future__ import annotations

from flask import Blueprint, g, jsonify, request
from sqlalchemy import select

from gateway import apikeys
from gateway.case_view import case_to_dict
from gateway.models import Case
from gateway.web import runtime

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def error(status: int, message: str, **extra):
    response = jsonify({"error": message, **extra})
    response.status_code = status
    return response


@bp.before_request
def authenticate():
    rt = runtime()
    with rt.database.session() as session:
        key = apikeys.verify(session, request.headers.get("X-API-Key"))
        if key is None:
            return error(401, "missing or invalid X-API-Key")
        session.expunge(key)
    g.api_key = key
    return None


@bp.get("/cases/<number>")
def get_case(number: str):
    rt = runtime()
    with rt.database.session() as session:
        case = session.scalars(select(Case).where(Case.number == number)).one_or_none()
        # A case outside the key's scope is "not found": its existence is not the caller's business.
        if case is None or not apikeys.may_see(g.api_key, case.unit):
            return error(404, f"no case {number}")
        return jsonify(case_to_dict(session, case))
