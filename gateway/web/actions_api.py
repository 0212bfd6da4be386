"""`POST /api/v1/cases/<number>/actions`: the console's actions for the bureau's other systems.

Same rules and audit events as the console (both call `gateway.case_actions`): a key scoped to a
unit acts as that unit's dispatcher, a city-wide key as a supervisor. Refusals are JSON:
`{"error": message, "code": stable_code}` with 400 (malformed), 403 (role), 404 (not visible),
409 (the case's state does not allow it).
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, g, jsonify, request

from gateway import case_actions, jobs
from gateway.case_view import case_to_dict
from gateway.outbox import take_queued_ids
from gateway.web import runtime
from gateway.web.api import authenticate, error

bp = Blueprint("actions_api", __name__, url_prefix="/api/v1")
bp.before_request(authenticate)


@bp.post("/cases/<number>/actions")
def post_action(number: str):
    rt = runtime()
    action = request.get_json(silent=True)
    if not isinstance(action, dict):
        return error(400, 'send a JSON object, e.g. {"type": "sign"}', code="bad_json")
    actor = case_actions.Actor.from_api_key(g.api_key)
    try:
        outcome, body = perform(rt, number, actor, action, datetime.now(UTC), render=case_to_dict)
    except case_actions.ActionRefused as exc:
        return error(exc.status, exc.message, code=exc.code)
    return jsonify({"ok": True, "action": outcome.type, **outcome.details, "case": body})


def perform(rt, number: str, actor: case_actions.Actor, action: dict, now: datetime, render=None):
    """Apply one action in its own transaction, then trigger the SMS it queued.

    Shared by the API and the console. `render(session, case)`, when given, is computed inside the
    transaction (the case as it is after the action). Raises `case_actions.ActionRefused`.
    """
    ctx = case_actions.Context(units=rt.units, policy=rt.policy, config_dir=rt.settings.config_dir)
    with rt.database.session() as session:
        case = case_actions.find_case(session, number, actor)
        outcome = case_actions.apply_action(session, case, actor, action, now, ctx)
        rendered = render(session, case) if render is not None else None
        queued = take_queued_ids(session)
    # Only after the commit made the rows durable. Redis is just a trigger: when it is down,
    # the enqueue logs and the outbox reconciler sends the rows later.
    jobs.enqueue_notify_many(rt.redis, queued)
    return outcome, rendered
