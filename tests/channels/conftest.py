"""Fixtures of the channel tests: API keys, a config directory with tight limits."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gateway import apikeys, create_app
from gateway.config import DEFAULT_CONFIG_DIR


@pytest.fixture
def api_key(database) -> str:
    """A city-wide key (sees every unit's cases)."""
    with database.session() as session:
        _, key = apikeys.create_key(session, "call-centre", apikeys.CITY, datetime.now(UTC))
    return key


@pytest.fixture
def other_key(database) -> str:
    """A key of another client, scoped to one unit."""
    with database.session() as session:
        _, key = apikeys.create_key(session, "chibi-app", "chibi.traffic", datetime.now(UTC))
    return key


@pytest.fixture
def tight_config(tmp_path) -> Path:
    """The deployment's config with small rate limits, so that tests reach them in a few requests."""
    target = tmp_path / "config"
    shutil.copytree(DEFAULT_CONFIG_DIR, target)
    text = (target / "channels.toml").read_text(encoding="utf-8")
    for name, value in {
        "rate_limit = 120": "rate_limit = 3",
        "rate_limit = 60": "rate_limit = 2",
        "submit_per_address = 5": "submit_per_address = 3",
        "submit_per_number = 3": "submit_per_number = 2",
        "lookup_per_address = 10": "lookup_per_address = 4",
        "lookup_per_case = 5": "lookup_per_case = 3",
    }.items():
        assert name in text, name
        text = text.replace(name, value)
    (target / "channels.toml").write_text(text, encoding="utf-8")
    return target


@pytest.fixture
def tight_client(settings, database, redis_conn, runtime, tight_config):
    application = create_app(settings.with_(config_dir=str(tight_config)))
    application.config["TESTING"] = True
    yield application.test_client()
    application.extensions["gateway"].close()
