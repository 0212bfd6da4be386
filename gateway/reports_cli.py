"""`gateway report ...` and `gateway purge`: the ledger and retention from the command line.

The lead registers these in gateway/cli.py (`main.add_command(report_group)`,
`main.add_command(purge_command)`); they run inside the app context FlaskGroup provides.
"""

from __future__ import annotations

import json
from datetime import date

import click
from flask import current_app
from flask.cli import with_appcontext

from gateway.clitime import parse_now
from gateway.reports import output
from gateway.reports.report import build_report


def _rt():
    return current_app.extensions["gateway"]


def _day(_ctx, param, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint=param.opts[0]) from None


def _print(first: date, last: date, fmt: str, unit: str | None, now_text: str | None, ranking: bool) -> None:
    rt = _rt()
    if unit is not None and rt.units.get(unit) is None:
        raise click.BadParameter(f"unknown unit {unit!r}", param_hint="--unit")
    if last < first:
        raise click.BadParameter(f"--to {last} is before --from {first}")
    with rt.database.session() as session:
        try:
            report = build_report(session, first, last, units=rt.units, now=parse_now(now_text), unit=unit)
        except ValueError as exc:
            raise click.UsageError(str(exc)) from None
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(by_day=first != last), ensure_ascii=False, indent=2))
    elif ranking:
        click.echo(output.ranking_csv(report.ranking, report.names), nl=False)
    else:
        click.echo(output.ledger_csv(report.units, report.names), nl=False)


FORMAT = click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
UNIT = click.option("--unit", help="one unit's figures only (e.g. chibi.traffic)")
NOW = click.option("--now", "now_text", help="as of this ISO time with zone (default: now)")
RANKING = click.option("--ranking", is_flag=True, help="CSV of the unit ranking instead of the ledger")


@click.group("report")
def report_group() -> None:
    """The daily ledger (逐日清帐) and the ranking of units."""


@report_group.command("daily")
@click.option("--date", "day", required=True, callback=_day, help="the local day, YYYY-MM-DD")
@FORMAT
@UNIT
@NOW
@RANKING
@with_appcontext
def daily_command(day: date, fmt: str, unit: str | None, now_text: str | None, ranking: bool) -> None:
    """One day's ledger per unit (CSV), or ledger, totals and ranking (JSON)."""
    _print(day, day, fmt, unit, now_text, ranking)


@report_group.command("range")
@click.option("--from", "first", required=True, callback=_day, help="first local day, YYYY-MM-DD")
@click.option("--to", "last", required=True, callback=_day, help="last local day, inclusive")
@FORMAT
@UNIT
@NOW
@RANKING
@with_appcontext
def range_command(first: date, last: date, fmt: str, unit: str | None, now_text: str | None, ranking: bool) -> None:
    """A range's ledger per unit (flows summed, open overdue at its end); JSON adds the days."""
    _print(first, last, fmt, unit, now_text, ranking)


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="count what would be purged, change nothing")
@NOW
@with_appcontext
def purge_command(dry_run: bool, now_text: str | None) -> None:
    """Purge raw inbound payloads and call recordings past their retention (config/retention.toml)."""
    from gateway import retention
    from gateway.settings import INSTANCE_DIR

    rt = _rt()
    try:
        policy = retention.load_retention(rt.settings.config_dir, INSTANCE_DIR)
    except retention.RetentionConfigError as exc:
        raise click.UsageError(str(exc)) from None
    result = retention.purge(rt.database, policy, parse_now(now_text), dry_run=dry_run)
    click.echo(json.dumps(result.to_dict()))
