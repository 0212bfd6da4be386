"""The rules of `gateway.case_actions`: who may do what to which case, and the audit trail it leaves."""

from __future__ import annotations

from datetime import timedelta

import pytest
from console_support import NOW, make_case, make_user
from sqlalchemy import select

from gateway import case_actions as ca
from gateway.models import CaseEvent, CaseStatus, OutboundMessage, Role


def events(session, case, type_=None):
    q = select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
    if type_:
        q = q.where(CaseEvent.type == type_)
    return list(session.scalars(q))


@pytest.fixture
def dispatcher(session):
    return ca.Actor.from_user(make_user(session, "wang", unit="chibi.traffic", display_name="王警官"))


@pytest.fixture
def other_dispatcher(session):
    return ca.Actor.from_user(make_user(session, "li", unit="xianan.traffic"))


@pytest.fixture
def supervisor(session):
    return ca.Actor.from_user(make_user(session, "boss", role=Role.SUPERVISOR))


def test_dispatcher_signs_own_units_case_and_the_event_names_them(session, policy, ctx, dispatcher):
    case = make_case(session, policy)
    ca.apply_action(session, case, dispatcher, {"type": "sign"}, NOW, ctx)
    assert case.status == CaseStatus.SIGNED
    [signed] = events(session, case, "signed")
    assert signed.actor == "wang" and signed.at == NOW


def test_another_units_case_is_not_found_not_forbidden(session, policy, ctx, other_dispatcher):
    case = make_case(session, policy, unit="chibi.traffic")
    with pytest.raises(ca.NotFound):
        ca.find_case(session, case.number, other_dispatcher)
    with pytest.raises(ca.NotFound) as exc:
        ca.apply_action(session, case, other_dispatcher, {"type": "sign"}, NOW, ctx)
    assert exc.value.status == 404
    assert case.status == CaseStatus.ROUTED
    assert events(session, case) == []


def test_missing_and_hidden_cases_look_the_same(session, policy, other_dispatcher):
    case = make_case(session, policy)
    with pytest.raises(ca.NotFound) as hidden:
        ca.find_case(session, case.number, other_dispatcher)
    with pytest.raises(ca.NotFound) as missing:
        ca.find_case(session, "XN-20990101-0001", other_dispatcher)
    assert hidden.value.message.replace(case.number, "N") == missing.value.message.replace("XN-20990101-0001", "N")


def test_assign_to_an_officer_of_the_unit(session, policy, ctx, dispatcher):
    make_user(session, "zhao", unit="chibi.traffic", display_name="赵警官")
    make_user(session, "qian", unit="xianan.traffic")
    case = make_case(session, policy)
    ca.apply_action(session, case, dispatcher, {"type": "assign", "officer": "zhao"}, NOW, ctx)
    assert case.assigned_to == "zhao"
    [event] = events(session, case, "assigned")
    assert event.actor == "wang" and event.details["officer_name"] == "赵警官"
    with pytest.raises(ca.Invalid):
        ca.apply_action(session, case, dispatcher, {"type": "assign", "officer": "qian"}, NOW, ctx)
    assert case.assigned_to == "zhao"


def test_reply_goes_through_the_outbox_and_counts_as_first_reply(session, policy, ctx, dispatcher):
    case = make_case(session, policy)
    ca.apply_action(session, case, dispatcher, {"type": "reply", "body": "已派民警到场处理。"}, NOW, ctx)
    assert case.status == CaseStatus.REPLIED and case.first_reply_at == NOW
    [sms] = session.scalars(select(OutboundMessage).where(OutboundMessage.case_id == case.id)).all()
    assert sms.purpose == "reply" and "已派民警到场处理。" in sms.body and sms.to_number == case.citizen_number
    assert {e.actor for e in events(session, case, "replied")} == {"wang"}
    # A second reply is just another message; the first-reply time stays.
    ca.apply_action(session, case, dispatcher, {"type": "reply", "body": "处理完毕。"}, NOW + timedelta(hours=1), ctx)
    assert case.first_reply_at == NOW
    assert session.scalar(select(OutboundMessage.id).where(OutboundMessage.body.contains("处理完毕"))) is not None


def test_note_is_internal(session, policy, ctx, dispatcher):
    case = make_case(session, policy)
    ca.apply_action(session, case, dispatcher, {"type": "note", "text": "市民情绪激动，注意沟通"}, NOW, ctx)
    [note] = events(session, case, "note")
    assert note.details == {"text": "市民情绪激动，注意沟通"} and note.actor == "wang"
    assert session.scalars(select(OutboundMessage)).all() == []


def test_extension_request_then_supervisor_approval(session, policy, ctx, dispatcher, supervisor):
    case = make_case(session, policy)
    ca.apply_action(session, case, dispatcher, {"type": "sign"}, NOW, ctx)
    old_due = case.close_due
    ca.apply_action(session, case, dispatcher, {"type": "extend", "reason": "需调取监控", "days": 5}, NOW, ctx)
    with pytest.raises(ca.Forbidden):
        ca.apply_action(session, case, dispatcher, {"type": "approve_extension"}, NOW, ctx)
    assert "approve_extension" in ca.available_actions(session, case, supervisor)
    assert "approve_extension" not in ca.available_actions(session, case, dispatcher)
    outcome = ca.apply_action(session, case, supervisor, {"type": "approve_extension", "approve": True}, NOW, ctx)
    assert outcome.details["approved"] is True
    assert case.close_due > old_due and case.extension_count == 1
    [approved] = events(session, case, "extension_approved")
    assert approved.actor == "boss"


