"""Console queue page time with 100,000 stored cases (part of `make bench`; also runs as a script).

The page is served by the real app (Flask test client, signed in through the form) on a database
grown with bulk inserts: 90% closed, 10% open over the bureau's units, one busy unit holding a
fifth of them, one citizen message per case. Medians over `--repeat` requests, for a dispatcher
(own unit), a supervisor (whole city), a text search and a filter; the ratio column is against the
sign-in page measured in the same run (the app's fixed cost).

    .venv/bin/python bench/bench_console.py                 # SQLite, then PostgreSQL
    .venv/bin/python bench/bench_console.py --backends sqlite --cases 100000
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url

PROJECT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(PROJECT), str(PROJECT / "tests" / "console")]

from console_support import PASSWORD, login  # noqa: E402

from gateway import accounts, create_app, migrate  # noqa: E402
from gateway.db import Database  # noqa: E402
from gateway.deadlines import load_policy  # noqa: E402
from gateway.models import Case, CaseStatus, InboundMessage, Role  # noqa: E402
from gateway.settings import Settings  # noqa: E402
from gateway.units import load_units  # noqa: E402

PG_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BUSY = "chibi.traffic"
CHUNK = 10_000
BODIES = ["红绿灯坏了车辆乱行", "小区门口有人乱停车", "夜间施工噪音扰民", "咨询护照办理材料", "有人在路边摆摊占道"]


def grow(db: Database, n: int) -> None:
    policy = load_policy()
    units = sorted(load_units().units)
    now = datetime.now(UTC)
    with db.session() as s:
        accounts.create_user(s, "wang", PASSWORD, Role.DISPATCHER, now, unit=BUSY)
        accounts.create_user(s, "boss", PASSWORD, Role.SUPERVISOR, now)
    for start in range(0, n, CHUNK):
        cases, messages = [], []
        for i in range(start, min(n, start + CHUNK)):
            created = now - timedelta(minutes=(i * 7) % (60 * 24 * 90))
            unit = BUSY if i % 5 == 0 else units[i % len(units)]
            open_ = (i // 5) % 10 == 0  # independent of the unit: every unit has open cases
            c = Case(kind="complaint", department=unit.split(".")[1], emergency=i % 97 == 0, unit=unit)
            policy.apply(c, created)
            cases.append(
                {
                    "id": i + 1,
                    "number": f"XN-B{i // 10000:04d}-{i:07d}",
                    "status": (CaseStatus.ROUTED, CaseStatus.SIGNED, CaseStatus.REPLIED)[i % 3]
                    if open_
                    else CaseStatus.CLOSED,
                    "channel": "sms",
                    "citizen_number": f"+86138{i % 10**8:08d}",
                    "citizen_number_type": "mobile",
                    "language": "zh",
                    "created_at": created,
                    "department": unit.split(".")[1],
                    "jurisdiction": unit.split(".")[0],
                    "unit": unit,
                    "emergency": i % 97 == 0,
                    "kind": ("complaint", "report", "inquiry")[i % 3],
                    "confidence": 0.9,
                    "routed_at": created,
                    "sign_due": c.sign_due,
                    "reply_due": c.reply_due,
                    "close_due": c.close_due,
                    "extension_count": 0,
                    "returned_seconds": 0,
                }
            )
            messages.append(
                {
                    "channel": "sms",
                    "provider_id": f"SMB{i:012d}",
                    "sender": f"+86138{i % 10**8:08d}",
                    "sender_type": "mobile",
                    "body": f"{BODIES[i % len(BODIES)]}，编号{i}",
                    "language": "zh",
                    "received_at": created,
                    "case_id": i + 1,
                    "processed_at": created,
                }
            )
        with db.session() as s:
            s.execute(insert(Case), cases)
            s.execute(insert(InboundMessage), messages)
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "postgresql":
            conn.execute(text("SELECT setval(pg_get_serial_sequence('cases', 'id'), (SELECT max(id) FROM cases))"))
            conn.execute(text("ANALYZE"))
        else:
            conn.execute(text("ANALYZE"))


def timed(client, path: str, repeat: int) -> float:
    client.get(path)  # warm: templates compiled, plans cached
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(samples)


def run(url: str, n: int, repeat: int) -> dict:
    migrate.upgrade(url)
    db = Database(url)
    t0 = time.perf_counter()
    grow(db, n)
    grow_s = time.perf_counter() - t0
    with db.session() as s:
        stored = s.scalar(select(Case.id).order_by(Case.id.desc()).limit(1))
    app = create_app(Settings(env="test", database_url=url))
    results = {"cases": stored, "grow_seconds": round(grow_s, 1)}
    baseline = timed(app.test_client(), "/console/login", repeat)
    results["baseline_login_page_ms"] = round(baseline, 2)
    for who, pages in {
        "wang": {"dispatcher_queue": "/console/queue", "dispatcher_search": "/console/queue?q=乱停车"},
        "boss": {
            "supervisor_city_queue": "/console/queue",
            "supervisor_overdue_filter": "/console/queue?overdue=1&kind=report",
            "supervisor_page_20": "/console/queue?page=20",
            "supervisor_number_search": "/console/queue?q=XN-B0005",
        },
    }.items():
        client = app.test_client()
        assert login(client, who).status_code == 303
        for name, path in pages.items():
            ms = timed(client, path, repeat)
            results[name] = {"median_ms": round(ms, 2), "ratio_to_baseline": round(ms / baseline, 1)}
    app.extensions["gateway"].close()
    db.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    out = {}
    for backend in args.backends.split(","):
        if backend == "sqlite":
            with tempfile.TemporaryDirectory() as tmp:
                out["sqlite"] = run(f"sqlite:///{tmp}/bench.db", args.cases, args.repeat)
        else:
            admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
            name = f"gwbench_console_{uuid.uuid4().hex[:8]}"
            try:
                with admin.connect() as conn:
                    conn.execute(text(f'CREATE DATABASE "{name}"'))
            except Exception as exc:  # no PostgreSQL here: report SQLite only
                out["postgresql"] = {"skipped": str(exc).splitlines()[0]}
                continue
            try:
                out["postgresql"] = run(
                    make_url(PG_URL).set(database=name).render_as_string(hide_password=False), args.cases, args.repeat
                )
            finally:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()
    out["benchmark"] = "console"
    out["targets"] = {"queue pages": "interactive (well under a second) with 100k cases"}
    print(json.dumps(out, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
