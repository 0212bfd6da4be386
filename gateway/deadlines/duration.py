"""Durations as the policy writes them: "2 working hours", "15 working days", "10 minutes".

A duration says which clock it runs on: *working* time (office hours on working days) or the
plain clock ("10 minutes" for an emergency means ten minutes, at 3 a.m. on a holiday too).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from gateway.deadlines.calendar import WorkingCalendar

_UNITS = {"minute": 60.0, "hour": 3600.0, "day": None}  # a working day is one office day
_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s+(working\s+)?(minute|hour|day)s?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Duration:
    amount: float
    unit: str  # minute | hour | day
    working: bool

    @classmethod
    def parse(cls, text: str) -> Duration:
        match = _PATTERN.match(str(text))
        if not match:
            raise ValueError(
                f"duration {text!r} not understood; write e.g. '2 working hours', '3 working days', '10 minutes'"
            )
        amount = float(match.group(1))
        if amount <= 0:
            raise ValueError(f"duration {text!r} must be positive")
        return cls(amount, match.group(3).lower(), bool(match.group(2)))

    def seconds(self, calendar: WorkingCalendar) -> float:
        """Length in seconds of the clock it runs on (working seconds for working durations)."""
        if self.unit == "day":
            return self.amount * (calendar.day_seconds if self.working else 86400.0)
        return self.amount * _UNITS[self.unit]

    def after(self, start: datetime, calendar: WorkingCalendar) -> datetime:
        if self.working:
            return calendar.add_working_seconds(start, self.seconds(calendar))
        return start + timedelta(seconds=self.seconds(calendar))

    def __str__(self) -> str:
        amount = int(self.amount) if self.amount == int(self.amount) else self.amount
        plural = "" if amount == 1 else "s"
        return f"{amount} {'working ' if self.working else ''}{self.unit}{plural}"
