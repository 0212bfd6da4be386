"""The unit's actions that speak to the citizen: reply and close. Called by the actions API / console."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from gateway import followup, outbox, timeline
from gateway.config import DEFAULT_CONFIG_DIR
from gateway.conversation import texts
from gateway.models import Case, CaseStatus, OutboundMessage
from gateway.tracker.actions import mark_replied


class ActionError(ValueError):
    """The action does not apply to the case as it is (e.g. replying to a closed case)."""


def _language(case: Case) -> str:
    return case.language if case.language in ("zh", "en") else "zh"


def send_reply(
    session: Session,
    case: Case,
    body: str,
    actor: str,
    now: datetime,
    *,
    config_dir: str | Path = DEFAULT_CONFIG_DIR,
    policy=None,
) -> OutboundMessage | None:
    """The unit's answer to the citizen, through the outbox (also to an opted-out citizen: it is the
    reply they are waiting on). The first one moves the case to `replied` through the tracker."""
    body = (body or "").strip()
    if not body:
        raise ActionError("reply body is empty")
    if case.status == CaseStatus.CLOSED:
        raise ActionError("case is closed")
    language = _language(case)
    text = texts.render("reply", language, config_dir, number=case.number, body=body)
    message = outbox.queue_sms(
        session, to=case.citizen_number, body=text, purpose=outbox.REPLY, language=language, now=now, case=case
    )
    if case.first_reply_at is None and case.status in (CaseStatus.ROUTED, CaseStatus.SIGNED):
        # The first reply is the tracker's bookkeeping (on time or not, the next deadline): one
        # "replied" event, written there.
        mark_replied(session, case, actor, now, policy=policy)
    elif case.first_reply_at is None:
        case.first_reply_at = now  # a supervisor answering a case still in review: the promise is kept
    timeline.record(session, case, "reply_sent", now, actor, body=body, message_id=message.id if message else None)
    return message


def close_case(
    session: Session,
    case: Case,
    summary: str,
    actor: str,
    now: datetime,
    *,
    config_dir: str | Path = DEFAULT_CONFIG_DIR,
) -> None:
    """Close with a resolution summary; the citizen gets it and the satisfaction question (回访)."""
    summary = (summary or "").strip()
    if not summary:
        raise ActionError("a resolution summary is required to close a case")
    if case.status == CaseStatus.CLOSED:
        raise ActionError("case is already closed")
    case.status = CaseStatus.CLOSED
    case.closed_at = now
    case.resolution = summary
    case.next_action_at = None
    timeline.record(session, case, "closed", now, actor, summary=summary)
    followup.on_case_closed(session, case, now, config_dir=config_dir)
