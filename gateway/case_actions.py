"""The one place where a person or another system acts on a case.

Both the console and the JSON API (`POST /api/v1/cases/<number>/actions`) call `apply_action`, so the
rules are the same whichever door an action comes through:

- a dispatcher sees and acts on their own unit's cases only; any other case is "not found" (its
  existence is not their business);
- a supervisor sees every unit, and alone decides extensions, re-routes, and force-assigns a
  returned case (退单) back to a unit;
- an administrator manages users and keys and may read cases, but does not work them.

State rules (what may be signed, returned, extended...) belong to the tracker's domain functions,
which this module calls; their refusals come back as `Conflict`. Every action leaves a timeline
event naming its actor: the tracker's own events for its actions, ours for the rest.

Domain code: a session, plain values and `now`; no Flask.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway import accounts, timeline
from gateway.config import DEFAULT_CONFIG_DIR
from gateway.conversation.actions import ActionError as ConversationError
from gateway.deadlines.policy import Policy
from gateway.models import ApiKey, Case, CaseStatus, Role, User
from gateway.tracker import actions as tracker
from gateway.tracker import state as tracker_state
from gateway.tracker.errors import TrackerError
from gateway.units import Units

SIGN = "sign"
ASSIGN = "assign"
REPLY = "reply"
NOTE = "note"
RETURN = "return"
EXTEND = "extend"
APPROVE_EXTENSION = "approve_extension"
REROUTE = "reroute"
CLOSE = "close"

ACTION_TYPES = (SIGN, ASSIGN, REPLY, NOTE, RETURN, EXTEND, APPROVE_EXTENSION, REROUTE, CLOSE)
SUPERVISOR_ONLY = frozenset({APPROVE_EXTENSION, REROUTE})

# Timeline event types this module writes (the tracker writes signed, replied, returned, ...).
ASSIGNED = "assigned"
FORCE_ASSIGNED = "force_assigned"
NOTE_ADDED = "note"

MAX_TEXT = 2000  # notes, reasons and summaries: a paragraph, not a document
MAX_REPLY = 1000  # the SMS layer caps at 1,600 characters including the bureau's prefix


@dataclass(frozen=True)
class Actor:
    """Who acts: a console user, or another system through an API key."""

    name: str  # what the timeline shows: the username, or "api:<key name>"
    role: str
    unit: str | None = None  # a dispatcher's unit; None for city-wide roles

    @classmethod
    def from_user(cls, user: User) -> Actor:
        return cls(name=user.username, role=user.role, unit=user.unit)

    @classmethod
    def from_api_key(cls, key: ApiKey) -> Actor:
        # A key scoped to a unit is that unit's dispatcher; a city-wide key is a supervisor.
        from gateway.apikeys import CITY

        if key.scope == CITY:
            return cls(name=f"api:{key.name}", role=Role.SUPERVISOR)
        return cls(name=f"api:{key.name}", role=Role.DISPATCHER, unit=key.scope)

    @property
    def city_wide(self) -> bool:
        return self.role in (Role.SUPERVISOR, Role.ADMIN)

    @property
    def is_supervisor(self) -> bool:
        return self.role == Role.SUPERVISOR


class ActionRefused(Exception):
    """An action that is not carried out; `status` and `code` are what the API answers."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class Invalid(ActionRefused):
    """The request itself is malformed: unknown type, a missing reason, days out of range."""


class NotFound(ActionRefused):
    status = 404
    code = "not_found"


class Forbidden(ActionRefused):
    """The actor sees the case but their role may not do this (a dispatcher approving an extension)."""

    status = 403
    code = "forbidden"


class Conflict(ActionRefused):
    """The case's state does not allow the action now (signing a closed case, a late return)."""

    status = 409
    code = "not_allowed"


@dataclass
class Context:
    """The deployment data the actions need: units (re-routing), deadline policy, templates."""

    units: Units
    policy: Policy
    config_dir: str | Path = DEFAULT_CONFIG_DIR


@dataclass
class Outcome:
    type: str
    case: Case
    details: dict = field(default_factory=dict)


# --- visibility -------------------------------------------------------------------------------


def may_see(actor: Actor, case: Case) -> bool:
    return actor.city_wide or (actor.unit is not None and case.unit == actor.unit)


def find_case(session: Session, number: str, actor: Actor) -> Case:
    """The case `number` if `actor` may see it; otherwise NotFound, exactly as for a missing case."""
    case = session.scalars(select(Case).where(Case.number == (number or "").strip())).one_or_none()
    if case is None or not may_see(actor, case):
        raise NotFound(f"no case {number}")
    return case


