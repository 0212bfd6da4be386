"""How long the ledger takes over a year of cases (default 200,000 cases and their timeline events).

    .venv/bin/python -m bench.bench_ledger [--cases N] [--db sqlite|postgresql|both] [--repeat R]

Rows are bulk-inserted into a private, migrated database (a temporary SQLite file; a throw-away
PostgreSQL database at BENCH_POSTGRES_URL). Each figure is the best of R runs. The baseline, measured
in the same run on the same data, is a plain `SELECT count(*) FROM cases` (one scan of the table):
ratios say how many table scans a report costs, which travels between machines better than seconds.
Timed on the schema as migrated (which has the ledger's indexes), after ANALYZE. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

from gateway import migrate
from gateway.config import DEFAULT_CONFIG_DIR
from gateway.db import Database
from gateway.models import Case, CaseEvent, CaseStatus
from gateway.reports.ledger import daily_ledger, range_ledger
from gateway.reports.report import build_report
from gateway.units import load_units

PG_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TZ = "Asia/Shanghai"
END = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)  # a fixed "now": the same data every run
START = END - timedelta(days=365)


def generate(n: int, unit_codes: list[str], rng: random.Random) -> tuple[list[dict], list[dict]]:
    """Cases spread over the year, most answered on time, some late, some still open and late."""
    cases, events = [], []
    span = (END - START).total_seconds()
    hour = timedelta(hours=1)
    for i in range(1, n + 1):
        created = START + timedelta(seconds=rng.random() * span)
        unit = rng.choice(unit_codes)
        sign_due, reply_due, close_due = created + 8 * hour, created + 48 * hour, created + 15 * 24 * hour
        row = {
            "id": i,
            "number": f"XN-B-{i:07d}",
            "status": CaseStatus.ROUTED,
            "channel": "sms",
            "citizen_number": "+8613800000000",
            "citizen_number_type": "mobile",
            "language": "zh",
            "created_at": created,
            "unit": unit,
            "department": unit.split(".")[1],
            "jurisdiction": unit.split(".")[0],
            "routed_at": created,
            "sign_due": sign_due,
            "reply_due": reply_due,
            "close_due": close_due,
            "signed_at": None,
            "first_reply_at": None,
            "closed_at": None,
            "rating": None,
            "rated_at": None,
            "extension_count": 0,
            "returned_seconds": 0,
            "emergency": False,
        }
        late = rng.random() < 0.15

        def at(base: datetime, hours: float) -> datetime | None:
            moment = base + hours * hour
            return moment if moment <= END else None

        row["signed_at"] = at(created, rng.uniform(0.1, 12 if late else 6))
        if row["signed_at"]:
            row["status"] = CaseStatus.SIGNED
            events.append(
                {"case_id": i, "type": "signed", "at": row["signed_at"], "actor": "u", "details": {"unit": unit}}
            )
            row["first_reply_at"] = at(row["signed_at"], rng.uniform(1, 60 if late else 40))
        if row["first_reply_at"]:
            row["status"] = CaseStatus.REPLIED
            events.append({"case_id": i, "type": "replied", "at": row["first_reply_at"], "actor": "u", "details": {}})
            if rng.random() < 0.05:
                row["extension_count"] = 1
                row["close_due"] = close_due + 72 * hour
                events.append(
                    {
                        "case_id": i,
                        "type": "extension_approved",
                        "at": created + 100 * hour,
                        "actor": "s",
                        "details": {},
                    }
                )
            row["closed_at"] = at(row["first_reply_at"], rng.uniform(10, 500 if late else 300))
        if row["closed_at"]:
            row["status"] = CaseStatus.CLOSED
            events.append({"case_id": i, "type": "closed", "at": row["closed_at"], "actor": "u", "details": {}})
            if rng.random() < 0.6:
                row["rating"] = rng.choice((1, 2, 3, 4, 4, 5, 5, 5))
                row["rated_at"] = row["closed_at"] + rng.uniform(1, 48) * hour
        if late and row["first_reply_at"] is None and reply_due < END:
            events.append(
                {"case_id": i, "type": "escalated", "at": reply_due, "actor": "tracker", "details": {"unit": unit}}
            )
        if rng.random() < 0.02:
            events.append(
                {"case_id": i, "type": "returned", "at": created + 0.5 * hour, "actor": "u", "details": {"unit": unit}}
            )
        cases.append(row)
    return cases, events


def load(db: Database, cases: list[dict], events: list[dict]) -> float:
    started = time.perf_counter()
    with db.engine.begin() as conn:
        for chunk in range(0, len(cases), 20_000):
            conn.execute(insert(Case.__table__), cases[chunk : chunk + 20_000])
        for chunk in range(0, len(events), 20_000):
            conn.execute(insert(CaseEvent.__table__), events[chunk : chunk + 20_000])
        if db.engine.dialect.name == "postgresql":
            conn.execute(text("SELECT setval('cases_id_seq', (SELECT max(id) FROM cases))"))
    with db.engine.connect() as conn:
        if db.engine.dialect.name == "postgresql":
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
        else:
            conn.execute(text("ANALYZE"))
    return time.perf_counter() - started


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def measure(db: Database, units, repeat: int) -> dict:
    local_end = END.astimezone(ZoneInfo(TZ)).date()
    yesterday = local_end - timedelta(days=1)
    month_start = yesterday - timedelta(days=29)
    year_start = yesterday - timedelta(days=364)
    codes = list(units.units)

    def run(fn):
        def go():
            with db.session() as s:
                fn(s)

        return go

    def scan(s):
        s.execute(text("SELECT count(*) FROM cases")).scalar()

    cases = {
        "day_all_units": run(lambda s: daily_ledger(s, yesterday, yesterday, timezone=TZ, now=END, units=codes)),
        "day_one_unit": run(
            lambda s: daily_ledger(s, yesterday, yesterday, timezone=TZ, now=END, unit="chibi.traffic")
        ),
        "month_per_unit": run(lambda s: range_ledger(s, month_start, yesterday, timezone=TZ, now=END, units=codes)),
        "year_per_unit": run(lambda s: range_ledger(s, year_start, yesterday, timezone=TZ, now=END, units=codes)),
        "year_full_report": run(lambda s: build_report(s, year_start, yesterday, units=units, now=END)),
    }
    baseline = best(run(scan), repeat)
    out = {"baseline_count_scan_s": round(baseline, 4)}
    for name, fn in cases.items():
        seconds = best(fn, repeat)
        out[name] = {"seconds": round(seconds, 4), "x_scan": round(seconds / baseline, 1)}
    return out


def bench(url: str, n: int, repeat: int, rng_seed: int) -> dict:
    migrate.upgrade(url)
    db = Database(url)
    units = load_units(DEFAULT_CONFIG_DIR)
    cases, events = generate(n, sorted(units.units), random.Random(rng_seed))
    result = {"dialect": db.engine.dialect.name, "cases": len(cases), "events": len(events)}
    result["insert_s"] = round(load(db, cases, events), 2)
    del cases, events
    with db.engine.connect() as conn:
        if db.engine.dialect.name == "postgresql":
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
        else:
            conn.execute(text("ANALYZE"))
    result["as_migrated"] = measure(db, units, repeat)
    db.dispose()
    return result


def sqlite_run(n: int, repeat: int, seed: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        return bench(f"sqlite:///{Path(tmp) / 'ledger.db'}", n, repeat, seed)


def postgres_run(n: int, repeat: int, seed: int) -> dict:
    name = f"bench_ledger_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        return bench(url, n, repeat, seed)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20261127)
    args = parser.parse_args(argv)
    results = {"benchmark": "ledger", "generated_at": date.today().isoformat(), "runs": []}
    if args.db in ("sqlite", "both"):
        results["runs"].append(sqlite_run(args.cases, args.repeat, args.seed))
    if args.db in ("postgresql", "both"):
        results["runs"].append(postgres_run(args.cases, args.repeat, args.seed))
    json.dump(results, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
