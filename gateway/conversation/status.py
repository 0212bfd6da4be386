"""Answers to 查询 / STATUS: one case by number, or the sender's open cases.

Only cases filed from the asking number are shown: a case number alone is no proof of identity.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gateway.conversation import texts
from gateway.models import Case, CaseStatus
from gateway.units import Units

MAX_LISTED = 3  # more would not fit in two segments


def status_text(
    session: Session, sender: str, case_number: str | None, language: str, units: Units, config_dir: str | Path
) -> str:
    if case_number:
        case = session.scalars(select(Case).where(Case.number == case_number, Case.citizen_number == sender)).first()
        if case is None:
            return texts.render("status_not_found", language, config_dir, number=case_number)
        return _one(case, language, units, config_dir)
    open_filter = (Case.citizen_number == sender, Case.status.in_(CaseStatus.OPEN))
    count = session.scalar(select(func.count()).select_from(Case).where(*open_filter)) or 0
    if count == 0:
        return texts.render("status_none", language, config_dir)
    cases = list(session.scalars(select(Case).where(*open_filter).order_by(Case.created_at.desc()).limit(MAX_LISTED)))
    if count == 1:
        return _one(cases[0], language, units, config_dir)
    sep = "；" if language == "zh" else "; "
    if language == "zh":
        items = sep.join(f"{c.number}（{texts.status_name(c.status, language, config_dir)}）" for c in cases)
    else:
        items = sep.join(f"{c.number} ({texts.status_name(c.status, language, config_dir)})" for c in cases)
    return texts.render("status_many", language, config_dir, count=count, items=items)


def _one(case: Case, language: str, units: Units, config_dir: str | Path) -> str:
    unit = units.get(case.unit) if case.unit else None
    unassigned = "待分派" if language == "zh" else "to be assigned"
    unit_name = unit.name(language) if unit is not None else unassigned
    return texts.render(
        "status_one",
        language,
        config_dir,
        number=case.number,
        date=local_date(case.created_at, units, language),
        status=texts.status_name(case.status, language, config_dir),
        unit=unit_name,
    )


def local_date(at: datetime, units: Units, language: str) -> str:
    local = at.astimezone(ZoneInfo(units.bureau.timezone))
    return f"{local.month}月{local.day}日" if language == "zh" else local.strftime("%d %b %Y")