def available_actions(session: Session, case: Case, actor: Actor) -> list[str]:
    """The actions worth offering `actor` on `case` now (the console shows only these forms).

    A guide, not the rule: `apply_action` still decides, so a stale page cannot do more.
    """
    if not may_see(actor, case) or actor.role == Role.ADMIN:
        return []
    status = case.status
    offered: list[str] = [NOTE]
    if status == CaseStatus.CLOSED:
        return offered
    if status == CaseStatus.ROUTED:
        offered.append(SIGN)
    if status in (CaseStatus.ROUTED, CaseStatus.SIGNED, CaseStatus.REPLIED):
        offered += [ASSIGN, REPLY]
    if status in (CaseStatus.ROUTED, CaseStatus.SIGNED) and case.first_reply_at is None:
        offered.append(RETURN)
    if status in (CaseStatus.ROUTED, CaseStatus.SIGNED, CaseStatus.REPLIED):
        pending = tracker_state.pending_extension(session, case)
        if pending is None:
            offered.append(EXTEND)
        elif actor.is_supervisor:
            offered.append(APPROVE_EXTENSION)
    if actor.is_supervisor and status in (CaseStatus.RETURNED, CaseStatus.REVIEW, CaseStatus.NEW):
        offered.append(REROUTE)
        if status == CaseStatus.RETURNED and case.unit:
            offered.append(ASSIGN)
    offered.append(CLOSE)
    return offered


# --- parsing the request ----------------------------------------------------------------------


def _text(action: Mapping, name: str, limit: int = MAX_TEXT, *, required: bool = True) -> str:
    value = action.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise Invalid(f"'{name}' is required", code="missing_field")
        return ""
    if not isinstance(value, str):
        raise Invalid(f"'{name}' must be a string", code="bad_field")
    value = value.strip()
    if len(value) > limit:
        raise Invalid(f"'{name}' is longer than {limit} characters", code="bad_field")
    return value


def _int(action: Mapping, name: str) -> int:
    value = action.get(name)
    # bool is an int in Python; "days": true is a client bug, not one day.
    if isinstance(value, bool):
        raise Invalid(f"'{name}' must be a whole number", code="bad_field")
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int):
        raise Invalid(f"'{name}' must be a whole number", code="bad_field")
    return value


def _bool(action: Mapping, name: str, default: bool) -> bool:
    value = action.get(name, default)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "1", "yes", "approve"):
        return True
    if isinstance(value, str) and value.lower() in ("false", "0", "no", "refuse"):
        return False
    raise Invalid(f"'{name}' must be true or false", code="bad_field")


# --- applying ---------------------------------------------------------------------------------


def apply_action(session: Session, case: Case, actor: Actor, action: Mapping, now: datetime, ctx: Context) -> Outcome:
    """Carry out `action` ({"type": ..., fields}) on `case` for `actor`, or raise ActionRefused.

    The caller owns the transaction: on a refusal it rolls back, so a half-done action never lands.
    """
    if not isinstance(action, Mapping):
        raise Invalid("an action is a JSON object with a 'type'")
    kind = action.get("type")
    if kind not in ACTION_TYPES:
        raise Invalid(f"unknown action type {kind!r}; use one of {', '.join(ACTION_TYPES)}", code="bad_type")
    if not may_see(actor, case):
        raise NotFound(f"no case {case.number}")
    if actor.role == Role.ADMIN:
        raise Forbidden("administrators manage users and keys; cases are worked by dispatchers and supervisors")
    if kind in SUPERVISOR_ONLY and not actor.is_supervisor:
        raise Forbidden(f"only a supervisor may {kind.replace('_', ' ')}")
    handler = _HANDLERS[kind]
    try:
        details = handler(session, case, actor, action, now, ctx) or {}
    except TrackerError as exc:
        raise Conflict(str(exc), code=exc.code) from exc
    except ConversationError as exc:
        raise Conflict(str(exc)) from exc
    return Outcome(kind, case, details)


def _sign(session: Session, case: Case, actor: Actor, action: Mapping, now: datetime, ctx: Context) -> dict:
    tracker.mark_signed(session, case, actor.name, now, policy=ctx.policy)
    return {}


def _assign(session: Session, case: Case, actor: Actor, action: Mapping, now: datetime, ctx: Context) -> dict:
    officer_name = _text(action, "officer", 64, required=case.status != CaseStatus.RETURNED)
    if case.status == CaseStatus.RETURNED:
        return _force_assign(session, case, actor, action, officer_name, now, ctx)
    if case.status not in (CaseStatus.ROUTED, CaseStatus.SIGNED, CaseStatus.REPLIED):
        raise Conflict(f"case {case.number} is {case.status}: only a case with a unit can be assigned")
    officer = _officer(session, officer_name, case.unit)
    previous = case.assigned_to
    case.assigned_to = officer.username
    timeline.record(
        session,
        case,
        ASSIGNED,
        now,
        actor.name,
        officer=officer.username,
        officer_name=officer.display_name,
        previous=previous,
        unit=case.unit,
    )
    return {"officer": officer.username}


