"""The tracker's cron job: sweep due cases every minute (registered in workers/schedule.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from gateway.tracker.commands import run_sweep
from workers.context import runtime


def sweep_job() -> dict:
    rt = runtime()
    report = run_sweep(rt.database, datetime.now(UTC), rt.settings.config_dir, policy=rt.policy, units=rt.units)
    return report.as_dict()
