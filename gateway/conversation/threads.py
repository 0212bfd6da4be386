"""Threads: a further message from a citizen joins their open case instead of opening a new one.

Rules (issue 5): a message from a number with an open case it wrote to within 72 hours joins that
case, unless it starts with 新投诉 / NEW, or the classifier says it is clearly a different matter.
A number over the hourly limit of new cases has its messages merged for review instead (abuse).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gateway import outbox, timeline
from gateway.config import DEFAULT_CONFIG_DIR
from gateway.conversation import abuse, texts
from gateway.conversation.commands import normalise
from gateway.db import table_text
from gateway.models import Case, CaseEvent, CaseStatus
from gateway.units import Units, cached_units

THREAD_WINDOW = timedelta(hours=72)
JOIN = "thread"
ABUSE = abuse.MERGED
CITIZEN_MESSAGE = "citizen_message"  # timeline event of a message that joined a case

_NEW_MATTER = re.compile(r"^(?:新投诉|NEW(?![A-Z]))")
EXCERPT = 60


_CASES = Case.__table__
_RECENT = table_text(
    "SELECT id, created_at, status FROM cases WHERE citizen_number = :citizen_number"
    " ORDER BY created_at DESC, id DESC LIMIT :limit",
    _CASES,
).columns(_CASES.c.id, _CASES.c.created_at, _CASES.c.status)


@dataclass(frozen=True)
class ThreadDecision:
    case: Case | None  # the case the message joins; None: a new case
    reason: str | None  # JOIN | ABUSE | None


def starts_new_matter(text: str) -> bool:
    return bool(_NEW_MATTER.match(normalise(text)))


def thread_decision(
    session: Session,
    sender: str,
    text: str,
    now: datetime,
    *,
    different_matter: Callable[[Case, str], bool] | None = None,
    abuse_limit: int = abuse.DEFAULT_LIMIT,
) -> ThreadDecision:
    # One query serves both checks, and answers at once for the usual sender, who has no cases
    # (a fixed statement: it runs in every webhook).
    fetch = max(abuse_limit, 5) + 5
    recent = session.execute(_RECENT, {"citizen_number": sender, "limit": fetch}).all()
    if not recent:
        return ThreadDecision(None, None)
    if sum(1 for row in recent if row.created_at > now - abuse.WINDOW) >= abuse_limit:
        return ThreadDecision(session.get(Case, recent[0].id), ABUSE)  # merged into the latest case
    if starts_new_matter(text):
        return ThreadDecision(None, None)
    candidates = [session.get(Case, row.id) for row in recent if row.status in CaseStatus.OPEN][:5]
    if not candidates and len(recent) == fetch:  # a long history: its open cases may be older
        candidates = session.scalars(
            select(Case)
            .where(Case.citizen_number == sender, Case.status.in_(CaseStatus.OPEN))
            .order_by(Case.created_at.desc())
            .limit(5)
        )
    for case in candidates:
        if last_contact(session, case) < now - THREAD_WINDOW:
            continue
        if different_matter is not None and different_matter(case, text):
            continue
        return ThreadDecision(case, JOIN)
    return ThreadDecision(None, None)


def last_contact(session: Session, case: Case) -> datetime:
    """When the citizen last wrote about this case: its creation or the latest joined message."""
    latest = session.scalar(
        select(func.max(CaseEvent.at)).where(CaseEvent.case_id == case.id, CaseEvent.type == CITIZEN_MESSAGE)
    )
    return max(case.created_at, latest) if latest is not None else case.created_at


def join_thread(
    session: Session,
    case: Case,
    *,
    text: str,
    now: datetime,
    reason: str = JOIN,
    inbound_id: int | None = None,
    units: Units | None = None,
    config_dir: str | Path = DEFAULT_CONFIG_DIR,
) -> None:
    """Record the message on the case's timeline and tell the unit (by SMS when it has a duty number)."""
    event = CITIZEN_MESSAGE if reason == JOIN else ABUSE
    timeline.record(session, case, event, now, "citizen", text=text, inbound_id=inbound_id)
    if reason != JOIN:
        return  # merged for review: the supervisor reads them in the console, no SMS per message
    units = units or cached_units(str(config_dir))
    unit = units.get(case.unit) if case.unit else None
    if unit is None or not unit.duty_number:
        return
    excerpt = text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"
    body = texts.render("unit_thread_message", "zh", config_dir, number=case.number, excerpt=excerpt)
    outbox.queue_sms(
        session,
        to=unit.duty_number,
        body=body,
        purpose="unit_notice",
        language="zh",
        now=now,
        case=case,
        dedupe_key=f"thread:{inbound_id}" if inbound_id is not None else None,
    )
