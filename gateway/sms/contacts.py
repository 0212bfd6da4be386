"""Opt-outs and call-back tasks: what we may send to a number, and who must phone it instead."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gateway import timeline
from gateway.models import CallbackTask, Case, OptOut


def is_opted_out(session: Session, number: str) -> bool:
    return session.get(OptOut, number) is not None


def opt_out(session: Session, number: str, now: datetime, source: str) -> bool:
    """Record an opt-out; True when the number was not opted out before.

    Inserted in a savepoint: a STOP and a provider 21610 for the same number can race.
    """
    if session.get(OptOut, number) is not None:
        return False
    session.flush()
    try:
        with session.begin_nested():
            session.add(OptOut(number=number, opted_out_at=now, source=source[:32]))
    except IntegrityError:
        return False
    return True


def opt_in(session: Session, number: str) -> bool:
    row = session.get(OptOut, number)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def add_callback_task(
    session: Session, *, case: Case | None, number: str, reason: str, now: datetime, note: str | None = None
) -> CallbackTask:
    """One open task per case and number: a second unreachable message adds nothing new to do."""
    query = select(CallbackTask).where(CallbackTask.number == number, CallbackTask.done_at.is_(None))
    query = (
        query.where(CallbackTask.case_id == case.id)
        if case is not None
        else query.where(CallbackTask.case_id.is_(None))
    )
    existing = session.scalars(query.limit(1)).first()
    if existing is not None:
        return existing
    task = CallbackTask(
        case_id=case.id if case is not None else None,
        number=number,
        unit=case.unit if case is not None else None,
        reason=reason[:64],
        note=note,
        created_at=now,
    )
    session.add(task)
    session.flush()
    if case is not None:
        timeline.record(session, case, "callback_task", now, "system", task_id=task.id, reason=task.reason)
    return task
