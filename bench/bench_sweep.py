"""Sweep time against the number of stored cases, with the same 1,000 cases due.

The sweep reads only `cases.next_action_at <= now` through its index, so its time should stay flat
from 10k to 1M stored cases. The table is grown in place (bulk inserts) from one size to the next;
at every size the same 1,000 due cases are reset and swept `--repeat` times (each sweep sends a
reminder, a holding reply and an escalation per case, i.e. 3,000 outbox rows). The ratio column is
against the smallest size, measured in the same run.

    .venv/bin/python bench/bench_sweep.py                      # SQLite, then PostgreSQL if it answers
    .venv/bin/python bench/bench_sweep.py --sizes 10000,100000 --backends sqlite

Prints JSON and writes bench/results/sweep.json.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, delete, func, insert, select, text, update
from sqlalchemy.engine import make_url

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from gateway import migrate  # noqa: E402
from gateway.config import DEFAULT_CONFIG_DIR  # noqa: E402
from gateway.db import Database  # noqa: E402
from gateway.deadlines import load_policy  # noqa: E402
from gateway.models import Case, CaseEvent, CaseStatus, OutboundMessage  # noqa: E402
from gateway.tracker.commands import run_sweep  # noqa: E402
from gateway.units import load_units  # noqa: E402

PG_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
RESULTS = PROJECT / "bench" / "results" / "sweep.json"
ROUTED = datetime(2026, 11, 2, 0, 30, tzinfo=UTC)  # Monday 08:30 in Xianning
NOW = datetime(2026, 11, 4, 6, 48, tzinfo=UTC)  # Wednesday 14:48: 90% of a complaint's reply window
CHUNK = 20_000
UNITS = ["chibi.traffic", "jiayu.household", "xianan.public_order", "tongcheng.exit_entry", "city.criminal"]


@contextmanager
def database(backend: str, tmp: Path) -> Iterator[Database]:
    if backend == "sqlite":
        url = f"sqlite:///{tmp / 'sweep.db'}"
        migrate.upgrade(url)
        db = Database(url)
        try:
            yield db
        finally:
            db.dispose()
        return
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"gwbench_sweep_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    db = None
    try:
        migrate.upgrade(url)
        db = Database(url)
        yield db
    finally:
        if db is not None:
            db.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _template(policy) -> dict:
    """Deadlines of a complaint routed on Monday morning, computed once by the real policy."""
    case = Case(kind="complaint", department="traffic", emergency=False, status=CaseStatus.ROUTED, unit="chibi.traffic")
    case.routed_at = ROUTED
    policy.apply(case, ROUTED)
    return {"sign_due": case.sign_due, "reply_due": case.reply_due, "close_due": case.close_due}


def _row(i: int, deadlines: dict, *, due: bool) -> dict:
    closed = not due and i % 10 != 0  # 90% of stored cases are closed; 10% open, next action later
    created = ROUTED - timedelta(minutes=i % 500_000)
    return {
        "number": f"XN-B-{i:08d}",
        "status": CaseStatus.SIGNED if due else (CaseStatus.CLOSED if closed else CaseStatus.SIGNED),
        "channel": "sms",
        "citizen_number": f"+86138{i % 10**8:08d}",
        "citizen_number_type": "mobile",
        "language": "zh",
        "created_at": created,
        "department": "traffic",
        "jurisdiction": "chibi",
        "unit": UNITS[i % len(UNITS)],
        "emergency": False,
        "kind": "complaint",
        "routed_at": ROUTED if due else created,
        "signed_at": ROUTED + timedelta(minutes=5),
        "closed_at": created + timedelta(days=3) if closed else None,
        "sign_due": deadlines["sign_due"],
        "reply_due": deadlines["reply_due"],
        "close_due": deadlines["close_due"],
        # Due cases: now. Open filler: a future action (the next day). Closed: nothing.
        "next_action_at": NOW if due else (None if closed else NOW + timedelta(days=1, minutes=i % 1000)),
        "extension_count": 0,
        "returned_seconds": 0,
    }


def grow(db: Database, start: int, stop: int, deadlines: dict, due_ids: set[int]) -> float:
    began = time.perf_counter()
    table = Case.__table__
    with db.engine.begin() as conn:
        for lo in range(start, stop, CHUNK):
            rows = [_row(i, deadlines, due=i in due_ids) for i in range(lo, min(stop, lo + CHUNK))]
            conn.execute(insert(table), rows)
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE cases"))
    else:
        with db.engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    return time.perf_counter() - began


def reset_due(db: Database, due_numbers: list[str]) -> None:
    """Put the due cases back as they were before a sweep, and drop what the sweep wrote."""
    with db.session() as s:
        ids = list(s.scalars(select(Case.id).where(Case.number.in_(due_numbers))))
        s.execute(delete(OutboundMessage).where(OutboundMessage.case_id.in_(ids)))
        s.execute(delete(CaseEvent).where(CaseEvent.case_id.in_(ids)))
        s.execute(
            update(Case)
            .where(Case.id.in_(ids))
            .values(next_action_at=NOW, holding_sent_at=None, escalated_at=None, notice_flagged_at=None)
        )


def due_query_ms(db: Database) -> float:
    with db.session() as s:
        began = time.perf_counter()
        s.scalar(select(func.count()).select_from(select(Case.id).where(Case.next_action_at <= NOW).subquery()))
        return (time.perf_counter() - began) * 1000


def run_backend(backend: str, sizes: list[int], due: int, repeat: int) -> dict:
    policy = load_policy(DEFAULT_CONFIG_DIR)
    base_units = load_units(DEFAULT_CONFIG_DIR)
    units = dataclasses.replace(
        base_units,
        units={
            c: dataclasses.replace(u, duty_number=f"+86139{n:08d}") for n, (c, u) in enumerate(base_units.units.items())
        },
    )
    deadlines = _template(policy)
    # The same due cases at every size: spread through the rows of the smallest table.
    stride = max(1, sizes[0] // due)
    due_ids = {i * stride for i in range(due)}
    due_numbers = [f"XN-B-{i:08d}" for i in sorted(due_ids)]
    results = []
    with tempfile.TemporaryDirectory() as tmp, database(backend, Path(tmp)) as db:
        stored = 0
        for size in sizes:
            insert_s = grow(db, stored, size, deadlines, due_ids)
            stored = size
            runs, cpu, report = [], [], None
            for _ in range(repeat):
                reset_due(db, due_numbers)
                began, began_cpu = time.perf_counter(), time.process_time()
                report = run_sweep(db, NOW, policy=policy, units=units)
                runs.append(time.perf_counter() - began)
                # CPU time of this process (SQLite runs in it; PostgreSQL's own work is not counted):
                # steadier than wall time on a shared machine.
                cpu.append(time.process_time() - began_cpu)
                assert report.cases == due, report
            median = statistics.median(runs)
            results.append(
                {
                    "stored_cases": size,
                    "due_cases": due,
                    "sweep_seconds_median": round(median, 4),
                    "sweep_seconds_runs": [round(r, 4) for r in runs],
                    "sweep_seconds_min": round(min(runs), 4),
                    "sweep_cpu_seconds_median": round(statistics.median(cpu), 4),
                    "ms_per_due_case": round(median * 1000 / due, 3),
                    "due_query_ms": round(due_query_ms(db), 3),
                    "insert_seconds": round(insert_s, 1),
                    "report": report.as_dict(),
                }
            )
            print(json.dumps({"backend": backend, **results[-1]}), file=sys.stderr, flush=True)
    base, base_min = results[0]["sweep_seconds_median"], results[0]["sweep_seconds_min"]
    for r in results:
        r["ratio_vs_smallest"] = round(r["sweep_seconds_median"] / base, 3)
        r["ratio_vs_smallest_min"] = round(r["sweep_seconds_min"] / base_min, 3)
    return {"backend": backend, "results": results}


def _pg_available() -> bool:
    try:
        engine = create_engine(PG_URL)
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--due", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--output", default=str(RESULTS))
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    backends = [b for b in args.backends.split(",") if b != "postgresql" or _pg_available()]
    out = {
        "benchmark": "tracker sweep: time vs stored cases, same due cases",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        },
        "due_cases": args.due,
        "backends": [run_backend(b, sizes, args.due, args.repeat) for b in backends],
    }
    text_out = json.dumps(out, indent=2)
    print(text_out)
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(text_out + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
