"""`gateway user create` and the demo logins `make run` prints."""

from __future__ import annotations

from datetime import UTC, datetime

from gateway import accounts
from gateway.console_cli import seed_demo_users, user_group


def test_user_create(app, database):
    runner = app.test_cli_runner()
    result = runner.invoke(
        user_group,
        ["create", "wang", "--unit", "chibi.traffic", "--role", "dispatcher", "--password", "long enough pw"],
    )
    assert result.exit_code == 0, result.output
    with database.session() as s:
        user = accounts.authenticate(s, "wang", "long enough pw", datetime.now(UTC))
        assert user is not None and user.unit == "chibi.traffic"


def test_user_create_refuses_an_unknown_unit(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        user_group, ["create", "wang", "--unit", "mars.traffic", "--role", "dispatcher", "--password", "long enough pw"]
    )
    assert result.exit_code != 0 and "unknown unit" in result.output


def test_seed_demo_users_prints_working_logins(database, units):
    first = dict(seed_demo_users(database, units))
    again = dict(seed_demo_users(database, units))
    assert set(first) == set(again) and first["supervisor"] != again["supervisor"]
    with database.session() as s:
        for username, password in again.items():
            assert accounts.authenticate(s, username, password, datetime.now(UTC)) is not None
        assert accounts.authenticate(s, "supervisor", first["supervisor"], datetime.now(UTC)) is None
