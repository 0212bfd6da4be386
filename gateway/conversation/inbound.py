"""One inbound SMS, start to answer: a command, a message that continues a case, or a new case.

The webhook calls `receive_sms` inside one transaction and answers with its text; the order of the
checks is the conversation's contract:
1. a repeated delivery (same MessageSid) gets what the first one got, and changes nothing;
2. a command (STATUS, STOP, START, HELP, a satisfaction rating) is answered at once: no case;
3. a message from a number with an open case it wrote to lately joins that case (a thread), or,
   past the hourly limit of new cases, is merged for review (abuse: recorded, answered once);
4. anything else is a new case, acknowledged with its number; the intake job classifies it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from gateway import intake
from gateway.conversation import abuse
from gateway.conversation.abuse import webhook_answer
from gateway.conversation.handler import handle_command
from gateway.conversation.threads import ABUSE, join_thread, thread_decision
from gateway.models import Case
from gateway.templates_text import render
from gateway.units import Units

# A follow-up message is "clearly a different matter" when the classifier puts it in another
# department with at least this confidence.
DIFFERENT_MATTER_CONFIDENCE = 0.8


@dataclass(frozen=True)
class SmsOutcome:
    reply: str | None  # the TwiML message; None answers an empty <Response/>
    inbound_id: int
    case_number: str | None
    needs_intake: bool  # request intake (jobs.request_intake) after the commit


@dataclass(frozen=True)
class SmsContext:
    deployment: intake.Deployment
    units: Units
    config_dir: str
    ack_reply_days: int
    abuse_limit: int = abuse.DEFAULT_LIMIT
    classify: Callable[[str], object] | None = None  # text -> Decision, to tell a different matter


def receive_sms(
    session: Session, msg: intake.IncomingMessage, ctx: SmsContext, now: datetime, opt_out_type: str | None = None
) -> SmsOutcome:
    stored = intake.store(session, msg, ctx.deployment)
    if stored.duplicate:
        earlier = intake.earlier_delivery(session, stored.inbound_id)
        if earlier is None:  # a command, answered the first time; answering again would repeat it
            return SmsOutcome(None, stored.inbound_id, None, needs_intake=False)
        # needs_intake: if the first delivery found Redis down, this is a second chance to enqueue.
        return SmsOutcome(
            _ack(ctx, earlier.case_number, earlier.language), stored.inbound_id, earlier.case_number, True
        )

    reply = handle_command(
        session, msg.body, stored.sender, now, opt_out_type=opt_out_type, units=ctx.units, config_dir=ctx.config_dir
    )
    if reply is not None:
        intake.mark_handled(session, stored.inbound_id, now, reply.case_id)
        return SmsOutcome(reply.text, stored.inbound_id, None, needs_intake=False)

    thread = thread_decision(
        session, stored.sender, msg.body, now, different_matter=_different_matter(ctx), abuse_limit=ctx.abuse_limit
    )
    if thread.case is not None:
        text = _ack(ctx, thread.case.number, stored.language, key="ack_joined")
        if thread.reason == ABUSE:
            # Asked before the merge is recorded: the first merged message gets the notice, later ones silence.
            answer = webhook_answer(session, stored.sender, now, stored.language, ctx.abuse_limit, ctx.config_dir)
            text = answer.text if answer is not None else None
        intake.attach(session, stored.inbound_id, thread.case, processed_at=now)
        join_thread(
            session,
            thread.case,
            text=msg.body,
            now=now,
            reason=thread.reason,
            inbound_id=stored.inbound_id,
            units=ctx.units,
            config_dir=ctx.config_dir,
        )
        return SmsOutcome(text, stored.inbound_id, thread.case.number, needs_intake=False)

    accepted = intake.open_case(session, stored, msg, ctx.deployment)
    return SmsOutcome(_ack(ctx, accepted.case_number, stored.language), stored.inbound_id, accepted.case_number, True)


def _ack(ctx: SmsContext, number: str, language: str, key: str = "ack") -> str:
    return render(ctx.config_dir, "intake", key, language, number=number, days=ctx.ack_reply_days)


def _different_matter(ctx: SmsContext) -> Callable[[Case, str], bool] | None:
    if ctx.classify is None:
        return None

    def different(case: Case, text: str) -> bool:
        decision = ctx.classify(text)
        return (
            not decision.needs_review
            and case.department is not None
            and decision.department != case.department
            and decision.confidence >= DIFFERENT_MATTER_CONFIDENCE
        )

    return different
