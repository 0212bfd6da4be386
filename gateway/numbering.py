"""Case numbers: PREFIX-YYYYMMDD-NNNN, a daily sequence per prefix, allocated inside the caller's transaction.

One upsert (INSERT .. ON CONFLICT DO UPDATE .. RETURNING) takes the next value atomically on both
PostgreSQL (row lock on the counter) and SQLite (writers serialised), so concurrent webhooks never
share a number and a rolled-back transaction gives its number back.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from gateway.models import CaseCounter


def local_day(now: datetime, timezone: str) -> date:
    """The bureau's calendar day at `now`: a message at 01:00 Beijing time belongs to that day, not UTC's."""
    return now.astimezone(ZoneInfo(timezone)).date()


def next_case_number(session: Session, prefix: str, day: date) -> str:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = CaseCounter.__table__
    stmt = (
        insert(table)
        .values(prefix=prefix, day=day, last=1)
        .on_conflict_do_update(index_elements=[table.c.prefix, table.c.day], set_={"last": table.c.last + 1})
        .returning(table.c.last)
    )
    seq = session.execute(stmt).scalar_one()
    return format_case_number(prefix, day, seq)


def format_case_number(prefix: str, day: date, seq: int) -> str:
    # Four digits cover the expected daily volume; beyond 9999 the number simply grows wider.
    return f"{prefix}-{day:%Y%m%d}-{seq:04d}"
