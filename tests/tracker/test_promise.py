"""The promise, as a property: no citizen waits past the reply deadline without hearing from us.

Hypothesis drives random arrivals (any kind, emergencies, review cases, landlines), unit actions,
extensions, returns and re-routing, separated by clock jumps of minutes to days around the National
Day and Spring Festival holidays, 调休 weekends and the end of the calendar's known years. Between
actions the sweep runs as `rq cron` runs it: on the whole minute, whenever a case's next action is due.
Nobody sleeps: time is a parameter.

At every instant: every case whose reply deadline has passed, and which was still open at that
deadline, had the unit's reply or a citizen-facing message (holding reply, extension notice) no
later than the deadline.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from gateway.models import Base, Case, CaseEvent, OutboundMessage
from gateway.tracker import TrackerError, sweep
from gateway.tracker import actions as act
from gateway.tracker.notify import CITIZEN_PURPOSES

from .helpers import LANDLINE, MOBILE, local, new_case

STARTS = [
    local(2026, 9, 30, 19, 0),  # the evening before National Day
    local(2026, 10, 9, 16, 0),  # the Friday before the 调休 Saturday 10 October
    local(2026, 2, 13, 15, 0),  # the eve of the Spring Festival holiday
    local(2026, 4, 30, 17, 0),  # the eve of Labour Day
    local(2026, 12, 30, 10, 0),  # the end of the years chinesecalendar knows
]
KINDS = ["inquiry", "complaint", "report", "suggestion", "praise", None]
DEPARTMENTS = ["traffic", "household", "exit_entry", "public_order", "inspection"]
JURISDICTIONS = ["city", "xianan", "chibi", "jiayu"]

jumps = st.one_of(
    st.integers(0, 180).map(lambda m: timedelta(minutes=m)),
    st.integers(0, 72).map(lambda h: timedelta(hours=h)),
    st.integers(0, 12).map(lambda d: timedelta(days=d)),
)
case_ref = st.integers(0, 1000)
ops = st.one_of(
    st.tuples(
        st.just("arrive"),
        st.sampled_from(KINDS),
        st.sampled_from(DEPARTMENTS),
        st.sampled_from(JURISDICTIONS),
        st.booleans(),  # emergency (weighted down below)
        st.sampled_from(["zh", "en"]),
        st.sampled_from([MOBILE, LANDLINE]),
        st.booleans(),  # held for review
    ),
    st.tuples(st.just("sign"), case_ref),
    st.tuples(st.just("reply"), case_ref),
    st.tuples(st.just("close"), case_ref),
    st.tuples(st.just("extend"), case_ref, st.integers(1, 15)),
    st.tuples(st.just("decide"), case_ref, st.booleans()),
    st.tuples(st.just("return"), case_ref),
    st.tuples(st.just("reroute"), case_ref, st.sampled_from(DEPARTMENTS), st.sampled_from(JURISDICTIONS)),
)


def _ceil_minute(moment: datetime) -> datetime:
    floor = moment.replace(second=0, microsecond=0)
    return floor if floor == moment else floor + timedelta(minutes=1)


class World:
    """The database, the clock and the cron: what production does, with time as a parameter."""

    def __init__(self, session: Session, policy, units, now: datetime) -> None:
        self.session, self.policy, self.units, self.now = session, policy, units, now
        self.case_ids: list[int] = []
        self.sweeps = 0

    def advance(self, target: datetime) -> None:
        for _ in range(10_000):
            nxt = self.session.scalar(select(func.min(Case.next_action_at)))
            if nxt is None:
                break
            tick = max(_ceil_minute(nxt), self.now)
            if tick > target:
                break
            self.now = tick
            sweep(self.session, tick, self.policy, self.units)
            self.session.commit()
            self.sweeps += 1
            self.check()
        self.now = max(self.now, target)
        self.check()

    def case(self, ref: int) -> Case | None:
        if not self.case_ids:
            return None
        return self.session.get(Case, self.case_ids[ref % len(self.case_ids)])

    def do(self, op: tuple) -> None:
        name, *args = op
        now, s, p = self.now, self.session, self.policy
        if name == "arrive":
            kind, department, jurisdiction, emergency, language, citizen, review = args
            emergency = emergency and department != "inspection" and len(self.case_ids) % 3 == 0
            case = new_case(
                s,
                p,
                now,
                kind=kind,
                department=department,
                jurisdiction=jurisdiction,
                emergency=emergency,
                language=language,
                citizen=citizen,
                status="review" if review else "routed",
                unit=None if review else "",
            )
            self.case_ids.append(case.id)
            s.commit()
            return
        case = self.case(args[0])
        if case is None:
            return
        try:
            if name == "sign":
                act.mark_signed(s, case, "unit", now, policy=p)
            elif name == "reply":
                act.mark_replied(s, case, "unit", now, policy=p)
            elif name == "close":
                act.close_case(s, case, "resolved", "unit", now, policy=p)
            elif name == "extend":
                act.request_extension(s, case, "need more time", args[1], "unit", now, policy=p)
            elif name == "decide":
                act.decide_extension(s, case, args[1], "supervisor", now, policy=p, units=self.units)
            elif name == "return":
                act.return_case(s, case, "not ours", "unit", now, policy=p)
            elif name == "reroute":
                act.reroute(s, case, args[1], args[2], "dispatcher", now, self.units, p)
        except TrackerError:
            s.rollback()
        else:
            s.commit()
        self.check()

    def check(self) -> None:
        """The promise, for every deadline that has passed by now."""
        now = self.now
        heard_by = dict(
            self.session.execute(
                select(OutboundMessage.case_id, func.min(OutboundMessage.created_at))
                .where(OutboundMessage.purpose.in_(CITIZEN_PURPOSES))
                .group_by(OutboundMessage.case_id)
            ).all()
        )
        for case in self.session.scalars(select(Case).where(Case.reply_due <= now)):
            due = case.reply_due
            if case.closed_at is not None and case.closed_at <= due:
                continue  # resolved in time: the outcome is the answer
            replied = case.first_reply_at is not None and case.first_reply_at <= due
            told = case.id in heard_by and heard_by[case.id] <= due
            assert replied or told, (
                f"case {case.number} ({case.kind}, emergency={case.emergency}, status={case.status}) "
                f"reply due {due.isoformat()}, nothing sent by then; now {now.isoformat()}"
            )

    def check_once(self) -> None:
        """Each holding reply, escalation and notice happened at most once per case."""
        counts = self.session.execute(
            select(CaseEvent.case_id, CaseEvent.type, func.count())
            .where(CaseEvent.type.in_(("holding_reply", "escalated", "notice_flagged")))
            .group_by(CaseEvent.case_id, CaseEvent.type)
        ).all()
        assert all(n == 1 for _, _, n in counts), counts
        dupes = self.session.execute(
            select(OutboundMessage.dedupe_key, func.count())
            .where(OutboundMessage.dedupe_key.is_not(None))
            .group_by(OutboundMessage.dedupe_key)
            .having(func.count() > 1)
        ).all()
        assert dupes == []


def _empty(session: Session) -> None:
    for table in reversed(Base.metadata.sorted_tables):
        session.execute(delete(table))
    session.commit()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    start=st.sampled_from(STARTS),
    offset=st.integers(0, 48 * 60).map(lambda m: timedelta(minutes=m)),
    steps=st.lists(st.tuples(jumps, ops), min_size=1, max_size=40),
    tail=st.integers(0, 30).map(lambda d: timedelta(days=d)),
)
def test_no_citizen_waits_past_the_reply_deadline(database, policy, units, start, offset, steps, tail):
    with database.sessionmaker() as session:
        _empty(session)
        world = World(session, policy, units, start + offset)
        for jump, op in steps:
            world.advance(world.now + jump)
            world.do(op)
        world.advance(world.now + tail)
        world.check_once()
