"""The outbox: every SMS is first a row, then a send attempt, then a delivery state.

The database is the truth about what is unfinished; Redis only triggers the notify job. So:
- `queue_sms` writes a row in the caller's transaction (sent only if that transaction commits);
- `deliver` (the notify job's body) claims the row, calls the transport outside any transaction,
  and records the outcome;
- `due_messages` lists queued rows whose job may have been lost, for the reconciler.

An attempt whose outcome is unknown (its worker died mid-send, or the provider's answer timed out)
may have gone through. Before trying again, `deliver` asks the provider for a message it holds with
the same recipient and body, created since the row was, and adopts it instead of sending twice. Only
when the provider cannot be asked does a rare duplicate remain possible: a duplicate beats a lost reply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, make_transient_to_detached

from gateway import timeline
from gateway.db import insert_for
from gateway.models import Case, OutboundMessage, OutboundState
from gateway.phones import FIXED_LINE, normalise
from gateway.sms import errors
from gateway.sms.contacts import add_callback_task, is_opted_out, opt_out
from gateway.sms.errors import Failure, SendFailed
from gateway.sms.segments import cap, segments
from gateway.sms.transport import Transport

# What an opted-out citizen still receives about a case they are waiting on: the unit's answer,
# and, for a live emergency, the advice to call 110 (an opt-out of notices is not one of safety).
REPLY = "reply"
EMERGENCY_ADVICE = "emergency_advice"
ALWAYS_DELIVERED = (REPLY, EMERGENCY_ADVICE)

# Growing delays between attempts; the message fails after the last one.
RETRY_DELAYS: tuple[timedelta, ...] = (
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(minutes=30),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1

# A claimed row whose outcome was never stored (worker killed mid-send) is due again after this.
SEND_LEASE = timedelta(minutes=5)
# A job may run a little before the row's next_attempt_at (clock skew between hosts).
EARLY_TOLERANCE = timedelta(seconds=5)

SESSION_IDS_KEY = "outbox_ids"

# Failures after which the provider may hold the message all the same (the request reached it, the
# answer did not reach us). A Twilio error answer (4xx, 5xx) means nothing was created.
# LOOKUP_FAILED: the provider could not be asked whether such an attempt went through, so the next
# attempt must ask again.
LOOKUP_FAILED = "lookup-failed"
AMBIGUOUS_FAILURES = frozenset({"timeout", "connection", "request-error", LOOKUP_FAILED})


def queue_sms(
    session: Session,
    *,
    to: str,
    body: str,
    purpose: str,
    language: str,
    now: datetime,
    case: Case | None = None,
    dedupe_key: str | None = None,
) -> OutboundMessage | None:
    """Record a message to send; None when `dedupe_key` was already used.

    Fixed lines and opted-out numbers get a suppressed row (kept for the record and the timeline)
    instead of a queued one; a fixed line also gets a call-back task for the case's unit.
    """
    phone = normalise(to)
    number = phone.number if phone.valid else to
    body = cap(body)
    state, reason = OutboundState.QUEUED, None
    if phone.type == FIXED_LINE:
        state, reason = OutboundState.SUPPRESSED, "fixed_line"
    elif is_opted_out(session, number) and not (purpose in ALWAYS_DELIVERED and case is not None):
        state, reason = OutboundState.SUPPRESSED, "opted_out"
    values = dict(
        case_id=case.id if case is not None else None,
        to_number=number,
        body=body,
        purpose=purpose[:32],
        language=language,
        dedupe_key=dedupe_key,
        state=state,
        attempts=0,
        error_code=reason,
        segments=segments(body),
        created_at=now,
        next_attempt_at=now if state == OutboundState.QUEUED else None,
        updated_at=now,
    )
    # One statement: a dedupe key already taken (a second sweep, a job run twice, a concurrent
    # writer) inserts nothing, without an error that would spoil the caller's transaction.
    new_id = session.execute(
        insert_for(session)(OutboundMessage)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(OutboundMessage.id)
    ).scalar_one_or_none()
    if new_id is None:
        return None
    # The row exists; give the caller the ORM object without reading it back.
    message = OutboundMessage(id=new_id, **values)
    make_transient_to_detached(message)
    session.add(message)
    if case is not None:
        event = "sms_queued" if state == OutboundState.QUEUED else "sms_suppressed"
        details = {"message_id": message.id, "purpose": message.purpose, "segments": message.segments}
        if reason:
            details["reason"] = reason
        timeline.record(session, case, event, now, "system", **details)
    if reason == "fixed_line":
        add_callback_task(session, case=case, number=number, reason="fixed_line", now=now, note=body)
    if state == OutboundState.QUEUED:
        session.info.setdefault(SESSION_IDS_KEY, []).append(message.id)
    return message


def take_queued_ids(session: Session) -> list[int]:
    """The ids queued through this session since the last call; the edge enqueues them after commit."""
    return session.info.pop(SESSION_IDS_KEY, [])


def due_messages(session: Session, now: datetime, limit: int = 500) -> list[OutboundMessage]:
    """Queued rows that should be sending now: their job is lost, late, or its lease ran out."""
    query = (
        select(OutboundMessage)
        .where(OutboundMessage.state == OutboundState.QUEUED, OutboundMessage.next_attempt_at <= now)
        .order_by(OutboundMessage.next_attempt_at, OutboundMessage.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def deliver(
    session: Session, message_id: int, transport: Transport, now: datetime, lease: timedelta = SEND_LEASE
) -> None:
    """Send one queued message and record the outcome. Idempotent: a row that is not due is left alone.

    Commits `session` twice (after claiming, after recording): the transport call must not run
    inside a transaction, or a slow provider would hold the row (and on SQLite the database) locked.
    Pass a plain session, not one inside `Database.session()`'s `begin()` block. `lease`: how long
    a claimed row waits before another worker may send it (its sender presumed dead); longer than
    the transport's timeout, so that a slow send is not doubled by an impatient one.
    """
    claim = _claim(session, message_id, now, lease)
    session.commit()
    if claim is None:
        return
    try:
        earlier = _earlier_attempt_at_provider(session, claim, transport) if claim.in_doubt else None
    except SendFailed as exc:
        lookup = Failure(errors.RETRY, LOOKUP_FAILED, f"{exc.failure.code}: {exc.failure.message}"[:500])
        _record_failure(session, message_id, lookup, now)
        session.commit()
        return
    try:
        if earlier is not None:
            _record_sent(session, message_id, earlier, now, found_at_provider=True)
        else:
            sent = transport.send(message_id=message_id, to=claim.to, body=claim.body)
            _record_sent(session, message_id, sent.sid, now)
    except SendFailed as exc:
        _record_failure(session, message_id, exc.failure, now)
    session.commit()


@dataclass(frozen=True)
class Claim:
    message_id: int
    to: str
    body: str
    created_at: datetime
    in_doubt: bool  # an earlier attempt may have reached the provider


def _earlier_attempt_at_provider(session: Session, claim: Claim, transport: Transport) -> str | None:
    """The sid of this row's message if an earlier attempt did reach the provider, else None."""
    for sid in transport.find_sent(to=claim.to, body=claim.body, since=claim.created_at):
        # Not one another row already owns (the same text to the same number, sent on purpose).
        owner = session.scalar(select(OutboundMessage.id).where(OutboundMessage.provider_sid == sid))
        if owner is None or owner == claim.message_id:
            return sid
    return None


