"""Case numbers as intake gives them out: PREFIX-YYYYMMDD-NNNN, wider past the 9,999th case of a day.

On PostgreSQL the number is made inside the statement that opens the case (intake.open_case), so the SQL
and numbering.format_case_number must agree digit for digit.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text, update

from gateway import intake, numbering
from gateway.models import CaseCounter
from gateway.numbering import format_case_number, local_day, postgres_sequence

DEPLOYMENT = intake.Deployment(case_prefix="XN", timezone="Asia/Shanghai", region="CN")
# A day no other test numbers cases on: a PostgreSQL sequence outlives the tables being emptied.
NOW = datetime(2020, 2, 29, 2, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fresh_sequence(database):
    """Drop the day's sequence before and after (setval and nextval are not rolled back)."""

    def drop():
        if database.engine.dialect.name == "postgresql":
            name = numbering.sequence_name(DEPLOYMENT.case_prefix, local_day(NOW, DEPLOYMENT.timezone))
            with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text(f"DROP SEQUENCE IF EXISTS {name}"))
            numbering._known_sequences.discard((str(database.engine.url), name))

    drop()
    yield
    drop()


def _open(session, sid: str) -> str:
    msg = intake.IncomingMessage(channel="sms", provider_id=sid, sender="+8613807151234", body="投诉", received_at=NOW)
    return intake.accept(session, msg, DEPLOYMENT).case_number


def _jump_to(session, day: date, last: int) -> None:
    """Pretend `last` cases were already numbered on `day`."""
    if session.get_bind().dialect.name == "postgresql":
        name = postgres_sequence(session, DEPLOYMENT.case_prefix, day)
        session.execute(text("SELECT setval(:name, :last)"), {"name": name, "last": last})
    else:  # the day's counter row exists since the first case
        session.execute(update(CaseCounter).where(CaseCounter.day == day).values(last=last))


def test_numbers_follow_the_day_and_grow_a_digit_after_9999(session):
    day = local_day(NOW, DEPLOYMENT.timezone)
    first = _open(session, "SMfirst")
    assert first == format_case_number("XN", day, 1)
    _jump_to(session, day, 9998)
    assert [_open(session, f"SM{i}") for i in range(2)] == [
        format_case_number("XN", day, 9999),
        format_case_number("XN", day, 10000),
    ]
    assert format_case_number("XN", day, 10000) == "XN-20200229-10000"
