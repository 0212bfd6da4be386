"""Fixtures of the tracker tests: the deployment's policy, units with duty numbers, case factories.

`database` and `session` come from tests/conftest.py (a migrated SQLite file, or PostgreSQL when
DATABASE_URL is set).
"""

from __future__ import annotations

import pytest

from gateway.config import DEFAULT_CONFIG_DIR
from gateway.deadlines import Policy, load_policy
from gateway.units import Units

from .helpers import units_with_duty_numbers


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy(DEFAULT_CONFIG_DIR)


@pytest.fixture(scope="session")
def units() -> Units:
    return units_with_duty_numbers()
