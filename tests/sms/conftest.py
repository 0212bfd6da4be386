"""Fixtures for the SMS tests.

`database` and `session` stand in for the project-wide fixtures of tests/conftest.py until those
exist; they build the schema with `create_all` on a fresh SQLite file per test.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gateway.db import Database
from gateway.models import Base, Case, CaseStatus
from tests.fakes.twilio_api import FakeTwilioAPI

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "test-auth-token"
MOBILE = "+8613807151234"
LANDLINE = "+867155551234"


@pytest.fixture
def database(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'sms.db'}")
    Base.metadata.create_all(db.engine)
    yield db
    db.dispose()


@pytest.fixture
def session(database):
    with database.sessionmaker() as s:
        yield s


@pytest.fixture
def now():
    return NOW


@pytest.fixture
def fake_twilio():
    with FakeTwilioAPI(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN) as api:
        yield api


def make_case(session, *, number="XN-20261127-0001", citizen=MOBILE, status=CaseStatus.ROUTED,
              unit="chibi.traffic", department="traffic", language="zh", created_at=NOW, **extra) -> Case:
    case = Case(
        number=number,
        status=status,
        channel="sms",
        citizen_number=citizen,
        citizen_number_type="mobile",
        language=language,
        created_at=created_at,
        unit=unit,
        department=department,
        jurisdiction=unit.split(".")[0] if unit else None,
        **extra,
    )
    session.add(case)
    session.flush()
    return case
