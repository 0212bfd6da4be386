"""The daily ledger (逐日清帐): per unit and per day, what came in, what was done on time, what is late.

Which day a figure belongs to is the local day (the bureau's time zone) of the moment it happened:

- received: cases created that day (attributed to the unit the case is with now, None when unrouted);
- signed / signed on time: signed for that day; on time when `signed_at <= sign_due` (or no deadline);
- replied / replied on time: first reply that day; on time when `first_reply_at <= reply_due`;
  the average time to first reply is `first_reply_at - created_at` over those replies (the citizen's wait);
- closed / closed on time: closed that day; on time when `closed_at <= close_due` (or no deadline);
- escalated, extensions, returns: timeline events that day ("escalated", "extension_approved",
  "returned"), attributed to the unit named in the event (the case's unit when the event names none);
- satisfaction: ratings answered that day (count, sum, and answers of 1-2, the dissatisfied);
- open overdue: cases open and late at the end of the day (or now, for today), with the tracker's
  definition (gateway.tracker.metrics): not closed, and past the close deadline or past the reply
  deadline without a reply;
- on-time rate: closed on time / (closed + open overdue); None when both are zero.

For a date range the flows are summed and open overdue is the count at the end of the range.

The case columns are the record as it stands: deadlines moved by a later extension apply to earlier
days too, and a case reopened after a low rating leaves the day it was first closed until closed again.
Events are immutable, which is why escalations, extensions and returns are counted from them.

Performance: every figure is a GROUP BY over one time range. With the indexes recommended in the
report of this module's author (cases.signed_at, first_reply_at, closed_at, rated_at; case_events
(type, at)) a one-day ledger reads only that day's rows; a year's ledger is a handful of scans.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime, time, timedelta
from operator import add, attrgetter
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, literal, null, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnElement

from gateway.models import Case, CaseEvent
from gateway.reports.sql import as_date, local_day, seconds_between

# Timeline event types counted by the ledger (written by gateway.tracker and gateway.followup).
ESCALATED = "escalated"
EXTENSION_APPROVED = "extension_approved"
RETURNED = "returned"

DISSATISFIED_AT_MOST = 2  # ratings 1-2 reopen and escalate a case (gateway.followup.LOW_RATING)

Key = tuple[str | None, date]


@dataclass
class LedgerRow:
    """One unit's figures for one day (`day`) or a range (`first`..`last`)."""

    unit: str | None
    first: date
    last: date
    received: int = 0
    signed: int = 0
    signed_on_time: int = 0
    replied: int = 0
    replied_on_time: int = 0
    closed: int = 0
    closed_on_time: int = 0
    open_overdue: int = 0
    escalated: int = 0
    extensions: int = 0
    returns: int = 0
    reply_seconds_total: float = 0.0
    rating_answers: int = 0
    rating_sum: int = 0
    rating_dissatisfied: int = 0
    extra: dict = field(default_factory=dict, repr=False)  # labels a caller adds (unit name, department)

    @property
    def day(self) -> date | None:
        return self.first if self.first == self.last else None

    @property
    def avg_first_reply_seconds(self) -> float | None:
        return self.reply_seconds_total / self.replied if self.replied else None

    @property
    def satisfaction_mean(self) -> float | None:
        return self.rating_sum / self.rating_answers if self.rating_answers else None

    @property
    def on_time_rate(self) -> float | None:
        counted = self.closed + self.open_overdue
        return self.closed_on_time / counted if counted else None

    def to_dict(self) -> dict:
        data = asdict(self)
        data.pop("extra")
        data.pop("reply_seconds_total")
        data.pop("rating_sum")
        data["first"] = self.first.isoformat()
        data["last"] = self.last.isoformat()
        data["avg_first_reply_seconds"] = _round(self.avg_first_reply_seconds, 1)
        data["satisfaction_mean"] = _round(self.satisfaction_mean, 3)
        data["on_time_rate"] = _round(self.on_time_rate, 4)
        return {**data, **self.extra}


