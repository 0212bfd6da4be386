"""The intake job: turn one inbound row into a routed case."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from gateway import intake, jobs, outbox
from workers.context import runtime


def process_inbound_job(inbound_id: int) -> str | None:
    rt = runtime()
    now = datetime.now(UTC)
    with rt.database.session() as session:
        classifier = rt.classifiers.get(session)
        case = intake.process(
            session,
            inbound_id,
            classifier=classifier,
            policy=rt.policy,
            now=now,
            alerts=rt.alerts,
            notices=rt.service_notices,
        )
        number = case.number if case is not None else None
        queued = outbox.take_queued_ids(session)
    # Emergency alerts and service notices go out as soon as the routing is committed.
    jobs.enqueue_notify_many(rt.redis, queued)
    return number


def reconcile_job() -> int:
    """Re-enqueue inbound rows that have not become routed cases after the grace period."""
    rt = runtime()
    now = datetime.now(UTC)
    grace = rt.settings.reconcile_grace_seconds
    return reconcile(rt, now, grace)


def reconcile(rt, now: datetime, grace_seconds: int) -> int:
    with rt.database.session() as session:
        ids = intake.unprocessed(session, now, timedelta(seconds=grace_seconds))
    suffix = jobs.reconcile_suffix(now, grace_seconds)
    return sum(jobs.enqueue_intake(rt.redis, inbound_id, suffix) for inbound_id in ids)
