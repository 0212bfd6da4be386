"""SQL expressions the reports need that SQLite and PostgreSQL spell differently.

Time zones are rendered into the SQL as literals, never as bound parameters: PostgreSQL matches
GROUP BY expressions textually, and two parameters holding the same zone are different expressions.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, Float
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

_ZONE_NAME = re.compile(r"^[A-Za-z0-9_+\-/]+$")


class local_day(FunctionElement):  # noqa: N801 (reads as the SQL function it renders)
    """The calendar day of a UTC timestamp column in a time zone.

    PostgreSQL converts exactly (DST included). SQLite has no zone database, so it adds the zone's
    offset at `offset_at`: exact for zones without DST (the bureau's Asia/Shanghai), and off by an
    hour around a DST change otherwise - acceptable for the development database only.
    """

    type = Date()
    inherit_cache = False

    def __init__(self, column: ColumnElement, zone: str, offset_at: datetime) -> None:
        if not _ZONE_NAME.match(zone):
            raise ValueError(f"not a time zone name: {zone!r}")
        ZoneInfo(zone)  # raises for an unknown zone, before it reaches the SQL
        self.zone = zone
        offset = offset_at.astimezone(ZoneInfo(zone)).utcoffset()
        self.offset_seconds = int(offset.total_seconds()) if offset is not None else 0
        super().__init__(column)


@compiles(local_day)
def _local_day_default(element: local_day, compiler, **kw) -> str:
    (column,) = element.clauses
    return f"date({compiler.process(column, **kw)}, '{element.offset_seconds:+d} seconds')"


@compiles(local_day, "postgresql")
def _local_day_pg(element: local_day, compiler, **kw) -> str:
    (column,) = element.clauses
    return f"CAST(timezone('{element.zone}', {compiler.process(column, **kw)}) AS DATE)"


class seconds_between(FunctionElement):  # noqa: N801
    """`later - earlier` in seconds, as a float."""

    type = Float()
    inherit_cache = True

    def __init__(self, later: ColumnElement, earlier: ColumnElement) -> None:
        super().__init__(later, earlier)


@compiles(seconds_between)
def _seconds_default(element: seconds_between, compiler, **kw) -> str:
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"((julianday({later}) - julianday({earlier})) * 86400.0)"


@compiles(seconds_between, "postgresql")
def _seconds_pg(element: seconds_between, compiler, **kw) -> str:
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"EXTRACT(EPOCH FROM ({later} - {earlier}))"


def as_date(value: Any) -> date | None:
    """SQLite answers a day as 'YYYY-MM-DD' text, PostgreSQL as a date."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])
