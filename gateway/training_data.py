"""Labelled examples from the database: the routes dispatchers confirmed or corrected.

A unit signing for a case (签收) confirms its route; a supervisor's re-route corrects it. Both are
labels the classifier learns from, in the same shape as the labelled JSON Lines files.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from gateway.models import Case, InboundMessage


def examples_from_database(session: Session, limit: int = 100_000) -> list[dict]:
    rows = session.execute(
        select(Case, InboundMessage)
        .join(InboundMessage, InboundMessage.case_id == Case.id)
        .where(Case.department.is_not(None), or_(Case.signed_at.is_not(None), Case.route_source == "dispatcher"))
        .order_by(Case.id, InboundMessage.id)
        .limit(limit)
    ).all()
    examples: dict[int, dict] = {}
    for case, inbound in rows:
        # The first message of a case is what was classified; later ones joined the thread.
        examples.setdefault(
            case.id,
            {
                "id": case.number,
                "channel": "hotline" if inbound.channel in ("voice", "transcript") else "sms",
                "from": inbound.sender,
                "text": inbound.body,
                "department": case.department,
                "jurisdiction": case.jurisdiction,
                "emergency": case.emergency,
                "kind": case.kind,
            },
        )
    return list(examples.values())
