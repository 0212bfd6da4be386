"""A case: one citizen matter, its routing, deadlines and outcome."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gateway.models.base import Base, UTCDateTime


class CaseStatus:
    NEW = "new"  # accepted, not yet classified
    REVIEW = "review"  # the classifier could not place it: a supervisor routes it
    ROUTED = "routed"  # with a unit, waiting to be signed for
    SIGNED = "signed"  # the unit has signed for it (签收)
    REPLIED = "replied"  # the citizen has had the unit's first reply
    RETURNED = "returned"  # returned by a unit (退单), back at dispatch
    CLOSED = "closed"  # resolved (办结)

    OPEN = (NEW, REVIEW, ROUTED, SIGNED, REPLIED, RETURNED)


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_unit_status", "unit", "status"),
        Index("ix_cases_citizen_open", "citizen_number", "status"),
        # The satisfaction follow-up sweep: closed cases waiting for a rating.
        Index("ix_cases_status_closed_at", "status", "closed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=CaseStatus.NEW, index=True)
    channel: Mapped[str] = mapped_column(String(16))
    citizen_number: Mapped[str] = mapped_column(String(40))
    citizen_number_type: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    # Routing decision (from the classifier, or a dispatcher's correction).
    department: Mapped[str | None] = mapped_column(String(32))
    jurisdiction: Mapped[str | None] = mapped_column(String(32))
    unit: Mapped[str | None] = mapped_column(String(64))
    emergency: Mapped[bool] = mapped_column(Boolean, default=False)
    kind: Mapped[str | None] = mapped_column(String(16))
    confidence: Mapped[float | None] = mapped_column(Float)
    reasons: Mapped[list | None] = mapped_column(JSON)
    place: Mapped[str | None] = mapped_column(String(120))
    model_version: Mapped[str | None] = mapped_column(String(64))
    route_source: Mapped[str | None] = mapped_column(String(16))  # classifier | dispatcher
    routed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Progress.
    assigned_to: Mapped[str | None] = mapped_column(String(64))
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)  # ledger
    first_reply_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)  # ledger
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)  # ledger
    resolution: Mapped[str | None] = mapped_column(Text)

    # Deadlines (set at routing, moved by extensions and returns) and the tracker's cursor.
    sign_due: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reply_due: Mapped[datetime | None] = mapped_column(UTCDateTime)
    close_due: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The earliest moment the tracker has something to do for this case; NULL when nothing.
    # The sweep reads only rows with next_action_at <= now, so it scales with due work.
    next_action_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notice_flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    holding_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    extension_count: Mapped[int] = mapped_column(Integer, default=0)
    returned_seconds: Mapped[int] = mapped_column(Integer, default=0)  # time lost to returns (退单)

    # Satisfaction follow-up (回访).
    rating: Mapped[int | None] = mapped_column(Integer)
    rating_text: Mapped[str | None] = mapped_column(String(32))
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)  # ledger


class CaseCounter(Base):
    """The daily sequence behind case numbers (XN-20261127-0042): one row a prefix and day."""

    __tablename__ = "case_counters"

    prefix: Mapped[str] = mapped_column(String(8), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)
