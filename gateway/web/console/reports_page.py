"""The console's report page: the ledger, the ranking and three charts for a date range; CSV export.

    GET /console/reports?from=YYYY-MM-DD&to=YYYY-MM-DD[&unit=U][&all=1]   the page
    GET /console/reports/ledger.csv?...[&by=unit|day|department]           the ledger as CSV
    GET /console/reports/ranking.csv?...                                   the ranking (city-wide only)

Scope: supervisors and administrators see every unit (or the one they pick); a dispatcher sees their
own unit only, and asking for another one is a 403 rather than silently showing theirs, because a
report read under the wrong name is worse than none. The ranking compares units with each other, so
it is not shown to a dispatcher and its CSV is "not found" for them, as the console does for pages a
role has no business on.

Figures come from `gateway.reports.report.build_report`; the CSV files from the API's
`report_response`, called with the scope the console's own login check established, so the console
and the API cannot drift apart. The charts are SVG drawn here on the server: the CSP allows no inline
script or style, and a chart library from a CDN is out of the question on a police network.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from flask import Response, abort, g, render_template, request
from werkzeug.datastructures import MultiDict

from gateway import apikeys
from gateway.models import User
from gateway.reports.ledger import LedgerRow
from gateway.reports.ranking import RankedUnit
from gateway.reports.report import MAX_DAYS, Report, build_report
from gateway.web.console import bp, context
from gateway.web.console.context import is_city_wide, login_required, runtime, t
from gateway.web.console.display import Clock
from gateway.web.reports import chart_data, report_response

DEFAULT_DAYS = 30  # the page opens on the last month, today included: what a weekly meeting looks back on
# Chart colour classes (console.css .series-N): one per department, in the deployment's order, so that
# traffic is the same colour whatever the range; the last is kept for unrouted cases.
SERIES_COLOURS = 10
UNROUTED = "unrouted"
# Thresholds of the bar colours; the number is always printed beside the bar, colour only repeats it.
ON_TIME_GOOD, ON_TIME_FAIR = 0.9, 0.7
SATISFACTION_GOOD, SATISFACTION_FAIR = 4.0, 3.0
RATING_MAX = 5
MIN_CEILING = 4  # the volume chart's y axis goes at least this high
EXPORT_BY = ("unit", "day", "department")  # the ledger CSV's row kinds (report_response's `by=`)


class InvalidQuery(ValueError):
    """A form value the page cannot use: shown on the page with a 400, never a 500."""


@dataclass(frozen=True)
class Query:
    first: date
    last: date
    unit: str | None  # None: every unit the scope allows
    scope: str  # "city", or the dispatcher's unit: what report_response may show
    show_all: bool  # list units without any figure too

    def args(self, **extra: str) -> MultiDict:
        """The arguments `report_response` reads, normalised (defaults filled in, unit forced)."""
        values = {"from": self.first.isoformat(), "to": self.last.isoformat(), "lang": context.language(), **extra}
        if self.unit:
            values["unit"] = self.unit
        return MultiDict(values)

    def link_args(self) -> dict[str, str]:
        values = {"from": self.first.isoformat(), "to": self.last.isoformat()}
        if self.unit and self.scope == apikeys.CITY:
            values["unit"] = self.unit
        return values


def _today() -> date:
    return context.now().astimezone(ZoneInfo(runtime().units.bureau.timezone)).date()


def _date(args: MultiDict, name: str) -> date | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidQuery(t("report_bad_date", value=raw[:20])) from None


def _scope(user: User) -> str:
    if is_city_wide(user):
        return apikeys.CITY
    if not user.unit:
        # A dispatcher without a unit has no figures of their own (an account being set up).
        abort(404)
    return user.unit


def parse_query(args: MultiDict, user: User) -> Query:
    """The form's range and unit, checked; raises InvalidQuery (400) or aborts with 403/404."""
    scope = _scope(user)
    unit = (args.get("unit") or "").strip() or None
    if scope != apikeys.CITY:
        if unit not in (None, scope):
            abort(403)
        unit = scope
    elif unit is not None and runtime().units.get(unit) is None:
        raise InvalidQuery(t("report_bad_unit"))
    first, last = _date(args, "from"), _date(args, "to")
    if first is None and last is None:
        last = _today()
        first = last - timedelta(days=DEFAULT_DAYS - 1)
    elif first is None or last is None:
        # One end given: a single day, as the API reads `from` without `to`.
        first = last = first or last
    if last < first:
        raise InvalidQuery(t("report_bad_order"))
    if (last - first).days + 1 > MAX_DAYS:
        raise InvalidQuery(t("report_too_long", days=MAX_DAYS))
    return Query(first=first, last=last, unit=unit, scope=scope, show_all=args.get("all") == "1")


