"""Fixtures of the console tests: deployment data, a clock, users and cases to act on.

`database`, `session`, `app` and `client` come from tests/conftest.py.
"""

from __future__ import annotations

import pytest
from console_support import NOW

from gateway.case_actions import Context
from gateway.config import DEFAULT_CONFIG_DIR
from gateway.deadlines import Policy, load_policy
from gateway.units import Units, load_units


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy(DEFAULT_CONFIG_DIR)


@pytest.fixture(scope="session")
def units() -> Units:
    return load_units(DEFAULT_CONFIG_DIR)


@pytest.fixture
def ctx(units, policy) -> Context:
    return Context(units=units, policy=policy, config_dir=DEFAULT_CONFIG_DIR)


@pytest.fixture
def now():
    return NOW
