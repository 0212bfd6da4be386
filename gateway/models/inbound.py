"""Every message a citizen sent us, stored before we answer: the source of truth for intake."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gateway.models.base import Base, UTCDateTime


class InboundMessage(Base):
    __tablename__ = "inbound_messages"
    __table_args__ = (
        # The provider's id (MessageSid, CallSid, call_id...) makes every delivery idempotent.
        UniqueConstraint("channel", "provider_id"),
        # The reconciler's scan: rows not yet turned into a routed case.
        Index("ix_inbound_unprocessed", "processed_at", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))  # sms | voice | transcript | open311 | web
    provider_id: Mapped[str] = mapped_column(String(64))
    sender: Mapped[str] = mapped_column(String(40), index=True)  # E.164 when it parses, else as given
    sender_type: Mapped[str] = mapped_column(String(16))  # mobile | fixed_line | unknown
    recipient: Mapped[str | None] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    payload: Mapped[dict | None] = mapped_column(JSON)  # the raw parameters, for audit and reprocessing
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
