"""The SLA table from config/deadlines.toml, applied to cases (no database needed)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from gateway.config import DEFAULT_CONFIG_DIR
from gateway.deadlines import Duration, Policy, load_policy
from gateway.models import Case, CaseStatus

SH = ZoneInfo("Asia/Shanghai")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy(DEFAULT_CONFIG_DIR)


def routed(kind: str | None = "complaint", department: str = "traffic", emergency: bool = False) -> Case:
    return Case(
        number="XN-1",
        status=CaseStatus.ROUTED,
        kind=kind,
        department=department,
        unit=f"chibi.{department}",
        emergency=emergency,
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        extension_count=0,
        returned_seconds=0,
    )


def due(case: Case) -> tuple[datetime, datetime, datetime]:
    return case.sign_due.astimezone(SH), case.reply_due.astimezone(SH), case.close_due.astimezone(SH)


def test_complaint_the_evening_before_national_day(policy):
    # 20:00 on 30 September 2026: the holiday runs 1-7 October, so counting starts 8 October 08:30.
    case = routed("complaint")
    start = local(2026, 9, 30, 20, 0).astimezone(UTC)
    policy.apply(case, start)
    sign, reply, close = due(case)
    assert sign == local(2026, 10, 8, 10, 30)
    # 8, 9 and Saturday 10 October (a 调休 working day) make the three working days.
    assert reply == local(2026, 10, 10, 17, 30)
    # Ten working days: 8, 9, 10, 12-16, 19, 20 October.
    assert close == local(2026, 10, 20, 17, 30)
    # First thing the tracker does: the 50% reminder of the sign-for window, an hour after opening.
    assert case.next_action_at.astimezone(SH) == local(2026, 10, 8, 9, 30)
    assert case.routed_at == start


def test_inquiry_on_an_adjusted_working_saturday(policy):
    # Saturday 10 October 2026 is a working day (调休): an inquiry at 10:00 counts from then.
    case = routed("inquiry", department="household")
    policy.apply(case, local(2026, 10, 10, 10, 0).astimezone(UTC))
    sign, reply, close = due(case)
    assert sign == local(2026, 10, 10, 12, 0)
    # One working day later: Sunday 11 is a rest day, so Monday 12 October 10:00.
    assert reply == local(2026, 10, 12, 10, 0)
    assert close == local(2026, 10, 12, 10, 0)


def test_an_ordinary_saturday_counts_from_monday(policy):
    case = routed("inquiry")
    policy.apply(case, local(2026, 10, 17, 10, 0).astimezone(UTC))
    assert due(case)[1] == local(2026, 10, 19, 17, 30)


@pytest.mark.parametrize(
    ("kind", "sign", "reply", "close"),
    [
        ("inquiry", timedelta(hours=2), 1, 1),
        ("complaint", timedelta(hours=2), 3, 10),
        ("report", timedelta(hours=2), 5, 15),
        ("suggestion", timedelta(days=1), 5, 10),
        ("praise", timedelta(days=1), 5, 10),
    ],
)
def test_table_of_the_issue(policy, kind, sign, reply, close):
    # Monday 2 November 2026 08:30: a plain working week ahead.
    start = local(2026, 11, 2, 8, 30)
    case = routed(kind)
    policy.apply(case, start.astimezone(UTC))
    cal = policy.calendar
    s, r, c = due(case)
    expected_sign = cal.add_working_seconds(
        start, sign.total_seconds() if sign < timedelta(days=1) else cal.day_seconds
    )
    assert s == expected_sign
    assert r == cal.add_working_days(start, reply)
    assert c == cal.add_working_days(start, close)


def test_complaints_about_officers_get_fifteen_working_days_to_close(policy):
    case = routed("complaint", department="inspection")
    start = local(2026, 11, 2, 8, 30)
    policy.apply(case, start.astimezone(UTC))
    assert due(case)[2] == policy.calendar.add_working_days(start, 15)
    assert due(case)[1] == policy.calendar.add_working_days(start, 3)  # only the close step changes


def test_emergency_runs_on_the_plain_clock_at_any_hour(policy):
    case = routed("complaint", emergency=True)
    start = local(2026, 10, 3, 2, 0)  # 2 a.m. in the middle of the National Day holiday
    policy.apply(case, start.astimezone(UTC))
    sign, reply, close = due(case)
    assert sign == local(2026, 10, 3, 2, 10)
    assert reply == local(2026, 10, 3, 3, 0)
    assert close == local(2026, 10, 8, 17, 30)  # closing is office work: one working day


def test_missing_kind_uses_the_default(policy):
    a, b = routed(None), routed("complaint")
    start = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
    policy.apply(a, start)
    policy.apply(b, start)
    assert due(a) == due(b)


def test_unknown_kind_uses_the_default(policy):
    a, b = routed("gossip"), routed("complaint")
    start = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
    policy.apply(a, start)
    policy.apply(b, start)
    assert due(a) == due(b)


def test_durations_parse_and_refuse():
    assert Duration.parse("2 working hours") == Duration(2, "hour", True)
    assert Duration.parse("10 minutes") == Duration(10, "minute", False)
    assert Duration.parse("1 working day") == Duration(1, "day", True)
    assert str(Duration.parse("15 working days")) == "15 working days"
    for bad in ("two days", "3 fortnights", "0 minutes", "-1 hours", ""):
        with pytest.raises(ValueError):
            Duration.parse(bad)


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "deadlines.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_config_errors_name_the_problem(tmp_path):
    base = (Path(DEFAULT_CONFIG_DIR) / "deadlines.toml").read_text(encoding="utf-8")
    with pytest.raises(ValueError, match="holding_at"):
        load_policy(_write(tmp_path, base.replace("holding_at = 0.9", "holding_at = 1.5")))
    with pytest.raises(ValueError, match="office hours"):
        load_policy(_write(tmp_path, base.replace('office_start = "08:30"', 'office_start = "half past eight"')))
    with pytest.raises(ValueError, match=r"sla\.inquiry"):
        load_policy(_write(tmp_path, base.replace('close = "1 working day"\n\n[sla.complaint]', "\n[sla.complaint]")))
    with pytest.raises(FileNotFoundError):
        load_policy(tmp_path / "nowhere")


def test_configurable_office_hours_and_fractions(tmp_path):
    base = (Path(DEFAULT_CONFIG_DIR) / "deadlines.toml").read_text(encoding="utf-8")
    text = base.replace('office_end = "17:30"', 'office_end = "16:30"').replace("[0.5, 0.8]", "[0.8, 0.25]")
    policy = load_policy(_write(tmp_path, text))
    assert policy.calendar.day_seconds == 8 * 3600
    assert policy.reminder_at == (0.25, 0.8)
