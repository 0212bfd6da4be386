"""The ledger over a seeded month (November 2026, Asia/Shanghai) whose every figure is worked out by hand."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from factories import add_case, add_event, shanghai

from gateway.models import CaseStatus
from gateway.reports import daily_ledger, range_ledger, rank_units, rollup
from gateway.reports.output import ledger_csv, ranking_csv

TZ = "Asia/Shanghai"
A = "chibi.traffic"
B = "xianan.household"
NOV1, NOV30 = date(2026, 11, 1), date(2026, 11, 30)


def L(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:  # noqa: N802 (reads as a time)
    return shanghai(2026, month, day, hour, minute)


def seed(session) -> None:
    # A1: all on time; rated 5. Reply wait 24 h.
    add_case(
        session, A, L(2, 9), status=CaseStatus.CLOSED,
        sign_due=L(2, 17), signed_at=L(2, 10), reply_due=L(4, 17), first_reply_at=L(3, 9),
        close_due=L(10, 17), closed_at=L(9, 10), rating=5, rating_text="5", rated_at=L(10, 9),
    )  # fmt: skip
    # A2: late at every step; rated 2 (dissatisfied). Reply wait 72 h. Overdue at the end of
    # Nov 4 (no reply yet) and of Nov 12 and 13 (past the close deadline, closed Nov 14).
    add_case(
        session, A, L(2, 11), status=CaseStatus.CLOSED,
        sign_due=L(2, 18), signed_at=L(3, 9), reply_due=L(4, 17), first_reply_at=L(5, 11),
        close_due=L(12, 17), closed_at=L(14, 10), rating=2, rating_text="2", rated_at=L(15, 9),
    )  # fmt: skip
    # A3: open and overdue from the end of Nov 22 (no reply) to the end of the month; escalated.
    a3 = add_case(
        session, A, L(20, 8), status=CaseStatus.SIGNED, escalated_at=L(23, 9),
        sign_due=L(20, 17), signed_at=L(20, 9), reply_due=L(22, 17), close_due=L(28, 17),
    )  # fmt: skip
    add_event(session, a3, "signed", L(20, 9), unit=A, on_time=True)  # not a ledger figure
    add_event(session, a3, "escalated", L(23, 9), unit=A, reason="reply_overdue")
    # A4: open, within its deadlines.
    add_case(session, A, L(29, 10), reply_due=L(3, 17, month=12), close_due=L(10, 17, month=12))
    # A5: routed to B, returned by B the same morning, re-routed to A; extension approved, closed
    # on time within the extended deadline. Reply wait 25 h (from creation).
    a5 = add_case(
        session, A, L(10, 9), status=CaseStatus.CLOSED, returned_seconds=5 * 3600,
        sign_due=L(10, 17), signed_at=L(10, 15), reply_due=L(12, 17), first_reply_at=L(11, 10),
        close_due=L(25, 17), closed_at=L(24, 16), extension_count=1,
    )  # fmt: skip
    add_event(session, a5, "returned", L(10, 11), unit=B, reason="not ours")
    add_event(session, a5, "rerouted", L(10, 14), previous_unit=B, unit=A)
    add_event(session, a5, "extension_approved", L(18, 9), days=3)  # names no unit: the case's
    # A7: created 00:30 local on Nov 1, which is still Oct 31 in UTC: a November case.
    add_case(session, A, L(1, 0, 30))

    # B1: signed and replied on time, closed late (overdue at the end of Nov 8..14); rated 4.
    add_case(
        session, B, L(5, 10), status=CaseStatus.CLOSED,
        sign_due=L(5, 17), signed_at=L(5, 11), reply_due=L(7, 17), first_reply_at=L(6, 10),
        close_due=L(8, 17), closed_at=L(15, 10), rating=4, rating_text="4", rated_at=L(16, 9),
    )  # fmt: skip
    # B2: from October, never answered: overdue all month (its reply and close intervals overlap).
    add_case(session, B, L(25, 10, month=10), reply_due=L(27, 17, month=10), close_due=L(3, 17))
    # Not November: 00:30 local on Dec 1 is Nov 30 in UTC.
    add_case(session, B, L(1, 0, 30, month=12))
    # Unrouted, 23:30 local on Nov 30.
    add_case(session, None, L(30, 23, 30), status=CaseStatus.REVIEW)
    session.flush()


NOW = L(1, 10, month=12)


@pytest.fixture
def seeded(session):
    seed(session)
    return session


def by_unit(rows):
    return {r.unit: r for r in rows}


def test_month_per_unit(seeded):
    rows = by_unit(range_ledger(seeded, NOV1, NOV30, timezone=TZ, now=NOW))
    a, b, unrouted = rows[A], rows[B], rows[None]
    assert (a.first, a.last) == (NOV1, NOV30)
    assert a.received == 6
    assert (a.signed, a.signed_on_time) == (4, 3)
    assert (a.replied, a.replied_on_time) == (3, 2)
    assert a.avg_first_reply_seconds == pytest.approx((24 + 72 + 25) * 3600 / 3)
    assert (a.closed, a.closed_on_time) == (3, 2)
    assert a.open_overdue == 1
    assert (a.escalated, a.extensions, a.returns) == (1, 1, 0)
    assert (a.rating_answers, a.satisfaction_mean, a.rating_dissatisfied) == (2, 3.5, 1)
    assert a.on_time_rate == pytest.approx(2 / 4)

    assert b.received == 1
    assert (b.signed, b.signed_on_time, b.replied, b.replied_on_time) == (1, 1, 1, 1)
    assert (b.closed, b.closed_on_time, b.open_overdue) == (1, 0, 1)
    assert (b.escalated, b.extensions, b.returns) == (0, 0, 1)
    assert (b.rating_answers, b.satisfaction_mean) == (1, 4.0)
    assert b.on_time_rate == 0.0

    assert unrouted.received == 1 and unrouted.closed == 0
    assert set(rows) == {A, B, None}


def test_open_overdue_day_by_day(seeded):
    rows = daily_ledger(seeded, NOV1, NOV30, timezone=TZ, now=NOW)
    overdue = {(r.unit, r.first.day): r.open_overdue for r in rows}
    a = [overdue.get((A, d), 0) for d in range(1, 31)]
    b = [overdue.get((B, d), 0) for d in range(1, 31)]
    expected_a = [0] * 30
    for d in (4, 12, 13, *range(22, 31)):
        expected_a[d - 1] = 1
    expected_b = [1] * 30
    for d in range(8, 15):
        expected_b[d - 1] = 2
    assert a == expected_a
    assert b == expected_b


def test_daily_rows_and_time_zone(seeded):
    rows = daily_ledger(seeded, NOV1, NOV30, timezone=TZ, now=NOW)
    day = {(r.unit, r.first.day): r for r in rows}
    assert day[(A, 1)].received == 1  # 00:30 local, Oct 31 in UTC
    assert (day[(A, 2)].received, day[(A, 2)].signed, day[(A, 2)].signed_on_time) == (2, 1, 1)
    assert (day[(A, 3)].signed, day[(A, 3)].signed_on_time, day[(A, 3)].replied_on_time) == (1, 0, 1)
    assert day[(B, 10)].returns == 1 and day[(A, 10)].returns == 0
    assert day[(A, 18)].extensions == 1
    assert day[(A, 23)].escalated == 1
    assert day[(None, 30)].received == 1
    assert day[(A, 14)].on_time_rate == 0.0  # closed late that day, nothing overdue at its end


def test_one_day_with_listed_units_and_today(seeded):
    # Every listed unit appears, even without figures.
    rows = by_unit(
        daily_ledger(seeded, date(2026, 11, 21), date(2026, 11, 21), timezone=TZ, now=NOW, units=[A, B, "x.y"])
    )
    assert rows["x.y"].received == 0 and rows["x.y"].on_time_rate is None
    # Today, before A3's reply deadline (17:00) it is not overdue yet; after it, it is.
    nov22 = date(2026, 11, 22)
    before = by_unit(daily_ledger(seeded, nov22, nov22, timezone=TZ, now=L(22, 12), unit=A))
    after = by_unit(daily_ledger(seeded, nov22, nov22, timezone=TZ, now=L(22, 18), unit=A))
    assert A not in before or before[A].open_overdue == 0
    assert after[A].open_overdue == 1
    assert set(after) == {A}


def test_unit_filter_and_rollups(seeded):
    only_b = range_ledger(seeded, NOV1, NOV30, timezone=TZ, now=NOW, unit=B)
    assert [r.unit for r in only_b] == [B] and only_b[0].returns == 1
    rows = range_ledger(seeded, NOV1, NOV30, timezone=TZ, now=NOW)
    (city,) = rollup(rows, key=lambda _r: "city")
    assert city.received == 8 and city.open_overdue == 2 and city.closed == 4
    by_department = by_unit(rollup(rows, key=lambda r: r.unit.split(".")[1] if r.unit else None))
    assert by_department["traffic"].received == 6
    daily = daily_ledger(seeded, NOV1, NOV30, timezone=TZ, now=NOW)
    per_day = {r.first.day: r for r in rollup(daily, key=lambda _r: "city", by_day=True)}
    assert per_day[8].open_overdue == 2 and per_day[2].received == 2


def test_ranking_flags_the_last(seeded):
    ranked = rank_units(range_ledger(seeded, NOV1, NOV30, timezone=TZ, now=NOW))
    assert [r.unit for r in ranked] == [A, B]
    a, b = ranked
    assert a.score == pytest.approx(100 * (0.5 * 0.5 + 0.3 * 0.625 + 0.2 * 0.75))
    assert b.score == pytest.approx(100 * (0.5 * 0.0 + 0.3 * 0.75 + 0.2 * 0.5))
    assert b.last and not a.last
    assert a.dissatisfied and not b.dissatisfied
    text = ranking_csv(ranked, {A: "赤壁交警"})
    assert text.splitlines()[1].startswith("1,chibi.traffic,赤壁交警,58.75,")


def test_csv(seeded):
    text = ledger_csv(range_ledger(seeded, NOV1, NOV30, timezone=TZ, now=NOW))
    lines = text.splitlines()
    assert lines[0].startswith("first,last,unit,unit_name,received,")
    assert len(lines) == 4
    assert lines[1].startswith("2026-11-01,2026-11-30,,,1,")  # unrouted first, an empty unit


def test_bad_range(session):
    with pytest.raises(ValueError):
        daily_ledger(session, NOV30, NOV1, timezone=TZ, now=NOW)


@pytest.mark.parametrize("now", [NOW, L(22, 18), L(13, 9)])
def test_range_and_daily_agree(seeded, now):
    # Two implementations of "open overdue": the day-by-day running sum and the snapshot query.
    daily = daily_ledger(seeded, NOV1, NOV30, timezone=TZ, now=now)
    by_day = {(r.unit, r.first): r for r in daily}
    for d in (1, 4, 5, 8, 12, 13, 14, 22, 30):
        day = date(2026, 11, d)
        for r in range_ledger(seeded, NOV1, day, timezone=TZ, now=now):
            assert r.open_overdue == (by_day[(r.unit, day)].open_overdue if (r.unit, day) in by_day else 0)
    summed = by_unit(rollup(daily, key=lambda r: r.unit, first=NOV1, last=NOV30))
    for r in range_ledger(seeded, NOV1, NOV30, timezone=TZ, now=now):
        assert r.to_dict() == summed[r.unit].to_dict()
