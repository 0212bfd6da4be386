"""Cases routed per second by the workers, against RQ no-op jobs with the same worker class and count.

Both runs: the work is queued first, then `WORKERS` long-running SimpleWorker processes start; the
clock runs from their start until the last job has finished (no-op) or the last case is routed
(gateway), so start-up costs are in both figures. The gateway's work is queued as the webhook queues
it: N stored messages, one intake request after each commit (messages share a drain job while one is
waiting, and a full batch asks for the next job so both workers take part).
"""

from __future__ import annotations

import json
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from redis import Redis
from rq import Queue
from sqlalchemy import func, select

from bench.environment import database, env_for, redis, rq_workers
from bench.messages import texts
from gateway import intake, jobs
from gateway.db import Database
from gateway.models import Case, CaseStatus
from gateway.units import load_units

WORKERS = 2


def _accept_all(db: Database, n: int) -> list[int]:
    b = load_units().bureau
    deployment = intake.Deployment(b.case_prefix, b.timezone, b.default_region)
    corpus = texts()
    ids = []
    with db.session() as session:
        for i in range(n):
            msg = intake.IncomingMessage(
                channel="sms",
                provider_id=f"SMbench{i:08d}",
                sender=f"+86139{i:08d}",
                body=corpus[i % len(corpus)],
                received_at=datetime.now(timezone.utc),
            )
            ids.append(intake.accept(session, msg, deployment).inbound_id)
    return ids


def _until(env: dict, done, timeout: float = 600) -> float:
    """Seconds from starting the workers until `done()` is true."""
    start = time.perf_counter()
    with rq_workers(env, WORKERS, (jobs.INTAKE,)):
        while not done():
            if time.perf_counter() - start > timeout:
                raise TimeoutError("the workers did not finish")
            time.sleep(0.02)
        return time.perf_counter() - start


def _routed(db: Database) -> int:
    with db.session() as session:
        return session.scalar(
            select(func.count()).select_from(Case).where(Case.status.in_([CaseStatus.ROUTED, CaseStatus.REVIEW]))
        )


def run(n: int = 2000) -> dict:
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        with redis(tmp) as server, database(tmp) as db_url:
            env = env_for(db_url, server.url)
            conn = Redis.from_url(server.url)
            queue = Queue(jobs.INTAKE, connection=conn)
            for i in range(n):
                queue.enqueue("bench.noop.noop", i, job_id=f"noop-{i}")
            noop_seconds = _until(env, lambda: queue.finished_job_registry.count >= n)

            db = Database(db_url)
            _accept_all(db, n)
            for _ in range(n):
                jobs.request_intake(conn)
            pipeline_seconds = _until(env, lambda: _routed(db) >= n)
            routed = _routed(db)
            intake_jobs = queue.finished_job_registry.count - n  # drain jobs run
            db.dispose()
    return {
        "benchmark": "pipeline",
        "database": db_url.split(":")[0],
        "jobs": n,
        "workers": f"{WORKERS} x rq.worker.SimpleWorker",
        "noop_jobs_per_s": round(n / noop_seconds, 1),
        "cases_routed_per_s": round(n / pipeline_seconds, 1),
        "ratio": round(noop_seconds / pipeline_seconds, 3),
        "routed": routed,
        "intake_jobs": intake_jobs,
        "targets": {"ratio": ">= 0.8"},
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
