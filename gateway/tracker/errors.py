"""Why a unit action was refused: domain errors the console and the API turn into a clear message."""

from __future__ import annotations


class TrackerError(Exception):
    """Base of the tracker's refusals; `code` is stable for API clients, the message is for people."""

    code = "not_allowed"


class ActionNotAllowed(TrackerError):
    """The case's state does not allow this action (e.g. signing a closed case)."""

    code = "not_allowed"


class ExtensionNotAllowed(TrackerError):
    """A second extension, one asked after the deadline, one too long, or a decision with nothing to decide."""

    code = "extension_not_allowed"


class ReturnNotAllowed(TrackerError):
    """A return (退单) outside the sign-for window, or of a case the unit has already answered."""

    code = "return_not_allowed"


class RoutingError(TrackerError):
    """Re-routing to a department or jurisdiction that does not exist."""

    code = "bad_route"
