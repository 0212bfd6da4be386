"""The one path every channel takes into a case.

Two steps, so that a webhook can answer within Twilio's 15 s whatever the queue is doing:

1. `accept` (web, one transaction): store the raw message and allocate the case number. After it
   commits, the message is ours: nothing accepted is lost even if Redis loses every job.
2. `process` (worker): classify, route, set deadlines and write the timeline. Idempotent: it locks
   the inbound row and does nothing if it was processed already, so a job that runs twice (a retry,
   the reconciler, a webhook retried by Twilio) still routes the case once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from gateway import language, phones
from gateway.db import redoable, table_text
from gateway.models import Case, CaseEvent, CaseStatus, InboundMessage
from gateway.numbering import SQL_CASE_NUMBER, case_number_stem, local_day, next_case_number, postgres_sequence
from gateway.timeline import record


@dataclass(frozen=True)
class IncomingMessage:
    """A citizen's message as a channel hands it over, before anything is decided."""

    channel: str  # sms | voice | transcript | open311 | web
    provider_id: str  # the channel's own id: MessageSid, CallSid, call_id...
    sender: str  # as the carrier gives it
    body: str
    received_at: datetime
    recipient: str | None = None
    payload: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Accepted:
    inbound_id: int
    case_id: int
    case_number: str
    language: str
    duplicate: bool  # a repeated delivery of a message we already had


@dataclass(frozen=True)
class Deployment:
    """What intake needs to know about the deployment (from config/units.toml)."""

    case_prefix: str
    timezone: str
    region: str


def accept(session: Session, msg: IncomingMessage, deployment: Deployment, join_case: Case | None = None) -> Accepted:
    """Store `msg` and give it a case number, or return what a previous delivery of it got.

    `join_case`, when given, is an open case this message continues (a thread, a call's
    transcription): no new number. The caller records why it joined on the case's timeline.
    """
    stored = store(session, msg, deployment)
    if stored.duplicate:
        earlier = earlier_delivery(session, stored.inbound_id)
        if earlier is None:  # only SMS commands make no case, and they do not come through here
            raise LookupError(f"inbound message {stored.inbound_id} has no case")
        return earlier
    if join_case is not None:
        attach(session, stored.inbound_id, join_case)
        return Accepted(stored.inbound_id, join_case.id, join_case.number, stored.language, duplicate=False)
    return open_case(session, stored, msg, deployment)


@dataclass(frozen=True)
class Stored:
    inbound_id: int
    sender: str  # E.164 when it parses
    sender_type: str
    language: str
    duplicate: bool


# The statements every new message runs, fixed once (see `table_text`): the webhook's hot path.
_INSERT_INBOUND = table_text(
    "INSERT INTO inbound_messages"
    " (channel, provider_id, sender, sender_type, recipient, body, language, payload, received_at)"
    " VALUES (:channel, :provider_id, :sender, :sender_type, :recipient, :body, :language, :payload, :received_at)"
    " ON CONFLICT (channel, provider_id) DO NOTHING RETURNING id",
    InboundMessage.__table__,
)
_INSERT_CASE = table_text(
    "INSERT INTO cases (number, status, channel, citizen_number, citizen_number_type, language, created_at,"
    " emergency, extension_count, returned_seconds)"
    " VALUES (:number, :status, :channel, :citizen_number, :citizen_number_type, :language, :created_at,"
    " false, 0, 0) RETURNING id",
    Case.__table__,
)
_LINK_INBOUND = table_text(
    "UPDATE inbound_messages SET case_id = :case_id WHERE id = :inbound_id", InboundMessage.__table__
)
_RECEIVED_EVENT = table_text(
    "INSERT INTO case_events (case_id, type, at, actor, details)"
    " VALUES (:case_id, 'received', :created_at, 'citizen', :details)",
    Case.__table__,
    CaseEvent.__table__,
)
_OPEN_CASE_PG = table_text(
    "WITH n AS (SELECT nextval(:sequence) AS v),"
    " c AS (INSERT INTO cases (number, status, channel, citizen_number, citizen_number_type, language,"
    " created_at, emergency, extension_count, returned_seconds)"
    f" SELECT {SQL_CASE_NUMBER}, :status, :channel, :citizen_number, :citizen_number_type, :language,"
    " :created_at, false, 0, 0 FROM n RETURNING id, number),"
    " l AS (UPDATE inbound_messages SET case_id = (SELECT id FROM c) WHERE id = :inbound_id),"
    " e AS (INSERT INTO case_events (case_id, type, at, actor, details)"
    " SELECT id, 'received', :created_at, 'citizen', :details FROM c)"
    " SELECT id, number FROM c",
    Case.__table__,
    CaseEvent.__table__,
)


