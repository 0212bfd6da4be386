"""Unit actions: sign, reply, close, extensions (延期), returns (退单) and re-routing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gateway.models import CaseStatus
from gateway.tracker import ActionNotAllowed, ExtensionNotAllowed, ReturnNotAllowed, RoutingError, sweep
from gateway.tracker.actions import (
    close_case,
    decide_extension,
    mark_replied,
    mark_signed,
    request_extension,
    reroute,
    return_case,
)
from gateway.tracker.metrics import on_time_rates

from .helpers import events, local, new_case, outbound

MONDAY = local(2026, 11, 2, 8, 30)


def test_sign_reply_close_write_the_timeline_and_move_the_cursor(session, policy):
    case = new_case(session, policy, MONDAY)
    mark_signed(session, case, "officer-1", local(2026, 11, 2, 9, 0), policy=policy)
    assert case.status == CaseStatus.SIGNED and events(session, case, "signed")[0].details["on_time"]
    mark_replied(session, case, "officer-1", local(2026, 11, 3, 9, 0), policy=policy)
    assert case.status == CaseStatus.REPLIED
    # Only the close window is left: its 50% reminder on Friday 6 November at close of business.
    assert case.next_action_at == local(2026, 11, 6, 17, 30)
    close_case(session, case, "Ticket cancelled; apology sent.", "officer-1", local(2026, 11, 5, 9, 0), policy=policy)
    assert case.status == CaseStatus.CLOSED and case.next_action_at is None
    assert events(session, case, "closed")[0].details == {"unit": "chibi.traffic", "on_time": True}


def test_reply_implies_signing(session, policy):
    case = new_case(session, policy, MONDAY)
    mark_replied(session, case, "officer-1", local(2026, 11, 2, 9, 0), policy=policy)
    assert case.signed_at == case.first_reply_at
    assert events(session, case, "signed")[0].details["implied_by"] == "reply"


def test_actions_refused_in_the_wrong_state(session, policy):
    case = new_case(session, policy, MONDAY)
    close_case(session, case, "duplicate of XN-1", "officer-1", MONDAY + timedelta(hours=1), policy=policy)
    with pytest.raises(ActionNotAllowed):
        mark_signed(session, case, "officer-1", MONDAY + timedelta(hours=2), policy=policy)
    with pytest.raises(ActionNotAllowed):
        mark_replied(session, case, "officer-1", MONDAY + timedelta(hours=2), policy=policy)
    with pytest.raises(ActionNotAllowed):
        close_case(session, case, "again", "officer-1", MONDAY + timedelta(hours=2), policy=policy)
    other = new_case(session, policy, MONDAY)
    with pytest.raises(ActionNotAllowed, match="summary"):
        close_case(session, other, "  ", "officer-1", MONDAY, policy=policy)


def test_extension_approved_moves_close_deadline_and_tells_the_citizen(session, policy, units):
    case = new_case(session, policy, MONDAY, language="en")
    mark_replied(session, case, "officer-1", local(2026, 11, 3, 9, 0), policy=policy)
    old_due = case.close_due
    request_extension(
        session, case, "waiting for CCTV footage", 5, "officer-1", local(2026, 11, 10, 9, 0), policy=policy
    )
    assert events(session, case, "extension_requested")[0].details == {
        "unit": "chibi.traffic",
        "reason": "waiting for CCTV footage",
        "days": 5,
    }
    decide_extension(session, case, True, "supervisor-1", local(2026, 11, 10, 11, 0), policy=policy, units=units)
    assert case.close_due == policy.calendar.add_working_days(old_due, 5) == local(2026, 11, 20, 17, 30)
    assert case.extension_count == 1
    [sms] = outbound(session, case, "extension")
    assert case.number in sms.body and "20 Nov 2026" in sms.body and sms.to_number == case.citizen_number
    approved = events(session, case, "extension_approved")[0].details
    assert approved["days"] == 5 and approved["sms"] == sms.id
    # Close reminders of the new window before the approval are not sent; 80% of the new window is.
    sweep(session, local(2026, 11, 10, 11, 0), policy, units)
    assert outbound(session, case, "reminder") == []

    with pytest.raises(ExtensionNotAllowed, match="at most 1"):
        request_extension(session, case, "still waiting", 3, "officer-1", local(2026, 11, 12, 9, 0), policy=policy)


def test_extension_refused_leaves_the_deadline(session, policy, units):
    case = new_case(session, policy, MONDAY)
    due = case.close_due
    request_extension(session, case, "busy", 3, "officer-1", local(2026, 11, 4, 9, 0), policy=policy)
    with pytest.raises(ExtensionNotAllowed, match="waiting for a decision"):
        request_extension(session, case, "busy", 3, "officer-1", local(2026, 11, 4, 9, 5), policy=policy)
    decide_extension(session, case, False, "supervisor-1", local(2026, 11, 4, 10, 0), policy=policy, units=units)
    assert case.close_due == due and case.extension_count == 0
    assert len(events(session, case, "extension_refused")) == 1
    assert outbound(session, case, "extension") == []
    with pytest.raises(ExtensionNotAllowed, match="no extension request"):
        decide_extension(session, case, True, "supervisor-1", local(2026, 11, 4, 11, 0), policy=policy, units=units)


def test_extension_requests_that_are_refused_outright(session, policy):
    case = new_case(session, policy, MONDAY)
    with pytest.raises(ExtensionNotAllowed, match="reason"):
        request_extension(session, case, "", 3, "officer-1", MONDAY, policy=policy)
    with pytest.raises(ExtensionNotAllowed, match="1 to 15"):
        request_extension(session, case, "long", 40, "officer-1", MONDAY, policy=policy)
    with pytest.raises(ExtensionNotAllowed, match="before the close deadline"):
        request_extension(session, case, "late", 3, "officer-1", case.close_due + timedelta(minutes=1), policy=policy)


def test_return_within_the_sign_window_then_reroute_restarts_the_clock(session, policy, units):
    case = new_case(session, policy, MONDAY, kind="inquiry", department="traffic")
    return_case(
        session, case, "passport question: exit-entry", "chibi-traffic", local(2026, 11, 2, 9, 30), policy=policy
    )
    assert case.status == CaseStatus.RETURNED and case.sign_due is None
    assert events(session, case, "returned")[0].details["reason"] == "passport question: exit-entry"

    at = local(2026, 11, 2, 11, 0)
    reroute(session, case, "exit_entry", "chibi", "dispatcher-1", at, units, policy)
    assert case.unit == "chibi.exit_entry" and case.status == CaseStatus.ROUTED
    assert case.routed_at == at and case.route_source == "dispatcher"
    assert case.returned_seconds == 150 * 60  # 08:30 → 11:00 lost
    assert case.sign_due == local(2026, 11, 2, 13, 0)
    assert case.reply_due == local(2026, 11, 3, 11, 0)
    rerouted = events(session, case, "rerouted")[0].details
    assert rerouted["previous_unit"] == "chibi.traffic" and rerouted["lost_seconds"] == 9000


def test_return_outside_the_sign_window_is_refused(session, policy):
    case = new_case(session, policy, MONDAY)
    with pytest.raises(ReturnNotAllowed, match="sign-for window"):
        return_case(session, case, "not ours", "chibi-traffic", case.sign_due + timedelta(seconds=1), policy=policy)
    mark_replied(session, case, "chibi-traffic", MONDAY + timedelta(minutes=30), policy=policy)
    with pytest.raises(ReturnNotAllowed):
        return_case(session, case, "not ours", "chibi-traffic", MONDAY + timedelta(minutes=40), policy=policy)
    other = new_case(session, policy, MONDAY)
    with pytest.raises(ReturnNotAllowed, match="reason"):
        return_case(session, other, " ", "chibi-traffic", MONDAY, policy=policy)


def test_reroute_checks_the_route_and_the_state(session, policy, units):
    case = new_case(session, policy, MONDAY)
    return_case(session, case, "jiayu's road", "chibi-traffic", MONDAY + timedelta(minutes=5), policy=policy)
    with pytest.raises(RoutingError):
        reroute(session, case, "traffic", "atlantis", "dispatcher-1", MONDAY, units, policy)
    reroute(session, case, "traffic", "jiayu", "dispatcher-1", MONDAY + timedelta(minutes=6), units, policy)
    mark_replied(session, case, "jiayu-traffic", MONDAY + timedelta(minutes=30), policy=policy)
    with pytest.raises(ActionNotAllowed):  # answered: the unit that answered keeps it
        reroute(session, case, "traffic", "chibi", "dispatcher-1", MONDAY + timedelta(hours=1), units, policy)


def test_a_supervisor_corrects_a_routed_case_and_the_time_lost_is_recorded(session, policy, units):
    case = new_case(session, policy, MONDAY)
    reroute(session, case, "public_order", "chibi", "supervisor-1", MONDAY + timedelta(minutes=40), units, policy)
    assert case.unit == "chibi.public_order" and case.status == "routed" and case.route_source == "dispatcher"
    assert case.returned_seconds == 40 * 60


def test_on_time_rate_counts_open_overdue_cases(session, policy):
    on_time = new_case(session, policy, MONDAY)
    close_case(session, on_time, "done", "u", local(2026, 11, 3, 9, 0), policy=policy)
    late = new_case(session, policy, MONDAY)
    close_case(session, late, "done late", "u", local(2026, 11, 20, 9, 0), policy=policy)
    new_case(session, policy, MONDAY)  # open, overdue by 1 December
    new_case(session, policy, local(2026, 11, 30, 9, 0))  # open, not yet due: not counted
    rates = on_time_rates(session, local(2026, 12, 1, 9, 0))
    chibi = rates["chibi.traffic"]
    assert (chibi.closed, chibi.closed_on_time, chibi.open_overdue) == (2, 1, 1)
    assert chibi.rate == pytest.approx(1 / 3)
