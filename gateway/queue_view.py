"""A unit's queue: its open cases, most urgent deadline first, filtered and paged in SQL.

Everything is one query for the page and one for the count; filtering, ordering and paging happen
in the database, never by loading a unit's rows into Python. The first message of each case on the
page is fetched afterwards for just those ids. The deadline that matters depends on where the case
stands (sign for it, answer the citizen, close it), so the sort key is a CASE expression over the
three deadline columns.

Domain code: a session, plain values and `now`; no Flask.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Select, and_, case, exists, func, or_, select
from sqlalchemy.orm import Session

from gateway.models import Case, CaseStatus, InboundMessage

PER_PAGE = 50
MAX_PER_PAGE = 200
SOON = timedelta(hours=4)  # "near due": a dispatcher's shift can still act on it
SEARCH_MAX = 100
# Something that looks like a case number or its beginning ("XN-20260310-0042", "XN-202603").
_CASE_NUMBER = re.compile(r"^[A-Za-z]{1,8}-[0-9][0-9-]*$")

# Which deadline a case is working towards, by status.
STEP_OF_STATUS = {
    CaseStatus.ROUTED: "sign",
    CaseStatus.SIGNED: "reply",
    CaseStatus.REPLIED: "close",
    CaseStatus.RETURNED: "reply",  # the citizen's reply deadline stays in force at dispatch
    CaseStatus.REVIEW: "reply",
    CaseStatus.NEW: "reply",
}


# Cases waiting for a supervisor to place them: unplaced by the classifier, or returned (退单).
REVIEW_STATUSES = (CaseStatus.REVIEW, CaseStatus.RETURNED, CaseStatus.NEW)


def next_due_expr():
    return case(
        (Case.status == CaseStatus.ROUTED, Case.sign_due),
        (Case.status == CaseStatus.REPLIED, Case.close_due),
        (Case.status == CaseStatus.CLOSED, None),
        else_=Case.reply_due,
    )


def next_due_of(c: Case) -> datetime | None:
    """The same deadline as `next_due_expr`, for one loaded case (the case page)."""
    step = STEP_OF_STATUS.get(c.status)
    return getattr(c, f"{step}_due") if step else None


@dataclass(frozen=True)
class QueueFilter:
    unit: str | None = None  # None: every unit (supervisors); a dispatcher's is forced by the caller
    status: str | None = None  # one status; None: every status of `statuses`
    statuses: tuple[str, ...] = CaseStatus.OPEN
    kind: str | None = None
    overdue: bool = False
    emergency: bool = False
    review: bool = False  # the classifier could not place it (status review), or it came back (returned)
    since: datetime | None = None  # received at or after
    until: datetime | None = None  # received before
    search: str = ""
    page: int = 1
    per_page: int = PER_PAGE


@dataclass
class QueueRow:
    case: Case
    next_due: datetime | None
    step: str | None
    excerpt: str = ""

    def urgency(self, now: datetime) -> str:
        """overdue | soon | ok | none: what the row's colour says."""
        if self.next_due is None:
            return "none"
        if self.next_due <= now:
            return "overdue"
        if self.next_due - now <= SOON:
            return "soon"
        return "ok"