def store(session: Session, msg: IncomingMessage, deployment: Deployment) -> Stored:
    """Insert the raw message, or find the row of an earlier delivery of it (duplicate=True).

    The statements are few on purpose: this runs inside the webhook, before Twilio's 15 s are up.
    """
    msg = _storable(msg)
    phone = phones.normalise(msg.sender, deployment.region)
    lang = language.detect(msg.body)
    # INSERT .. ON CONFLICT DO NOTHING: a repeated delivery (a Twilio retry, ten at once) finds the
    # unique (channel, provider_id) taken, waits for the first one to commit, and inserts nothing.
    inbound_id = session.execute(
        _INSERT_INBOUND,
        {
            "channel": msg.channel,
            "provider_id": msg.provider_id,
            "sender": phone.number,
            "sender_type": phone.type,
            "recipient": msg.recipient,
            "body": msg.body,
            "language": lang,
            "payload": msg.payload,
            "received_at": msg.received_at,
        },
    ).scalar_one_or_none()
    if inbound_id is not None:
        return Stored(inbound_id, phone.number, phone.type, lang, duplicate=False)
    existing = _existing(session, msg.channel, msg.provider_id)
    return Stored(existing.id, existing.sender, existing.sender_type, existing.language, duplicate=True)


def _without_nul(value):
    """NUL can be sent in a form or JSON but no PostgreSQL text column can hold it; nothing a
    citizen means is lost by dropping it."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    return value


def _storable(msg: IncomingMessage) -> IncomingMessage:
    return replace(
        msg,
        provider_id=_without_nul(msg.provider_id),
        sender=_without_nul(msg.sender),
        body=_without_nul(msg.body),
        # The number the citizen wrote to is a detail (the raw payload keeps it whole): never a reason
        # to refuse a message whose provider sent an odd one.
        recipient=_without_nul(msg.recipient)[:40] if msg.recipient else msg.recipient,
        payload=_without_nul(msg.payload),
    )


def open_case(session: Session, stored: Stored, msg: IncomingMessage, deployment: Deployment) -> Accepted:
    """A new case for a stored message, numbered in the bureau's day sequence; classified later."""
    day = local_day(msg.received_at, deployment.timezone)
    params = {
        "status": CaseStatus.NEW,
        "channel": msg.channel,
        "citizen_number": stored.sender,
        "citizen_number_type": stored.sender_type,
        "language": stored.language,
        "created_at": msg.received_at,
        "inbound_id": stored.inbound_id,
        "details": {"channel": msg.channel, "inbound_id": stored.inbound_id},
    }
    if session.get_bind().dialect.name == "postgresql":
        # One round trip instead of four: the number, the case, its link from the message, its first event.
        sequence = postgres_sequence(session, deployment.case_prefix, day)
        stem = case_number_stem(deployment.case_prefix, day)
        case_id, number = session.execute(_OPEN_CASE_PG, {**params, "sequence": sequence, "number_stem": stem}).one()
    else:
        number = next_case_number(session, deployment.case_prefix, day)
        params["number"] = number
        case_id = session.execute(_INSERT_CASE, params).scalar_one()
        session.execute(_LINK_INBOUND, {**params, "case_id": case_id})
        session.execute(_RECEIVED_EVENT, {**params, "case_id": case_id})
    return Accepted(stored.inbound_id, case_id, number, stored.language, duplicate=False)


def attach(session: Session, inbound_id: int, case: Case, processed_at: datetime | None = None) -> None:
    """Link a stored message to its case; `processed_at` set when no intake job is needed for it."""
    values: dict = {"case_id": case.id}
    if processed_at is not None:
        values["processed_at"] = processed_at
    session.execute(update(InboundMessage).where(InboundMessage.id == inbound_id).values(**values))


def mark_handled(session: Session, inbound_id: int, now: datetime, case_id: int | None = None) -> None:
    """A message answered on the spot (a command such as STATUS or STOP): no case, no intake job."""
    session.execute(
        update(InboundMessage).where(InboundMessage.id == inbound_id).values(processed_at=now, case_id=case_id)
    )


def _existing(session: Session, channel: str, provider_id: str) -> InboundMessage | None:
    return session.scalars(
        select(InboundMessage).where(InboundMessage.channel == channel, InboundMessage.provider_id == provider_id)
    ).one_or_none()


def earlier_delivery(session: Session, inbound_id: int) -> Accepted | None:
    """What an earlier delivery of a message got; None when it was a command that made no case."""
    inbound = session.get(InboundMessage, inbound_id)
    case = session.get(Case, inbound.case_id) if inbound.case_id is not None else None
    if case is None:
        return None
    return Accepted(inbound.id, case.id, case.number, inbound.language, duplicate=True)


def process(
    session: Session,
    inbound_id: int,
    *,
    classifier,
    policy,
    now: datetime,
    alerts=None,
    notices: Callable[[Session, Case, str, datetime], object] | None = None,
) -> Case | None:
    """Classify and route the case of inbound message `inbound_id`; a no-op if already done.

    `classifier` has `.classify(text, channel, sender) -> Decision`; `policy` has `.apply(case, start)`;
    `alerts` (gateway.alerts.EmergencyAlerts) tells the 110 command centre and the citizen about a live emergency; `notices`
    answers a common inquiry at once (a service notice).
    Returns the case, or None when there was nothing to do.
    """
    # Routing is redone from the durable inbound row if this commit is lost (the reconciler finds
    # processed_at unset), so it need not wait for the disk.
    redoable(session)
    # One statement reads and locks both rows: a second run of this job (a retry, the reconciler)
    # waits here and then sees processed_at set.
    row = session.execute(
        select(InboundMessage, Case)
        .join(Case, Case.id == InboundMessage.case_id)
        .where(InboundMessage.id == inbound_id)
        .with_for_update()
    ).one_or_none()
    if row is None:
        raise LookupError(f"inbound message {inbound_id} does not exist or has no case")
    inbound, case = row
    if inbound.processed_at is not None:
        return None
    _route_inbound(session, inbound, case, classifier, policy, now, alerts, notices)
    return case


