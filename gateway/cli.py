"""The `gateway` command: database, API keys, classifier, tracker and local tools."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from gateway import create_app, jobs
from gateway.clitime import parse_now
from gateway.console_cli import user_group
from gateway.reports_cli import purge_command, report_group


def _rt():
    return current_app.extensions["gateway"]


@click.group(cls=FlaskGroup, create_app=lambda: create_app(), add_default_commands=True)
def main() -> None:
    """Complaint-intake gateway."""


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Apply every migration (the Procfile's release step)."""
    from gateway import migrate

    migrate.upgrade(_rt().settings.database_url)
    click.echo("database at head")


@db.command("revision")
@click.option("-m", "--message", required=True)
@with_appcontext
def db_revision(message: str) -> None:
    """Write a new migration from the difference between the models and the database."""
    from gateway import migrate

    migrate.revision(_rt().settings.database_url, message)


@main.group()
def apikey() -> None:
    """API keys for the bureau's other systems."""


@apikey.command("create")
@click.argument("name")
@click.option(
    "--scope", default="city", show_default=True, help='"city" for every unit, or a unit code (chibi.traffic)'
)
@with_appcontext
def apikey_create(name: str, scope: str) -> None:
    """Create a key; it is printed once, alone on the last line."""
    from gateway import apikeys

    rt = _rt()
    if scope != apikeys.CITY and rt.units.get(scope) is None:
        raise click.BadParameter(f"unknown unit {scope!r}", param_hint="--scope")
    with rt.database.session() as session:
        _row, key = apikeys.create_key(session, name, scope, datetime.now(UTC))
    click.echo(f"API key {name!r} (scope {scope}); store it now, it is not shown again:")
    click.echo(key)


@main.command("reconcile")
@click.option("--now", "now_text", help="ISO time with zone (default: now)")
@with_appcontext
def reconcile_command(now_text: str | None) -> None:
    """Enqueue inbound messages that have not become routed cases after the grace period."""
    from workers.intake import reconcile

    count = reconcile(_rt(), parse_now(now_text), _rt().settings.reconcile_grace_seconds)
    click.echo(f"enqueued {count}")


@main.command("sweep")
@click.option("--now", "now_text", help="ISO time with zone (default: now)")
@with_appcontext
def sweep_command(now_text: str | None) -> None:
    """Run the deadline tracker once: reminders, holding replies, escalations, public notices."""
    from gateway.tracker.commands import run_sweep

    rt = _rt()
    report = run_sweep(rt.database, parse_now(now_text), rt.settings.config_dir, policy=rt.policy, units=rt.units)
    jobs.enqueue_notify_many(rt.redis, report.message_ids)
    click.echo(json.dumps(report.as_dict(), ensure_ascii=False))


main.add_command(user_group)
main.add_command(report_group)
main.add_command(purge_command)


@main.command("classify")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def classify_command(path: Path) -> None:
    """Classify each message of a JSON Lines file; one JSON object a line on stdout."""
    from gateway.classify.commands import classify_file

    classify_file(path, _current_classifier(), sys.stdout)


@main.command("evaluate")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--rules-only", is_flag=True, help="ignore the trained model (cold start)")
@with_appcontext
def evaluate_command(path: Path, rules_only: bool) -> None:
    """Accuracy per field, macro-F1, the department confusion table and emergency recall/precision."""
    from gateway.classify import load_classifier
    from gateway.classify.commands import evaluate_file

    clf = load_classifier(config_dir=_rt().settings.config_dir, model=None) if rules_only else _current_classifier()
    evaluate_file(path, clf, sys.stdout)


@main.command("train")
@click.option(
    "--from", "source", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="labelled JSON Lines file"
)
@click.option(
    "--with-database/--without-database",
    default=True,
    show_default=True,
    help="add the routes dispatchers confirmed or corrected",
)
@with_appcontext
def train_command(source: Path | None, with_database: bool) -> None:
    """Train a model, store it as a new version, and route new cases with it."""
    from gateway import model_store
    from gateway.classify.commands import read_examples
    from gateway.classify.training import train
    from gateway.training_data import examples_from_database

    rt = _rt()
    examples = read_examples(source) if source else []
    with rt.database.session() as session:
        if with_database:
            examples += examples_from_database(session)
        if not examples:
            raise click.UsageError("no labelled examples: give --from FILE or confirm routes in the console first")
        trained = train(examples)
        sources = [str(source)] if source else []
        if with_database:
            sources.append("database")
        sources.append("config/classifier/examples.jsonl")
        # trained.examples counts the shipped examples too: the model learnt from all of them
        row = model_store.save_model(
            session, trained, source="+".join(sources), examples=trained.examples, metrics=None, now=datetime.now(UTC)
        )
        click.echo(
            json.dumps(
                {"version": row.version, "examples": trained.examples, "given": len(examples)}, ensure_ascii=False
            )
        )


@main.command("simulate-sms")
@click.argument("body")
@click.option("--from", "sender", default="+8613807151234", show_default=True)
@click.option("--url", "base_url", help="the running web app (default: PUBLIC_BASE_URL)")
@with_appcontext
def simulate_sms(body: str, sender: str, base_url: str | None) -> None:
    """Send a signed SMS webhook to a running gateway, as Twilio would, and print the reply."""
    import uuid

    import requests
    from twilio.request_validator import RequestValidator

    settings = _rt().settings
    url = settings.public_base_url.rstrip("/") + "/twilio/sms"
    params = {"MessageSid": "SM" + uuid.uuid4().hex, "From": sender, "To": "+8612389", "Body": body}
    signature = RequestValidator(settings.auth_token).compute_signature(url, params)
    target = (base_url.rstrip("/") + "/twilio/sms") if base_url else url
    response = requests.post(target, data=params, headers={"X-Twilio-Signature": signature}, timeout=15)
    click.echo(f"{response.status_code} {response.text}")


def _current_classifier():
    rt = _rt()
    with rt.database.session() as session:
        return rt.classifiers.get(session)


if __name__ == "__main__":
    main()
