"""Deadlines: the bureau's working calendar, the SLA policy and the tracker's schedule (pure; no I/O but config)."""

from gateway.deadlines.calendar import WorkingCalendar
from gateway.deadlines.duration import Duration
from gateway.deadlines.policy import Policy, Sla, load_policy

__all__ = ["Duration", "Policy", "Sla", "WorkingCalendar", "load_policy"]
