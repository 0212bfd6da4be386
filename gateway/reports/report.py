"""A whole report as the console, the CSV export and the CLI show it: ledger, totals, ranking.

Unit names and departments come from the deployment's `Units`; the day boundaries from the bureau's
time zone. Still plain values and a Session: the web and CLI edges only parse and print.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from gateway.reports import output
from gateway.reports.ledger import LedgerRow, daily_ledger, range_ledger, rollup
from gateway.reports.ranking import RankedUnit, rank_units
from gateway.units import Units

MAX_DAYS = 366  # a year, leap or not; longer ranges are an export job, not a page
# Per-unit-per-day rows in JSON only up to a month: a year of them is megabytes nobody reads
# in a browser (the CSV export `by=day` has them all).
DAILY_ROWS_UP_TO_DAYS = 31


@dataclass(frozen=True)
class Report:
    first: date
    last: date
    timezone: str
    generated_at: datetime
    daily: list[LedgerRow]  # per unit per day (units with figures that day)
    units: list[LedgerRow]  # per unit, whole range
    departments: list[LedgerRow]  # per department, whole range
    city_by_day: list[LedgerRow]  # all units together, per day (the volume chart)
    department_by_day: list[LedgerRow]  # per department per day
    city: LedgerRow | None
    ranking: list[RankedUnit]
    names: dict[str, str]

    def to_dict(self, *, by_day: bool = True) -> dict:
        data = {
            "first": self.first.isoformat(),
            "last": self.last.isoformat(),
            "timezone": self.timezone,
            "generated_at": self.generated_at.isoformat(),
            "city": self.city.to_dict() if self.city else None,
            "units": output.ledger_dicts(self.units, self.names),
            "departments": output.ledger_dicts(self.departments, self.names),
            "ranking": output.ranking_dicts(self.ranking, self.names),
        }
        if by_day:
            if (self.last - self.first).days < DAILY_ROWS_UP_TO_DAYS:
                data["daily"] = output.ledger_dicts(self.daily, self.names)
            data["city_by_day"] = output.ledger_dicts(self.city_by_day)
            data["department_by_day"] = output.ledger_dicts(self.department_by_day, self.names)
        return data


def department_of(unit: str | None) -> str | None:
    # Unit codes are "<jurisdiction>.<department>" (gateway.units.unit_code).
    return unit.split(".", 1)[1] if unit and "." in unit else None


def build_report(
    session: Session,
    first: date,
    last: date,
    *,
    units: Units,
    now: datetime,
    unit: str | None = None,
    language: str = "zh",
) -> Report:
    if (last - first).days + 1 > MAX_DAYS:
        raise ValueError(f"a report covers at most {MAX_DAYS} days")
    timezone = units.bureau.timezone
    codes = list(units.units)
    # Per unit over the range straight from the database; per day only what the charts need, and
    # without the empty unit x day rows a year would otherwise make.
    per_unit = range_ledger(session, first, last, timezone=timezone, now=now, units=codes, unit=unit)
    daily = daily_ledger(session, first, last, timezone=timezone, now=now, unit=unit)
    names = {code: u.name(language) for code, u in units.units.items()}
    names.update({code: d.name_en if language == "en" else d.name_zh for code, d in units.departments.items()})
    departments = rollup(per_unit, key=lambda r: department_of(r.unit), first=first, last=last)
    city_rows = rollup(per_unit, key=lambda _r: "city", first=first, last=last)
    return Report(
        first=first,
        last=last,
        timezone=timezone,
        generated_at=now,
        daily=daily,
        units=per_unit,
        departments=departments,
        city_by_day=_every_day(rollup(daily, key=lambda _r: "city", by_day=True), first, last),
        department_by_day=rollup(daily, key=lambda r: department_of(r.unit), by_day=True),
        city=city_rows[0] if city_rows else None,
        ranking=rank_units(per_unit) if unit is None else [],
        names=names,
    )


def _every_day(rows: list[LedgerRow], first: date, last: date) -> list[LedgerRow]:
    """One row a day, for a chart's x axis: a day without any row had nothing (not even overdue)."""
    by_day = {r.first: r for r in rows}
    days = (first + timedelta(days=n) for n in range((last - first).days + 1))
    return [by_day.get(d) or LedgerRow("city", d, d) for d in days]
