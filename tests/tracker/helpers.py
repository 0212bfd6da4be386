"""Building cases as intake leaves them (routed, deadlines applied), and reading what the tracker did."""

from __future__ import annotations

import dataclasses
import itertools
import zlib
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.config import DEFAULT_CONFIG_DIR
from gateway.deadlines import Policy
from gateway.models import Case, CaseEvent, CaseStatus, OutboundMessage
from gateway.units import Units, load_units

SH = ZoneInfo("Asia/Shanghai")
MOBILE = "+8613807151234"
LANDLINE = "+867155551234"
_numbers = itertools.count(1)


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SH).astimezone(UTC)


def duty_number(code: str) -> str:
    # A distinct, valid Chinese mobile number per unit (the last digits from the code's hash).
    return f"+86139{zlib.crc32(code.encode()) % 10**8:08d}"


def units_with_duty_numbers() -> Units:
    units = load_units(DEFAULT_CONFIG_DIR)
    with_numbers = {code: dataclasses.replace(u, duty_number=duty_number(code)) for code, u in units.units.items()}
    return dataclasses.replace(units, units=with_numbers)


def new_case(
    session: Session,
    policy: Policy,
    at: datetime,
    *,
    kind: str = "complaint",
    department: str = "traffic",
    jurisdiction: str = "chibi",
    emergency: bool = False,
    language: str = "zh",
    citizen: str = MOBILE,
    status: str = CaseStatus.ROUTED,
    unit: str | None = "",
) -> Case:
    """A case as intake leaves it: routed at `at`, deadlines applied."""
    if unit == "":
        unit = "city.inspection" if department == "inspection" else f"{jurisdiction}.{department}"
    case = Case(
        number=f"XN-T-{next(_numbers):06d}",
        status=status,
        channel="sms",
        citizen_number=citizen,
        citizen_number_type="fixed_line" if citizen == LANDLINE else "mobile",
        language=language,
        created_at=at,
        department=department,
        jurisdiction=jurisdiction,
        unit=unit,
        emergency=emergency,
        kind=kind,
        routed_at=at,
        extension_count=0,
        returned_seconds=0,
    )
    session.add(case)
    session.flush()
    policy.apply(case, start=at)
    session.flush()
    return case


def events(session: Session, case: Case, type: str | None = None) -> list[CaseEvent]:
    query = select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.at, CaseEvent.id)
    if type is not None:
        query = query.where(CaseEvent.type == type)
    return list(session.scalars(query))


def outbound(session: Session, case: Case | None = None, purpose: str | None = None) -> list[OutboundMessage]:
    query = select(OutboundMessage).order_by(OutboundMessage.id)
    if case is not None:
        query = query.where(OutboundMessage.case_id == case.id)
    if purpose is not None:
        query = query.where(OutboundMessage.purpose == purpose)
    return list(session.scalars(query))
