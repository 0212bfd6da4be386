"""The bureau's working calendar: office hours on working days, Chinese public holidays and 调休.

Working days come from `chinesecalendar` (statutory holidays, and the weekend days that become
working days to bridge a holiday). Beyond the years that package knows, the calendar falls back to
"Monday to Friday" and logs a warning once per year, so a missing package update degrades the
deadlines instead of stopping intake.

Every deadline is a point reached after some amount of *working time*: a working day is one office
day's worth of working seconds, so "3 working days" from Monday 16:00 is Thursday 16:00, and a case
that arrives at night or on a holiday starts counting at the next working moment.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar
from chinese_calendar import constants as _cc

log = logging.getLogger(__name__)

# A calendar with no working day in ten years is a configuration error, not a long wait.
_MAX_SCAN_DAYS = 3660


def _known_years() -> tuple[int, int]:
    years = {d.year for d in _cc.holidays} | {d.year for d in _cc.workdays}
    return min(years), max(years)


class WorkingCalendar:
    """Office hours on working days in one time zone; all inputs and outputs are aware datetimes."""

    def __init__(
        self,
        timezone: str = "Asia/Shanghai",
        day_start: time = time(8, 30),
        day_end: time = time(17, 30),
    ) -> None:
        if day_end <= day_start:
            raise ValueError(f"office hours end ({day_end}) must be after they start ({day_start})")
        self.tz = ZoneInfo(timezone)
        self.timezone = timezone
        self.day_start = day_start
        self.day_end = day_end
        self.first_known_year, self.last_known_year = _known_years()
        self._warned_years: set[int] = set()
        # Per instance, so that two calendars with different settings never share answers.
        self.is_working_day = lru_cache(maxsize=4096)(self._is_working_day)

    # -- days -------------------------------------------------------------------------------

    def _is_working_day(self, day: date) -> bool:
        if self.first_known_year <= day.year <= self.last_known_year:
            return chinese_calendar.is_workday(day)
        if day.year not in self._warned_years:
            self._warned_years.add(day.year)
            log.warning(
                "chinesecalendar %s has no holiday data for %s (knows %s-%s): counting Monday-Friday only; "
                "update the package",
                getattr(chinese_calendar, "__version__", "?"),
                day.year,
                self.first_known_year,
                self.last_known_year,
            )
        return day.weekday() < 5

    def office_hours(self, day: date) -> tuple[datetime, datetime]:
        """The working interval of `day` (local date), as aware datetimes."""
        return (
            datetime.combine(day, self.day_start, tzinfo=self.tz),
            datetime.combine(day, self.day_end, tzinfo=self.tz),
        )

    @property
    def day_seconds(self) -> float:
        """Length of one office day: the amount of working time a "working day" stands for."""
        start = datetime.combine(date(2000, 1, 3), self.day_start)
        end = datetime.combine(date(2000, 1, 3), self.day_end)
        return (end - start).total_seconds()

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()

    # -- moments ----------------------------------------------------------------------------

    def is_working_time(self, moment: datetime) -> bool:
        day = self.local_date(moment)
        if not self.is_working_day(day):
            return False
        start, end = self.office_hours(day)
        return start <= moment < end

    def next_working_moment(self, moment: datetime) -> datetime:
        """`moment` itself during office hours, else the start of the next office day."""
        return self.add_working_seconds(moment, 0)

    def add_working_seconds(self, start: datetime, seconds: float) -> datetime:
        """The moment reached after `seconds` of working time counted from `start`.

        A result that falls exactly on the end of an office day stays there (17:30), rather than
        moving to the next morning: a deadline "by close of business" is what people expect.
        """
        _require_aware(start)
        if seconds < 0:
            raise ValueError("working time to add must not be negative")
        remaining = float(seconds)
        moment = start
        day = self.local_date(start)
        for _ in range(_MAX_SCAN_DAYS):
            if self.is_working_day(day):
                open_at, close_at = self.office_hours(day)
                if moment < open_at:
                    moment = open_at
                if moment < close_at:
                    available = (close_at - moment).total_seconds()
                    if remaining <= available:
                        return (moment + timedelta(seconds=remaining)).astimezone(start.tzinfo)
                    remaining -= available
            day += timedelta(days=1)
            moment = datetime.combine(day, time(0), tzinfo=self.tz)
        raise RuntimeError(f"no working day within {_MAX_SCAN_DAYS} days of {start.isoformat()}")

    def working_seconds_between(self, start: datetime, end: datetime) -> float:
        """Working time in [start, end); 0 when end is not after start."""
        _require_aware(start)
        _require_aware(end)
        if end <= start:
            return 0.0
        total = 0.0
        day = self.local_date(start)
        last = self.local_date(end)
        while day <= last:
            if self.is_working_day(day):
                open_at, close_at = self.office_hours(day)
                lo, hi = max(open_at, start), min(close_at, end)
                if hi > lo:
                    total += (hi - lo).total_seconds()
            day += timedelta(days=1)
        return total

    def add_working_days(self, start: datetime, days: float) -> datetime:
        return self.add_working_seconds(start, days * self.day_seconds)

    def working_point(self, start: datetime, end: datetime, fraction: float) -> datetime:
        """The moment at `fraction` of the working time between `start` and `end`."""
        if not 0 <= fraction <= 1:
            raise ValueError(f"fraction {fraction} outside [0, 1]")
        span = self.working_seconds_between(start, end)
        return self.add_working_seconds(start, span * fraction)


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment!r}: pass an aware (UTC) datetime")
