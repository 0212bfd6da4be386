"""The hotline: a call becomes a case through intake.accept, once per CallSid.

What the caller said arrives in one of three ways: recognised speech (Gather), a recording
(Record, kept on the case for a dispatcher to hear), or later a transcription of that recording.
The first two create the case (or find it, on a retried callback); a transcription joins it.
No Flask here: the web layer hands over plain values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway import intake, outbox, phones
from gateway.models import Case, InboundMessage
from gateway.templates_text import render
from gateway.timeline import events_of, record

CHANNEL = "voice"
TRANSCRIPTION_SUFFIX = "-transcription"


@dataclass(frozen=True)
class Recording:
    sid: str
    url: str
    duration: int  # seconds


@dataclass(frozen=True)
class CallResult:
    accepted: intake.Accepted
    caller_type: str  # mobile | fixed_line | unknown (phones.*)
    outbox_ids: list[int] = field(default_factory=list)  # SMS to enqueue after the commit

    @property
    def texted(self) -> bool:
        return self.caller_type == phones.MOBILE


def spoken_number(number: str) -> str:
    """XN-20261127-0042 -> "X N, 2 0 2 6 1 1 2 7, 0 0 4 2": read one character at a time, in groups."""
    return ", ".join(" ".join(part) for part in number.split("-"))


def take_call(
    session: Session,
    *,
    call_sid: str,
    caller: str,
    called: str | None,
    text: str,
    language: str,
    payload: dict,
    deployment: intake.Deployment,
    config_dir: str | Path,
    reply_days: int,
    now: datetime,
    recording: Recording | None = None,
) -> CallResult:
    """Create the call's case (or find it: Twilio retries callbacks) and text a mobile caller the number.

    A fixed-line caller gets no SMS: the outbox records a suppressed message and a call-back task.
    A caller whose number is withheld or invalid gets neither; they heard the number on the call.
    """
    msg = intake.IncomingMessage(
        channel=CHANNEL,
        provider_id=call_sid,
        sender=caller,
        recipient=called,
        body=text,
        received_at=now,
        payload=payload,
    )
    accepted = intake.accept(session, msg, deployment)
    case = session.get(Case, accepted.case_id)
    if recording is not None:
        keep_recording(session, case, recording, now, accepted.inbound_id)
    phone = phones.normalise(caller, deployment.region)
    if phone.valid and not accepted.duplicate:
        # The language the caller chose on the call, not the one guessed from a recording's placeholder.
        body = render(config_dir, "voice", "sms_ack", language, number=accepted.case_number, days=reply_days)
        outbox.queue_sms(
            session,
            to=phone.number,
            body=body,
            purpose="ack",
            language=language,
            now=now,
            case=case,
            dedupe_key=f"voice-ack:{case.id}",
        )
    return CallResult(accepted, phone.type if phone.valid else phones.UNKNOWN, outbox.take_queued_ids(session))


def keep_recording(session: Session, case: Case, recording: Recording, now: datetime, inbound_id: int) -> bool:
    """Put the recording on the case's timeline once (the action and status callbacks both carry it)."""
    for event in events_of(session, case):
        if event.type == "voice_recording" and (event.details or {}).get("recording_sid") == recording.sid:
            return False
    record(
        session,
        case,
        "voice_recording",
        now,
        "citizen",
        recording_sid=recording.sid,
        url=recording.url,
        duration=recording.duration,
        inbound_id=inbound_id,
    )
    return True


def call_case(session: Session, call_sid: str) -> tuple[InboundMessage, Case] | None:
    inbound = session.scalars(
        select(InboundMessage).where(InboundMessage.channel == CHANNEL, InboundMessage.provider_id == call_sid)
    ).one_or_none()
    if inbound is None or inbound.case_id is None:
        return None
    return inbound, session.get(Case, inbound.case_id)


def add_transcription(
    session: Session,
    *,
    call_sid: str,
    text: str,
    payload: dict,
    deployment: intake.Deployment,
    now: datetime,
) -> intake.Accepted | None:
    """Join a recording's transcription to the call's case; None when the call has no case yet.

    It is a message of its own (provider id CallSid + suffix), so a retried callback adds nothing
    and the recording's placeholder text stays as it was received. If the intake job has not run
    yet, the classifier reads this text (intake.process classifies a case still NEW).
    """
    found = call_case(session, call_sid)
    if found is None:
        return None
    inbound, case = found
    msg = intake.IncomingMessage(
        channel=CHANNEL,
        provider_id=call_sid + TRANSCRIPTION_SUFFIX,
        sender=inbound.sender,
        recipient=inbound.recipient,
        body=text,
        received_at=now,
        payload=payload,
    )
    accepted = intake.accept(session, msg, deployment, join_case=case)
    if not accepted.duplicate:
        record(session, case, "transcription_received", now, "twilio", inbound_id=accepted.inbound_id)
    return accepted
