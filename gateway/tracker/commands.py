"""The sweep as a command (`gateway sweep [--now ISO-TIME]`) and as the body of the cron job."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from gateway.config import DEFAULT_CONFIG_DIR
from gateway.db import Database
from gateway.deadlines import load_policy
from gateway.outbox import take_queued_ids
from gateway.tracker.sweep import SweepReport, sweep
from gateway.units import load_units

# Cases handled per transaction: short transactions keep row locks (and SQLite's lock) brief.
COMMIT_EVERY = 500


def run_sweep(
    database: Database,
    now: datetime | None = None,
    config_dir: Path | str = DEFAULT_CONFIG_DIR,
    *,
    policy=None,
    units=None,
) -> SweepReport:
    """Sweep every due case, committing every `COMMIT_EVERY` cases; `now` defaults to the clock.

    The report's `message_ids` are the outbox rows queued, committed: the caller may enqueue their
    notify jobs (the outbox's reconciler finds them anyway).
    """
    now = now or datetime.now(UTC)
    policy = policy or load_policy(config_dir)
    units = units or load_units(config_dir)
    total = SweepReport()
    while True:
        with database.session() as session:
            report = sweep(session, now, policy, units, limit=COMMIT_EVERY)
            report.message_ids = take_queued_ids(session)
        total += report
        if report.cases < COMMIT_EVERY:
            return total
