"""What the tracker owes a case, and when: a pure function of the case, the policy and what is done.

The plan is recomputed from the case's state every time (after a sweep, after each unit action),
so there is no schedule to keep in sync: `next_action_at` is just the earliest due time of the plan,
stored so that the sweep can find due cases through an index.

Actions:
- reminder:   to the unit at each `reminder_at` fraction of the sign / reply / close window, while the
              step is not done and its deadline has not passed (a reminder after the deadline is
              noise; escalation covers it);
- holding:    citizen holding reply at `holding_at` of the reply window if there is no first reply;
- escalation: 督办 to the supervising unit at the same moment, or when the close deadline passes;
- notice:     public-notice flag once the case has been overdue and escalated for `notice_after`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from gateway.models import CaseStatus

if TYPE_CHECKING:
    from gateway.deadlines.policy import Policy
    from gateway.models import Case

# Statuses in which a unit holds the case and can be reminded.
UNIT_STATUSES = (CaseStatus.ROUTED, CaseStatus.SIGNED, CaseStatus.REPLIED)

REMINDER, HOLDING, ESCALATION, NOTICE = "reminder", "holding", "escalation", "notice"


@dataclass(frozen=True)
class Action:
    type: str  # reminder | holding | escalation | notice
    due: datetime
    key: str  # stable per (case state): reminders that were sent or skipped are remembered by key
    window: str | None = None  # sign | reply | close, for reminders
    fraction: float | None = None
    deadline: datetime | None = None  # the deadline of the window the reminder is about


@dataclass
class TrackerState:
    """What the timeline says the tracker has done already (read from CaseEvents)."""

    done_keys: set[str] = field(default_factory=set)
    # Reminders of the close window that fall before the last approved extension are not sent:
    # the unit already knows, it asked for more time.
    close_window_from: datetime | None = None


def reminder_key(window: str, fraction: float, deadline: datetime) -> str:
    # The deadline is part of the key: when a window moves (extension, re-routing) its reminders
    # are new ones, and the old ones can never be mistaken for them.
    return f"reminder:{window}:{round(fraction * 100)}:{int(deadline.timestamp())}"


def window_start(case: Case) -> datetime:
    return case.routed_at or case.created_at


def window_point(case: Case, policy: Policy, window: str, deadline: datetime, fraction: float) -> datetime:
    """The moment at `fraction` of a window, on the clock the window runs on."""
    start = window_start(case)
    sla = policy.sla_for(case.kind, case.department, bool(case.emergency))
    if sla.step(window).working:
        return policy.calendar.working_point(start, deadline, fraction)
    return start + (deadline - start) * fraction


def is_overdue(case: Case, now: datetime) -> bool:
    if case.status == CaseStatus.CLOSED:
        return False
    late_reply = case.first_reply_at is None and case.reply_due is not None and case.reply_due <= now
    late_close = case.close_due is not None and case.close_due <= now
    return late_reply or late_close


def overdue_since(case: Case) -> datetime | None:
    """When the open case became (or will become, unchanged) overdue."""
    moments = [case.close_due] if case.close_due is not None else []
    if case.first_reply_at is None and case.reply_due is not None:
        moments.append(case.reply_due)
    return min(moments) if moments else None


def plan(case: Case, policy: Policy, state: TrackerState, now: datetime) -> list[Action]:
    """Every action the tracker still owes the case, in due order (some may be in the future)."""
    if case.status == CaseStatus.CLOSED or case.reply_due is None:
        return []
    actions: list[Action] = []
    with_unit = case.unit is not None and case.status in UNIT_STATUSES

    def reminders(window: str, deadline: datetime | None, not_before: datetime | None = None) -> None:
        if not with_unit or deadline is None or deadline <= now:
            return
        for fraction in policy.reminder_at:
            key = reminder_key(window, fraction, deadline)
            if key in state.done_keys:
                continue
            due = window_point(case, policy, window, deadline, fraction)
            if not_before is not None and due < not_before:
                continue
            actions.append(Action(REMINDER, due, key, window, fraction, deadline))

    if case.status == CaseStatus.ROUTED and case.signed_at is None:
        reminders("sign", case.sign_due)

    escalate_at: list[datetime] = []
    if case.first_reply_at is None:
        reminders("reply", case.reply_due)
        holding_due = window_point(case, policy, "reply", case.reply_due, policy.holding_at)
        if case.holding_sent_at is None:
            actions.append(Action(HOLDING, holding_due, HOLDING))
        escalate_at.append(holding_due)

    if case.close_due is not None:
        reminders("close", case.close_due, state.close_window_from)
        escalate_at.append(case.close_due)

    if case.escalated_at is None and escalate_at:
        actions.append(Action(ESCALATION, min(escalate_at), ESCALATION))
    elif case.escalated_at is not None and case.notice_flagged_at is None:
        since = overdue_since(case)
        if since is not None:
            due = max(policy.after(policy.notice_after_escalation, case.escalated_at), since)
            actions.append(Action(NOTICE, due, NOTICE))

    order = {REMINDER: 0, HOLDING: 1, ESCALATION: 2, NOTICE: 3}
    actions.sort(key=lambda a: (a.due, order[a.type]))
    return actions


def next_action_at(case: Case, policy: Policy, state: TrackerState, now: datetime) -> datetime | None:
    actions = plan(case, policy, state, now)
    return actions[0].due if actions else None
