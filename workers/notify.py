"""The notify job: send one outbox row, and schedule its next attempt when it must be retried.

Thin on purpose: the outbox (gateway/outbox.py) holds the rules, the database holds the state.
Job ids name the row and its attempt count, so a re-enqueued row never sends twice at once.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from redis import Redis
from sqlalchemy.orm import Session

from gateway import jobs, outbox
from gateway.models import OutboundMessage, OutboundState
from gateway.sms.transport import Transport, from_settings
from workers.context import runtime

log = logging.getLogger(__name__)

_transport: tuple[object, Transport] | None = None


def transport_for(rt) -> Transport:
    """One transport (one HTTP connection pool) per runtime."""
    global _transport
    if _transport is None or _transport[0] is not rt:
        _transport = (rt, from_settings(rt.settings))
    return _transport[1]


def send_message(message_id: int) -> str | None:
    rt = runtime()
    now = datetime.now(UTC)
    with rt.database.sessionmaker() as session:
        lease = timedelta(seconds=rt.settings.outbox_send_lease_seconds)
        outbox.deliver(session, message_id, transport_for(rt), now, lease)
        row = session.get(OutboundMessage, message_id)
        if row is None:
            return None
        state, attempts, next_at = row.state, row.attempts, row.next_attempt_at
    if state == OutboundState.QUEUED and next_at is not None and next_at > now:
        # A retry: RQ's scheduler (worker --with-scheduler) runs it at next_at. If Redis loses it,
        # the outbox reconciler finds the row due and enqueues it again.
        enqueue_send(rt.redis, message_id, attempts, at=next_at)
    return state


def enqueue_send(
    redis: Redis, message_id: int, attempts: int = 0, *, at: datetime | None = None, suffix: str = ""
) -> bool:
    return jobs.enqueue_notify(redis, message_id, attempts, at=at, suffix=suffix)


def enqueue_queued(redis: Redis, session: Session) -> int:
    """After the caller's commit: enqueue the rows `queue_sms` recorded through `session`."""
    return sum(enqueue_send(redis, message_id) for message_id in outbox.take_queued_ids(session))


def reconcile_outbox_job() -> int:
    """Cron: enqueue queued rows that are due but whose job Redis lost (or never got)."""
    rt = runtime()
    now = datetime.now(UTC)
    grace = timedelta(seconds=rt.settings.reconcile_grace_seconds)
    return reconcile_outbox(rt.redis, rt.database, now, grace)


def reconcile_outbox(redis: Redis, database, now: datetime, grace: timedelta) -> int:
    with database.sessionmaker() as session:
        due = [(m.id, m.attempts) for m in outbox.due_messages(session, now - grace)]
    # A suffix that changes once per grace period: a job id still remembered by Redis (finished
    # early, before its row was due) does not block the row for longer than that.
    suffix = f"-r{int(now.timestamp()) // max(int(grace.total_seconds()), 1)}"
    return sum(enqueue_send(redis, message_id, attempts, suffix=suffix) for message_id, attempts in due)


def followup_sweep_job() -> dict[str, int]:
    """Cron: satisfaction reminders after 3 days, then "no rating" (gateway.followup)."""
    from gateway import followup

    rt = runtime()
    now = datetime.now(UTC)
    with rt.database.session() as session:
        result = followup.sweep_followups(session, now, config_dir=rt.settings.config_dir)
        queued = outbox.take_queued_ids(session)
    for message_id in queued:  # after the commit: the rows are durable before a job can look
        enqueue_send(rt.redis, message_id)
    return {"reminded": result.reminded, "no_rating": result.no_rating, "queued": len(queued)}
