"""POST /api/v1/transcripts: a call-centre transcript becomes a case, once per call_id."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from flask import Blueprint, Response, g, jsonify, request

from gateway import intake, jobs, ratelimit, transcripts
from gateway.apikeys import may_see
from gateway.case_view import case_to_dict
from gateway.channels import channel_settings
from gateway.models import Case, InboundMessage
from gateway.web import runtime
from gateway.web.api import authenticate

bp = Blueprint("transcripts", __name__, url_prefix="/api/v1")
bp.before_request(authenticate)

# 20,000 Chinese characters are 60 kB as UTF-8 but 120 kB as JSON \u escapes (what json.dumps
# writes by default), so this route allows more than the app-wide MAX_CONTENT_LENGTH.
BODY_LIMIT = 256 * 1024


def problems(status: int, message: str, items: list[dict[str, str]]) -> Response:
    response = jsonify({"error": message, "problems": items})
    response.status_code = status
    return response


@bp.post("/transcripts")
def post_transcript() -> Response:
    rt = runtime()
    settings = channel_settings(rt.settings.config_dir).transcripts
    key = g.api_key

    verdict = ratelimit.hit(rt.redis, f"transcripts:key{key.id}", settings.rate)
    if not verdict.allowed:
        response = problems(429, "rate limit exceeded for this API key", [])
        response.headers["Retry-After"] = str(verdict.retry_after)
        return response

    if not request.is_json:
        return problems(415, "send JSON", [{"field": "(body)", "problem": "Content-Type must be application/json"}])
    request.max_content_length = BODY_LIMIT
    raw = request.get_data(cache=False)  # 413 beyond BODY_LIMIT, through the app's error handler
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as exc:
        return problems(400, "malformed JSON", [{"field": "(body)", "problem": f"not valid JSON: {exc}"}])
    try:
        transcript = transcripts.parse(data, settings.max_chars)
    except transcripts.InvalidTranscript as exc:
        return problems(422, "invalid transcript", [p.as_dict() for p in exc.problems])

    msg = transcript.message(datetime.now(UTC), key.id, data)
    with rt.database.session() as session:
        accepted = intake.accept(session, msg, rt.deployment)
        case = session.get(Case, accepted.case_id)
        if accepted.duplicate:
            inbound = session.get(InboundMessage, accepted.inbound_id)
            owner = (inbound.payload or {}).get("api_key_id")
            # Another client's call_id: say it is taken, without showing that client's case.
            if owner != key.id and not may_see(key, case.unit):
                return problems(409, "call_id already used", [{"field": "call_id", "problem": "already used"}])
        body = case_to_dict(session, case)
    jobs.request_intake(rt.redis)
    response = jsonify(body)
    response.status_code = 200 if accepted.duplicate else 201
    response.headers["Location"] = f"/api/v1/cases/{accepted.case_number}"
    return response
