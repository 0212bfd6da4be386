"""The sweep: reminders, holding replies, escalation and public-notice flags, each once, on time."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, text

from gateway.models import CallbackTask, Case, CaseStatus, OutboundState
from gateway.tracker import sweep
from gateway.tracker.actions import mark_replied, mark_signed, return_case
from gateway.tracker.commands import run_sweep

from .helpers import LANDLINE, duty_number, events, local, new_case, outbound

# A plain working week: Monday 2 November 2026, 08:30 in Xianning.
MONDAY = local(2026, 11, 2, 8, 30)


def test_nothing_is_due_right_after_routing(session, policy, units):
    case = new_case(session, policy, MONDAY)
    assert case.next_action_at == local(2026, 11, 2, 9, 30)  # 50% of the 2-hour sign-for window
    report = sweep(session, MONDAY + timedelta(minutes=59), policy, units)
    assert report.cases == 0
    assert outbound(session) == []


def test_sign_reminders_at_50_and_80_percent(session, policy, units):
    case = new_case(session, policy, MONDAY)
    report = sweep(session, local(2026, 11, 2, 9, 30), policy, units)
    assert (report.cases, report.reminders) == (1, 1)
    [sms] = outbound(session, case, "reminder")
    assert sms.to_number == duty_number("chibi.traffic")
    assert case.number in sms.body and "签收" in sms.body and "50%" in sms.body
    [badge] = events(session, case, "reminder")
    assert badge.details["window"] == "sign" and badge.details["percent"] == 50
    assert case.next_action_at == local(2026, 11, 2, 10, 6)

    assert sweep(session, local(2026, 11, 2, 10, 6), policy, units).reminders == 1
    assert [m.body.count("80%") for m in outbound(session, case, "reminder")] == [0, 1]


def test_a_second_sweep_at_the_same_time_does_nothing(session, policy, units):
    new_case(session, policy, MONDAY)
    now = local(2026, 11, 2, 9, 30)
    assert sweep(session, now, policy, units).reminders == 1
    again = sweep(session, now, policy, units)
    assert (again.cases, again.reminders) == (0, 0)
    assert len(outbound(session)) == 1


def test_a_late_sweep_sends_only_the_latest_reminder_of_a_window(session, policy, units):
    case = new_case(session, policy, MONDAY)
    report = sweep(session, local(2026, 11, 2, 10, 10), policy, units)
    assert report.reminders == 1
    [badge] = events(session, case, "reminder")
    assert badge.details["percent"] == 80
    assert len(badge.details["keys"]) == 2  # the 50% reminder is covered, never sent afterwards
    assert sweep(session, local(2026, 11, 2, 10, 20), policy, units).reminders == 0


def test_signed_case_gets_no_more_sign_reminders(session, policy, units):
    case = new_case(session, policy, MONDAY)
    mark_signed(session, case, "chibi-duty", local(2026, 11, 2, 9, 0), policy=policy)
    # The next thing owed is the reply window's 50% reminder, Tuesday 13:00.
    assert case.next_action_at == local(2026, 11, 3, 13, 0)
    sweep(session, local(2026, 11, 2, 12, 0), policy, units)
    assert outbound(session, case) == []


def test_holding_reply_and_escalation_at_90_percent_of_the_reply_window(session, policy, units):
    case = new_case(session, policy, MONDAY, language="en")
    mark_signed(session, case, "chibi-duty", local(2026, 11, 2, 9, 0), policy=policy)
    holding_at = local(2026, 11, 4, 14, 48)  # 2.7 of 3 working days
    before = sweep(session, holding_at - timedelta(seconds=1), policy, units)
    assert before.holding_replies == 0 and before.reminders == 1  # reply 80% (covering 50%)

    report = sweep(session, holding_at, policy, units)
    assert (report.holding_replies, report.escalations) == (1, 1)
    [holding] = outbound(session, case, "holding")
    assert holding.to_number == case.citizen_number and holding.language == "en"
    assert case.number in holding.body
    assert "13 Nov 2026" in holding.body  # the close deadline: the new expected date
    assert "Chibi City Bureau Traffic Police" in holding.body
    assert case.holding_sent_at == holding_at <= case.reply_due
    [escalation] = outbound(session, case, "escalation")
    assert escalation.to_number == duty_number("city.traffic")  # county unit → city bureau's department
    [escalated] = events(session, case, "escalated")
    assert escalated.details["supervisor"] == "city.traffic" and escalated.details["reason"] == "reply"
    assert case.escalated_at == holding_at
    assert sweep(session, holding_at + timedelta(hours=1), policy, units).holding_replies == 0


def test_city_units_are_escalated_to_inspection(session, policy, units):
    case = new_case(session, policy, MONDAY, jurisdiction="city", department="household", kind="inquiry")
    sweep(session, local(2026, 11, 3, 8, 30), policy, units)
    assert events(session, case, "escalated")[0].details["supervisor"] == "city.inspection"


def test_a_reply_before_90_percent_means_no_holding_reply(session, policy, units):
    case = new_case(session, policy, MONDAY)
    mark_replied(session, case, "chibi-duty", local(2026, 11, 4, 10, 0), policy=policy)
    sweep(session, local(2026, 11, 5, 10, 0), policy, units)
    assert outbound(session, case, "holding") == []
    assert case.escalated_at is None


def test_close_breach_escalates_then_public_notice_after_five_working_days(session, policy, units):
    case = new_case(session, policy, MONDAY)
    mark_replied(session, case, "chibi-duty", local(2026, 11, 3, 10, 0), policy=policy)
    close_due = case.close_due
    assert close_due == local(2026, 11, 13, 17, 30)
    report = sweep(session, close_due, policy, units)
    assert report.escalations == 1
    assert events(session, case, "escalated")[0].details["reason"] == "close"
    notice_at = local(2026, 11, 20, 17, 30)
    assert case.next_action_at == notice_at
    assert sweep(session, notice_at - timedelta(minutes=1), policy, units).notices == 0
    assert sweep(session, notice_at, policy, units).notices == 1
    assert case.notice_flagged_at == notice_at
    assert events(session, case, "notice_flagged")[0].details["unit"] == "chibi.traffic"
    assert case.next_action_at is None


def test_no_public_notice_when_the_unit_catches_up(session, policy, units):
    case = new_case(session, policy, MONDAY)
    sweep(session, local(2026, 11, 4, 14, 48), policy, units)  # holding reply + escalation
    mark_replied(session, case, "chibi-duty", local(2026, 11, 5, 9, 0), policy=policy)
    # Escalated but no longer overdue: the notice waits for the close deadline, Friday 13 November.
    assert case.next_action_at == local(2026, 11, 6, 17, 30)  # 50% close reminder
    sweep(session, local(2026, 11, 13, 17, 0), policy, units)
    assert case.notice_flagged_at is None


def test_notice_when_reply_never_comes(session, policy, units):
    case = new_case(session, policy, MONDAY)
    for day in range(2, 20):
        sweep(session, local(2026, 11, day, 18, 0), policy, units)
    # Escalated Wednesday 4 November 14:48; five working days later, still unanswered.
    assert case.notice_flagged_at == local(2026, 11, 11, 18, 0)
    assert len(events(session, case, "escalated")) == 1


def test_landline_citizen_gets_a_call_back_task_instead(session, policy, units):
    case = new_case(session, policy, MONDAY, citizen=LANDLINE)
    sweep(session, local(2026, 11, 4, 15, 0), policy, units)
    [holding] = outbound(session, case, "holding")
    assert holding.state == OutboundState.SUPPRESSED
    tasks = list(session.scalars(select(CallbackTask).where(CallbackTask.case_id == case.id)))
    assert len(tasks) == 1 and case.number in tasks[0].note


def test_unit_without_duty_number_gets_only_the_console_badge(session, policy):
    from gateway.units import load_units

    case = new_case(session, policy, MONDAY)
    report = sweep(session, local(2026, 11, 2, 9, 30), policy, load_units())
    assert report.reminders == 1
    assert outbound(session, case) == []
    assert len(events(session, case, "reminder")) == 1


def test_emergency_reminders_run_at_night(session, policy, units):
    night = local(2026, 10, 3, 2, 0)  # National Day holiday, 2 a.m.
    case = new_case(session, policy, night, emergency=True)
    assert case.next_action_at == night + timedelta(minutes=5)
    assert sweep(session, night + timedelta(minutes=5), policy, units).reminders == 1
    mark_signed(session, case, "duty", night + timedelta(minutes=7), policy=policy)
    report = sweep(session, night + timedelta(minutes=54), policy, units)
    assert report.holding_replies == 1 and report.escalations == 1
    assert case.holding_sent_at <= case.reply_due == night + timedelta(hours=1)


def test_returned_case_at_dispatch_still_gets_its_holding_reply(session, policy, units):
    case = new_case(session, policy, MONDAY, kind="inquiry")
    return_case(session, case, "not ours: exit-entry matter", "chibi-duty", local(2026, 11, 2, 9, 0), policy=policy)
    assert case.status == CaseStatus.RETURNED
    report = sweep(session, case.reply_due, policy, units)
    assert report.reminders == 0  # nobody to remind while at dispatch
    assert report.holding_replies == 1 and report.escalations == 1


def test_review_case_without_a_unit_is_covered(session, policy, units):
    case = new_case(session, policy, MONDAY, status=CaseStatus.REVIEW, unit=None, kind="inquiry")
    report = sweep(session, case.reply_due, policy, units)
    assert report.holding_replies == 1
    assert events(session, case, "escalated")[0].details["supervisor"] == "city.inspection"


def test_sweep_limit_processes_at_most_that_many(session, policy, units):
    for _ in range(5):
        new_case(session, policy, MONDAY)
    assert sweep(session, local(2026, 11, 2, 9, 30), policy, units, limit=3).cases == 3
    assert sweep(session, local(2026, 11, 2, 9, 30), policy, units).cases == 2


def test_sweep_reads_due_cases_through_the_index(session):
    if session.bind.dialect.name != "sqlite":
        return  # PostgreSQL's planner picks by statistics; the bench measures it there
    # The shape of gateway.tracker.sweep.due_cases: a range on next_action_at, ordered by it.
    sql = "SELECT * FROM cases WHERE next_action_at <= :now ORDER BY next_action_at, id LIMIT 200"
    plan = session.execute(text("EXPLAIN QUERY PLAN " + sql), {"now": "2026-11-02 00:30:00"}).all()
    assert any("ix_cases_next_action_at" in str(row) for row in plan), plan


def test_run_sweep_commits_and_returns_queued_message_ids(database, policy, units):
    with database.session() as s:
        case_id = new_case(s, policy, MONDAY).id
    report = run_sweep(database, local(2026, 11, 4, 15, 0), policy=policy, units=units)
    # Not signed: the sign window has passed (no reminder after a deadline); reply 80% covers 50%.
    assert report.holding_replies == 1 and report.escalations == 1 and report.reminders == 1
    assert len(report.message_ids) == 3
    with database.session() as s:
        case = s.get(Case, case_id)
        assert case.holding_sent_at is not None
        assert {m.id for m in outbound(s)} == set(report.message_ids)
    assert run_sweep(database, local(2026, 11, 4, 15, 0), policy=policy, units=units).cases == 0
