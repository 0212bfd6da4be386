"""Fixtures for the SMS tests, on top of the project's `database` (tests/conftest.py)."""

from __future__ import annotations

import pytest
from fakes.twilio_api import FakeTwilioAPI

from sms.helpers import ACCOUNT_SID, AUTH_TOKEN, NOW


@pytest.fixture
def db_session(database):
    """A plain session: the outbox's `deliver` commits between claiming and recording."""
    with database.sessionmaker() as s:
        yield s
        s.rollback()


@pytest.fixture
def now():
    return NOW


@pytest.fixture
def fake_twilio():
    with FakeTwilioAPI(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, slow_seconds=1.5) as api:
        yield api
