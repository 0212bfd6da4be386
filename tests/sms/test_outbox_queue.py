"""queue_sms: rows, suppression, dedupe, timeline."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from gateway import outbox
from gateway.models import CallbackTask, CaseEvent, OptOut, OutboundMessage, OutboundState
from sms.helpers import LANDLINE, MOBILE, make_case


def test_queued_row_linked_to_case_with_timeline_event(db_session, now):
    case = make_case(db_session)
    msg = outbox.queue_sms(db_session, to=MOBILE, body="您好", purpose="ack", language="zh", now=now, case=case)
    assert msg is not None and msg.state == OutboundState.QUEUED
    assert msg.case_id == case.id and msg.segments == 1 and msg.next_attempt_at == now
    assert db_session.info["outbox_ids"] == [msg.id]
    events = db_session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)).all()
    assert [(e.type, e.details["message_id"]) for e in events] == [("sms_queued", msg.id)]
    assert outbox.take_queued_ids(db_session) == [msg.id]
    assert outbox.take_queued_ids(db_session) == []


def test_dedupe_key_returns_none_the_second_time(db_session, now):
    first = outbox.queue_sms(
        db_session, to=MOBILE, body="x", purpose="holding", language="en", now=now, dedupe_key="holding:1"
    )
    again = outbox.queue_sms(
        db_session, to=MOBILE, body="x", purpose="holding", language="en", now=now, dedupe_key="holding:1"
    )
    assert first is not None and again is None
    assert db_session.scalar(select(func.count()).select_from(OutboundMessage)) == 1


def test_dedupe_is_safe_between_concurrent_transactions(database, now):
    """Two sweeps queue the same key at once: exactly one row, neither transaction fails."""
    results: list[object] = []
    barrier = threading.Barrier(2)

    def sweep():
        with database.sessionmaker() as s:
            barrier.wait()
            msg = outbox.queue_sms(s, to=MOBILE, body="x", purpose="holding", language="en", now=now, dedupe_key="k")
            s.commit()
            results.append(msg is not None)

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False, True]
    with database.sessionmaker() as s:
        assert s.scalar(select(func.count()).select_from(OutboundMessage)) == 1


def test_fixed_line_is_suppressed_with_a_callback_task(db_session, now):
    case = make_case(db_session, citizen=LANDLINE)
    msg = outbox.queue_sms(db_session, to=LANDLINE, body="您好", purpose="ack", language="zh", now=now, case=case)
    assert msg.state == OutboundState.SUPPRESSED and msg.error_code == "fixed_line"
    task = db_session.scalars(select(CallbackTask)).one()
    assert (task.case_id, task.unit, task.reason) == (case.id, "chibi.traffic", "fixed_line")
    assert "outbox_ids" not in db_session.info
    # a second message to the same landline for the same case adds no second task
    outbox.queue_sms(db_session, to=LANDLINE, body="again", purpose="holding", language="zh", now=now, case=case)
    assert db_session.scalar(select(func.count()).select_from(CallbackTask)) == 1


def test_opted_out_number_gets_only_the_reply(db_session, now):
    case = make_case(db_session)
    db_session.add(OptOut(number=MOBILE, opted_out_at=now, source="keyword"))
    ack = outbox.queue_sms(db_session, to=MOBILE, body="ack", purpose="ack", language="en", now=now, case=case)
    reply = outbox.queue_sms(db_session, to=MOBILE, body="reply", purpose="reply", language="en", now=now, case=case)
    assert ack.state == OutboundState.SUPPRESSED and ack.error_code == "opted_out"
    assert reply.state == OutboundState.QUEUED


def test_body_capped_at_1600(db_session, now):
    msg = outbox.queue_sms(db_session, to=MOBILE, body="a" * 2000, purpose="reply", language="en", now=now)
    assert len(msg.body) == 1600
