"""The working calendar: office hours, Chinese public holidays, 调休 working weekends, unknown years."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.deadlines import WorkingCalendar

SH = ZoneInfo("Asia/Shanghai")
HOUR = 3600.0
DAY = 9 * HOUR


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return WorkingCalendar()


def test_national_day_2026_and_its_adjusted_saturday(cal):
    # The 2026 National Day holiday is 1-7 October; Sunday 20 September and Saturday 10 October are worked.
    assert cal.is_working_day(date(2026, 9, 30))
    assert not any(cal.is_working_day(date(2026, 10, d)) for d in range(1, 8))
    assert cal.is_working_day(date(2026, 10, 8))
    assert cal.is_working_day(date(2026, 10, 10))  # Saturday, 调休
    assert cal.is_working_day(date(2026, 9, 20))  # Sunday, 调休
    assert not cal.is_working_day(date(2026, 10, 11))  # an ordinary Sunday


def test_night_arrival_starts_at_next_working_moment(cal):
    assert cal.next_working_moment(local(2026, 9, 30, 20, 0)) == local(2026, 10, 8, 8, 30)
    assert cal.next_working_moment(local(2026, 10, 9, 7, 0)) == local(2026, 10, 9, 8, 30)
    inside = local(2026, 10, 9, 11, 15)
    assert cal.next_working_moment(inside) == inside


def test_working_days_keep_the_clock_time(cal):
    # Monday 16:00 + 3 working days = Thursday 16:00.
    assert cal.add_working_days(local(2026, 11, 23, 16, 0), 3) == local(2026, 11, 26, 16, 0)
    # Friday 16:00 + 1 working day = Monday 16:00.
    assert cal.add_working_days(local(2026, 11, 27, 16, 0), 1) == local(2026, 11, 30, 16, 0)


def test_a_deadline_at_close_of_business_stays_there(cal):
    assert cal.add_working_days(local(2026, 11, 23, 8, 30), 1) == local(2026, 11, 23, 17, 30)
    assert cal.add_working_seconds(local(2026, 11, 23, 17, 0), 30 * 60) == local(2026, 11, 23, 17, 30)


def test_working_hours_cross_the_night(cal):
    assert cal.add_working_seconds(local(2026, 11, 23, 17, 0), 2 * HOUR) == local(2026, 11, 24, 10, 0)


def test_adjusted_saturday_counts(cal):
    # Friday 9 October 2026 12:00 + 1 working day lands on Saturday 10 October (a working day).
    assert cal.add_working_days(local(2026, 10, 9, 12, 0), 1) == local(2026, 10, 10, 12, 0)


def test_working_seconds_between(cal):
    assert cal.working_seconds_between(local(2026, 9, 30, 17, 0), local(2026, 10, 8, 9, 30)) == 1.5 * HOUR
    assert cal.working_seconds_between(local(2026, 10, 8, 9, 0), local(2026, 10, 8, 9, 0)) == 0


def test_working_point(cal):
    start, end = local(2026, 11, 23, 8, 30), local(2026, 11, 24, 17, 30)
    assert cal.working_point(start, end, 0.5) == local(2026, 11, 23, 17, 30)
    assert cal.working_point(start, end, 0.9) == local(2026, 11, 24, 15, 42)


def test_beyond_known_years_weekdays_only_with_one_warning(caplog):
    cal = WorkingCalendar()
    year = cal.last_known_year + 1
    jan = [date(year, 1, d) for d in range(1, 15)]
    with caplog.at_level(logging.WARNING, logger="gateway.deadlines.calendar"):
        working = [d for d in jan if cal.is_working_day(d)]
    assert working == [d for d in jan if d.weekday() < 5]
    warnings = [r for r in caplog.records if str(year) in r.getMessage()]
    assert len(warnings) == 1


def test_office_hours_are_configurable():
    cal = WorkingCalendar(day_start=time(9, 0), day_end=time(12, 0))
    assert cal.day_seconds == 3 * HOUR
    assert cal.add_working_days(local(2026, 11, 23, 11, 0), 1) == local(2026, 11, 24, 11, 0)


def test_naive_datetimes_are_refused(cal):
    with pytest.raises(ValueError, match="naive"):
        cal.add_working_seconds(datetime(2026, 1, 5, 9, 0), 60)


def test_results_come_back_in_the_zone_given(cal):
    result = cal.add_working_seconds(datetime(2026, 11, 23, 1, 0, tzinfo=UTC), HOUR)
    assert result.tzinfo is UTC
    assert result == datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


moments = st.datetimes(min_value=datetime(2025, 12, 1), max_value=datetime(2026, 12, 20), timezones=st.just(UTC))


@given(start=moments, seconds=st.floats(min_value=0, max_value=20 * DAY))
def test_adding_and_measuring_agree(start, seconds):
    cal = WorkingCalendar()
    end = cal.add_working_seconds(start, seconds)
    assert end >= start
    assert cal.working_seconds_between(start, end) == pytest.approx(seconds, abs=1e-3)
    if seconds > 0:
        # The result is inside office hours or at their end: a deadline is never at 3 a.m.
        day = cal.local_date(end)
        open_at, close_at = cal.office_hours(day)
        assert cal.is_working_day(day) and open_at <= end <= close_at


@given(start=moments, a=st.floats(min_value=0, max_value=5 * DAY), b=st.floats(min_value=0, max_value=5 * DAY))
def test_adding_is_monotonic_and_additive(start, a, b):
    cal = WorkingCalendar()
    lo, hi = sorted((a, b))
    assert cal.add_working_seconds(start, lo) <= cal.add_working_seconds(start, hi)
    # Additive once something is added (adding 0 at 17:30 moves to the next morning, by design).
    stepwise = cal.add_working_seconds(cal.add_working_seconds(start, a), b + 1)
    assert abs(stepwise - cal.add_working_seconds(start, a + b + 1)) <= timedelta(milliseconds=1)
