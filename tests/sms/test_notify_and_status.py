"""The notify job on real Redis and real RQ workers, sending with the real Twilio client to the fake
API; and the signed status callback that moves the message on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from rq import Queue
from rq.registry import ScheduledJobRegistry
from sqlalchemy import select
from support import post_signed, run_worker

from gateway import outbox
from gateway.jobs import NOTIFY
from gateway.models import CallbackTask, CaseEvent, OutboundMessage, OutboundState
from gateway.settings import Settings
from sms.helpers import ACCOUNT_SID, MOBILE, make_case
from workers import notify


@pytest.fixture
def settings(settings, fake_twilio) -> Settings:
    """The suite's settings, sending through the real Twilio client to the fake API."""
    return settings.with_(
        twilio_account_sid=ACCOUNT_SID,
        twilio_from_number="+8610690000",
        twilio_api_base_url=fake_twilio.base_url,
        sms_transport="twilio",
    )


def _queue_and_enqueue(database, redis, now, *, with_case=True) -> tuple[int, int | None]:
    with database.sessionmaker() as s:
        case = make_case(s) if with_case else None
        msg = outbox.queue_sms(s, to=MOBILE, body="您的投诉已受理", purpose="ack", language="zh", now=now, case=case)
        s.commit()
        assert notify.enqueue_queued(redis, s) == 1
        return msg.id, case.id if case else None


def _row(database, message_id) -> OutboundMessage:
    with database.sessionmaker() as s:
        return s.get(OutboundMessage, message_id)


def test_job_sends_and_signed_callback_marks_delivered(database, redis_conn, runtime, client, fake_twilio):
    now = datetime.now(UTC)
    mid, case_id = _queue_and_enqueue(database, redis_conn, now)
    run_worker(redis_conn, [NOTIFY])
    row = _row(database, mid)
    assert row.state == OutboundState.SENT and row.provider_sid == fake_twilio.messages[0].sid

    callback = urlsplit(fake_twilio.messages[0].status_callback)
    path = f"{callback.path}?{callback.query}"
    params = {"MessageSid": row.provider_sid, "MessageStatus": "delivered", "AccountSid": ACCOUNT_SID, "To": MOBILE}
    response = post_signed(client, path, params, url=fake_twilio.messages[0].status_callback)
    assert response.status_code == 204
    assert _row(database, mid).state == OutboundState.DELIVERED
    # a late "sent" callback does not move it back
    params["MessageStatus"] = "sent"
    assert post_signed(client, path, params, url=fake_twilio.messages[0].status_callback).status_code == 204
    assert _row(database, mid).state == OutboundState.DELIVERED
    with database.sessionmaker() as s:
        types = [
            e.type for e in s.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id))
        ]
    assert types == ["sms_queued", "sms_sent", "sms_delivered"]


def test_unsigned_or_forged_status_callback_is_refused(database, redis_conn, runtime, client, fake_twilio):
    mid, _ = _queue_and_enqueue(database, redis_conn, datetime.now(UTC))
    run_worker(redis_conn, [NOTIFY])
    sid = _row(database, mid).provider_sid
    params = {"MessageSid": sid, "MessageStatus": "undelivered", "ErrorCode": "30003"}
    response = client.post(f"/twilio/sms/status?m={mid}", data=params)
    assert response.status_code == 403
    forged = post_signed(client, f"/twilio/sms/status?m={mid}", params, token="not-the-token")
    assert forged.status_code == 403
    assert _row(database, mid).state == OutboundState.SENT


def test_undelivered_callback_creates_a_callback_task(database, redis_conn, runtime, client, fake_twilio):
    mid, case_id = _queue_and_enqueue(database, redis_conn, datetime.now(UTC))
    run_worker(redis_conn, [NOTIFY])
    sid = _row(database, mid).provider_sid
    params = {"MessageSid": sid, "MessageStatus": "undelivered", "ErrorCode": "30003"}
    assert post_signed(client, f"/twilio/sms/status?m={mid}", params).status_code == 204
    row = _row(database, mid)
    assert (row.state, row.error_code) == (OutboundState.UNDELIVERED, "30003")
    with database.sessionmaker() as s:
        task = s.scalars(select(CallbackTask)).one()
    assert (task.case_id, task.reason) == (case_id, "sms_undelivered")


