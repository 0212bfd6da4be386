"""The cron job: sweeps with the worker's runtime and enqueues the notify jobs of what it queued."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rq import Queue

from gateway import jobs
from gateway.models import Case
from workers.tracker import sweep_job

from .helpers import new_case


def test_sweep_job_sweeps_and_enqueues_notify_jobs(runtime, redis_conn):
    with runtime.database.session() as s:
        # Routed three weeks ago and never answered: the holding reply is due (and overdue).
        case_id = new_case(s, runtime.policy, datetime.now(UTC) - timedelta(days=21)).id
    result = sweep_job()
    assert result["cases"] == 1 and result["holding_replies"] == 1 and result["escalations"] == 1
    assert Queue(jobs.NOTIFY, connection=redis_conn).count == result["messages"] >= 1
    with runtime.database.session() as s:
        assert s.get(Case, case_id).holding_sent_at is not None
    assert sweep_job()["cases"] == 0
