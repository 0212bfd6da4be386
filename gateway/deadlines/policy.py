"""The SLA table and tracker rules, loaded from `config/deadlines.toml`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path

from gateway.config import DEFAULT_CONFIG_DIR, read_toml
from gateway.deadlines.calendar import WorkingCalendar
from gateway.deadlines.duration import Duration

STEPS = ("sign", "reply", "close")


@dataclass(frozen=True)
class Sla:
    """The three windows of a case, each counted from routing."""

    sign: Duration
    reply: Duration
    close: Duration

    def step(self, name: str) -> Duration:
        return getattr(self, name)


@dataclass(frozen=True)
class Policy:
    calendar: WorkingCalendar
    kinds: dict[str, Sla]
    emergency: Sla
    department_overrides: dict[str, dict[str, Duration]] = field(default_factory=dict)
    default_kind: str = "complaint"
    reminder_at: tuple[float, ...] = (0.5, 0.8)
    holding_at: float = 0.9
    holding_expected_after_reply_due: Duration = Duration(1, "day", True)
    notice_after_escalation: Duration = Duration(5, "day", True)
    max_extensions: int = 1
    max_extension_days: int = 15
    # Where the tracker finds its message templates (config/templates/tracker.toml).
    config_dir: str = str(DEFAULT_CONFIG_DIR)

    def sla_for(self, kind: str | None, department: str | None, emergency: bool) -> Sla:
        if emergency:
            return self.emergency
        sla = self.kinds.get(kind or self.default_kind) or self.kinds[self.default_kind]
        overrides = self.department_overrides.get(department or "", {})
        if overrides:
            sla = Sla(**{step: overrides.get(step, sla.step(step)) for step in STEPS})
        return sla

    def apply(self, case, start: datetime) -> None:
        """Set the case's deadlines from `start` (the routing moment) and the tracker's cursor.

        Called right after routing, and again at re-routing after a return (the clocks restart).
        """
        from gateway.deadlines.schedule import TrackerState, next_action_at

        sla = self.sla_for(case.kind, case.department, bool(case.emergency))
        case.sign_due = sla.sign.after(start, self.calendar)
        case.reply_due = sla.reply.after(start, self.calendar)
        case.close_due = sla.close.after(start, self.calendar)
        if case.routed_at is None:
            case.routed_at = start
        case.next_action_at = next_action_at(case, self, TrackerState(), start)

    def after(self, duration: Duration, start: datetime) -> datetime:
        return duration.after(start, self.calendar)

    def add_working_days(self, start: datetime, days: float) -> datetime:
        return self.calendar.add_working_days(start, days)


def _hhmm(text: str) -> time:
    try:
        hours, minutes = str(text).split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        raise ValueError(f"office hours {text!r}: write HH:MM") from None


def _fraction(name: str, value) -> float:
    value = float(value)
    if not 0 < value < 1:
        raise ValueError(f"[tracker] {name} = {value}: must be between 0 and 1")
    return value


def _sla(name: str, raw: dict) -> Sla:
    missing = [step for step in STEPS if step not in raw]
    if missing:
        raise ValueError(f"[sla.{name}] lacks {', '.join(missing)}")
    return Sla(**{step: Duration.parse(raw[step]) for step in STEPS})


def load_policy(config_dir: Path | str = DEFAULT_CONFIG_DIR) -> Policy:
    raw = read_toml(config_dir, "deadlines.toml")
    cal = raw.get("calendar", {})
    calendar = WorkingCalendar(
        timezone=cal.get("timezone", "Asia/Shanghai"),
        day_start=_hhmm(cal.get("office_start", "08:30")),
        day_end=_hhmm(cal.get("office_end", "17:30")),
    )
    slas = raw.get("sla", {})
    if "emergency" not in slas:
        raise ValueError("deadlines.toml lacks [sla.emergency]")
    kinds = {name: _sla(name, table) for name, table in slas.items() if name != "emergency"}
    tracker = raw.get("tracker", {})
    default_kind = tracker.get("default_kind", "complaint")
    if default_kind not in kinds:
        raise ValueError(f"[tracker] default_kind = {default_kind!r} has no [sla.{default_kind}]")
    overrides = {}
    for department, table in raw.get("department", {}).items():
        unknown = set(table) - set(STEPS)
        if unknown:
            raise ValueError(f"[department.{department}] unknown steps {sorted(unknown)}")
        overrides[department] = {step: Duration.parse(value) for step, value in table.items()}
    reminder_at = tuple(sorted(_fraction("reminder_at", f) for f in tracker.get("reminder_at", [0.5, 0.8])))
    holding_at = _fraction("holding_at", tracker.get("holding_at", 0.9))
    max_extensions = int(tracker.get("max_extensions", 1))
    max_extension_days = int(tracker.get("max_extension_days", 15))
    if max_extensions < 0 or max_extension_days < 1:
        raise ValueError("[tracker] max_extensions must be >= 0 and max_extension_days >= 1")
    return Policy(
        calendar=calendar,
        kinds=kinds,
        emergency=_sla("emergency", slas["emergency"]),
        department_overrides=overrides,
        default_kind=default_kind,
        reminder_at=reminder_at,
        holding_at=holding_at,
        holding_expected_after_reply_due=Duration.parse(
            tracker.get("holding_expected_after_reply_due", "1 working day")
        ),
        notice_after_escalation=Duration.parse(tracker.get("notice_after_escalation", "5 working days")),
        max_extensions=max_extensions,
        max_extension_days=max_extension_days,
        config_dir=str(config_dir),
    )