# --- the page ------------------------------------------------------------------------------------


@bp.get("/reports")
@login_required
def reports() -> str | tuple[str, int]:
    user = g.user
    args = request.args
    try:
        query = parse_query(args, user)
    except InvalidQuery as exc:
        # The form comes back with what was typed, and the reason, so that it can be corrected.
        return _render(None, None, form=args, error=str(exc)), 400
    rt = runtime()
    with rt.database.session() as db:
        report = build_report(
            db,
            query.first,
            query.last,
            units=rt.units,
            now=context.now(),
            unit=query.unit,
            language=context.language(),
        )
    return _render(query, report, form=args)


def _render(query: Query | None, report: Report | None, *, form: MultiDict, error: str | None = None) -> str:
    rt = runtime()
    units = sorted(rt.units.units.values(), key=lambda u: (u.jurisdiction != "city", u.jurisdiction, u.department))
    view = _view(query, report) if query is not None and report is not None else None
    return render_template(
        "console/reports.html",
        q=query,
        form=form,
        error=error,
        view=view,
        units=units,
        now=context.now(),
        tz=rt.units.bureau.timezone,
    )


# --- CSV export ----------------------------------------------------------------------------------


@bp.get("/reports/ledger.csv")
@login_required
def reports_ledger_csv() -> Response | tuple[str, int]:
    by = request.args.get("by") or "unit"
    if by not in EXPORT_BY:
        return _bad_export(t("report_bad_by"))
    try:
        query = parse_query(request.args, g.user)
    except InvalidQuery as exc:
        return _bad_export(str(exc))
    return _export(query, "ledger.csv", by=by)


@bp.get("/reports/ranking.csv")
@login_required
def reports_ranking_csv() -> Response | tuple[str, int]:
    try:
        query = parse_query(request.args, g.user)
    except InvalidQuery as exc:
        return _bad_export(str(exc))
    if query.scope != apikeys.CITY:
        abort(404)
    return _export(query, "ranking.csv")


def _bad_export(message: str) -> tuple[str, int]:
    # The console's error page with the reason (abort(400) would show only "Bad Request").
    return render_template("console/error.html", code=400, message=message), 400


def _export(query: Query, kind: str, **extra: str) -> Response:
    response = report_response(query.scope, query.args(**extra), kind)
    if response.status_code >= 400:
        # report_response answers the API's JSON errors; the checks above should leave none, and a
        # link clicked in the console gets the console's error page rather than JSON if one slips by.
        abort(response.status_code)
    return response


# --- what the template shows -------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    css: str
    y: float
    height: float


@dataclass(frozen=True)
class DayBar:
    day: date
    x: float
    width: float
    total: int
    top: float  # y of the top of the stack
    title: str  # "2026-10-02: 交警 2, 户政 1" - the bar's tooltip and its accessible text
    segments: list[Segment]
    counts: list[int]  # per legend item, for the table under the chart
    tick: str | None  # the x-axis label under this bar, when it gets one


@dataclass(frozen=True)
class LegendItem:
    css: str
    name: str
    total: int


@dataclass(frozen=True)
class VolumeChart:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int  # y of the x axis
    gridlines: list[tuple[float, int]]  # (y, value)
    bars: list[DayBar]
    legend: list[LegendItem]
    total: int
    label_totals: bool  # a number over each bar (when the bars are wide enough to carry one)