def _claim(session: Session, message_id: int, now: datetime, lease: timedelta) -> Claim | None:
    message = session.get(OutboundMessage, message_id, with_for_update=True)
    if message is None or message.state != OutboundState.QUEUED:
        return None
    if message.next_attempt_at is not None and message.next_attempt_at > now + EARLY_TOLERANCE:
        return None
    # Opted out between queueing and sending (a STOP after a holding reply was queued).
    if is_opted_out(session, message.to_number) and not (message.purpose in ALWAYS_DELIVERED and message.case_id):
        _finish(session, message, OutboundState.SUPPRESSED, now, code="opted_out", event="sms_suppressed")
        return None
    if message.attempts >= MAX_ATTEMPTS:
        # The last attempt's worker died without recording an outcome.
        _finish(session, message, OutboundState.FAILED, now, code="lost", event="sms_failed")
        _callback_if_citizen(session, message, "sms_failed", now)
        return None
    # The last attempt's outcome is unknown: its worker died (no error, no sid) or the answer was lost.
    in_doubt = (
        message.attempts > 0
        and message.provider_sid is None
        and (message.error_code is None or message.error_code in AMBIGUOUS_FAILURES)
    )
    message.attempts += 1
    message.next_attempt_at = now + lease
    message.updated_at = now
    return Claim(message.id, message.to_number, message.body, message.created_at, in_doubt)


def _record_sent(
    session: Session, message_id: int, sid: str | None, now: datetime, found_at_provider: bool = False
) -> None:
    message = session.get(OutboundMessage, message_id, with_for_update=True)
    if message is None:
        return
    message.provider_sid = sid or message.provider_sid
    message.sent_at = message.sent_at or now
    message.error_code = None
    message.error_message = None
    # A status callback may already have moved the row on (delivered); never move it back.
    if message.state == OutboundState.QUEUED:
        extra = {"found_at_provider": True} if found_at_provider else {}
        _finish(session, message, OutboundState.SENT, now, event="sms_sent", sid=sid, **extra)
    else:
        message.next_attempt_at = None


