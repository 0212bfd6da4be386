"""Inbound commands, threads, abuse and service notices, on the real database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from gateway import outbox
from gateway.conversation import (
    handle_command,
    join_thread,
    match_notice,
    send_service_notice,
    thread_decision,
    webhook_answer,
)
from gateway.conversation.commands import parse
from gateway.models import CaseEvent, CaseStatus, OptOut, OutboundState
from sms.helpers import MOBILE, NOW, OTHER_MOBILE, make_case


@pytest.mark.parametrize(
    ("text", "kind", "number"),
    [
        ("查询", "status", None),
        ("查询 XN-20261127-0042", "status", "XN-20261127-0042"),
        ("status xn-20261127-0042", "status", "XN-20261127-0042"),
        ("STATUS", "status", None),
        ("ＳＴＯＰ", "stop", None),
        ("退订", "stop", None),
        ("td", "stop", None),
        ("Unsubscribe.", "stop", None),
        ("START", "start", None),
        ("恢复", "start", None),
        ("帮助", "help", None),
        ("help", "help", None),
    ],
)
def test_commands_are_whole_bodies(text, kind, number):
    command = parse(text)
    assert command is not None and (command.kind, command.case_number) == (kind, number)


@pytest.mark.parametrize(
    "text", ["我要退订这个服务", "please stop the noise next door", "查询一下户口迁移要什么材料", "12"]
)
def test_messages_that_mention_keywords_are_not_commands(text):
    assert parse(text) is None


def test_opt_out_type_is_honoured(db_session):
    reply = handle_command(db_session, "please stop", MOBILE, NOW, opt_out_type="STOP")
    assert reply.command == "stop" and db_session.get(OptOut, MOBILE).source == "OptOutType"


def test_stop_then_start(db_session):
    case = make_case(db_session)
    reply = handle_command(db_session, "退订", MOBILE, NOW)
    assert reply.command == "stop" and reply.language == "zh" and "退订" in reply.text
    holding = outbox.queue_sms(db_session, to=MOBILE, body="x", purpose="holding", language="zh", now=NOW, case=case)
    assert holding.state == OutboundState.SUPPRESSED
    # twice is harmless (Twilio retried the webhook)
    assert handle_command(db_session, "退订", MOBILE, NOW).command == "stop"
    reply = handle_command(db_session, "START", MOBILE, NOW)
    assert reply.command == "start" and reply.language == "en"
    assert db_session.get(OptOut, MOBILE) is None


def test_help(db_session):
    assert "STATUS" in handle_command(db_session, "HELP", MOBILE, NOW).text
    assert "查询" in handle_command(db_session, "帮助", MOBILE, NOW).text


def test_status_of_own_case_only(db_session):
    make_case(db_session, number="XN-20261127-0001", status=CaseStatus.SIGNED)
    make_case(db_session, number="XN-20261127-0002", citizen=OTHER_MOBILE)
    mine = handle_command(db_session, "查询 XN-20261127-0001", MOBILE, NOW)
    assert "XN-20261127-0001" in mine.text and "办理中" in mine.text and "赤壁市公安局交警" in mine.text
    theirs = handle_command(db_session, "查询 XN-20261127-0002", MOBILE, NOW)
    assert "未找到" in theirs.text


def test_status_lists_open_cases(db_session):
    assert "no open case" in handle_command(db_session, "STATUS", MOBILE, NOW).text
    make_case(db_session, number="XN-20261127-0001")
    one = handle_command(db_session, "STATUS", MOBILE, NOW)
    assert "XN-20261127-0001" in one.text and "Chibi City Bureau Traffic Police" in one.text
    make_case(db_session, number="XN-20261127-0002", created_at=NOW + timedelta(minutes=1))
    make_case(db_session, number="XN-20261127-0003", status=CaseStatus.CLOSED)
    many = handle_command(db_session, "查询", MOBILE, NOW)
    assert "2件" in many.text and "0002" in many.text and "0003" not in many.text


def test_thread_joins_open_case_within_72_hours(db_session):
    case = make_case(db_session)
    assert thread_decision(db_session, MOBILE, "还有，罚单号是123", NOW + timedelta(hours=71)).case is case
    assert thread_decision(db_session, MOBILE, "还有", NOW + timedelta(hours=73)).case is None
    assert thread_decision(db_session, OTHER_MOBILE, "还有", NOW).case is None
    assert thread_decision(db_session, MOBILE, "新投诉：小区噪音", NOW).case is None
    assert thread_decision(db_session, MOBILE, "NEW: noise at night", NOW).case is None
    assert thread_decision(db_session, MOBILE, "x", NOW, different_matter=lambda c, t: True).case is None


def test_a_joined_message_keeps_the_thread_alive_and_notifies_the_unit(db_session):
    from gateway.units import load_units, unit_code

    units = load_units()
    unit = units.units[unit_code("traffic", "chibi")]
    units.units[unit.code] = type(unit)(**{**unit.__dict__, "duty_number": "+8613900000001"})
    case = make_case(db_session)
    later = NOW + timedelta(hours=70)
    join_thread(db_session, case, text="补充：时间是下午三点", now=later, inbound_id=7, units=units)
    events = db_session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)).all()
    assert [e.type for e in events] == ["citizen_message", "sms_queued"]
    assert events[0].details["text"] == "补充：时间是下午三点"
    # 72 hours now count from the joined message
    assert thread_decision(db_session, MOBILE, "还有", later + timedelta(hours=71)).case is case


def test_abuse_merges_for_review_and_answers_once(db_session):
    for i in range(5):
        make_case(db_session, number=f"XN-20261127-000{i}", created_at=NOW - timedelta(minutes=50 - i))
    assert webhook_answer(db_session, OTHER_MOBILE, NOW, "zh") is None
    first = webhook_answer(db_session, MOBILE, NOW, "zh")
    assert first is not None and "合并" in first.text
    decision = thread_decision(db_session, MOBILE, "新投诉：又一条", NOW)
    assert decision.reason == "merged_for_review" and decision.case.number == "XN-20261127-0004"
    join_thread(db_session, decision.case, text="又一条", now=NOW, reason=decision.reason)
    again = webhook_answer(db_session, MOBILE, NOW + timedelta(minutes=1), "zh")
    assert again is not None and again.text is None  # an empty <Response/>
    # an hour after the burst the number is back to normal
    assert webhook_answer(db_session, MOBILE, NOW + timedelta(minutes=61), "zh") is None


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("请问办护照需要带什么材料？", "passport"),
        ("办理身份证需要什么手续", "id_card"),
        ("户口迁移需要哪些材料", "hukou_transfer"),
        ("你们周六办公时间是几点", "office_hours"),
        ("What documents do I need for a passport?", "passport"),
        ("出入境办事大厅在哪里", "addresses"),
    ],
)
def test_notices_match_inquiries(text, key):
    assert match_notice(text).key == key


def test_notice_does_not_answer_a_complaint():
    assert match_notice("我的护照被偷了") is None


def test_service_notice_is_first_automatic_reply_and_case_stays_open(db_session):
    case = make_case(db_session, unit="chibi.exit_entry", department="exit_entry")
    message = send_service_notice(db_session, case, "请问办护照需要带什么材料？", NOW, kind="inquiry")
    assert message.purpose == "notice" and "身份证" in message.body and message.segments <= 2
    assert send_service_notice(db_session, case, "请问办护照需要带什么材料？", NOW) is None  # once per case
    auto = db_session.scalars(select(CaseEvent).where(CaseEvent.type == "auto_reply")).one()
    assert auto.details["automatic"] is True and auto.details["notice"] == "passport"
    assert case.status == CaseStatus.ROUTED and case.first_reply_at is None
    other = make_case(db_session, number="XN-20261127-0009")
    assert send_service_notice(db_session, other, "护照需要什么材料，窗口态度太差", NOW, kind="complaint") is None
