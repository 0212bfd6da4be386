"""The queue, the review queue, the case page and its action forms, the live emergency feed."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import abort, flash, g, jsonify, redirect, render_template, request, url_for
from sqlalchemy import select

from gateway import accounts, case_actions, queue_view
from gateway.deadlines.schedule import UNIT_STATUSES
from gateway.models import Case, CaseStatus, InboundMessage, OutboundMessage, Role
from gateway.timeline import events_of
from gateway.tracker import state as tracker_state
from gateway.web.actions_api import perform
from gateway.web.console import bp
from gateway.web.console.context import (
    current_actor,
    is_city_wide,
    login_required,
    now,
    roles_required,
    runtime,
)
from gateway.web.console.replies import templates_for
from gateway.web.console.session_views import flash_ok

KINDS = ("complaint", "report", "inquiry", "suggestion", "praise")
# The command centre's dispatchers watch every live emergency, as supervisors do.
COMMAND_DEPARTMENT = "command"


def _date(value: str | None, tz: ZoneInfo, end: bool = False) -> datetime | None:
    """A yyyy-mm-dd from the filter form as the start (or the end) of that day in the bureau's zone."""
    if not value:
        return None
    try:
        day = datetime.strptime(value.strip(), "%Y-%m-%d").date()
    except ValueError:
        return None
    start = datetime.combine(day, time(0), tzinfo=tz)
    return start + timedelta(days=1) if end else start


def _page_number(value: str | None) -> int:
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 7 else 1


def _queue_filter(review: bool) -> queue_view.QueueFilter:
    args = request.args
    tz = ZoneInfo(runtime().units.bureau.timezone)
    user = g.user
    if is_city_wide(user):
        unit = args.get("unit") or None
        statuses = CaseStatus.OPEN
    else:
        # A dispatcher's queue is their unit's, whatever the URL says.
        unit = user.unit
        statuses = (*UNIT_STATUSES, CaseStatus.RETURNED)
    status = args.get("status") or None
    return queue_view.QueueFilter(
        unit=unit,
        status=status if status in CaseStatus.OPEN else None,
        statuses=statuses,
        kind=args.get("kind") if args.get("kind") in KINDS else None,
        overdue=args.get("overdue") == "1",
        emergency=args.get("emergency") == "1",
        review=review or args.get("review") == "1",
        since=_date(args.get("from"), tz),
        until=_date(args.get("to"), tz, end=True),
        search=(args.get("q") or "")[: queue_view.SEARCH_MAX],
        page=_page_number(args.get("page")),
    )


def _emergency_scope() -> tuple[bool, str | None]:
    """(show the banner, the unit it covers): city-wide roles and the command centre see every one."""
    user = g.user
    if is_city_wide(user):
        return True, None
    unit = runtime().units.get(user.unit or "")
    if unit is not None and unit.department == COMMAND_DEPARTMENT:
        return True, None
    return True, user.unit


def _render_queue(review: bool):
    rt = runtime()
    f = _queue_filter(review)
    at = now()
    with rt.database.session() as db:
        page = queue_view.queue_page(db, f, at)
        summary = queue_view.summary(db, f.unit, at)
        _show, scope = _emergency_scope()
        # The counter is already known for the page's own scope; fetch rows only when there is one.
        known = summary.emergencies if scope == f.unit else None
        emergencies = queue_view.live_emergencies(db, scope) if known != 0 else []
        db.expunge_all()
    units = sorted(rt.units.units.values(), key=lambda u: (u.jurisdiction != "city", u.jurisdiction, u.department))
    return render_template(
        "console/queue.html",
        page=page,
        f=f,
        args=request.args,
        summary=summary,
        emergencies=emergencies,
        emergency_scope=scope,
        review=review,
        kinds=KINDS,
        statuses=CaseStatus.OPEN if is_city_wide(g.user) else (*UNIT_STATUSES, CaseStatus.RETURNED),
        units=units,
        now=at,
    )


@bp.get("/queue")
@login_required
def queue():
    return _render_queue(review=False)


@bp.get("/review")
@roles_required(Role.SUPERVISOR, Role.ADMIN)
def review():
    return _render_queue(review=True)


@bp.get("/emergencies.json")
def emergencies_feed():
    """The banner's live feed (polled by console.js): open emergencies in the user's scope."""
    if g.user is None:
        return jsonify({"error": "signed out"}), 401
    _show, scope = _emergency_scope()
    with runtime().database.session() as db:
        cases = queue_view.live_emergencies(db, scope)
        items = [
            {"number": c.number, "url": url_for("console.case_page", number=c.number), "unit": c.unit} for c in cases
        ]
        total = queue_view.summary(db, scope, now()).emergencies
    return jsonify({"count": total, "cases": items})


