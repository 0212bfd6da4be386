"""On-time rate per unit: closed on time / (closed + open and overdue).

Open overdue cases are in the denominator so that a unit cannot look good by not closing late
cases; open cases still within their deadlines are not counted yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from gateway.models import Case, CaseStatus


@dataclass(frozen=True)
class OnTime:
    unit: str
    closed: int
    closed_on_time: int
    open_overdue: int

    @property
    def rate(self) -> float | None:
        counted = self.closed + self.open_overdue
        return self.closed_on_time / counted if counted else None


def on_time_rates(session: Session, now: datetime, since: datetime | None = None) -> dict[str, OnTime]:
    """Per unit, over cases routed since `since` (all when None)."""
    closed = Case.status == CaseStatus.CLOSED
    on_time = and_(closed, Case.closed_at <= Case.close_due)
    overdue = and_(
        Case.status != CaseStatus.CLOSED,
        or_(Case.close_due <= now, and_(Case.first_reply_at.is_(None), Case.reply_due <= now)),
    )
    query = (
        select(
            Case.unit,
            func.sum(case((closed, 1), else_=0)),
            func.sum(case((on_time, 1), else_=0)),
            func.sum(case((overdue, 1), else_=0)),
        )
        .where(Case.unit.is_not(None), Case.close_due.is_not(None))
        .group_by(Case.unit)
    )
    if since is not None:
        query = query.where(Case.routed_at >= since)
    return {
        unit: OnTime(unit, int(n_closed or 0), int(n_on_time or 0), int(n_overdue or 0))
        for unit, n_closed, n_on_time, n_overdue in session.execute(query)
    }
