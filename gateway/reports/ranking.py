"""Ranking units over a ledger range; the last one is flagged (held to account with the dissatisfied).

The score, 0 to 100, higher is better:

    score = 100 * (0.5 * on_time + 0.3 * satisfaction + 0.2 * (1 - overdue_share))

    on_time        closed on time / (closed + open overdue)              (the ledger's on-time rate)
    satisfaction   (mean rating - 1) / 4, so 1..5 maps to 0..1
    overdue_share  open overdue / (closed + open overdue): of the cases that count, the share still
                   open and late - worse than closed late, so it is weighed on top of the rate

A unit with nothing to measure on a component (no closed or overdue cases, no ratings) gets the
city-wide value of that component: an empty record neither lifts nor sinks it. Units with no activity
at all in the range (nothing received, closed, overdue or rated) are not ranked.

Ties: fewer open overdue cases first, then fewer dissatisfied answers, then the unit code, so that
the order (and the flagged unit) is deterministic.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from gateway.reports.ledger import LedgerRow, rollup

WEIGHT_ON_TIME = 0.5
WEIGHT_SATISFACTION = 0.3
WEIGHT_OVERDUE = 0.2
RATING_MIN, RATING_MAX = 1, 5


@dataclass(frozen=True)
class RankedUnit:
    rank: int
    unit: str
    score: float
    on_time: float
    satisfaction: float
    overdue_share: float
    last: bool  # the last of the ranking: flagged
    dissatisfied: bool  # at least one answer of 1-2: flagged as well
    row: LedgerRow

    def to_dict(self) -> dict:
        return {
            "rank": self.rank,
            "unit": self.unit,
            "score": round(self.score, 2),
            "on_time": round(self.on_time, 4),
            "satisfaction": round(self.satisfaction, 4),
            "overdue_share": round(self.overdue_share, 4),
            "flag_last": self.last,
            "flag_dissatisfied": self.dissatisfied,
            "ledger": self.row.to_dict(),
        }


def _satisfaction(row: LedgerRow) -> float | None:
    mean = row.satisfaction_mean
    return None if mean is None else (mean - RATING_MIN) / (RATING_MAX - RATING_MIN)


def _overdue_share(row: LedgerRow) -> float | None:
    counted = row.closed + row.open_overdue
    return row.open_overdue / counted if counted else None


def _active(row: LedgerRow) -> bool:
    return bool(row.received or row.closed or row.open_overdue or row.rating_answers)


def rank_units(rows: Iterable[LedgerRow]) -> list[RankedUnit]:
    """Rank the units of a range ledger (one row per unit; unrouted cases, unit None, are left out)."""
    units = [r for r in rows if r.unit is not None and _active(r)]
    if not units:
        return []
    (city,) = rollup(units, key=lambda _r: "city")
    city_on_time = city.on_time_rate if city.on_time_rate is not None else 1.0
    city_satisfaction = _satisfaction(city)
    city_satisfaction = city_satisfaction if city_satisfaction is not None else 1.0
    city_overdue = _overdue_share(city) or 0.0

    scored = []
    for r in units:
        on_time = r.on_time_rate if r.on_time_rate is not None else city_on_time
        satisfaction = _satisfaction(r)
        satisfaction = satisfaction if satisfaction is not None else city_satisfaction
        overdue = _overdue_share(r)
        overdue = overdue if overdue is not None else city_overdue
        score = 100 * (WEIGHT_ON_TIME * on_time + WEIGHT_SATISFACTION * satisfaction + WEIGHT_OVERDUE * (1 - overdue))
        scored.append((round(score, 6), on_time, satisfaction, overdue, r))
    scored.sort(key=lambda s: (-s[0], s[4].open_overdue, s[4].rating_dissatisfied, s[4].unit))
    last = len(scored)
    return [
        RankedUnit(
            rank=i,
            unit=r.unit,
            score=score,
            on_time=on_time,
            satisfaction=satisfaction,
            overdue_share=overdue,
            last=i == last,
            dissatisfied=r.rating_dissatisfied > 0,
            row=r,
        )
        for i, (score, on_time, satisfaction, overdue, r) in enumerate(scored, start=1)
    ]
