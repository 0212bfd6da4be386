"""Reports: the daily ledger (逐日清帐) per unit, and the ranking of units built on it.

Plain functions of a Session and explicit times; no Flask, no RQ. Figures are computed by the
database (GROUP BY), Python only folds the per-unit-per-day rows they return.
"""

from gateway.reports.ledger import LedgerRow, daily_ledger, range_ledger, rollup
from gateway.reports.ranking import RankedUnit, rank_units

__all__ = ["LedgerRow", "RankedUnit", "daily_ledger", "range_ledger", "rank_units", "rollup"]
