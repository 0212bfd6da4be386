"""The ledger and the ranking as CSV and JSON: the same figures for the console, the CLI and exports."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping

from gateway.reports.ledger import COLUMNS, LedgerRow
from gateway.reports.ranking import RankedUnit

RANKING_COLUMNS = (
    "rank",
    "unit",
    "unit_name",
    "score",
    "on_time",
    "satisfaction",
    "overdue_share",
    "flag_last",
    "flag_dissatisfied",
)


def _cell(value: object) -> object:
    # Empty rather than "None": spreadsheets read an empty cell as "no value".
    return "" if value is None else value


def ledger_dicts(rows: Iterable[LedgerRow], names: Mapping[str, str] | None = None) -> list[dict]:
    out = []
    for r in rows:
        data = r.to_dict()
        data["unit_name"] = (names or {}).get(r.unit or "", "")
        out.append(data)
    return out


def ledger_csv(rows: Iterable[LedgerRow], names: Mapping[str, str] | None = None) -> str:
    buffer = io.StringIO()
    header = [*COLUMNS[:3], "unit_name", *COLUMNS[3:]]
    writer = csv.DictWriter(buffer, fieldnames=header, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for data in ledger_dicts(rows, names):
        writer.writerow({k: _cell(data.get(k)) for k in header})
    return buffer.getvalue()


def ranking_dicts(ranked: Iterable[RankedUnit], names: Mapping[str, str] | None = None) -> list[dict]:
    return [{**r.to_dict(), "unit_name": (names or {}).get(r.unit, "")} for r in ranked]


def ranking_csv(ranked: Iterable[RankedUnit], names: Mapping[str, str] | None = None) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=RANKING_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for data in ranking_dicts(ranked, names):
        writer.writerow({k: _cell(data.get(k)) for k in RANKING_COLUMNS})
    return buffer.getvalue()


def to_json(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
