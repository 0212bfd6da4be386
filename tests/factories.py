"""Rows built directly with the models, at explicit times: for tests that seed a known history
(ledgers, reports) rather than drive messages through intake."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from gateway.models import Case, CaseEvent, CaseStatus

SHANGHAI = ZoneInfo("Asia/Shanghai")
_numbers = itertools.count(1)


def shanghai(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A local (bureau) time, as the UTC the models store."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


def add_case(session, unit: str | None, created: datetime, **fields) -> Case:
    """A case of `unit` ("chibi.traffic", or None: not routed) created at `created`; `fields` override."""
    jurisdiction, department = unit.split(".") if unit else (None, None)
    case = Case(
        number=f"XN-F-{next(_numbers):06d}",
        status=fields.pop("status", CaseStatus.ROUTED),
        channel="sms",
        citizen_number="+8613807151234",
        citizen_number_type="mobile",
        language="zh",
        created_at=created,
        unit=unit,
        department=department,
        jurisdiction=jurisdiction,
        routed_at=created if unit else None,
        **fields,
    )
    session.add(case)
    session.flush()
    return case


def add_event(session, case: Case, type_: str, at: datetime, **details) -> None:
    session.add(CaseEvent(case_id=case.id, type=type_, at=at, actor="test", details=details))