def _record_failure(session: Session, message_id: int, failure: Failure, now: datetime) -> None:
    message = session.get(OutboundMessage, message_id, with_for_update=True)
    if message is None or message.state != OutboundState.QUEUED:
        return  # a status callback proved the timed-out request went through after all
    message.error_code = failure.code
    message.error_message = failure.message or None
    if failure.action == errors.RETRY and message.attempts < MAX_ATTEMPTS:
        message.next_attempt_at = now + RETRY_DELAYS[message.attempts - 1]
        message.updated_at = now
        _event(
            session,
            message,
            "sms_retry",
            now,
            code=failure.code,
            attempt=message.attempts,
            next_attempt_at=message.next_attempt_at.isoformat(),
        )
        return
    _finish(session, message, OutboundState.FAILED, now, code=failure.code, event="sms_failed")
    if failure.action == errors.OPT_OUT:
        opt_out(session, message.to_number, now, source=f"provider-{failure.code}")
    elif failure.action == errors.CALLBACK:
        _callback_if_citizen(session, message, f"sms_{failure.code}", now)
    else:
        _callback_if_citizen(session, message, "sms_failed", now)


def _finish(
    session: Session,
    message: OutboundMessage,
    state: str,
    now: datetime,
    *,
    event: str,
    code: str | None = None,
    **details,
) -> None:
    message.state = state
    message.next_attempt_at = None
    message.updated_at = now
    if code is not None:
        message.error_code = code
    _event(session, message, event, now, code=code, attempts=message.attempts, **details)


def _event(session: Session, message: OutboundMessage, type: str, now: datetime, **details) -> None:
    if message.case_id is None:
        return
    case = session.get(Case, message.case_id)
    if case is not None:
        clean = {k: v for k, v in details.items() if v is not None}
        timeline.record(session, case, type, now, "system", message_id=message.id, purpose=message.purpose, **clean)


def _callback_if_citizen(session: Session, message: OutboundMessage, reason: str, now: datetime) -> None:
    """A citizen we could not reach by SMS must be phoned; a unit's duty number is not our citizen."""
    case = session.get(Case, message.case_id) if message.case_id is not None else None
    if case is not None and case.citizen_number != message.to_number:
        return
    add_callback_task(session, case=case, number=message.to_number, reason=reason, now=now, note=message.body)


# Provider statuses, mapped to ours with a rank: a late "sent" never undoes "delivered".
_PROVIDER_STATES = {
    "accepted": OutboundState.SENT,
    "scheduled": OutboundState.SENT,
    "queued": OutboundState.SENT,
    "sending": OutboundState.SENT,
    "sent": OutboundState.SENT,
    "delivered": OutboundState.DELIVERED,
    "read": OutboundState.DELIVERED,
    "undelivered": OutboundState.UNDELIVERED,
    "failed": OutboundState.FAILED,
}
_RANK = {
    OutboundState.QUEUED: 0,
    OutboundState.SENT: 1,
    OutboundState.UNDELIVERED: 2,
    OutboundState.FAILED: 2,
    OutboundState.DELIVERED: 3,  # the handset has it: nothing overrides that
    OutboundState.SUPPRESSED: 4,
}


def record_status(
    session: Session,
    *,
    provider_status: str,
    now: datetime,
    message_id: int | None = None,
    sid: str | None = None,
    error_code: str | None = None,
) -> OutboundMessage | None:
    """Apply a delivery status callback. Returns the row, or None when it is not ours."""
    message = None
    if message_id is not None:
        message = session.get(OutboundMessage, message_id, with_for_update=True)
        if message is not None and sid and message.provider_sid and message.provider_sid != sid:
            return None  # the URL's id and the sid disagree: not a callback for this row
    if message is None and sid:
        message = session.scalars(
            select(OutboundMessage).where(OutboundMessage.provider_sid == sid).with_for_update()
        ).first()
    if message is None:
        return None
    state = _PROVIDER_STATES.get((provider_status or "").lower())
    if state is None:
        return message
    if sid and not message.provider_sid:
        message.provider_sid = sid
    if _RANK[state] <= _RANK[message.state]:
        return message
    message.state = state
    message.next_attempt_at = None
    message.updated_at = now
    if state != OutboundState.SENT:
        message.error_code = error_code or None
        _event(session, message, f"sms_{state}", now, code=error_code or None, sid=sid)
    else:
        message.sent_at = message.sent_at or now
    if state in (OutboundState.UNDELIVERED, OutboundState.FAILED):
        code = int(error_code) if (error_code or "").isascii() and (error_code or "").isdigit() else None
        if code in errors.OPTED_OUT_CODES:
            opt_out(session, message.to_number, now, source=f"provider-{code}")
        else:
            _callback_if_citizen(session, message, f"sms_{state}", now)
    return message
