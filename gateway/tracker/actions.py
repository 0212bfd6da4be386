"""What a unit (or a supervisor) does to a case: sign, reply, close, extend, return, re-route.

Each action locks the case row (so that it and a running sweep see each other's result), checks
that the case's state allows it (or raises a `TrackerError`), writes a timeline event and
recomputes the tracker's cursor `next_action_at`.

`policy` is optional so that the console can call an action with the names of the interface; when
omitted, the deployment's default `config/deadlines.toml` is used.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from sqlalchemy.orm import Session

from gateway import timeline
from gateway.config import DEFAULT_CONFIG_DIR
from gateway.deadlines.policy import Policy, load_policy
from gateway.deadlines.schedule import UNIT_STATUSES
from gateway.models import Case, CaseStatus
from gateway.tracker import notify, state
from gateway.tracker.errors import ActionNotAllowed, ExtensionNotAllowed, ReturnNotAllowed, RoutingError
from gateway.units import Units, load_units


@lru_cache(maxsize=1)
def _default_policy() -> Policy:
    return load_policy(DEFAULT_CONFIG_DIR)


def _lock(session: Session, case: Case) -> None:
    # Flush first: refresh would otherwise drop the caller's pending changes to the case.
    session.flush()
    session.refresh(case, with_for_update=True)


def _require_open(case: Case, action: str) -> None:
    if case.status not in CaseStatus.OPEN:
        raise ActionNotAllowed(f"case {case.number} is {case.status}: cannot {action}")


def _done(session: Session, case: Case, policy: Policy | None, now: datetime) -> None:
    state.reschedule(session, case, policy or _default_policy(), now)


def mark_signed(session: Session, case: Case, actor: str, now: datetime, *, policy: Policy | None = None) -> None:
    """The unit signs for the case (签收)."""
    _lock(session, case)
    if case.status != CaseStatus.ROUTED:
        raise ActionNotAllowed(f"case {case.number} is {case.status}: only a routed case can be signed for")
    case.signed_at = now
    case.status = CaseStatus.SIGNED
    on_time = case.sign_due is None or now <= case.sign_due
    timeline.record(session, case, state.SIGNED, now, actor, unit=case.unit, on_time=on_time)
    _done(session, case, policy, now)


def mark_replied(session: Session, case: Case, actor: str, now: datetime, *, policy: Policy | None = None) -> None:
    """The unit's first reply reached the citizen (a reply also counts as signing for the case)."""
    _lock(session, case)
    if case.status not in (CaseStatus.ROUTED, CaseStatus.SIGNED):
        raise ActionNotAllowed(f"case {case.number} is {case.status}: the first reply is given once, by its unit")
    if case.signed_at is None:
        case.signed_at = now
        timeline.record(session, case, state.SIGNED, now, actor, unit=case.unit, implied_by="reply")
    case.first_reply_at = now
    case.status = CaseStatus.REPLIED
    on_time = case.reply_due is None or now <= case.reply_due
    timeline.record(session, case, state.REPLIED, now, actor, unit=case.unit, on_time=on_time)
    _done(session, case, policy, now)


def close_case(
    session: Session, case: Case, summary: str, actor: str, now: datetime, *, policy: Policy | None = None
) -> None:
    """The matter is resolved (办结)."""
    _lock(session, case)
    _require_open(case, "close it")
    if not summary or not summary.strip():
        raise ActionNotAllowed("closing a case needs a summary of the outcome")
    case.closed_at = now
    case.resolution = summary.strip()
    case.status = CaseStatus.CLOSED
    on_time = case.close_due is None or now <= case.close_due
    timeline.record(session, case, state.CLOSED, now, actor, unit=case.unit, on_time=on_time)
    case.next_action_at = None


def request_extension(
    session: Session,
    case: Case,
    reason: str,
    days: int,
    actor: str,
    now: datetime,
    *,
    policy: Policy | None = None,
) -> None:
    """The unit asks for `days` more working days to close (延期), before the close deadline."""
    policy = policy or _default_policy()
    _lock(session, case)
    if case.status not in UNIT_STATUSES:
        raise ExtensionNotAllowed(f"case {case.number} is {case.status}: only its unit can ask for an extension")
    if not reason or not reason.strip():
        raise ExtensionNotAllowed("an extension request needs a reason")
    if not isinstance(days, int) or not 1 <= days <= policy.max_extension_days:
        raise ExtensionNotAllowed(f"an extension is 1 to {policy.max_extension_days} working days, not {days!r}")
    if case.extension_count >= policy.max_extensions:
        raise ExtensionNotAllowed(
            f"case {case.number} already had {case.extension_count} extension(s); at most {policy.max_extensions}"
        )
    if case.close_due is None or now >= case.close_due:
        raise ExtensionNotAllowed(f"case {case.number}: an extension must be asked before the close deadline")
    if state.pending_extension(session, case) is not None:
        raise ExtensionNotAllowed(f"case {case.number} already has an extension request waiting for a decision")
    timeline.record(
        session, case, state.EXTENSION_REQUESTED, now, actor, unit=case.unit, reason=reason.strip(), days=days
    )
    _done(session, case, policy, now)


