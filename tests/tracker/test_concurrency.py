"""Two sweeps at once produce each reminder, holding reply and escalation exactly once.

Runs on the database of the session: SQLite by default (writers serialised by BEGIN IMMEDIATE), and
on PostgreSQL with DATABASE_URL set, where FOR UPDATE SKIP LOCKED does the work.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from gateway.models import CaseEvent, OutboundMessage
from gateway.tracker import SweepReport, sweep
from gateway.tracker.actions import mark_signed

from .helpers import local, new_case

MONDAY = local(2026, 11, 2, 8, 30)
CASES = 60


def _seed(database, policy) -> list[int]:
    """Cases due for every kind of action at once at HOLDING (Wednesday 14:48)."""
    ids = []
    with database.session() as s:
        for i in range(CASES):
            case = new_case(s, policy, MONDAY, jurisdiction=["chibi", "jiayu", "xianan"][i % 3])
            if i % 2:
                mark_signed(s, case, "unit", MONDAY + timedelta(minutes=10), policy=policy)
            ids.append(case.id)
    return ids


HOLDING = local(2026, 11, 4, 14, 48)


def _sweeper(database, policy, units, barrier: threading.Barrier, out: list, errors: list) -> None:
    total = SweepReport()
    try:
        barrier.wait()
        while True:
            with database.session() as s:
                # Small batches interleave the two sweeps over the same due cases.
                report = sweep(s, HOLDING, policy, units, limit=7)
            total += report
            if report.cases == 0:
                break
    except Exception as exc:  # surfaced by the test below, not swallowed
        errors.append(exc)
    out.append(total)


def _counts(database) -> tuple[Counter, Counter]:
    with database.session() as s:
        events = Counter(
            (case_id, type_)
            for case_id, type_ in s.execute(
                select(CaseEvent.case_id, CaseEvent.type).where(
                    CaseEvent.type.in_(("reminder", "holding_reply", "escalated"))
                )
            )
        )
        messages = Counter(
            (case_id, purpose)
            for case_id, purpose in s.execute(select(OutboundMessage.case_id, OutboundMessage.purpose))
        )
    return events, messages


@pytest.mark.parametrize("sweepers", [2, 4])
def test_concurrent_sweeps_do_each_thing_once(database, policy, units, sweepers):
    ids = _seed(database, policy)
    barrier = threading.Barrier(sweepers)
    reports: list[SweepReport] = []
    errors: list[Exception] = []
    threads = [
        threading.Thread(target=_sweeper, args=(database, policy, units, barrier, reports, errors))
        for _ in range(sweepers)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    events, messages = _counts(database)
    for case_id in ids:
        # The reply window's 80% reminder (covering 50%), the holding reply and the escalation.
        assert events[(case_id, "reminder")] == 1
        assert events[(case_id, "holding_reply")] == 1
        assert events[(case_id, "escalated")] == 1
        assert messages[(case_id, "reminder")] == 1
        assert messages[(case_id, "holding")] == 1
        assert messages[(case_id, "escalation")] == 1
    assert sum(r.cases for r in reports) == CASES
    assert sum(r.holding_replies for r in reports) == CASES
    assert sum(r.escalations for r in reports) == CASES
    assert sum(r.reminders for r in reports) == CASES


def test_a_sweep_skips_cases_another_sweep_holds(database, policy, units):
    """PostgreSQL: while sweep A holds its batch uncommitted, sweep B skips it instead of redoing it."""
    if database.engine.dialect.name != "postgresql":
        pytest.skip("row locks: PostgreSQL only (SQLite serialises whole write transactions)")
    _seed(database, policy)
    with database.session() as a:
        first = sweep(a, HOLDING, policy, units, limit=20)
        assert first.cases == 20
        with database.session() as b:
            second = sweep(b, HOLDING, policy, units)
        assert second.cases == CASES - 20  # the other forty, none of A's
    with database.session() as c:
        assert sweep(c, HOLDING, policy, units).cases == 0
    events, _ = _counts(database)
    assert all(n == 1 for n in events.values())
    assert sum(1 for (_, type_) in events if type_ == "holding_reply") == CASES
