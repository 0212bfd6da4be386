"""The intake drain: messages share jobs, workers share a backlog, and one bad message holds up no other."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
from rq import Queue
from sqlalchemy import func, select
from support import post_signed, run_worker, sms_params

from gateway import intake, jobs
from gateway.models import Case, CaseEvent, InboundMessage
from workers import intake as intake_jobs
from workers.intake import DRAIN_BATCH, reconcile

BODIES = ["赤壁市赵李桥镇十字路口红绿灯坏了", "嘉鱼县鱼岳镇办身份证排队太久", "通山县九宫山镇景区门口乱停车"]


def _drain_once(database, runtime, now) -> list[int]:
    """One drain transaction, as a drain job runs it: the ids of the cases it routed."""
    with database.session() as s:
        cases = intake.process_fresh(
            s,
            since=now - timedelta(minutes=5),
            limit=DRAIN_BATCH,
            classifier=runtime.classifiers.get(s),
            policy=runtime.policy,
            now=now,
        )
        return [c.id for c in cases]


def _post_many(client, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        response = post_signed(
            client, "/twilio/sms", sms_params(BODIES[i % 3] + f" {i}", sid=f"SM{i:032d}", sender=f"+86139{i:08d}")
        )
        assert response.status_code == 200


def _counts(database) -> tuple[int, int]:
    with database.session() as s:
        routed = s.scalar(select(func.count()).select_from(Case).where(Case.status.in_(["routed", "review"])))
        unprocessed = s.scalar(
            select(func.count()).select_from(InboundMessage).where(InboundMessage.processed_at.is_(None))
        )
    return routed, unprocessed


def test_messages_stored_while_a_drain_is_queued_share_it(client, database, redis_conn):
    n = 2 * DRAIN_BATCH + 7
    _post_many(client, n)
    # One job for the lot: each webhook found a drain already queued.
    assert Queue(jobs.INTAKE, connection=redis_conn).count == 1

    run_worker(redis_conn)

    assert _counts(database) == (n, 0)
    with database.session() as s:
        assert s.scalar(select(func.count()).select_from(CaseEvent).where(CaseEvent.type == "classified")) == n
    # A full batch asked for the next job: three batches, three jobs, not one a message.
    finished = Queue(jobs.INTAKE, connection=redis_conn).finished_job_registry
    assert len(finished.get_job_ids()) == 3


def test_a_message_stored_after_the_drain_started_gets_a_new_job(client, database, redis_conn):
    _post_many(client, 1)
    jobs.drain_started(redis_conn)  # as the queued drain does when a worker takes it
    _post_many(client, 1, start=1)
    assert Queue(jobs.INTAKE, connection=redis_conn).count == 2
    run_worker(redis_conn)
    assert _counts(database) == (2, 0)


class FailsOn:
    """The real classifier, except that it cannot read the message numbered `n` (a poison message)."""

    def __init__(self, inner, n: int):
        self.inner, self.suffix = inner, f" {n}"

    def classify(self, text, **kw):
        if text.endswith(self.suffix):
            raise ValueError("a message this classifier version cannot read")
        return self.inner.classify(text, **kw)


def _failed_drains(redis_conn) -> list[str]:
    """Drain jobs that failed: waiting for their retry (RQ keeps no result then), or out of retries."""
    queue = Queue(jobs.INTAKE, connection=redis_conn)
    ids = queue.scheduled_job_registry.get_job_ids() + queue.failed_job_registry.get_job_ids()
    return [queue.fetch_job(i).func_name for i in ids]


def _fail_on(runtime, monkeypatch, n: int):
    real = runtime.classifiers.get
    monkeypatch.setattr(runtime.classifiers, "get", lambda session: FailsOn(real(session), n))
    return real


def test_one_message_that_fails_leaves_the_rest_of_its_batch_routed(client, database, redis_conn, runtime, monkeypatch):
    _post_many(client, 5)
    real = _fail_on(runtime, monkeypatch, 2)

    run_worker(redis_conn)

    assert _counts(database) == (4, 1)
    # Not swallowed: the drain job fails (and is retried), for RQ's registries and the logs to show.
    assert _failed_drains(redis_conn) == ["workers.intake.drain_job"]
    # The failed one is the reconciler's: once the classifier reads it, it is routed like the rest.
    monkeypatch.setattr(runtime.classifiers, "get", real)
    later = datetime.now(timezone.utc) + timedelta(minutes=1)
    assert reconcile(runtime, later, 30) == 1
    run_worker(redis_conn)
    assert _counts(database) == (5, 0)


def test_a_failing_message_at_the_head_of_a_backlog_holds_none_of_it_up(
    client, database, redis_conn, runtime, monkeypatch
):
    n = DRAIN_BATCH + 10
    _post_many(client, n)
    _fail_on(runtime, monkeypatch, 0)  # the oldest
    run_worker(redis_conn)
    assert _counts(database) == (n - 1, 1)
    # Each batch the bad message falls in fails its job (two here), after routing the rest.
    assert set(_failed_drains(redis_conn)) == {"workers.intake.drain_job"}


def test_concurrent_drains_route_each_message_once(client, database, runtime):
    if database.engine.dialect.name != "postgresql":
        pytest.skip("SKIP LOCKED: PostgreSQL only (SQLite serialises whole write transactions)")
    _post_many(client, 3 * DRAIN_BATCH)
    now = datetime.now(timezone.utc)
    routed: list[int] = []
    start = threading.Barrier(3)

    def drain() -> None:
        start.wait()
        routed.extend(_drain_once(database, runtime, now))

    threads = [threading.Thread(target=drain) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    # SKIP LOCKED: each drain took its own batch without waiting for the others.
    assert len(routed) == len(set(routed)) == 3 * DRAIN_BATCH
    assert _counts(database) == (3 * DRAIN_BATCH, 0)


def test_the_drain_leaves_old_messages_to_the_reconciler(client, database, runtime, redis_conn):
    _post_many(client, 2)
    with database.session() as s:
        s.execute(
            InboundMessage.__table__.update().values(
                received_at=datetime.now(timezone.utc) - intake_jobs.DRAIN_WINDOW - timedelta(minutes=1)
            )
        )
    run_worker(redis_conn)
    assert _counts(database) == (0, 2)
    assert reconcile(runtime, datetime.now(timezone.utc), 30) == 2
    run_worker(redis_conn)
    assert _counts(database) == (2, 0)


def test_a_case_row_held_by_a_webhook_delays_the_batch_instead_of_dropping_the_message(client, database, runtime):
    if database.engine.dialect.name != "postgresql":
        pytest.skip("row locks: PostgreSQL only (SQLite serialises whole write transactions)")
    _post_many(client, 1)
    now = datetime.now(timezone.utc)
    routed: list[int] = []
    with database.engine.connect() as other:
        # As a webhook does while the citizen's next message joins this case.
        other.exec_driver_sql("SELECT id FROM cases FOR UPDATE")

        def drain() -> None:
            routed.extend(_drain_once(database, runtime, now))

        worker = threading.Thread(target=drain)
        worker.start()
        worker.join(1.0)
        assert worker.is_alive()  # waiting for the case row, not skipping the message
        other.commit()
    worker.join(30)
    assert len(routed) == 1
    assert _counts(database) == (1, 0)
