"""Writing to a case's timeline: the one way every action becomes an audit event."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.models import Case, CaseEvent


def record(session: Session, case: Case, type: str, at: datetime, actor: str = "system", **details) -> CaseEvent:
    event = CaseEvent(case_id=case.id, type=type, at=at, actor=actor, details=details)
    session.add(event)
    return event


def events_of(session: Session, case: Case) -> list[CaseEvent]:
    return list(
        session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.at, CaseEvent.id))
    )
