"""Satisfaction follow-up (回访) after a case is closed.

On close the citizen gets the resolution summary and the question "reply 1-5". The answer is
stored on the case; 1-2 or 不满意 reopens the case and escalates it to the supervising unit
(complaints about officers: to inspection). No answer in 3 days: one reminder; no answer to that
in 3 more days: the case stays closed with "no rating".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway import outbox, timeline
from gateway.config import DEFAULT_CONFIG_DIR
from gateway.conversation import texts
from gateway.models import Case, CaseStatus, OutboundMessage
from gateway.units import Unit, Units, cached_units

REMINDER_AFTER = timedelta(days=3)
GIVE_UP_AFTER_REMINDER = timedelta(days=3)
# A late answer is still taken while the case awaits a rating; this bounds the search.
ANSWER_WINDOW = REMINDER_AFTER + GIVE_UP_AFTER_REMINDER + timedelta(days=1)
# A repeated delivery of the same answer (Twilio retried the webhook) is thanked, not re-applied.
REPEAT_WINDOW = timedelta(minutes=30)
NO_RATING = "no rating"
LOW_RATING = 2  # 1-2 reopen and escalate
INSPECTION = "inspection"


def _language(case: Case) -> str:
    return case.language if case.language in ("zh", "en") else "zh"


def _stamp(case: Case) -> int:
    # Keys carry the closing time: a case reopened and closed again gets a new follow-up.
    return int(case.closed_at.timestamp()) if case.closed_at else 0


def on_case_closed(session: Session, case: Case, now: datetime, *, config_dir: str | Path = DEFAULT_CONFIG_DIR) -> None:
    """Send the resolution summary and the satisfaction question; the case now awaits a rating."""
    language = _language(case)
    stamp = _stamp(case)
    case.rating = None
    case.rating_text = None
    case.rated_at = None
    if case.resolution:
        # The unit's answer: sent even to an opted-out citizen (purpose reply), any length.
        summary = texts.render("closed", language, config_dir, number=case.number, summary=case.resolution)
        outbox.queue_sms(
            session,
            to=case.citizen_number,
            body=summary,
            purpose=outbox.REPLY,
            language=language,
            now=now,
            case=case,
            dedupe_key=f"closed:{case.id}:{stamp}",
        )
    question = texts.render("satisfaction", language, config_dir, number=case.number)
    message = outbox.queue_sms(
        session,
        to=case.citizen_number,
        body=question,
        purpose="followup",
        language=language,
        now=now,
        case=case,
        dedupe_key=f"followup:{case.id}:{stamp}",
    )
    if message is not None:
        timeline.record(session, case, "followup_sent", now, "system", message_id=message.id)


def awaiting_rating(session: Session, sender: str, now: datetime) -> Case | None:
    """The sender's most recently closed case that still waits for their answer."""
    return session.scalars(
        select(Case)
        .where(
            Case.citizen_number == sender,
            Case.status == CaseStatus.CLOSED,
            Case.rating_text.is_(None),
            Case.closed_at > now - ANSWER_WINDOW,
        )
        .order_by(Case.closed_at.desc())
        .limit(1)
    ).first()


def recently_rated(session: Session, sender: str, rating_text: str, now: datetime) -> Case | None:
    return session.scalars(
        select(Case)
        .where(Case.citizen_number == sender, Case.rating_text == rating_text, Case.rated_at > now - REPEAT_WINDOW)
        .order_by(Case.rated_at.desc())
        .limit(1)
    ).first()


@dataclass(frozen=True)
class RatingOutcome:
    case: Case
    reopened: bool
    to_unit: Unit | None
    text: str  # what to answer the citizen