def process_fresh(
    session: Session,
    *,
    since: datetime,
    limit: int,
    classifier,
    policy,
    now: datetime,
    alerts=None,
    notices: Callable[[Session, Case, str, datetime], object] | None = None,
    more_waiting: Callable[[], object] | None = None,
) -> list[Case]:
    """Route up to `limit` unprocessed messages received after `since`, oldest first, in this transaction.

    The intake workers' fast path: one query, one flush and one commit for a batch instead of one
    of each per message. Rows another worker holds are skipped (SKIP LOCKED), so workers share a
    backlog without waiting on each other. Rows older than `since` are the reconciler's, one job each:
    a message that keeps failing is retried on its own there instead of failing every batch here.
    `more_waiting` is called as soon as a full batch is locked, before routing it, so that another
    worker can start on the next batch in parallel.
    """
    redoable(session)
    rows = session.execute(
        select(InboundMessage, Case)
        .join(Case, Case.id == InboundMessage.case_id)
        .where(InboundMessage.processed_at.is_(None), InboundMessage.received_at >= since)
        .order_by(InboundMessage.received_at)
        .limit(limit)
        # Lock (and skip) by the message only: a case row held for a moment by a webhook (the
        # citizen's next message joining it) must delay this batch, not drop the message from it,
        # since that webhook asks for no drain of its own.
        .with_for_update(skip_locked=True, of=InboundMessage)
    ).all()
    if more_waiting is not None and len(rows) == limit:
        more_waiting()
    for inbound, case in rows:
        _route_inbound(session, inbound, case, classifier, policy, now, alerts, notices)
    return [case for _inbound, case in rows]


def _route_inbound(session, inbound, case, classifier, policy, now, alerts, notices) -> None:
    if case.status == CaseStatus.NEW:
        decision = classifier.classify(inbound.body, channel=inbound.channel, sender=inbound.sender)
        route(session, case, decision, now)
        # Deadlines run for cases in review too: a case waiting for a human still owes the
        # citizen a response on time (the tracker covers it like any other).
        policy.apply(case, start=now)
        if case.emergency and alerts is not None:
            alerts.raise_alert(session, case, inbound.body, now)
        elif notices is not None:
            # A common inquiry (documents for a passport, office hours) is answered at once from
            # config/notices.toml; the case stays open until the unit confirms or adds to it.
            notices(session, case, inbound.body, now)
    inbound.processed_at = now


def route(session: Session, case: Case, decision, now: datetime) -> None:
    """Write a classifier decision onto the case: routed to its unit, or held for review."""
    case.department = decision.department
    case.jurisdiction = decision.jurisdiction
    case.unit = decision.unit
    case.emergency = decision.emergency
    case.kind = decision.kind
    case.confidence = decision.confidence
    case.reasons = list(decision.reasons)
    case.place = decision.place
    case.model_version = decision.model_version
    case.route_source = "classifier"
    case.routed_at = now
    case.status = CaseStatus.REVIEW if decision.needs_review else CaseStatus.ROUTED
    record(
        session,
        case,
        "classified",
        now,
        "classifier",
        department=decision.department,
        jurisdiction=decision.jurisdiction,
        unit=decision.unit,
        emergency=decision.emergency,
        kind=decision.kind,
        confidence=round(decision.confidence, 3),
        model_version=decision.model_version,
        reasons=list(decision.reasons),
    )
    if decision.needs_review:
        record(session, case, "review_needed", now, "classifier", confidence=round(decision.confidence, 3))
    else:
        record(session, case, "routed", now, "classifier", unit=decision.unit)


def unprocessed(session: Session, now: datetime, grace: timedelta, limit: int = 1000) -> list[int]:
    """Inbound rows older than `grace` that have not been processed: jobs lost or still failing."""
    return list(
        session.scalars(
            select(InboundMessage.id)
            .where(InboundMessage.processed_at.is_(None), InboundMessage.received_at <= now - grace)
            .order_by(InboundMessage.received_at)
            .limit(limit)
        )
    )


def unprocessed_since(session: Session, since: datetime, limit: int) -> list[int]:
    """Unprocessed messages received after `since`, oldest first (the drain's batch, as ids)."""
    return list(
        session.scalars(
            select(InboundMessage.id)
            .where(InboundMessage.processed_at.is_(None), InboundMessage.received_at >= since)
            .order_by(InboundMessage.received_at)
            .limit(limit)
        )
    )