@dataclass(frozen=True)
class HBar:
    """One row of a horizontal bar chart: the bar is a share (0..100) of the track."""

    name: str
    share: float
    css: str
    value: str
    detail: str


@dataclass
class View:
    scope_name: str
    summary: dict[str, str]
    ledger: list[dict]
    hidden_units: int
    totals: dict | None
    ranking: list[dict]
    volume: VolumeChart
    on_time: list[HBar]
    satisfaction: list[HBar]


def _view(query: Query, report: Report) -> View:
    clock = Clock(report.timezone, context.language(), context.now())
    charts = chart_data(report)
    listed = [r for r in report.units if query.show_all or r.unit is None or _has_figures(r)]
    rows = [_ledger_row(r, report, clock) for r in sorted(listed, key=_unit_order)]
    city_wide_all = query.scope == apikeys.CITY and query.unit is None
    return View(
        scope_name=report.names.get(query.unit, query.unit) if query.unit else t("all_units"),
        summary=_summary(report.city),
        ledger=rows,
        hidden_units=len(report.units) - len(listed),
        totals=_ledger_row(report.city, report, clock) if report.city is not None and city_wide_all else None,
        ranking=[_ranking_row(r, report) for r in report.ranking],
        volume=_volume_chart(charts, report),
        on_time=[_on_time_bar(item) for item in charts["on_time_by_unit"]],
        satisfaction=[_satisfaction_bar(item) for item in charts["satisfaction_by_unit"]],
    )


def _unit_order(row: LedgerRow) -> tuple:
    # The bureau's own order: city units first, then by jurisdiction and department; unrouted last.
    unit = runtime().units.get(row.unit or "")
    if unit is None:
        return (2, row.unit or "", "")
    return (0 if unit.jurisdiction == "city" else 1, unit.jurisdiction, unit.department)


def _has_figures(row: LedgerRow) -> bool:
    return any(
        (
            row.received,
            row.signed,
            row.replied,
            row.closed,
            row.open_overdue,
            row.escalated,
            row.extensions,
            row.returns,
            row.rating_answers,
        )
    )


def _pct(rate: float | None) -> str:
    if rate is None:
        return "—"
    value = rate * 100
    return f"{value:.0f}%" if math.isclose(value, round(value)) else f"{value:.1f}%"