COUNTS = tuple(f.name for f in fields(LedgerRow) if f.name not in ("unit", "first", "last", "open_overdue", "extra"))
# The order of the CSV/JSON columns; derived figures after the counts they come from.
COLUMNS = (
    "first",
    "last",
    "unit",
    "received",
    "signed",
    "signed_on_time",
    "replied",
    "replied_on_time",
    "avg_first_reply_seconds",
    "closed",
    "closed_on_time",
    "open_overdue",
    "on_time_rate",
    "escalated",
    "extensions",
    "returns",
    "rating_answers",
    "rating_dissatisfied",
    "satisfaction_mean",
)


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def day_bounds(first: date, last: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants at the start of `first` and the end of `last`, local days in `zone`."""
    start = datetime.combine(first, time(), zone)
    end = datetime.combine(last + timedelta(days=1), time(), zone)
    return start, end


def daily_ledger(
    session: Session,
    first: date,
    last: date,
    *,
    timezone: str,
    now: datetime,
    units: Iterable[str] = (),
    unit: str | None = None,
) -> list[LedgerRow]:
    """One row per unit per day from `first` to `last` (local days, inclusive).

    `units` are listed even on days they have nothing (a 清帐 names every unit); other units appear
    on the days they have figures. `unit` limits the ledger to one unit.
    """
    return _ledger(session, first, last, timezone, now, units, unit, by_day=True)


def range_ledger(
    session: Session,
    first: date,
    last: date,
    *,
    timezone: str,
    now: datetime,
    units: Iterable[str] = (),
    unit: str | None = None,
) -> list[LedgerRow]:
    """One row per unit for the whole range: flows summed, open overdue as at the end of the range.

    Grouped by unit only (not by day) in the database, so a year costs what a day does plus the scans.
    """
    return _ledger(session, first, last, timezone, now, units, unit, by_day=False)


def _ledger(
    session: Session,
    first: date,
    last: date,
    timezone: str,
    now: datetime,
    units: Iterable[str],
    unit: str | None,
    *,
    by_day: bool,
) -> list[LedgerRow]:
    if last < first:
        raise ValueError(f"the range ends ({last}) before it starts ({first})")
    zone = ZoneInfo(timezone)
    start, end = day_bounds(first, last, zone)
    asof = min(end, now)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)] if by_day else [first]

    def day_of(column: ColumnElement) -> local_day:
        return local_day(column, timezone, start)

    rows: dict[Key, LedgerRow] = {}

    def row(unit_code: str | None, day: date | None) -> LedgerRow:
        key = (unit_code, day or first)
        found = rows.get(key)
        if found is None:
            found = rows[key] = LedgerRow(unit_code, key[1], key[1] if by_day else last)
        return found

    def grouped(unit_column: ColumnElement, moment: ColumnElement) -> list[ColumnElement]:
        return [unit_column, day_of(moment).label("day")] if by_day else [unit_column]

    def only(query):
        return query.where(Case.unit == unit) if unit is not None else query

    # Flows recorded on the case row, one GROUP BY each, bounded by the indexed timestamp.
    flows: list[tuple[ColumnElement, list[tuple[str, ColumnElement]]]] = [
        (Case.created_at, [("received", func.count())]),
        (
            Case.signed_at,
            [("signed", func.count()), ("signed_on_time", _count_if(_on_time(Case.signed_at, Case.sign_due)))],
        ),
        (
            Case.first_reply_at,
            [
                ("replied", func.count()),
                ("replied_on_time", _count_if(_on_time(Case.first_reply_at, Case.reply_due))),
                ("reply_seconds_total", func.sum(seconds_between(Case.first_reply_at, Case.created_at))),
            ],
        ),
        (
            Case.closed_at,
            [("closed", func.count()), ("closed_on_time", _count_if(_on_time(Case.closed_at, Case.close_due)))],
        ),
        (
            Case.rated_at,
            [
                ("rating_answers", func.count(Case.rating)),
                ("rating_sum", func.sum(Case.rating)),
                ("rating_dissatisfied", _count_if(Case.rating <= DISSATISFIED_AT_MOST)),
            ],
        ),
    ]
    for column, measures in flows:
        keys = grouped(Case.unit, column)
        query = only(
            select(*keys, *(m.label(name) for name, m in measures)).where(column >= start, column < end).group_by(*keys)
        )
        for result in session.execute(query):
            target = row(result[0], as_date(result[1]) if by_day else None)
            for (name, _m), value in zip(measures, result[len(keys) :], strict=True):
                setattr(target, name, getattr(target, name) + (value or 0))

    # Events: the unit named in the event is the one it counts for (a returned case moves on).
    # Labelled apart from "unit": PostgreSQL resolves a GROUP BY name to an input column first.
    event_unit = func.coalesce(CaseEvent.details["unit"].as_string(), Case.unit).label("event_unit")
    keys = grouped(event_unit, CaseEvent.at)
    query = (
        select(
            *keys,
            _count_if(CaseEvent.type == ESCALATED),
            _count_if(CaseEvent.type == EXTENSION_APPROVED),
            _count_if(CaseEvent.type == RETURNED),
        )
        .join(Case, Case.id == CaseEvent.case_id)
        .where(CaseEvent.type.in_((ESCALATED, EXTENSION_APPROVED, RETURNED)), CaseEvent.at >= start, CaseEvent.at < end)
        .group_by(*keys)
    )
    if unit is not None:
        query = query.where(event_unit == unit)
    for result in session.execute(query):
        target = row(result[0], as_date(result[1]) if by_day else None)
        escalated, extensions, returns = result[len(keys) :]
        target.escalated += escalated or 0
        target.extensions += extensions or 0
        target.returns += returns or 0

    if by_day:
        for unit_code, series in _overdue_by_day(session, start, asof, days, day_of, only).items():
            for d, count in zip(days, series, strict=True):
                if count:
                    row(unit_code, d).open_overdue = count
    else:
        for unit_code, count in _overdue_at(session, asof, only).items():
            row(unit_code, None).open_overdue = count

    for unit_code in units:
        if unit is None or unit_code == unit:
            for d in days:
                row(unit_code, d)
    return sorted(rows.values(), key=lambda r: (r.first, r.unit or ""))


_counts_of = attrgetter(*COUNTS)


def rollup(
    rows: Iterable[LedgerRow],
    key: Callable[[LedgerRow], str | None],
    *,
    first: date | None = None,
    last: date | None = None,
    by_day: bool = False,
) -> list[LedgerRow]:
    """Fold ledger rows into groups (a department, the whole city), per day when `by_day`.

    Open overdue is a snapshot, not a flow: across days the latest day's value is kept, across
    units (same day) the values add up.
    """
    sums: dict[tuple, list] = {}
    spans: dict[tuple, list[date]] = {}
    overdue: dict[tuple, tuple[date, int]] = {}
    for r in rows:
        label = key(r)
        gkey = (label, r.first) if by_day else (label,)
        acc = sums.get(gkey)
        if acc is None:
            sums[gkey] = list(_counts_of(r))
            spans[gkey] = [r.first, r.last]
            overdue[gkey] = (r.last, r.open_overdue)
            continue
        acc[:] = map(add, acc, _counts_of(r))
        span = spans[gkey]
        span[0], span[1] = min(span[0], r.first), max(span[1], r.last)
        latest, count = overdue[gkey]
        if r.last > latest:
            overdue[gkey] = (r.last, r.open_overdue)
        elif r.last == latest:
            overdue[gkey] = (latest, count + r.open_overdue)
    out = []
    for gkey, acc in sums.items():
        span_first, span_last = spans[gkey]
        if not by_day:
            span_first, span_last = first or span_first, last or span_last
        out.append(
            LedgerRow(
                gkey[0], span_first, span_last, open_overdue=overdue[gkey][1], **dict(zip(COUNTS, acc, strict=True))
            )
        )
    return sorted(out, key=lambda r: (r.first, r.unit or ""))


def _overdue_at(session: Session, asof: datetime, only) -> dict[str | None, int]:
    """Per unit, the cases open and overdue at `asof` (the tracker's definition, read at that moment)."""
    open_then = or_(Case.closed_at.is_(None), Case.closed_at > asof)
    no_reply_then = or_(Case.first_reply_at.is_(None), Case.first_reply_at > asof)
    late = or_(Case.close_due <= asof, and_(Case.reply_due <= asof, no_reply_then))
    query = only(select(Case.unit, func.count()).where(Case.created_at <= asof, open_then, late).group_by(Case.unit))
    return {unit_code: count for unit_code, count in session.execute(query)}


def _count_if(condition: ColumnElement) -> ColumnElement:
    return func.sum(case((condition, 1), else_=0))


def _on_time(done: ColumnElement, due: ColumnElement) -> ColumnElement:
    return or_(due.is_(None), done <= due)


def _earliest(a: ColumnElement, b: ColumnElement) -> ColumnElement:
    """The earlier of two nullable times, NULL (never) counting as the latest."""
    return case((a.is_(None), b), (b.is_(None), a), (a < b, a), else_=b)


def _latest(a: ColumnElement, b: ColumnElement) -> ColumnElement:
    return case((a > b, a), else_=b)


def _overdue_by_day(session, start, asof, days, day_of, only) -> dict[str | None, list[int]]:
    """Per unit, the number of open overdue cases at the end of each day (at `asof` for the last).

    A case is overdue over the union of two intervals: the reply interval [reply_due, reply or close)
    and the close interval [close_due, close). Counting intervals that contain a moment is a running
    sum of +1 at each start and -1 at each end, so the database only groups starts and ends by day
    (inclusion-exclusion removes the overlap of the two intervals), and the running sum is folded
    over units x days here - never over cases. Intervals over before the range cannot count and are
    filtered out; those alive at its start land in the `None` day, the opening balance.
    """
    reply_end = _earliest(Case.first_reply_at, Case.closed_at)
    both_start = _latest(Case.reply_due, Case.close_due)
    # (start, end, sign): end NULL means still open; only non-empty intervals (end > start) count.
    intervals = [
        (Case.reply_due, reply_end, 1),
        (Case.close_due, Case.closed_at, 1),
        (both_start, reply_end, -1),
    ]
    # Implied by every interval being alive in the range (each ends by the close at the latest), and
    # written out plainly because it is what an index on closed_at can serve: the scan then skips
    # the bulk of a year, the cases closed before the range.
    open_in_range = or_(Case.closed_at.is_(None), Case.closed_at >= start)
    balance: dict[str | None, dict[date | None, int]] = defaultdict(lambda: defaultdict(int))
    for begin, finish, sign in intervals:
        alive = and_(
            open_in_range,
            begin.is_not(None),
            begin <= asof,
            or_(finish.is_(None), and_(finish > begin, finish >= start)),
        )
        if begin is both_start:
            alive = and_(Case.reply_due.is_not(None), Case.close_due.is_not(None), alive)
        for moment, direction, bounded in (
            (begin, sign, alive),
            (finish, -sign, and_(alive, finish.is_not(None), finish <= asof)),
        ):
            bucket = case((moment < start, null()), else_=day_of(moment)).label("day")
            query = only(select(Case.unit, bucket, func.count(literal(1))).where(bounded).group_by(Case.unit, bucket))
            for unit_code, day, count in session.execute(query):
                balance[unit_code][as_date(day)] += direction * count
    series: dict[str | None, list[int]] = {}
    for unit_code, changes in balance.items():
        running = changes.get(None, 0)
        values = []
        for d in days:
            running += changes.get(d, 0)
            values.append(running)
        series[unit_code] = values
    return series
