"""deliver() with the real twilio-python client against the local fake Messages API.

Each outcome the issue names is one test: sent, 21610, 21211 (and its siblings), 20429 then
success, 500 retried until the last attempt fails, and a slow answer past the client's timeout.
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from gateway import outbox
from gateway.models import CallbackTask, CaseEvent, OptOut, OutboundMessage, OutboundState
from gateway.sms.transport import OutboxTransport, TwilioTransport
from sms.helpers import ACCOUNT_SID, AUTH_TOKEN, MOBILE, make_case

PUBLIC = "https://gateway.example.org"


@pytest.fixture
def transport(fake_twilio):
    return TwilioTransport(
        account_sid=ACCOUNT_SID,
        auth_token=AUTH_TOKEN,
        from_number="+8610690000",
        public_base_url=PUBLIC,
        api_base_url=fake_twilio.base_url,
        timeout=1.0,
    )


def _queue(db_session, now, case=None, body="您的投诉已受理"):
    msg = outbox.queue_sms(db_session, to=MOBILE, body=body, purpose="ack", language="zh", now=now, case=case)
    db_session.commit()
    return msg.id


def _row(db_session, message_id) -> OutboundMessage:
    db_session.expire_all()
    return db_session.get(OutboundMessage, message_id)


def _events(db_session, case_id) -> list[str]:
    db_session.expire_all()
    return [
        e.type for e in db_session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id))
    ]


def test_sent_with_sid_and_signed_status_callback_url(db_session, now, transport, fake_twilio):
    case = make_case(db_session)
    mid = _queue(db_session, now, case)
    outbox.deliver(db_session, mid, transport, now)
    row = _row(db_session, mid)
    assert row.state == OutboundState.SENT and row.attempts == 1 and row.next_attempt_at is None
    assert row.provider_sid.startswith("SM") and row.provider_sid == fake_twilio.messages[0].sid
    created = fake_twilio.messages[0]
    assert created.to == MOBILE and created.body == "您的投诉已受理"
    assert created.status_callback == f"{PUBLIC}/twilio/sms/status?m={mid}"
    assert fake_twilio.requests[0].form["From"] == "+8610690000"
    assert _events(db_session, case.id) == ["sms_queued", "sms_sent"]
    # a duplicate job (the reconciler re-enqueued it) sends nothing more
    outbox.deliver(db_session, mid, transport, now)
    assert len(fake_twilio.requests) == 1


def test_messaging_service_is_used_when_configured(db_session, now, fake_twilio):
    transport = TwilioTransport(
        account_sid=ACCOUNT_SID,
        auth_token=AUTH_TOKEN,
        messaging_service_sid="MG" + "1" * 32,
        api_base_url=fake_twilio.base_url,
        timeout=1.0,
    )
    mid = _queue(db_session, now)
    outbox.deliver(db_session, mid, transport, now)
    form = fake_twilio.requests[0].form
    assert form["MessagingServiceSid"] == "MG" + "1" * 32 and "From" not in form and "StatusCallback" not in form
    assert _row(db_session, mid).state == OutboundState.SENT


def test_21610_opted_out_is_not_retried_and_marks_the_number(db_session, now, transport, fake_twilio):
    case = make_case(db_session)
    mid = _queue(db_session, now, case)
    fake_twilio.script(21610)
    outbox.deliver(db_session, mid, transport, now)
    row = _row(db_session, mid)
    assert (row.state, row.error_code, row.next_attempt_at) == (OutboundState.FAILED, "21610", None)
    assert db_session.get(OptOut, MOBILE).source == "provider-21610"
    assert db_session.scalars(select(CallbackTask)).all() == []
    # the next automatic message to that number is suppressed without a request
    nxt = outbox.queue_sms(db_session, to=MOBILE, body="x", purpose="holding", language="zh", now=now, case=case)
    assert nxt.state == OutboundState.SUPPRESSED
    assert len(fake_twilio.requests) == 1


@pytest.mark.parametrize("code", [21211, 21614, 21635])
def test_unreachable_number_creates_callback_task_for_the_unit(db_session, now, transport, fake_twilio, code):
    case = make_case(db_session)
    mid = _queue(db_session, now, case)
    fake_twilio.script(code)
    outbox.deliver(db_session, mid, transport, now)
    row = _row(db_session, mid)
    assert (row.state, row.error_code, row.attempts) == (OutboundState.FAILED, str(code), 1)
    task = db_session.scalars(select(CallbackTask)).one()
    assert (task.case_id, task.unit, task.number, task.reason) == (case.id, "chibi.traffic", MOBILE, f"sms_{code}")
    assert _events(db_session, case.id) == ["sms_queued", "sms_failed", "callback_task"]
    assert outbox.due_messages(db_session, now + outbox.RETRY_DELAYS[-1] * 10) == []


def test_20429_is_retried_later_then_sent(db_session, now, transport, fake_twilio):
    case = make_case(db_session)
    mid = _queue(db_session, now, case)
    fake_twilio.script(20429)
    outbox.deliver(db_session, mid, transport, now)
    row = _row(db_session, mid)
    assert (row.state, row.error_code, row.attempts) == (OutboundState.QUEUED, "20429", 1)
    assert row.next_attempt_at == now + outbox.RETRY_DELAYS[0]
    # not due before its time: a job that runs early does nothing
    outbox.deliver(db_session, mid, transport, now + outbox.RETRY_DELAYS[0] / 2)
    assert len(fake_twilio.requests) == 1
    later = now + outbox.RETRY_DELAYS[0]
    assert [m.id for m in outbox.due_messages(db_session, later)] == [mid]
    outbox.deliver(db_session, mid, transport, later)
    row = _row(db_session, mid)
    assert (row.state, row.attempts, row.error_code) == (OutboundState.SENT, 2, None)
    assert _events(db_session, case.id) == ["sms_queued", "sms_retry", "sms_sent"]


def test_500_is_retried_with_growing_delays_then_failed_and_visible(db_session, now, transport, fake_twilio):
    case = make_case(db_session)
    mid = _queue(db_session, now, case)
    fake_twilio.script(*([500] * outbox.MAX_ATTEMPTS))
    at, delays = now, []
    for _ in range(outbox.MAX_ATTEMPTS):
        outbox.deliver(db_session, mid, transport, at)
        row = _row(db_session, mid)
        if row.state != OutboundState.QUEUED:
            break
        delays.append(row.next_attempt_at - at)
        at = row.next_attempt_at
    assert delays == list(outbox.RETRY_DELAYS) and delays == sorted(delays)
    assert (row.state, row.attempts, row.error_code) == (OutboundState.FAILED, outbox.MAX_ATTEMPTS, "20500")
    assert len(fake_twilio.requests) == outbox.MAX_ATTEMPTS
    assert db_session.scalars(select(CallbackTask)).one().reason == "sms_failed"
    assert _events(db_session, case.id)[-2:] == ["sms_failed", "callback_task"]
    assert outbox.due_messages(db_session, at + outbox.SEND_LEASE) == []


def test_timeout_is_retried_and_a_late_callback_settles_it(db_session, now, transport, fake_twilio):
    mid = _queue(db_session, now)
    fake_twilio.script("slow")
    outbox.deliver(db_session, mid, transport, now)
    row = _row(db_session, mid)
    assert (row.state, row.error_code, row.attempts) == (OutboundState.QUEUED, "timeout", 1)
    assert row.next_attempt_at == now + outbox.RETRY_DELAYS[0]
    # the slow request went through after all; its callback (carrying our id) arrives first
    created = None
    for _ in range(100):
        if fake_twilio.messages:
            created = fake_twilio.messages[0]
            break
        time.sleep(0.05)
    assert created is not None
    outbox.record_status(db_session, provider_status="sent", message_id=mid, sid=created.sid, now=now)
    db_session.commit()
    outbox.deliver(db_session, mid, transport, now + outbox.RETRY_DELAYS[0])
    row = _row(db_session, mid)
    assert row.state == OutboundState.SENT and row.provider_sid == created.sid
    assert len(fake_twilio.requests) == 1  # no second send


def _created_by_the_slow_request(fake_twilio):
    for _ in range(100):
        if fake_twilio.messages:
            return fake_twilio.messages[0]
        time.sleep(0.05)
    raise AssertionError("the slow request never created its message")


def test_timeout_without_callback_finds_the_message_at_twilio_instead_of_sending_again(
    db_session, now, transport, fake_twilio
):
    mid = _queue(db_session, now)
    fake_twilio.script("slow")
    outbox.deliver(db_session, mid, transport, now)
    created = _created_by_the_slow_request(fake_twilio)  # Twilio took it; its answer was lost
    outbox.deliver(db_session, mid, transport, now + outbox.RETRY_DELAYS[0])
    row = _row(db_session, mid)
    assert (row.state, row.attempts, row.provider_sid) == (OutboundState.SENT, 2, created.sid)
    assert len(fake_twilio.messages) == 1  # asked, not sent twice
    assert fake_twilio.lookups[-1]["To"] == MOBILE


def test_timeout_that_never_reached_twilio_is_sent_again(db_session, now, transport, fake_twilio):
    mid = _queue(db_session, now)
    # As after a timeout whose request Twilio never received: the attempt is in doubt, Twilio has nothing.
    row = _row(db_session, mid)
    row.attempts, row.error_code, row.next_attempt_at = 1, "timeout", now
    db_session.commit()
    outbox.deliver(db_session, mid, transport, now)
    row = _row(db_session, mid)
    assert (row.state, row.attempts) == (OutboundState.SENT, 2)
    assert len(fake_twilio.lookups) == 1 and len(fake_twilio.messages) == 1


def test_the_same_text_another_row_owns_is_not_taken_for_this_one(db_session, now, transport, fake_twilio):
    first = _queue(db_session, now, body="您的案件已办结")
    outbox.deliver(db_session, first, transport, now)
    second = _queue(db_session, now, body="您的案件已办结")
    row = _row(db_session, second)
    row.attempts, row.next_attempt_at = 1, now  # its worker died mid-send, before Twilio had it
    db_session.commit()
    outbox.deliver(db_session, second, transport, now + outbox.SEND_LEASE)
    assert _row(db_session, second).provider_sid not in (None, _row(db_session, first).provider_sid)
    assert len(fake_twilio.messages) == 2


def test_when_twilio_cannot_be_asked_the_attempt_waits_and_asks_again(db_session, now, transport, fake_twilio):
    mid = _queue(db_session, now)
    fake_twilio.script("slow")
    outbox.deliver(db_session, mid, transport, now)
    created = _created_by_the_slow_request(fake_twilio)
    fake_twilio.script_lookups(500)
    later = now + outbox.RETRY_DELAYS[0]
    outbox.deliver(db_session, mid, transport, later)
    row = _row(db_session, mid)
    assert (row.state, row.error_code) == (OutboundState.QUEUED, outbox.LOOKUP_FAILED)
    assert len(fake_twilio.messages) == 1  # not sent blind
    outbox.deliver(db_session, mid, transport, later + outbox.RETRY_DELAYS[1])
    row = _row(db_session, mid)
    assert (row.state, row.provider_sid) == (OutboundState.SENT, created.sid)
    assert len(fake_twilio.messages) == 1


def test_lost_worker_is_picked_up_after_the_lease(db_session, now, transport, fake_twilio):
    mid = _queue(db_session, now)
    # a worker claimed the row and died before sending
    row = _row(db_session, mid)
    row.attempts, row.next_attempt_at = 1, now + outbox.SEND_LEASE
    db_session.commit()
    assert outbox.due_messages(db_session, now) == []
    assert [m.id for m in outbox.due_messages(db_session, now + outbox.SEND_LEASE)] == [mid]
    outbox.deliver(db_session, mid, transport, now + outbox.SEND_LEASE)
    assert _row(db_session, mid).state == OutboundState.SENT
    assert len(fake_twilio.messages) == 1


def test_worker_killed_after_twilio_accepted_does_not_send_twice(db_session, now, transport, fake_twilio):
    mid = _queue(db_session, now)
    # A worker claimed the row, Twilio accepted its request, and the worker died before recording it.
    row = _row(db_session, mid)
    row.attempts, row.next_attempt_at = 1, now + outbox.SEND_LEASE
    db_session.commit()
    transport.send(message_id=mid, to=MOBILE, body=row.body)
    outbox.deliver(db_session, mid, transport, now + outbox.SEND_LEASE)
    row = _row(db_session, mid)
    assert (row.state, row.provider_sid) == (OutboundState.SENT, fake_twilio.messages[0].sid)
    assert len(fake_twilio.messages) == 1
    if row.case_id is not None:
        assert "sms_sent" in _events(db_session, row.case_id)


def test_outbox_transport_records_without_sending(db_session, now, fake_twilio):
    transport = OutboxTransport()
    mid = _queue(db_session, now)
    outbox.deliver(db_session, mid, transport, now)
    row = _row(db_session, mid)
    assert row.state == OutboundState.SENT and row.provider_sid is None
    assert transport.sent == [(mid, MOBILE, "您的投诉已受理")] and fake_twilio.requests == []
