"""What the tracker has already done for a case, read back from the case's timeline.

The timeline is the tracker's memory: a reminder event lists the reminder keys it covered, an
approved extension says from when the close window's reminders count again. Reading it costs one
indexed query per batch of due cases, never a scan of all cases.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.deadlines.policy import Policy
from gateway.deadlines.schedule import TrackerState, next_action_at
from gateway.models import Case, CaseEvent

# Timeline event types written by the tracker and its actions.
REMINDER = "reminder"  # the console's badge; details: window, percent, deadline, keys, sms
HOLDING_REPLY = "holding_reply"
ESCALATED = "escalated"
NOTICE_FLAGGED = "notice_flagged"
SIGNED = "signed"
REPLIED = "replied"
CLOSED = "closed"
EXTENSION_REQUESTED = "extension_requested"
EXTENSION_APPROVED = "extension_approved"
EXTENSION_REFUSED = "extension_refused"
RETURNED = "returned"
REROUTED = "rerouted"

_STATE_EVENTS = (REMINDER, EXTENSION_APPROVED)


def load_states(session: Session, case_ids: Iterable[int]) -> dict[int, TrackerState]:
    ids = list(case_ids)
    states = {case_id: TrackerState() for case_id in ids}
    if not ids:
        return states
    rows = session.execute(
        select(CaseEvent.case_id, CaseEvent.type, CaseEvent.at, CaseEvent.details)
        .where(CaseEvent.case_id.in_(ids), CaseEvent.type.in_(_STATE_EVENTS))
        .order_by(CaseEvent.at, CaseEvent.id)
    )
    for case_id, type_, at, details in rows:
        state = states[case_id]
        if type_ == REMINDER:
            state.done_keys.update((details or {}).get("keys", []))
        elif type_ == EXTENSION_APPROVED:
            state.close_window_from = at
    return states


def reschedule(session: Session, case: Case, policy: Policy, now: datetime) -> None:
    """Recompute the tracker's cursor after the case changed (a unit action, a sweep)."""
    state = load_states(session, [case.id])[case.id]
    case.next_action_at = next_action_at(case, policy, state, now)


def extension_requests(session: Session, case: Case) -> list[CaseEvent]:
    """The case's extension events, oldest first."""
    return list(
        session.scalars(
            select(CaseEvent)
            .where(
                CaseEvent.case_id == case.id,
                CaseEvent.type.in_((EXTENSION_REQUESTED, EXTENSION_APPROVED, EXTENSION_REFUSED)),
            )
            .order_by(CaseEvent.at, CaseEvent.id)
        )
    )


def pending_extension(session: Session, case: Case) -> CaseEvent | None:
    """The request awaiting a supervisor's decision, if any."""
    events = extension_requests(session, case)
    if events and events[-1].type == EXTENSION_REQUESTED:
        return events[-1]
    return None
