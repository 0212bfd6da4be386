"""Console accounts from the command line: `gateway user create`, and demo logins for `make run`.

The lead registers these in gateway/cli.py: `main.add_command(user_group)`.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from gateway import accounts
from gateway.db import Database
from gateway.models import Role
from gateway.units import Units


@click.group("user")
def user_group() -> None:
    """Console users (dispatchers, supervisors, administrators)."""


@user_group.command("create")
@click.argument("name")
@click.option("--unit", default=None, help="the unit's code as the case JSON shows it, e.g. chibi.traffic")
@click.option("--role", type=click.Choice(Role.ALL), default=Role.DISPATCHER, show_default=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True, help="at least 10 characters")
@click.option("--display-name", default=None, help="the name colleagues see (defaults to NAME)")
@click.option("--language", type=click.Choice(("zh", "en")), default="zh", show_default=True)
@with_appcontext
def user_create(name: str, unit: str | None, role: str, password: str, display_name: str | None, language: str) -> None:
    """Create the console user NAME."""
    rt = current_app.extensions["gateway"]
    try:
        with rt.database.session() as session:
            user = accounts.create_user(
                session,
                name,
                password,
                role,
                datetime.now(UTC),
                unit=unit,
                display_name=display_name,
                language=language,
                units=rt.units,
            )
            summary = f"user {user.username!r} created: {user.role}" + (f" of {user.unit}" if user.unit else "")
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(summary)


@user_group.command("disable")
@click.argument("name")
@with_appcontext
def user_disable(name: str) -> None:
    """Disable NAME: their sessions end at their next request."""
    rt = current_app.extensions["gateway"]
    with rt.database.session() as session:
        user = accounts.get_user(session, name)
        if user is None:
            raise click.ClickException(f"no user {name!r}")
        accounts.disable_user(user, datetime.now(UTC))
    click.echo(f"user {name!r} disabled")


# Demo accounts for `make run`: one of each role, and dispatchers of a few busy units.
DEMO_USERS: tuple[tuple[str, str, str | None, str], ...] = (
    # (username, role, unit, display name)
    ("admin", Role.ADMIN, None, "系统管理员"),
    ("supervisor", Role.SUPERVISOR, None, "市局督办"),
    ("command", Role.DISPATCHER, "city.command", "110指挥中心值班员"),
    ("chibi.traffic", Role.DISPATCHER, "chibi.traffic", "赤壁交警接警员"),
    ("xianan.public_order", Role.DISPATCHER, "xianan.public_order", "咸安治安接警员"),
    ("city.inspection", Role.DISPATCHER, "city.inspection", "市局督察接警员"),
)


def seed_demo_users(database: Database, units: Units) -> list[tuple[str, str]]:
    """Create (or re-key) the demo accounts; returns (username, password) pairs to print.

    Development only. Each call sets fresh random passwords, so a printed password is never one
    that was valid before, and nothing guessable is ever installed.
    """
    logins: list[tuple[str, str]] = []
    now = datetime.now(UTC)
    with database.session() as session:
        for username, role, unit, display in DEMO_USERS:
            if unit is not None and units.get(unit) is None:
                continue  # a deployment without this unit
            password = secrets.token_urlsafe(9)
            user = accounts.get_user(session, username)
            if user is None:
                accounts.create_user(
                    session, username, password, role, now, unit=unit, display_name=display, units=units
                )
            else:
                accounts.set_password(user, password)
                accounts.enable_user(user)
            logins.append((username, password))
    return logins