def record_rating(
    session: Session,
    case: Case,
    rating: int,
    rating_text: str,
    now: datetime,
    *,
    units: Units | None = None,
    config_dir: str | Path = DEFAULT_CONFIG_DIR,
) -> RatingOutcome:
    units = units or cached_units(str(config_dir))
    language = _language(case)
    case.rating = rating
    case.rating_text = rating_text
    case.rated_at = now
    timeline.record(session, case, "rated", now, "citizen", rating=rating, answer=rating_text)
    if rating > LOW_RATING:
        return RatingOutcome(case, False, None, texts.render("rating_thanks", language, config_dir, number=case.number))
    target = reopen_and_escalate(session, case, now, units=units, config_dir=config_dir, answer=rating_text)
    text = texts.render("rating_reopened", language, config_dir, number=case.number, unit=target.name(language))
    return RatingOutcome(case, True, target, text)


def supervising_unit(case: Case, units: Units) -> Unit:
    """Where a dissatisfied citizen's case goes: inspection for complaints about officers,
    otherwise the supervisor of the unit that closed it."""
    if case.department == INSPECTION:
        return units.unit_for(INSPECTION, "city")
    if case.unit and units.get(case.unit) is not None:
        return units.supervisor_of(case.unit)
    return units.units[units.city_supervisor]


def reopen_and_escalate(
    session: Session,
    case: Case,
    now: datetime,
    *,
    units: Units,
    config_dir: str | Path = DEFAULT_CONFIG_DIR,
    answer: str = "",
) -> Unit:
    from_unit = case.unit
    target = supervising_unit(case, units)
    case.status = CaseStatus.ROUTED
    case.unit = target.code
    case.department = target.department
    case.jurisdiction = target.jurisdiction
    case.closed_at = None
    case.signed_at = None
    case.assigned_to = None
    case.routed_at = now
    case.escalated_at = now
    # The tracker recomputes deadlines and reminders for rows due now.
    case.next_action_at = now
    timeline.record(
        session,
        case,
        "reopened",
        now,
        "system",
        reason="low_rating",
        answer=answer,
        from_unit=from_unit,
        to_unit=target.code,
    )
    # `unit` is the unit escalated against (the one that closed the case), as the ledger counts it.
    timeline.record(session, case, "escalated", now, "system", reason="low_rating", unit=from_unit, to_unit=target.code)
    if target.duty_number:
        previous = units.get(from_unit) if from_unit else None
        body = texts.render(
            "unit_rating_escalation",
            "zh",
            config_dir,
            number=case.number,
            rating=answer,
            from_unit=previous.name_zh if previous else (from_unit or "-"),
        )
        outbox.queue_sms(
            session,
            to=target.duty_number,
            body=body,
            purpose="escalation",
            language="zh",
            now=now,
            case=case,
            dedupe_key=f"rating-escalation:{case.id}:{int(now.timestamp())}",
        )
    return target


@dataclass
class SweepResult:
    reminded: int = 0
    no_rating: int = 0


def sweep_followups(
    session: Session, now: datetime, *, limit: int = 500, config_dir: str | Path = DEFAULT_CONFIG_DIR
) -> SweepResult:
    """Reminders 3 days after closing, then "no rating" 3 days after the reminder. Idempotent."""
    result = SweepResult()
    cases = session.scalars(
        select(Case)
        .where(
            Case.status == CaseStatus.CLOSED,
            Case.rating_text.is_(None),
            Case.closed_at <= now - REMINDER_AFTER,
        )
        .order_by(Case.closed_at)
        .limit(limit)
    )
    for case in cases:
        key = f"followup-reminder:{case.id}:{_stamp(case)}"
        reminder = session.scalars(select(OutboundMessage).where(OutboundMessage.dedupe_key == key)).first()
        if reminder is None:
            language = _language(case)
            message = outbox.queue_sms(
                session,
                to=case.citizen_number,
                body=texts.render("satisfaction_reminder", language, config_dir, number=case.number),
                purpose="followup_reminder",
                language=language,
                now=now,
                case=case,
                dedupe_key=key,
            )
            if message is not None:
                timeline.record(session, case, "followup_reminder", now, "system", message_id=message.id)
                result.reminded += 1
        elif reminder.created_at <= now - GIVE_UP_AFTER_REMINDER:
            case.rating_text = NO_RATING
            case.rated_at = now
            timeline.record(session, case, "followup_no_rating", now, "system")
            result.no_rating += 1
    return result