def _force_assign(
    session: Session, case: Case, actor: Actor, action: Mapping, officer_name: str, now: datetime, ctx: Context
) -> dict:
    """A supervisor overrules a return: the case goes (back) to a unit, whose clocks restart."""
    if not actor.is_supervisor:
        raise Forbidden("a returned case is at dispatch: only a supervisor can assign it")
    unit_code = _text(action, "unit", 64, required=False) or case.unit
    unit = ctx.units.get(unit_code or "")
    if unit is None:
        raise Invalid(f"unknown unit {unit_code!r}", code="bad_route")
    officer = _officer(session, officer_name, unit.code) if officer_name else None
    previous_unit = case.unit
    tracker.reroute(session, case, unit.department, unit.jurisdiction, actor.name, now, ctx.units, ctx.policy)
    case.assigned_to = officer.username if officer else None
    timeline.record(
        session,
        case,
        FORCE_ASSIGNED,
        now,
        actor.name,
        unit=case.unit,
        previous_unit=previous_unit,
        officer=officer.username if officer else None,
    )
    return {"unit": case.unit}


def _officer(session: Session, username: str, unit: str | None) -> User:
    user = accounts.get_user(session, username)
    if user is None or unit is None or user.unit != unit or user.disabled_at is not None:
        raise Invalid(f"{username!r} is not an active officer of {unit}", code="bad_officer")
    return user


def _reply(session: Session, case: Case, actor: Actor, action: Mapping, now: datetime, ctx: Context) -> dict:
    from gateway.conversation.actions import send_reply

    body = _text(action, "body", MAX_REPLY)
    if case.status not in (CaseStatus.ROUTED, CaseStatus.SIGNED, CaseStatus.REPLIED):
        raise Conflict(f"case {case.number} is {case.status}: replies come from the unit that holds the case")
    # The first reply also does the tracker's bookkeeping (on-time flag, implied signing, next deadline).
    message = send_reply(session, case, body, actor.name, now, config_dir=ctx.config_dir, policy=ctx.policy)
    return {"message_id": message.id if message is not None else None}


def _note(session: Session, case: Case, actor: Actor, action: Mapping, now: datetime, ctx: Context) -> dict:
    text = _text(action, "text", MAX_TEXT)
    timeline.record(session, case, NOTE_ADDED, now, actor.name, text=text)
    return {}


def _return(session: Session, case: Case, actor: Actor, action: Mapping, now: datetime, ctx: Context) -> dict:
    tracker.return_case(session, case, _text(action, "reason"), actor.name, now, policy=ctx.policy)
    case.assigned_to = None
    return {}


def _extend(session: Session, case: Case, actor: Actor, action: Mapping, now: datetime, ctx: Context) -> dict:
    reason = _text(action, "reason")
    tracker.request_extension(session, case, reason, _int(action, "days"), actor.name, now, policy=ctx.policy)
    return {}


def _approve_extension(
    session: Session, case: Case, actor: Actor, action: Mapping, now: datetime, ctx: Context
) -> dict:
    approve = _bool(action, "approve", True)
    tracker.decide_extension(session, case, approve, actor.name, now, policy=ctx.policy, units=ctx.units)
    return {"approved": approve, "close_due": case.close_due.isoformat() if case.close_due else None}


def _reroute(session: Session, case: Case, actor: Actor, action: Mapping, now: datetime, ctx: Context) -> dict:
    # Either a unit code ("chibi.traffic", as the case JSON shows it) or department + jurisdiction.
    unit_code = _text(action, "unit", 64, required=False)
    if unit_code:
        unit = ctx.units.get(unit_code)
        if unit is None:
            raise Invalid(f"unknown unit {unit_code!r}", code="bad_route")
        department, jurisdiction = unit.department, unit.jurisdiction
    else:
        department, jurisdiction = _text(action, "department", 32), _text(action, "jurisdiction", 32)
    # The tracker marks the case route_source="dispatcher": the classifier's training data picks
    # such cases up as labelled corrections.
    tracker.reroute(session, case, department, jurisdiction, actor.name, now, ctx.units, ctx.policy)
    case.assigned_to = None
    return {"unit": case.unit}


def _close(session: Session, case: Case, actor: Actor, action: Mapping, now: datetime, ctx: Context) -> dict:
    from gateway import followup

    tracker.close_case(session, case, _text(action, "summary"), actor.name, now, policy=ctx.policy)
    # The citizen gets the outcome and the satisfaction question (回访).
    followup.on_case_closed(session, case, now, config_dir=ctx.config_dir)
    return {}


_HANDLERS = {
    SIGN: _sign,
    ASSIGN: _assign,
    REPLY: _reply,
    NOTE: _note,
    RETURN: _return,
    EXTEND: _extend,
    APPROVE_EXTENSION: _approve_extension,
    REROUTE: _reroute,
    CLOSE: _close,
}
