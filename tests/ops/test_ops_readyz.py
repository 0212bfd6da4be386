"""/healthz answers whatever the dependencies do; /readyz is 503 with details when one of them fails."""

from __future__ import annotations

import pytest

from gateway import create_app

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_ready_when_everything_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ready"
    assert body["checks"] == {"database": {"ok": True}, "redis": {"ok": True}, "migrations": {"ok": True}}


@pytest.fixture
def app_with(settings, database, redis_conn):
    apps = []

    def build(**changes):
        app = create_app(settings.with_(**changes))
        apps.append(app)
        return app.test_client()

    yield build
    for app in apps:
        app.extensions["gateway"].close()


def test_redis_down_is_503(app_with):
    client = app_with(redis_url=DEAD_REDIS)
    response = client.get("/readyz")
    assert response.status_code == 503
    checks = response.get_json()["checks"]
    assert checks["redis"]["ok"] is False and "Connection" in checks["redis"]["error"]
    assert checks["database"] == {"ok": True} and checks["migrations"] == {"ok": True}
    assert client.get("/healthz").status_code == 200


def test_schema_not_at_head_is_503(app_with, tmp_path):
    client = app_with(database_url=f"sqlite:///{tmp_path / 'empty.db'}")
    response = client.get("/readyz")
    assert response.status_code == 503
    checks = response.get_json()["checks"]
    assert checks["database"] == {"ok": True}
    assert checks["migrations"] == {"ok": False, "error": "not at head"}


def test_database_down_is_503(app_with):
    client = app_with(database_url="postgresql+psycopg://nobody@127.0.0.1:1/none")
    response = client.get("/readyz")
    assert response.status_code == 503
    checks = response.get_json()["checks"]
    assert checks["database"]["ok"] is False
    assert checks["migrations"] == {"ok": False, "error": "database unavailable"}
    assert checks["redis"] == {"ok": True}
