"""The sweep: do what is due for every case whose next action time has come.

Cost follows due work only: the query reads `cases.next_action_at <= now` through its index,
in batches, and each processed case gets a new `next_action_at` in the future (or NULL).

Running it twice, or from two processes at once, sends nothing twice:
- on PostgreSQL the batch is locked with FOR UPDATE SKIP LOCKED, so a second sweep skips the
  cases the first is handling, and re-checks `next_action_at <= now` on rows committed meanwhile;
- on SQLite every write transaction holds the database lock from its start (BEGIN IMMEDIATE);
- under both, every SMS has a dedupe key that is unique in the outbox.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.deadlines.policy import Policy
from gateway.deadlines.schedule import ESCALATION, HOLDING, NOTICE, REMINDER, Action, TrackerState, plan
from gateway.models import Case
from gateway.tracker import notify
from gateway.tracker.state import load_states
from gateway.units import Units

log = logging.getLogger(__name__)

BATCH_SIZE = 200


@dataclass
class SweepReport:
    cases: int = 0
    reminders: int = 0
    holding_replies: int = 0
    escalations: int = 0
    notices: int = 0
    message_ids: list[int] = field(default_factory=list)  # outbox rows queued (for the notify jobs)

    def __iadd__(self, other: SweepReport) -> SweepReport:
        self.cases += other.cases
        self.reminders += other.reminders
        self.holding_replies += other.holding_replies
        self.escalations += other.escalations
        self.notices += other.notices
        self.message_ids.extend(other.message_ids)
        return self

    def as_dict(self) -> dict:
        data = asdict(self)
        data["messages"] = len(data.pop("message_ids"))
        return data


def due_cases(session: Session, now: datetime, limit: int) -> list[Case]:
    query = (
        select(Case)
        .where(Case.next_action_at <= now)
        .order_by(Case.next_action_at, Case.id)
        .limit(limit)
        # Ignored by SQLite, whose writers are serialised anyway.
        .with_for_update(skip_locked=True)
        # Another transaction may have changed a case this session already holds.
        .execution_options(populate_existing=True)
    )
    return list(session.scalars(query))


def sweep(session: Session, now: datetime, policy: Policy, units: Units, *, limit: int | None = None) -> SweepReport:
    """Process due cases (all of them, or at most `limit`) in the caller's transaction."""
    report = SweepReport()
    while limit is None or report.cases < limit:
        size = BATCH_SIZE if limit is None else min(BATCH_SIZE, limit - report.cases)
        cases = due_cases(session, now, size)
        if not cases:
            break
        states = load_states(session, [c.id for c in cases])
        for case in cases:
            process_case(session, case, states[case.id], now, policy, units, report)
        session.flush()
        report.cases += len(cases)
        if len(cases) < size:
            break
    return report


def process_case(
    session: Session, case: Case, state: TrackerState, now: datetime, policy: Policy, units: Units, report: SweepReport
) -> None:
    due = [a for a in plan(case, policy, state, now) if a.due <= now]
    for action, covered in _latest_reminders(due):
        notify.remind(session, case, action, covered, policy, units, now)
        state.done_keys.update([action.key, *covered])
        report.reminders += 1
    types = {a.type for a in due}
    if HOLDING in types:
        notify.send_holding_reply(session, case, policy, units, now)
        report.holding_replies += 1
    if ESCALATION in types:
        notify.escalate(session, case, policy, units, now)
        report.escalations += 1
    if NOTICE in types:
        notify.flag_notice(session, case, now)
        report.notices += 1
    case.next_action_at = _next(case, policy, state, now)


def _latest_reminders(due: list[Action]) -> list[tuple[Action, list[str]]]:
    """One reminder per window: the latest due one; the older ones (a sweep that ran late) are covered by it."""
    by_window: dict[str, list[Action]] = {}
    for action in due:
        if action.type == REMINDER:
            by_window.setdefault(action.window, []).append(action)
    result = []
    for actions in by_window.values():
        actions.sort(key=lambda a: a.fraction)
        result.append((actions[-1], [a.key for a in actions[:-1]]))
    return result


def _next(case: Case, policy: Policy, state: TrackerState, now: datetime) -> datetime | None:
    upcoming = plan(case, policy, state, now)
    if not upcoming:
        return None
    nxt = upcoming[0].due
    if nxt <= now:
        # Everything due was just done, so this is a bug in the plan; without this guard the
        # sweep would pick the case again and again. Retry it in a minute and say so loudly.
        log.error("case %s: action %s still due after the sweep at %s", case.id, upcoming[0], now.isoformat())
        return now + timedelta(minutes=1)
    return nxt
