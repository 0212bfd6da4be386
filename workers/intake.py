"""The intake jobs: turn stored messages into routed cases.

`drain_job` is the fast path: a batch of fresh messages in one transaction (see
`jobs.request_intake` for how messages share a job). `process_inbound_job` routes one message on
its own: the reconciler's path, and the drain's fallback when a batch fails.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import DBAPIError

from gateway import intake, jobs, outbox
from workers.context import runtime

log = logging.getLogger(__name__)

# Messages per transaction: large enough that the commit and RQ's per-job cost are shared widely,
# small enough that a batch holds its row locks for well under a second.
DRAIN_BATCH = 50
# The drain looks this far back; older unprocessed messages are the reconciler's, one job each, so
# a message that fails every time cannot make every batch fail with it for long.
DRAIN_WINDOW = timedelta(minutes=10)


def drain_job() -> int:
    """Route one batch of fresh messages (another job is asked for when the batch is full)."""
    rt = runtime()
    jobs.drain_started(rt.redis)
    now = datetime.now(UTC)
    try:
        with rt.database.session() as session:
            cases = intake.process_fresh(
                session,
                since=now - DRAIN_WINDOW,
                limit=DRAIN_BATCH,
                classifier=rt.classifiers.get(session),
                policy=rt.policy,
                now=now,
                alerts=rt.alerts,
                notices=rt.service_notices,
                # More are waiting: another worker may take the next batch in parallel.
                more_waiting=lambda: jobs.request_intake(rt.redis),
            )
            queued = outbox.take_queued_ids(session)
    except DBAPIError as exc:
        if exc.connection_invalidated:
            raise  # the database went away: RQ retries the whole batch
        return _one_by_one(rt, now, exc)
    except Exception as exc:  # noqa: BLE001 - one bad message must not hold up the others
        return _one_by_one(rt, now, exc)
    jobs.enqueue_notify_many(rt.redis, queued)
    return len(cases)


class IntakeFailed(Exception):
    """Messages of a batch that could not be routed even one at a time."""


def _one_by_one(rt, now: datetime, error: Exception) -> int:
    """A batch failed: route its messages each in its own transaction, so only the bad one is left.

    The job then fails naming what is left, so that RQ's failed registry and the logs show it; the
    reconciler retries those messages one job each.
    """
    log.warning("intake batch failed (%s); routing its messages one at a time", type(error).__name__)
    with rt.database.session() as session:
        ids = intake.unprocessed_since(session, now - DRAIN_WINDOW, DRAIN_BATCH)
    failed = []
    for inbound_id in ids:
        try:
            process_inbound_job(inbound_id)
        except Exception:  # noqa: BLE001 - the others in the batch still get routed; raised below
            log.exception("intake of inbound message %s failed", inbound_id)
            failed.append(inbound_id)
    if failed:
        raise IntakeFailed(f"inbound messages {failed} could not be routed") from error
    return len(ids)


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
