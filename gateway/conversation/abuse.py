"""Too many new cases from one number in an hour: still recorded, merged for review, answered once.

Never a 429 to Twilio (it records that as a failed webhook); the citizen gets one polite notice
and then empty answers until the hour has passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gateway.config import DEFAULT_CONFIG_DIR
from gateway.conversation import texts
from gateway.models import Case, CaseEvent

DEFAULT_LIMIT = 5  # new cases per number per hour
WINDOW = timedelta(hours=1)
MERGED = "merged_for_review"  # timeline event of a message merged because of the limit


def cases_in_window(session: Session, sender: str, now: datetime) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(Case).where(Case.citizen_number == sender, Case.created_at > now - WINDOW)
        )
        or 0
    )


def over_limit(session: Session, sender: str, now: datetime, limit: int = DEFAULT_LIMIT) -> bool:
    return cases_in_window(session, sender, now) >= limit


def merge_target(session: Session, sender: str) -> Case | None:
    """The sender's latest case: the one their surplus messages are merged into."""
    return session.scalars(
        select(Case).where(Case.citizen_number == sender).order_by(Case.created_at.desc(), Case.id.desc()).limit(1)
    ).first()


@dataclass(frozen=True)
class AbuseAnswer:
    text: str | None  # None: answer with an empty <Response/>


def webhook_answer(
    session: Session,
    sender: str,
    now: datetime,
    language: str,
    limit: int = DEFAULT_LIMIT,
    config_dir: str | Path = DEFAULT_CONFIG_DIR,
) -> AbuseAnswer | None:
    """What the webhook answers a message from `sender`: None when under the limit (the usual ack)."""
    if not over_limit(session, sender, now, limit):
        return None
    merged_recently = session.scalar(
        select(func.count())
        .select_from(CaseEvent)
        .join(Case, Case.id == CaseEvent.case_id)
        .where(Case.citizen_number == sender, CaseEvent.type == MERGED, CaseEvent.at > now - WINDOW)
    )
    if merged_recently:
        return AbuseAnswer(None)
    return AbuseAnswer(texts.render("abuse_notice", language, config_dir))
