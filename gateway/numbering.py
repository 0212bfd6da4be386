"""Case numbers: PREFIX-YYYYMMDD-NNNN, a daily sequence per prefix, allocated inside the caller's transaction.

PostgreSQL: one sequence a prefix and day (created on first use). `nextval` takes no lock that lives
until commit, so concurrent webhooks commit in parallel (group commit) instead of queueing behind one
counter row: a counter row held to the end of each transaction caps intake at one commit at a time
(measured here: ~175 messages/s). The price is a gap when a transaction rolls back, which is harmless
for a case number (unique, increasing within the day; not an accounting serial).

SQLite serialises writers anyway, so there a counter row (upsert .. RETURNING) is exact and gap-free.
"""

from __future__ import annotations

import re
import threading
from contextlib import suppress
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from gateway.models import CaseCounter

_PREFIX = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,7}$")
_known_sequences: set[tuple[str, str]] = set()
_lock = threading.Lock()


def local_day(now: datetime, timezone: str) -> date:
    """The bureau's calendar day at `now`: a message at 01:00 Beijing time belongs to that day, not UTC's."""
    return now.astimezone(ZoneInfo(timezone)).date()


def _check_prefix(prefix: str) -> None:
    # the prefix becomes part of a sequence's name in DDL: letters and digits only
    if not _PREFIX.match(prefix):
        raise ValueError(f"case prefix {prefix!r}: 1-8 letters and digits, starting with a letter")


def next_case_number(session: Session, prefix: str, day: date) -> str:
    _check_prefix(prefix)
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        seq = _postgres_next(session, prefix, day)
    else:
        seq = _counter_next(session, prefix, day)
    return format_case_number(prefix, day, seq)


def sequence_name(prefix: str, day: date) -> str:
    return f"case_seq_{prefix.lower()}_{day:%Y%m%d}"


def _postgres_next(session: Session, prefix: str, day: date) -> int:
    name = postgres_sequence(session, prefix, day)
    return session.execute(text("SELECT nextval(:name)"), {"name": name}).scalar_one()


def postgres_sequence(session: Session, prefix: str, day: date) -> str:
    """The name of the PostgreSQL sequence of `prefix` and `day`, created on first use; the caller takes
    `nextval` of it, in a statement of its own or inside a larger one (intake.open_case)."""
    _check_prefix(prefix)
    name = sequence_name(prefix, day)
    engine = session.get_bind()
    key = (str(engine.url), name)
    if key not in _known_sequences:
        # Created outside the caller's transaction, so that the first message of a day does not
        # hold DDL locks until it commits.
        with _lock, engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            # Two processes creating the same sequence at once: the loser's IF NOT EXISTS can
            # still trip the catalog's unique index. The sequence exists either way.
            with suppress(DBAPIError):
                start = _highest_today(conn, prefix, day) + 1
                conn.execute(text(f"CREATE SEQUENCE IF NOT EXISTS {name} START WITH {start}"))
            _known_sequences.add(key)
    return name


def _highest_today(conn, prefix: str, day: date) -> int:
    """The highest number already given out on `day` (a sequence dropped or created late must not reuse one)."""
    last = conn.execute(
        text("SELECT number FROM cases WHERE number LIKE :p ORDER BY length(number) DESC, number DESC LIMIT 1"),
        {"p": f"{prefix}-{day:%Y%m%d}-%"},
    ).scalar()
    return int(last.rsplit("-", 1)[1]) if last else 0


def _counter_next(session: Session, prefix: str, day: date) -> int:
    table = CaseCounter.__table__
    stmt = (
        sqlite.insert(table)
        .values(prefix=prefix, day=day, last=1)
        .on_conflict_do_update(index_elements=[table.c.prefix, table.c.day], set_={"last": table.c.last + 1})
        .returning(table.c.last)
    )
    return session.execute(stmt).scalar_one()


def format_case_number(prefix: str, day: date, seq: int) -> str:
    # Four digits cover the expected daily volume; beyond 9999 the number simply grows wider.
    return f"{case_number_stem(prefix, day)}{seq:04d}"


def case_number_stem(prefix: str, day: date) -> str:
    """What every number of `prefix` and `day` starts with."""
    return f"{prefix}-{day:%Y%m%d}-"


# format_case_number in SQL, for a sequence value `v`: lpad alone would cut a fifth digit off.
SQL_CASE_NUMBER = ":number_stem || lpad(v::text, greatest(4, length(v::text)), '0')"
