"""Shared fixtures: a real database (SQLite, or PostgreSQL when DATABASE_URL says so), migrated once
per session with the project's own Alembic migrations; a real Redis; the app; real RQ workers.

Each test starts from empty tables and an empty Redis database.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from redis import Redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from support import AUTH_TOKEN, PUBLIC_BASE_URL, TEST_REDIS_URL

from gateway import create_app, migrate
from gateway.db import Database
from gateway.models import Base
from gateway.runtime import Runtime
from gateway.settings import Settings
from workers import context


def _postgres_database(base_url: str) -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped afterwards."""
    name = f"gwtest_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    base = os.environ.get("DATABASE_URL", "")
    if base.startswith("postgresql"):
        gen = _postgres_database(base)
        url = next(gen)
        migrate.upgrade(url)
        yield url
        gen.close()
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'gateway.db'}"
        migrate.upgrade(url)
        yield url


def _empty_tables(db: Database) -> None:
    tables = [t.name for t in Base.metadata.sorted_tables]
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                conn.execute(text(f'DELETE FROM "{table}"'))


@pytest.fixture
def database(database_url) -> Iterator[Database]:
    db = Database(database_url)
    _empty_tables(db)
    yield db
    db.dispose()


@pytest.fixture
def session(database):
    """A session in a transaction, rolled back at the end (domain tests that never commit)."""
    with database.sessionmaker() as s, s.begin():
        yield s
        s.rollback()


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A database of the machine's Redis that no other test run is using right now (lock keys in db 0).

    Each test flushes it, so two test runs (two developers, two databases in CI) must not share one:
    the first free index from 1 to 15 is claimed with a lock key for the length of this run.
    """
    if os.environ.get("TEST_REDIS_URL"):
        yield TEST_REDIS_URL
        return
    base = make_url_redis(TEST_REDIS_URL)
    locks = Redis.from_url(f"{base}/0")
    try:
        for index in range(1, 16):
            key = f"gateway-test-run:{index}"
            if locks.set(key, os.getpid(), nx=True, ex=6 * 3600):
                try:
                    yield f"{base}/{index}"
                finally:
                    locks.delete(key)
                return
        pytest.exit("every Redis database from 1 to 15 is taken by another test run", returncode=3)
    finally:
        locks.close()


def make_url_redis(url: str) -> str:
    """redis://host:port/13 -> redis://host:port"""
    head, _, tail = url.rpartition("/")
    return head if tail.isdigit() else url.rstrip("/")


@pytest.fixture
def redis_conn(redis_url) -> Iterator[Redis]:
    conn = Redis.from_url(redis_url)
    conn.flushdb()
    yield conn
    conn.flushdb()
    conn.close()


@pytest.fixture
def settings(database_url, redis_url) -> Settings:
    return Settings(
        env="test",
        database_url=database_url,
        redis_url=redis_url,
        public_base_url=PUBLIC_BASE_URL,
        twilio_auth_token=AUTH_TOKEN,
    )


@pytest.fixture
def runtime(settings, database, redis_conn) -> Iterator[Runtime]:
    """The runtime jobs use in this process, pointed at the test database and Redis."""
    rt = Runtime(settings)
    context.install(rt)
    yield rt
    context.install(None)
    rt.close()


@pytest.fixture
def app(settings, database, redis_conn, runtime):
    application = create_app(settings)
    application.config["TESTING"] = True
    yield application
    application.extensions["gateway"].close()


@pytest.fixture
def client(app):
    return app.test_client()