def decide_extension(
    session: Session,
    case: Case,
    approve: bool,
    actor: str,
    now: datetime,
    *,
    policy: Policy | None = None,
    units: Units | None = None,
) -> None:
    """A supervisor approves or refuses the pending request; on approval the citizen is told the new date."""
    policy = policy or _default_policy()
    _lock(session, case)
    _require_open(case, "decide an extension")
    request = state.pending_extension(session, case)
    if request is None:
        raise ExtensionNotAllowed(f"case {case.number} has no extension request to decide")
    if not approve:
        timeline.record(session, case, state.EXTENSION_REFUSED, now, actor, request_id=request.id)
        _done(session, case, policy, now)
        return
    if case.extension_count >= policy.max_extensions:
        raise ExtensionNotAllowed(f"case {case.number} already had its {policy.max_extensions} extension(s)")
    days = int(request.details["days"])
    old_due = case.close_due
    # Days are added to the deadline, not to today: a unit that asks early does not lose time.
    case.close_due = policy.add_working_days(old_due, days)
    case.extension_count += 1
    message = notify.send_extension_notice(session, case, policy, units or load_units(policy.config_dir), now)
    timeline.record(
        session,
        case,
        state.EXTENSION_APPROVED,
        now,
        actor,
        request_id=request.id,
        days=days,
        old_due=old_due.isoformat(),
        new_due=case.close_due.isoformat(),
        sms=message.id if message is not None else None,
    )
    _done(session, case, policy, now)


def return_case(
    session: Session, case: Case, reason: str, actor: str, now: datetime, *, policy: Policy | None = None
) -> None:
    """The unit returns a wrongly routed case to dispatch (退单), within its sign-for window.

    The citizen's reply and close deadlines stay in force while the case is at dispatch, so the
    holding reply still goes out on time if nobody re-routes it.
    """
    _lock(session, case)
    if case.status not in (CaseStatus.ROUTED, CaseStatus.SIGNED) or case.first_reply_at is not None:
        raise ReturnNotAllowed(f"case {case.number} is {case.status}: only a case not yet answered can be returned")
    if case.sign_due is None or now > case.sign_due:
        raise ReturnNotAllowed(f"case {case.number}: the sign-for window for a return has passed")
    if not reason or not reason.strip():
        raise ReturnNotAllowed("a return needs a reason (where the case should go, or why it is not ours)")
    timeline.record(session, case, state.RETURNED, now, actor, unit=case.unit, reason=reason.strip())
    case.status = CaseStatus.RETURNED
    case.sign_due = None
    case.signed_at = None
    _done(session, case, policy, now)


REROUTABLE = (CaseStatus.RETURNED, CaseStatus.REVIEW, CaseStatus.NEW, CaseStatus.ROUTED, CaseStatus.SIGNED)


def reroute(
    session: Session,
    case: Case,
    department: str,
    jurisdiction: str,
    actor: str,
    now: datetime,
    units: Units,
    policy: Policy,
) -> None:
    """Dispatch sends a case to a unit; its clocks start again now.

    Returned, reviewed and unrouted cases, and also a case a supervisor finds at the wrong unit
    before it was answered (routed or signed for): a correction the classifier learns from.
    For a case that had been with a unit, the time between that routing and now is recorded as lost.
    """
    _lock(session, case)
    if case.status not in REROUTABLE:
        raise ActionNotAllowed(
            f"case {case.number} is {case.status}: only cases not yet answered by a unit are re-routed"
        )
    try:
        unit = units.unit_for(department, jurisdiction)
    except KeyError as exc:
        raise RoutingError(str(exc.args[0])) from None
    lost = 0
    if case.status in (CaseStatus.RETURNED, CaseStatus.ROUTED, CaseStatus.SIGNED) and case.routed_at is not None:
        lost = max(0, int((now - case.routed_at).total_seconds()))
        case.returned_seconds = (case.returned_seconds or 0) + lost
    previous = case.unit
    case.department = department
    case.jurisdiction = unit.jurisdiction
    case.unit = unit.code
    case.route_source = "dispatcher"
    case.routed_at = now
    case.signed_at = None
    case.status = CaseStatus.ROUTED
    policy.apply(case, start=now)
    timeline.record(
        session,
        case,
        state.REROUTED,
        now,
        actor,
        previous_unit=previous,
        unit=unit.code,
        lost_seconds=lost,
        sign_due=case.sign_due.isoformat(),
        reply_due=case.reply_due.isoformat(),
        close_due=case.close_due.isoformat(),
    )
    _done(session, case, policy, now)
