"""Operations endpoints: /healthz (the process answers), /readyz (it can do its work), /metrics.

/healthz never touches a dependency: a load balancer that restarts processes on it must not restart
every web process because the database is slow. /readyz is what takes a process out of rotation:
database and Redis answer, and the schema is at the newest migration (an app started before the
release step finished would write to a schema it does not know).

None of these take credentials: they reveal no case data. Keep /metrics off the public internet at
the load balancer (it shows volumes and queue depths), as is usual for Prometheus targets.
"""

from __future__ import annotations

import time

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request
from prometheus_client import CONTENT_TYPE_LATEST
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from gateway import metrics, migrate
from gateway.web import runtime

bp = Blueprint("ops", __name__)

EXPORTER_KEY = "gateway.metrics"


@bp.get("/healthz")
def healthz():
    return {"status": "ok"}


@bp.get("/readyz")
def readyz():
    rt = runtime()
    checks: dict[str, dict] = {}
    try:
        with rt.database.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = {"ok": True}
    except SQLAlchemyError as exc:
        checks["database"] = {"ok": False, "error": _short(exc)}
    try:
        rt.redis.ping()
        checks["redis"] = {"ok": True}
    except (RedisError, OSError) as exc:
        checks["redis"] = {"ok": False, "error": _short(exc)}
    if checks["database"]["ok"]:
        try:
            at_head = migrate.at_head(rt.settings.database_url)
            checks["migrations"] = {"ok": at_head} if at_head else {"ok": False, "error": "not at head"}
        except SQLAlchemyError as exc:
            checks["migrations"] = {"ok": False, "error": _short(exc)}
    else:
        checks["migrations"] = {"ok": False, "error": "database unavailable"}
    ready = all(c["ok"] for c in checks.values())
    response = jsonify({"status": "ready" if ready else "not ready", "checks": checks})
    response.status_code = 200 if ready else 503
    return response


@bp.get("/metrics")
def metrics_endpoint():
    return Response(exporter(current_app).render(), mimetype=CONTENT_TYPE_LATEST)


def exporter(app: Flask) -> metrics.MetricsExporter:
    """The app's exporter, built on first scrape (no connections at start-up or import)."""
    found = app.extensions.get(EXPORTER_KEY)
    if found is None:
        rt = app.extensions["gateway"]
        collector = metrics.GatewayCollector(
            rt.database,
            lambda: rt.redis,
            settle_seconds=int(app.config.get("METRICS_SETTLE_SECONDS", metrics.DEFAULT_SETTLE_SECONDS)),
        )
        found = app.extensions[EXPORTER_KEY] = metrics.MetricsExporter(collector)
    return found


def _short(exc: Exception) -> str:
    # The first line only: enough to see which store and why, without dumping connection strings.
    return f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}" if str(exc) else type(exc).__name__


def init_app(app: Flask) -> None:
    """Register the blueprint and time every request for the per-process HTTP metrics."""
    app.register_blueprint(bp)

    @app.before_request
    def _start_timer() -> None:
        g.ops_started = time.perf_counter()

    @app.after_request
    def _observe(response: Response) -> Response:
        started = g.get("ops_started")
        if started is not None and request.endpoint != "ops.metrics_endpoint":
            metrics.observe_request(request.endpoint, response.status_code, time.perf_counter() - started)
        return response