def test_retry_is_scheduled_in_rq_and_reconciler_recovers_after_redis_loss(database, redis_conn, runtime, fake_twilio):
    now = datetime.now(UTC)
    mid, _ = _queue_and_enqueue(database, redis_conn, now)
    fake_twilio.script(20429)
    run_worker(redis_conn, [NOTIFY])
    row = _row(database, mid)
    assert (row.state, row.attempts, row.error_code) == (OutboundState.QUEUED, 1, "20429")
    registry = ScheduledJobRegistry(queue=Queue(NOTIFY, connection=redis_conn))
    assert f"notify-{mid}-1" in registry.get_job_ids()

    # Redis loses everything; the row is still queued in the database.
    redis_conn.flushdb()
    assert notify.reconcile_outbox(redis_conn, database, now, timedelta(seconds=30)) == 0  # not due yet
    later = row.next_attempt_at + timedelta(seconds=30)
    with database.sessionmaker() as s:  # the retry delay passes
        s.get(OutboundMessage, mid).next_attempt_at = now - timedelta(seconds=1)
        s.commit()
    assert notify.reconcile_outbox(redis_conn, database, later, timedelta(seconds=30)) == 1
    run_worker(redis_conn, [NOTIFY])
    row = _row(database, mid)
    assert (row.state, row.attempts) == (OutboundState.SENT, 2)
    assert len(fake_twilio.messages) == 1 and len(fake_twilio.requests) == 2


def test_followup_sweep_job_queues_and_sends_the_reminder(database, redis_conn, runtime, fake_twilio):
    from gateway.conversation import close_case

    closed = datetime.now(UTC) - timedelta(days=3, minutes=1)
    with database.sessionmaker() as s:
        case = make_case(s)
        close_case(s, case, "已处理。", "u", closed)
        s.commit()
    result = notify.followup_sweep_job()
    assert result == {"reminded": 1, "no_rating": 0, "queued": 1}
    run_worker(redis_conn, [NOTIFY])
    assert [m.body for m in fake_twilio.messages][-1].startswith("【咸宁公安12389】提醒")


def test_status_callback_survives_dropped_database_connections(database, redis_conn, runtime, client, fake_twilio):
    if database.engine.dialect.name != "postgresql":
        pytest.skip("dropping a server's connections: PostgreSQL only")
    mid, _case_id = _queue_and_enqueue(database, redis_conn, datetime.now(UTC))
    run_worker(redis_conn, [NOTIFY])
    sid = _row(database, mid).provider_sid
    # Warm the web's pool, then have the server end every connection but this one (a failover).
    post_signed(client, f"/twilio/sms/status?m={mid}", {"MessageSid": sid, "MessageStatus": "sent"})
    with runtime.database.engine.connect() as conn:
        conn.exec_driver_sql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    params = {"MessageSid": sid, "MessageStatus": "delivered"}
    # Twilio does not repeat a status callback that failed: the one delivery must be recorded.
    assert post_signed(client, f"/twilio/sms/status?m={mid}", params).status_code == 204
    database.engine.dispose()  # the test's own pool holds dead connections too
    assert _row(database, mid).state == OutboundState.DELIVERED


def test_undelivered_callback_with_an_odd_error_code_is_recorded_not_a_500(
    database, redis_conn, runtime, client, fake_twilio
):
    mid, case_id = _queue_and_enqueue(database, redis_conn, datetime.now(UTC))
    run_worker(redis_conn, [NOTIFY])
    sid = _row(database, mid).provider_sid
    params = {
        "MessageSid": sid,
        "MessageStatus": "undelivered",
        "ErrorCode": "30003²",
    }  # isdigit(), yet not a number for int()
    assert post_signed(client, f"/twilio/sms/status?m={mid}", params).status_code == 204
    assert _row(database, mid).state == OutboundState.UNDELIVERED
    with database.sessionmaker() as s:
        assert s.scalars(select(CallbackTask)).one().case_id == case_id
