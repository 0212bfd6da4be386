"""A case as the API shows it: routing, deadlines, every message in and out, and the timeline."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.models import Case, InboundMessage, OutboundMessage
from gateway.timeline import events_of


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def case_to_dict(session: Session, case: Case) -> dict:
    inbound = session.scalars(select(InboundMessage).where(InboundMessage.case_id == case.id)).all()
    outbound = session.scalars(select(OutboundMessage).where(OutboundMessage.case_id == case.id)).all()
    messages = [
        {"direction": "in", "channel": m.channel, "body": m.body, "state": "received", "at": _iso(m.received_at)}
        for m in inbound
    ] + [
        {
            "direction": "out",
            "purpose": m.purpose,
            "body": m.body,
            "state": m.state,
            "at": _iso(m.sent_at or m.created_at),
        }
        for m in outbound
    ]
    messages.sort(key=lambda m: m["at"] or "")
    return {
        "number": case.number,
        "status": case.status,
        "channel": case.channel,
        "language": case.language,
        "created_at": _iso(case.created_at),
        "department": case.department,
        "jurisdiction": case.jurisdiction,
        "unit": case.unit,
        "emergency": case.emergency,
        "kind": case.kind,
        "confidence": case.confidence,
        "reasons": case.reasons or [],
        "place": case.place,
        "model_version": case.model_version,
        "deadlines": {
            "sign": _iso(case.sign_due),
            "reply": _iso(case.reply_due),
            "close": _iso(case.close_due),
        },
        "signed_at": _iso(case.signed_at),
        "first_reply_at": _iso(case.first_reply_at),
        "closed_at": _iso(case.closed_at),
        "resolution": case.resolution,
        "rating": case.rating,
        "messages": messages,
        "timeline": [
            {"type": e.type, "at": _iso(e.at), "actor": e.actor, **(e.details or {})} for e in events_of(session, case)
        ],
    }
