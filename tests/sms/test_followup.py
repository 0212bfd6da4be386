"""Reply, close, satisfaction follow-up (回访): ratings, reopening, reminder and "no rating"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from gateway import followup
from gateway.conversation import ActionError, close_case, handle_command, send_reply
from gateway.models import CaseEvent, CaseStatus, OptOut, OutboundMessage, OutboundState
from sms.helpers import MOBILE, NOW, make_case


def _messages(db_session, case):
    return db_session.scalars(
        select(OutboundMessage).where(OutboundMessage.case_id == case.id).order_by(OutboundMessage.id)
    ).all()


def _events(db_session, case):
    return [
        e.type for e in db_session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id))
    ]


def test_reply_reaches_an_opted_out_citizen_and_marks_first_reply(db_session):
    case = make_case(db_session, status=CaseStatus.SIGNED)
    db_session.add(OptOut(number=MOBILE, opted_out_at=NOW, source="keyword"))
    message = send_reply(db_session, case, "罚款已撤销。", "chibi.traffic:wang", NOW)
    assert message.state == OutboundState.QUEUED and message.purpose == "reply"
    assert message.body.startswith("【咸宁公安12389】案件XN-20261127-0001答复：罚款已撤销。")
    assert case.status == CaseStatus.REPLIED and case.first_reply_at == NOW
    events = _events(db_session, case)
    assert events[0] == "sms_queued" and events[-2:] == ["replied", "reply_sent"]
    assert events.count("replied") == 1  # the tracker's first-reply event, once
    with pytest.raises(ActionError):
        send_reply(db_session, case, "  ", "x", NOW)


def test_close_sends_summary_and_question(db_session):
    case = make_case(db_session, language="en")
    close_case(db_session, case, "The fine was cancelled.", "chibi.traffic:wang", NOW)
    assert case.status == CaseStatus.CLOSED and case.closed_at == NOW and case.resolution == "The fine was cancelled."
    summary, question = _messages(db_session, case)
    assert summary.purpose == "reply" and "The fine was cancelled." in summary.body
    assert question.purpose == "followup" and "Reply 1-5" in question.body and question.segments <= 2
    with pytest.raises(ActionError):
        close_case(db_session, case, "again", "x", NOW)


@pytest.mark.parametrize(("answer", "rating"), [("5", 5), ("满意", 5), ("基本满意", 4), ("３", 3)])
def test_good_rating_is_stored_and_thanked(db_session, answer, rating):
    case = make_case(db_session)
    close_case(db_session, case, "已处理。", "u", NOW)
    reply = handle_command(db_session, answer, MOBILE, NOW + timedelta(hours=2))
    assert reply.command == "rating" and "感谢" in reply.text and reply.case_id == case.id
    assert (case.rating, case.status, case.rated_at) == (rating, CaseStatus.CLOSED, NOW + timedelta(hours=2))
    # the same answer delivered again (webhook retry) is thanked, not turned into a case
    assert handle_command(db_session, answer, MOBILE, NOW + timedelta(hours=2, minutes=1)).command == "rating"


@pytest.mark.parametrize("answer", ["1", "2", "不满意"])
def test_low_rating_reopens_and_escalates_to_the_supervising_unit(db_session, answer):
    case = make_case(db_session)  # chibi.traffic
    close_case(db_session, case, "已处理。", "u", NOW)
    reply = handle_command(db_session, answer, MOBILE, NOW + timedelta(days=1))
    assert "重新启动" in reply.text and "咸宁市公安局交警" in reply.text
    assert case.status == CaseStatus.ROUTED and case.unit == "city.traffic" and case.closed_at is None
    assert case.rating_text == answer and case.escalated_at == NOW + timedelta(days=1)
    assert _events(db_session, case)[-3:] == ["rated", "reopened", "escalated"]


def test_low_rating_of_an_officer_complaint_goes_to_inspection(db_session):
    case = make_case(db_session, unit="city.inspection", department="inspection", language="en")
    close_case(db_session, case, "Officer was spoken to.", "u", NOW)
    reply = handle_command(db_session, "1", MOBILE, NOW + timedelta(days=1))
    assert case.unit == "city.inspection" and case.status == CaseStatus.ROUTED
    assert "Police Inspection" in reply.text


def test_city_unit_escalates_to_inspection(db_session):
    case = make_case(db_session, unit="city.household", department="household")
    close_case(db_session, case, "已处理。", "u", NOW)
    handle_command(db_session, "不满意", MOBILE, NOW + timedelta(hours=1))
    assert case.unit == "city.inspection"


def test_bare_digit_without_a_case_awaiting_rating_is_a_message(db_session):
    make_case(db_session)  # open, not closed
    assert handle_command(db_session, "1", MOBILE, NOW) is None


def test_no_answer_one_reminder_then_no_rating(db_session):
    case = make_case(db_session)
    close_case(db_session, case, "已处理。", "u", NOW)
    assert followup.sweep_followups(db_session, NOW + timedelta(days=2)).reminded == 0
    first = followup.sweep_followups(db_session, NOW + timedelta(days=3))
    again = followup.sweep_followups(db_session, NOW + timedelta(days=4))
    assert (first.reminded, again.reminded, again.no_rating) == (1, 0, 0)
    reminders = [m for m in _messages(db_session, case) if m.purpose == "followup_reminder"]
    assert len(reminders) == 1 and "提醒" in reminders[0].body
    final = followup.sweep_followups(db_session, NOW + timedelta(days=6))
    assert final.no_rating == 1 and case.rating_text == followup.NO_RATING and case.rating is None
    assert case.status == CaseStatus.CLOSED
    assert followup.sweep_followups(db_session, NOW + timedelta(days=9)).no_rating == 0
    # a late "5" is no longer a rating
    assert handle_command(db_session, "5", MOBILE, NOW + timedelta(days=7)) is None
    assert _events(db_session, case).count("followup_reminder") == 1
