"""Putting work on the RQ queues: queue names, job ids and retry policy, declared once.

The database is the source of truth; a job is only a trigger. Every enqueue here is therefore
allowed to fail (Redis down, a duplicate id): the reconciler finds the unprocessed rows later.
"""

from __future__ import annotations

import logging
from contextlib import suppress
from datetime import datetime

from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry
from rq.exceptions import DuplicateJobError

log = logging.getLogger(__name__)

INTAKE = "intake"
NOTIFY = "notify"
TRACKER = "tracker"
QUEUES = (INTAKE, NOTIFY, TRACKER)

# Retries cover passing faults (a database failover, a busy SQLite); what still fails after them
# lands in RQ's failed registry and is picked up again by the reconciler.
INTAKE_RETRY = Retry(max=3, interval=[2, 10, 60])


# Set while an intake drain job is queued and has not started: a message stored meanwhile needs no
# job of its own, as that drain will find it. Expires in case the job is lost with its worker.
INTAKE_WANTED = "gateway:intake:drain-wanted"
INTAKE_WANTED_SECONDS = 15


def request_intake(redis: Redis) -> bool:
    """Make sure a drain job will look for unprocessed messages after this moment.

    Called after a message's row is committed. One SET NX in the common case: under load, hundreds
    of messages share one queued drain job instead of each paying for a job of its own (RQ's
    per-job cost was two fifths of the time a routed case took). False when no new job was queued.
    """
    try:
        if not redis.set(INTAKE_WANTED, "1", nx=True, ex=INTAKE_WANTED_SECONDS):
            return False  # a drain is queued and will see this message's row
        Queue(INTAKE, connection=redis).enqueue("workers.intake.drain_job", retry=INTAKE_RETRY)
        return True
    except RedisError as exc:
        # Not an error for the caller: the row is committed and the reconciler will enqueue it.
        log.warning("could not request intake: %s", exc)
        with suppress(RedisError):
            redis.delete(INTAKE_WANTED)
        return False


def drain_started(redis: Redis) -> None:
    """A drain job is about to look: messages stored from now on need another job (they may miss this one)."""
    redis.delete(INTAKE_WANTED)


def enqueue_intake(redis: Redis, inbound_id: int, suffix: str = "") -> bool:
    """Enqueue the intake job for one inbound row (the reconciler's path, one message at a time).
    False when it could not be (or was already) queued."""
    job_id = f"intake-{inbound_id}{suffix}"
    return _enqueue(redis, INTAKE, "workers.intake.process_inbound_job", (inbound_id,), job_id, INTAKE_RETRY)


def enqueue_notify(
    redis: Redis, message_id: int, attempts: int = 0, *, at: datetime | None = None, suffix: str = ""
) -> bool:
    """Enqueue the send of one outbox row (at `at` for a retry; needs a worker --with-scheduler).

    The id names the row and its attempt count, so a re-enqueued row never sends twice at once.
    """
    job_id = f"notify-{message_id}-{attempts}{suffix}"
    return _enqueue(redis, NOTIFY, "workers.notify.send_message", (message_id,), job_id, None, at=at)


def enqueue_notify_many(redis: Redis, message_ids: list[int]) -> int:
    return sum(enqueue_notify(redis, message_id) for message_id in message_ids)


def reconcile_suffix(now: datetime, grace_seconds: int) -> str:
    """A job id suffix that changes once per grace period, so a lost job is re-enqueued once a period."""
    return f"-r{int(now.timestamp()) // max(grace_seconds, 1)}"


def _enqueue(
    redis: Redis, queue: str, func: str, args: tuple, job_id: str, retry: Retry | None, at: datetime | None = None
) -> bool:
    try:
        q = Queue(queue, connection=redis)
        if at is None:
            q.enqueue(func, *args, job_id=job_id, unique=True, retry=retry)
        else:
            q.enqueue_at(at, func, *args, job_id=job_id, unique=True, retry=retry)
        return True
    except DuplicateJobError:
        return False
    except RedisError as exc:
        # Not an error for the caller: the row is committed and the reconciler will enqueue it.
        log.warning("could not enqueue %s on %s: %s", job_id, queue, exc)
        return False