@dataclass
class QueuePage:
    rows: list[QueueRow]
    total: int
    page: int
    per_page: int
    filters: QueueFilter = field(default_factory=QueueFilter)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def filtered(f: QueueFilter, now: datetime) -> Select:
    """The WHERE clauses of the queue, on a `select(Case)`; no ordering or paging."""
    query = select(Case)
    if f.unit is not None:
        query = query.where(Case.unit == f.unit)
    if f.status in CaseStatus.OPEN or f.status == CaseStatus.CLOSED:
        query = query.where(Case.status == f.status)
    else:
        query = query.where(Case.status.in_(f.statuses))
    if f.review:
        query = query.where(Case.status.in_(REVIEW_STATUSES))
    if f.kind:
        query = query.where(Case.kind == f.kind)
    if f.emergency:
        query = query.where(Case.emergency.is_(True))
    if f.overdue:
        query = query.where(next_due_expr() <= now)
    if f.since is not None:
        query = query.where(Case.created_at >= f.since)
    if f.until is not None:
        query = query.where(Case.created_at < f.until)
    text = (f.search or "").strip()[:SEARCH_MAX]
    if text:
        if _CASE_NUMBER.match(text):
            # Case numbers are stored upper-case. A range, not LIKE: SQLite's case-insensitive LIKE
            # cannot use the unique index on number, a range can (on PostgreSQL too).
            prefix = text.upper()
            query = query.where(Case.number >= prefix, Case.number < prefix + "\uffff")
        else:
            pattern = f"%{_like_escape(text)}%"
            in_messages = exists().where(
                InboundMessage.case_id == Case.id, InboundMessage.body.like(pattern, escape="\\")
            )
            query = query.where(or_(in_messages, Case.place.like(pattern, escape="\\")))
    return query


def queue_page(session: Session, f: QueueFilter, now: datetime) -> QueuePage:
    per_page = max(1, min(f.per_page, MAX_PER_PAGE))
    total = session.scalar(filtered(f, now).with_only_columns(func.count(Case.id)).order_by(None)) or 0
    pages = max(1, -(-total // per_page))
    page = max(1, min(f.page, pages))
    due = next_due_expr()
    query = (
        filtered(f, now)
        .add_columns(due.label("next_due"))
        .order_by(due.asc().nulls_last(), Case.created_at, Case.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    rows = [QueueRow(c, next_due, STEP_OF_STATUS.get(c.status)) for c, next_due in session.execute(query)]
    _attach_excerpts(session, rows)
    return QueuePage(rows=rows, total=total, page=page, per_page=per_page, filters=f)


def _attach_excerpts(session: Session, rows: list[QueueRow], length: int = 80) -> None:
    """The first message of each case on the page: one query for the page's ids only."""
    ids = [row.case.id for row in rows]
    if not ids:
        return
    first_ids = (
        select(func.min(InboundMessage.id)).where(InboundMessage.case_id.in_(ids)).group_by(InboundMessage.case_id)
    )
    bodies = dict(
        session.execute(
            select(InboundMessage.case_id, func.substr(InboundMessage.body, 1, length)).where(
                InboundMessage.id.in_(first_ids)
            )
        ).all()
    )
    for row in rows:
        row.excerpt = bodies.get(row.case.id, "") or ""


@dataclass(frozen=True)
class Summary:
    open: int
    overdue: int
    soon: int
    emergencies: int
    review: int


def summary(session: Session, unit: str | None, now: datetime) -> Summary:
    """The counters above the queue, in one aggregate query over the unit's open cases."""
    due = next_due_expr()
    query = select(
        func.count(Case.id),
        func.sum(case((due <= now, 1), else_=0)),
        func.sum(case((and_(due > now, due <= now + SOON), 1), else_=0)),
        func.sum(case((Case.emergency.is_(True), 1), else_=0)),
        func.sum(case((Case.status.in_((CaseStatus.REVIEW, CaseStatus.RETURNED)), 1), else_=0)),
    ).where(Case.status.in_(CaseStatus.OPEN))
    if unit is not None:
        query = query.where(Case.unit == unit)
    total, overdue, soon, emergencies, review = session.execute(query).one()
    return Summary(total or 0, overdue or 0, soon or 0, emergencies or 0, review or 0)


def live_emergencies(session: Session, unit: str | None, limit: int = 5) -> list[Case]:
    """Open emergency cases, newest first: the command centre's banner."""
    query = (
        select(Case)
        .where(Case.status.in_(CaseStatus.OPEN), Case.emergency.is_(True))
        .order_by(Case.created_at.desc(), Case.id.desc())
        .limit(limit)
    )
    if unit is not None:
        query = query.where(Case.unit == unit)
    return list(session.scalars(query))
