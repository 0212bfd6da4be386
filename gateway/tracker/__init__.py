"""The deadline tracker: the sweep that reminds, answers and escalates on time, and the units' actions.

Domain code only: a session, plain values and `now` come in; no Flask, no RQ.
"""

from gateway.tracker.errors import (
    ActionNotAllowed,
    ExtensionNotAllowed,
    ReturnNotAllowed,
    RoutingError,
    TrackerError,
)
from gateway.tracker.sweep import SweepReport, sweep

__all__ = [
    "ActionNotAllowed",
    "ExtensionNotAllowed",
    "ReturnNotAllowed",
    "RoutingError",
    "SweepReport",
    "TrackerError",
    "sweep",
]
