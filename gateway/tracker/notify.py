"""Carrying out due actions: reminders, holding replies, escalations (督办) and public-notice flags.

Every SMS goes through the outbox with a dedupe key derived from the case and the action, so that
"send this once" is a unique constraint in the database, whatever the number of sweeps running.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from gateway import timeline
from gateway.deadlines.policy import Policy
from gateway.deadlines.schedule import Action
from gateway.models import Case, OutboundMessage
from gateway.outbox import queue_sms
from gateway.tracker import messages
from gateway.tracker.state import ESCALATED, HOLDING_REPLY, NOTICE_FLAGGED, REMINDER
from gateway.units import Unit, Units

ACTOR = "tracker"

# Outbox purposes of the tracker's messages.
PURPOSE_HOLDING = "holding"
PURPOSE_EXTENSION = "extension"
PURPOSE_REMINDER = "reminder"
PURPOSE_ESCALATION = "escalation"
# Purposes that tell the citizen something about their case (the promise of the issue).
CITIZEN_PURPOSES = (PURPOSE_HOLDING, PURPOSE_EXTENSION)


def dedupe_key(case: Case, what: str) -> str:
    return f"tracker:{case.id}:{what}"


def unit_name(units: Units, code: str | None, language: str) -> str:
    unit = units.get(code) if code else None
    if unit is None:
        return units.bureau.name_zh if language == "zh" else units.bureau.name_en
    return unit.name(language)


def supervisor_for(units: Units, case: Case) -> Unit | None:
    """Where the case's escalation goes: the unit's supervisor, or the city's when there is no unit."""
    if case.unit and units.get(case.unit) is not None:
        return units.supervisor_of(case.unit)
    return units.get(units.city_supervisor)


def remind(
    session: Session, case: Case, action: Action, covered: list[str], policy: Policy, units: Units, now: datetime
) -> None:
    """Remind the unit; `covered` are the keys of older reminders of the window this one supersedes."""
    cfg, tz = policy.config_dir, policy.calendar.tz
    unit = units.get(case.unit) if case.unit else None
    sms = None
    if unit is not None and unit.duty_number:
        lang = messages.UNIT_LANGUAGE
        body = messages.text(
            cfg,
            "reminder",
            lang,
            number=case.number,
            step=messages.step_name(cfg, action.window, lang),
            deadline=messages.format_deadline(action.deadline, tz, lang),
            percent=round(action.fraction * 100),
        )
        sms = queue_sms(
            session,
            to=unit.duty_number,
            body=body,
            purpose=PURPOSE_REMINDER,
            language=lang,
            now=now,
            case=case,
            dedupe_key=dedupe_key(case, action.key),
        )
    timeline.record(
        session,
        case,
        REMINDER,
        now,
        ACTOR,
        unit=case.unit,
        window=action.window,
        percent=round(action.fraction * 100),
        deadline=action.deadline.isoformat(),
        keys=[action.key, *covered],
        sms=sms.id if sms is not None else None,
    )


def expected_date(case: Case, policy: Policy) -> datetime:
    """The date a holding reply announces: the close deadline, not earlier than a grace after the reply one."""
    after_reply = policy.after(policy.holding_expected_after_reply_due, case.reply_due)
    return max(case.close_due or after_reply, after_reply)


def send_holding_reply(session: Session, case: Case, policy: Policy, units: Units, now: datetime) -> None:
    lang = case.language or "zh"
    expected = expected_date(case, policy)
    body = messages.text(
        policy.config_dir,
        "holding",
        lang,
        number=case.number,
        unit=unit_name(units, case.unit, lang),
        date=messages.format_date(expected, policy.calendar.tz, lang),
        hotline=units.bureau.hotline,
    )
    sms = queue_sms(
        session,
        to=case.citizen_number,
        body=body,
        purpose=PURPOSE_HOLDING,
        language=lang,
        now=now,
        case=case,
        dedupe_key=dedupe_key(case, "holding"),
    )
    case.holding_sent_at = now
    timeline.record(
        session,
        case,
        HOLDING_REPLY,
        now,
        ACTOR,
        expected=expected.isoformat(),
        reply_due=case.reply_due.isoformat(),
        sms=sms.id if sms is not None else None,
    )


def escalate(session: Session, case: Case, policy: Policy, units: Units, now: datetime) -> None:
    reason = "reply" if case.first_reply_at is None and (case.close_due is None or now < case.close_due) else "close"
    supervisor = supervisor_for(units, case)
    sms = None
    if supervisor is not None and supervisor.duty_number:
        lang = messages.UNIT_LANGUAGE
        body = messages.text(
            policy.config_dir,
            "escalation",
            lang,
            number=case.number,
            unit=unit_name(units, case.unit, lang),
            reason=messages.escalation_reason(policy.config_dir, reason, lang),
        )
        sms = queue_sms(
            session,
            to=supervisor.duty_number,
            body=body,
            purpose=PURPOSE_ESCALATION,
            language=lang,
            now=now,
            case=case,
            dedupe_key=dedupe_key(case, "escalation"),
        )
    case.escalated_at = now
    timeline.record(
        session,
        case,
        ESCALATED,
        now,
        ACTOR,
        unit=case.unit,
        supervisor=supervisor.code if supervisor is not None else None,
        reason=reason,
        sms=sms.id if sms is not None else None,
    )


def flag_notice(session: Session, case: Case, now: datetime) -> None:
    case.notice_flagged_at = now
    timeline.record(
        session,
        case,
        NOTICE_FLAGGED,
        now,
        ACTOR,
        unit=case.unit,
        escalated_at=case.escalated_at.isoformat() if case.escalated_at else None,
    )


def send_extension_notice(
    session: Session, case: Case, policy: Policy, units: Units, now: datetime
) -> OutboundMessage | None:
    lang = case.language or "zh"
    body = messages.text(
        policy.config_dir,
        "extension_approved",
        lang,
        number=case.number,
        date=messages.format_date(case.close_due, policy.calendar.tz, lang),
        hotline=units.bureau.hotline,
    )
    return queue_sms(
        session,
        to=case.citizen_number,
        body=body,
        purpose=PURPOSE_EXTENSION,
        language=lang,
        now=now,
        case=case,
        dedupe_key=dedupe_key(case, f"extension:{case.extension_count}"),
    )
