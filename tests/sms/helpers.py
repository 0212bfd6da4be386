"""Values and builders shared by the SMS tests."""

from __future__ import annotations

from datetime import UTC, datetime

from gateway.models import Case, CaseStatus

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "test-auth-token"
MOBILE = "+8613807151234"
OTHER_MOBILE = "+8613907152345"
LANDLINE = "+867155551234"


def make_case(
    session,
    *,
    number: str = "XN-20261127-0001",
    citizen: str = MOBILE,
    status: str = CaseStatus.ROUTED,
    unit: str | None = "chibi.traffic",
    department: str | None = "traffic",
    language: str = "zh",
    created_at: datetime = NOW,
    **extra,
) -> Case:
    case = Case(
        number=number,
        status=status,
        channel="sms",
        citizen_number=citizen,
        citizen_number_type="mobile",
        language=language,
        created_at=created_at,
        unit=unit,
        department=department,
        jurisdiction=unit.split(".")[0] if unit else None,
        **extra,
    )
    session.add(case)
    session.flush()
    return case
