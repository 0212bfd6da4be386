"""The tracker's cron job: sweep due cases every minute (registered in workers/schedule.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from gateway import jobs
from gateway.tracker.commands import run_sweep
from workers.context import runtime


def sweep_job() -> dict:
    rt = runtime()
    report = run_sweep(rt.database, datetime.now(UTC), rt.settings.config_dir, policy=rt.policy, units=rt.units)
    # After the commits: the rows are durable before a notify job can look for them. A failed
    # enqueue is not lost: the outbox reconciler picks queued rows up.
    jobs.enqueue_notify_many(rt.redis, report.message_ids)
    return report.as_dict()
