"""Report data for the console's report page and for exports: /reports/... (JSON and CSV).

    GET /reports/ledger.json?from=YYYY-MM-DD&to=YYYY-MM-DD[&unit=U]   the whole report (per unit, per
                                                                      department, per day, ranking)
    GET /reports/ledger.csv?...[&by=unit|day|department]              CSV download
    GET /reports/ranking.csv?...                                      the ranking as CSV
    GET /reports/charts.json?...                                      series for the three charts

`to` defaults to `from`; `date=` is accepted for a single day. Access: an API key (X-API-Key) with
scope "city" sees every unit; a unit-scoped key sees its own unit only (no ranking, which would show
the others). The console (another blueprint, with its own login) builds its page by calling
`gateway.reports.report.build_report` directly, or `report_response(scope, args)` below for its
chart fetches, after its own access check.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Blueprint, Response, g, jsonify, request
from werkzeug.datastructures import MultiDict

from gateway import apikeys
from gateway.reports import output
from gateway.reports.ledger import LedgerRow, rollup
from gateway.reports.report import MAX_DAYS, Report, build_report, department_of
from gateway.web import api, runtime

bp = Blueprint("reports", __name__, url_prefix="/reports")


class BadRequest(ValueError):
    pass


@bp.before_request
def authenticate():
    """The API's key check; a key's scope (a unit, or the city) is what its reports may show."""
    refused = api.authenticate()
    if refused is not None:
        return refused
    g.report_scope = g.api_key.scope
    return None


def _date(args: MultiDict, name: str) -> date | None:
    raw = args.get(name)
    if raw is None or raw == "":
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadRequest(f"{name}={raw!r} is not a date (YYYY-MM-DD)") from None


def _report(scope: str, args: MultiDict) -> Report:
    rt = runtime()
    first = _date(args, "from") or _date(args, "date")
    if first is None:
        raise BadRequest("from=YYYY-MM-DD (or date=) is required")
    last = _date(args, "to") or first
    if last < first:
        raise BadRequest("to is before from")
    if (last - first).days + 1 > MAX_DAYS:
        raise BadRequest(f"at most {MAX_DAYS} days")
    unit = args.get("unit") or None
    if scope != apikeys.CITY:
        if unit not in (None, scope):
            raise PermissionError(unit)
        unit = scope
    if unit is not None and rt.units.get(unit) is None:
        raise BadRequest(f"unknown unit {unit!r}")
    language = "en" if args.get("lang") == "en" else "zh"
    with rt.database.session() as session:
        return build_report(session, first, last, units=rt.units, now=datetime.now(UTC), unit=unit, language=language)


def _csv(text: str, name: str) -> Response:
    # A BOM so that Excel (what the bureau opens exports with) reads the Chinese names as UTF-8.
    response = Response("\ufeff" + text, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _stem(report: Report) -> str:
    span = report.first.isoformat() if report.first == report.last else f"{report.first}_{report.last}"
    return f"ledger-{span}"


def report_response(scope: str, args: MultiDict, kind: str = "ledger.json") -> Response:
    """Answer one of this blueprint's views for an already authorised `scope` ("city" or a unit)."""
    try:
        report = _report(scope, args)
    except BadRequest as exc:
        return api.error(400, str(exc))
    except PermissionError:
        return api.error(403, "this key sees its own unit only")
    if kind == "ledger.json":
        return jsonify(report.to_dict(by_day=True))
    if kind == "charts.json":
        return jsonify(chart_data(report))
    if kind == "ranking.csv":
        return _csv(output.ranking_csv(report.ranking, report.names), f"ranking-{_stem(report)[7:]}.csv")
    by = args.get("by", "unit")
    rows: dict[str, list[LedgerRow]] = {"unit": report.units, "day": report.daily, "department": report.departments}
    if by not in rows:
        return api.error(400, "by= unit, day or department")
    return _csv(output.ledger_csv(rows[by], report.names), f"{_stem(report)}-{by}.csv")


def chart_data(report: Report) -> dict:
    """Daily volume by department, on-time rate by unit, satisfaction by unit: ready for a chart library."""
    days = [r.first.isoformat() for r in report.city_by_day]
    volume: dict[str, list[int]] = {}
    index = {d: i for i, d in enumerate(days)}
    for r in report.department_by_day:
        key = r.unit or "unrouted"
        series = volume.setdefault(key, [0] * len(days))
        series[index[r.first.isoformat()]] = r.received
    active = [r for r in report.units if r.unit is not None and (r.received or r.closed or r.open_overdue)]
    rated = [r for r in report.units if r.unit is not None and r.rating_answers]
    return {
        "first": report.first.isoformat(),
        "last": report.last.isoformat(),
        "volume_by_department": {
            "days": days,
            "series": [
                {"department": dep, "name": report.names.get(dep, dep), "received": values}
                for dep, values in sorted(volume.items())
            ],
        },
        "on_time_by_unit": [
            {
                "unit": r.unit,
                "name": report.names.get(r.unit, r.unit),
                "on_time_rate": None if r.on_time_rate is None else round(r.on_time_rate, 4),
                "closed": r.closed,
                "open_overdue": r.open_overdue,
            }
            for r in sorted(active, key=lambda r: (r.on_time_rate is None, -(r.on_time_rate or 0), r.unit))
        ],
        "satisfaction_by_unit": [
            {
                "unit": r.unit,
                "name": report.names.get(r.unit, r.unit),
                "mean": round(r.satisfaction_mean or 0, 3),
                "answers": r.rating_answers,
                "dissatisfied": r.rating_dissatisfied,
            }
            for r in sorted(rated, key=lambda r: (-(r.satisfaction_mean or 0), r.unit))
        ],
        "departments": [
            {"department": r.unit, "name": report.names.get(r.unit or "", ""), **_brief(r)}
            for r in rollup(report.units, key=lambda r: department_of(r.unit))
            if r.unit is not None
        ],
    }


def _brief(r: LedgerRow) -> dict:
    return {
        "received": r.received,
        "closed": r.closed,
        "open_overdue": r.open_overdue,
        "on_time_rate": None if r.on_time_rate is None else round(r.on_time_rate, 4),
    }


@bp.get("/ledger.json")
def ledger_json():
    return report_response(g.report_scope, request.args, "ledger.json")


@bp.get("/ledger.csv")
def ledger_csv():
    return report_response(g.report_scope, request.args, "ledger.csv")


@bp.get("/ranking.csv")
def ranking_csv():
    return report_response(g.report_scope, request.args, "ranking.csv")


@bp.get("/charts.json")
def charts_json():
    return report_response(g.report_scope, request.args, "charts.json")