def _mean(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _summary(city: LedgerRow | None) -> dict[str, str]:
    row = city or LedgerRow(None, date.min, date.min)
    return {
        "received": str(row.received),
        "closed": str(row.closed),
        "open_overdue": str(row.open_overdue),
        "on_time_rate": _pct(row.on_time_rate),
        "satisfaction": _mean(row.satisfaction_mean),
    }


def _ledger_row(row: LedgerRow, report: Report, clock: Clock) -> dict:
    avg = row.avg_first_reply_seconds
    return {
        "unit": row.unit,
        "name": report.names.get(row.unit, row.unit) if row.unit else t("unrouted"),
        "row": row,
        "avg_reply": "—" if avg is None else clock.duration(timedelta(seconds=avg)),
        "satisfaction": _mean(row.satisfaction_mean),
        "on_time_rate": _pct(row.on_time_rate),
        "rate_css": _rate_css(row.on_time_rate),
        "empty": not _has_figures(row),
    }


def _ranking_row(ranked: RankedUnit, report: Report) -> dict:
    return {
        "rank": ranked.rank,
        "unit": ranked.unit,
        "name": report.names.get(ranked.unit, ranked.unit),
        "score": f"{ranked.score:.2f}",
        "on_time": _pct(ranked.on_time),
        "satisfaction": _mean(ranked.row.satisfaction_mean),
        "overdue_share": _pct(ranked.overdue_share),
        "last": ranked.last,
        "dissatisfied": ranked.dissatisfied,
    }


def _rate_css(rate: float | None) -> str:
    if rate is None:
        return "none"
    return "good" if rate >= ON_TIME_GOOD else "fair" if rate >= ON_TIME_FAIR else "poor"


def _on_time_bar(item: dict) -> HBar:
    rate = item["on_time_rate"]
    counted = item["closed"] + item["open_overdue"]
    return HBar(
        name=item["name"],
        share=0.0 if rate is None else rate * 100,
        css=_rate_css(rate),
        value=_pct(rate),
        # The rate's numerator and denominator: 67% of 3 and 67% of 300 are not the same news.
        detail=t(
            "report_on_time_detail",
            on_time=0 if rate is None else round(rate * counted),
            counted=counted,
            overdue=item["open_overdue"],
        ),
    )


def _satisfaction_bar(item: dict) -> HBar:
    mean = item["mean"]
    css = "good" if mean >= SATISFACTION_GOOD else "fair" if mean >= SATISFACTION_FAIR else "poor"
    return HBar(
        name=item["name"],
        share=mean / RATING_MAX * 100,
        css=css,
        value=_mean(mean),
        detail=t("report_satisfaction_detail", answers=item["answers"], dissatisfied=item["dissatisfied"]),
    )


def _nice_step(peak: int, lines: int = 4) -> int:
    """A 1, 2 or 5 x 10^n step giving about `lines` gridlines up to `peak`."""
    raw = max(peak / lines, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)


def _volume_chart(charts: dict, report: Report) -> VolumeChart:
    """Stacked bars, one a day, a segment per department (SVG user units; the SVG scales to the page)."""
    width, height, left, right, top, bottom = 960, 260, 44, 948, 22, 226
    volume = charts["volume_by_department"]
    days = [date.fromisoformat(d) for d in volume["days"]]
    order = {code: i for i, code in enumerate(runtime().units.departments)}
    series = [s for s in volume["series"] if sum(s["received"])]
    series.sort(key=lambda s: (s["department"] == UNROUTED, order.get(s["department"], len(order))))

    def css(code: str) -> str:
        index = SERIES_COLOURS - 1 if code == UNROUTED else order.get(code, 0) % (SERIES_COLOURS - 1)
        return f"series-{index}"

    def name(s: dict) -> str:
        return t("unrouted") if s["department"] == UNROUTED else s["name"]

    totals = [sum(s["received"][i] for s in series) for i in range(len(days))]
    step = _nice_step(max(totals, default=0))
    # At least MIN_CEILING: a quiet unit's single case is a short bar, not one the height of the chart.
    ceiling = max(step * math.ceil(max(totals, default=0) / step), MIN_CEILING)
    scale = (bottom - top) / ceiling
    slot = (right - left) / max(len(days), 1)
    bar_width = max(slot * 0.72, 1.0)
    every = max(math.ceil(len(days) / 12), 1)  # at most a dozen dates under the axis
    bars = []
    for i, day in enumerate(days):
        y = float(bottom)
        segments = []
        parts = []
        for s in series:
            count = s["received"][i]
            if count:
                segments.append(Segment(css(s["department"]), y - count * scale, count * scale))
                y -= count * scale
                parts.append(f"{name(s)} {count}")
        title = f"{day.isoformat()}: {t('report_received_n', n=totals[i])}"
        if parts:
            title += " (" + ", ".join(parts) + ")"
        bars.append(
            DayBar(
                day=day,
                x=left + i * slot + (slot - bar_width) / 2,
                width=bar_width,
                total=totals[i],
                top=y,
                title=title,
                segments=segments,
                counts=[s["received"][i] for s in series],
                tick=day.strftime("%m-%d") if i % every == 0 else None,
            )
        )
    gridlines = [(bottom - v * scale, v) for v in range(0, ceiling + 1, step)]
    legend = [LegendItem(css(s["department"]), name(s), sum(s["received"])) for s in series]
    return VolumeChart(
        width=width,
        height=height,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        gridlines=gridlines,
        bars=bars,
        legend=legend,
        total=sum(totals),
        label_totals=len(days) <= 45,
    )