def _case_messages(db, case: Case) -> list[dict]:
    inbound = db.scalars(select(InboundMessage).where(InboundMessage.case_id == case.id)).all()
    outbound = db.scalars(select(OutboundMessage).where(OutboundMessage.case_id == case.id)).all()
    items = [
        {"direction": "in", "body": m.body, "state": "received", "at": m.received_at, "channel": m.channel}
        for m in inbound
    ] + [
        {
            "direction": "out",
            "body": m.body,
            "state": m.state,
            "at": m.created_at,
            "purpose": m.purpose,
            "to_citizen": m.to_number == case.citizen_number,
            "segments": m.segments,
            "error": m.error_code,
            "sent_at": m.sent_at,
        }
        for m in outbound
    ]
    items.sort(key=lambda m: m["at"])
    return items


# Details that are machinery, not information, in the timeline.
_HIDDEN_DETAILS = {"keys", "message_id", "request_id", "sms", "reasons", "sid", "implied_by"}
_TEXT_DETAILS = ("body", "text", "reason", "summary")


def _event_view(event) -> dict:
    details = dict(event.details or {})
    text = next((str(details.pop(k)) for k in _TEXT_DETAILS if details.get(k)), "")
    extras = [(k, v) for k, v in details.items() if k not in _HIDDEN_DETAILS and v not in (None, "", [])]
    return {"type": event.type, "at": event.at, "actor": event.actor, "text": text, "extras": extras}


@bp.get("/cases/<number>")
@login_required
def case_page(number: str):
    rt = runtime()
    actor = current_actor()
    at = now()
    with rt.database.session() as db:
        try:
            case = case_actions.find_case(db, number, actor)
        except case_actions.NotFound:
            abort(404)
        available = case_actions.available_actions(db, case, actor)
        pending = tracker_state.pending_extension(db, case) if case.status in CaseStatus.OPEN else None
        officers = accounts.officers_of(db, case.unit) if case.unit else []
        view = {
            "case": case,
            "messages": _case_messages(db, case),
            "events": [_event_view(e) for e in events_of(db, case)],
            "available": available,
            "pending": pending.details if pending is not None else None,
            "officers": [(o.username, o.display_name) for o in officers],
            "next_due": queue_view.next_due_of(case),
        }
        db.expunge_all()
    case = view["case"]
    units = sorted(rt.units.units.values(), key=lambda u: (u.jurisdiction != "city", u.jurisdiction, u.department))
    prefix, suffix = _reply_frame(case)
    return render_template(
        "console/case.html",
        **view,
        # The whole number only for those who may act on the case (not a read-only administrator).
        show_number=bool(view["available"]),
        reply_templates=templates_for(case.language),
        reply_prefix=prefix,
        reply_suffix=suffix,
        units=units,
        max_extension_days=rt.policy.max_extension_days,
        now=at,
        deadlines=_deadlines(case),
    )


def _deadlines(case: Case) -> list[dict]:
    return [
        {"key": "sign", "due": case.sign_due, "done": case.signed_at},
        {"key": "reply", "due": case.reply_due, "done": case.first_reply_at},
        {"key": "close", "due": case.close_due, "done": case.closed_at},
    ]


def _reply_frame(case: Case) -> tuple[str, str]:
    """The text around the dispatcher's words in the SMS the citizen gets, for the live counter."""
    from gateway.conversation import texts

    marker = "\x00"
    framed = texts.render("reply", case.language, runtime().settings.config_dir, number=case.number, body=marker)
    prefix, _, suffix = framed.partition(marker)
    return prefix, suffix


@bp.post("/cases/<number>/actions")
@login_required
def case_action(number: str):
    form = {k: v for k, v in request.form.items() if k != "csrf_token"}
    try:
        perform(runtime(), number, current_actor(), form, now())
    except case_actions.NotFound:
        abort(404)
    except case_actions.ActionRefused as exc:
        flash(exc.message, "error")
        return redirect(url_for("console.case_page", number=number), code=303)
    flash_ok()
    # After a return the case is at dispatch: a dispatcher goes on with their queue.
    if form.get("type") == "return" and not is_city_wide(g.user):
        return redirect(url_for("console.queue"), code=303)
    return redirect(url_for("console.case_page", number=number), code=303)