def test_refusing_an_extension(session, policy, ctx, dispatcher, supervisor):
    case = make_case(session, policy)
    ca.apply_action(session, case, dispatcher, {"type": "extend", "reason": "需调取监控", "days": "3"}, NOW, ctx)
    old_due = case.close_due
    ca.apply_action(session, case, supervisor, {"type": "approve_extension", "approve": False}, NOW, ctx)
    assert case.close_due == old_due
    assert [e.actor for e in events(session, case, "extension_refused")] == ["boss"]


@pytest.mark.parametrize("days", [0, -1, True, "x", None, 999])
def test_bad_extension_days_are_refused(session, policy, ctx, dispatcher, days):
    case = make_case(session, policy)
    with pytest.raises((ca.Invalid, ca.Conflict)) as exc:
        ca.apply_action(session, case, dispatcher, {"type": "extend", "reason": "r", "days": days}, NOW, ctx)
    assert exc.value.status in (400, 409)
    assert events(session, case, "extension_requested") == []


def test_return_then_only_a_supervisor_force_assigns(session, policy, ctx, dispatcher, supervisor):
    make_user(session, "zhao", unit="chibi.public_order")
    case = make_case(session, policy)
    ca.apply_action(session, case, dispatcher, {"type": "return", "reason": "应由治安处理"}, NOW, ctx)
    assert case.status == CaseStatus.RETURNED
    with pytest.raises(ca.Forbidden):
        ca.apply_action(session, case, dispatcher, {"type": "assign", "officer": "wang"}, NOW, ctx)
    later = NOW + timedelta(minutes=30)
    ca.apply_action(
        session, case, supervisor, {"type": "assign", "unit": "chibi.public_order", "officer": "zhao"}, later, ctx
    )
    assert case.status == CaseStatus.ROUTED and case.unit == "chibi.public_order" and case.assigned_to == "zhao"
    assert case.route_source == "dispatcher" and case.sign_due > later
    assert [e.actor for e in events(session, case, "force_assigned")] == ["boss"]
    # The first unit no longer sees the case.
    with pytest.raises(ca.NotFound):
        ca.find_case(session, case.number, dispatcher)


def test_supervisor_reroutes_a_review_case_as_a_labelled_correction(session, policy, ctx, supervisor, dispatcher):
    case = make_case(session, policy, unit=None, status=CaseStatus.REVIEW, confidence=0.3)
    assert "reroute" in ca.available_actions(session, case, supervisor)
    ca.apply_action(session, case, supervisor, {"type": "reroute", "unit": "chibi.traffic"}, NOW, ctx)
    assert case.unit == "chibi.traffic" and case.status == CaseStatus.ROUTED and case.route_source == "dispatcher"
    [event] = events(session, case, "rerouted")
    assert event.actor == "boss"
    with pytest.raises(ca.Forbidden):
        ca.apply_action(session, case, dispatcher, {"type": "reroute", "unit": "chibi.fire"}, NOW, ctx)
    with pytest.raises(ca.Invalid):
        ca.apply_action(session, case, supervisor, {"type": "reroute", "unit": "nowhere.fire"}, NOW, ctx)


def test_close_sends_the_outcome_and_the_satisfaction_question(session, policy, ctx, dispatcher):
    case = make_case(session, policy)
    ca.apply_action(session, case, dispatcher, {"type": "close", "summary": "信号灯已修复"}, NOW, ctx)
    assert case.status == CaseStatus.CLOSED and case.resolution == "信号灯已修复"
    purposes = sorted(m.purpose for m in session.scalars(select(OutboundMessage)))
    assert purposes == ["followup", "reply"]
    with pytest.raises(ca.Conflict) as exc:
        ca.apply_action(session, case, dispatcher, {"type": "sign"}, NOW, ctx)
    assert exc.value.status == 409


@pytest.mark.parametrize(
    "action",
    [{"type": "fly"}, {}, {"type": "close"}, {"type": "close", "summary": "  "}, {"type": "note", "text": 5}],
)
def test_malformed_actions(session, policy, ctx, dispatcher, action):
    case = make_case(session, policy)
    with pytest.raises(ca.Invalid):
        ca.apply_action(session, case, dispatcher, action, NOW, ctx)
    assert case.status == CaseStatus.ROUTED


def test_admin_reads_but_does_not_work_cases(session, policy, ctx):
    admin = ca.Actor.from_user(make_user(session, "root", role=Role.ADMIN))
    case = make_case(session, policy)
    assert ca.find_case(session, case.number, admin) is case
    assert ca.available_actions(session, case, admin) == []
    with pytest.raises(ca.Forbidden):
        ca.apply_action(session, case, admin, {"type": "note", "text": "x"}, NOW, ctx)
