"""Console accounts: hashed passwords, roles and units checked, logins that reveal nothing."""

from __future__ import annotations

import pytest
from console_support import NOW, PASSWORD, make_user

from gateway import accounts
from gateway.models import Role


def test_password_is_hashed_with_a_salt(session):
    a = make_user(session, "wang")
    b = make_user(session, "li")
    assert PASSWORD not in a.password_hash
    assert a.password_hash.startswith("scrypt:")
    assert a.password_hash != b.password_hash


def test_authenticate(session):
    make_user(session, "wang")
    assert accounts.authenticate(session, "wang", PASSWORD, NOW).username == "wang"
    assert accounts.authenticate(session, " WANG ", PASSWORD, NOW) is not None
    assert accounts.authenticate(session, "wang", PASSWORD + "x", NOW) is None
    assert accounts.authenticate(session, "nobody", PASSWORD, NOW) is None


def test_disabled_user_cannot_log_in(session):
    user = make_user(session, "wang")
    accounts.disable_user(user, NOW)
    assert accounts.authenticate(session, "wang", PASSWORD, NOW) is None


@pytest.mark.parametrize(
    ("username", "role", "unit", "password"),
    [
        ("wang", Role.DISPATCHER, None, PASSWORD),  # a dispatcher needs a unit
        ("wang", Role.DISPATCHER, "nowhere.traffic", PASSWORD),
        ("boss", Role.SUPERVISOR, "chibi.traffic", PASSWORD),  # a city-wide role has no unit
        ("wang", "king", None, PASSWORD),
        ("a b", Role.ADMIN, None, PASSWORD),
        ("wang", Role.DISPATCHER, "chibi.traffic", "short"),
    ],
)
def test_invalid_users_are_refused(session, units, username, role, unit, password):
    with pytest.raises(accounts.AccountError):
        accounts.create_user(session, username, password, role, NOW, unit=unit, units=units)


def test_usernames_are_unique(session):
    make_user(session, "wang")
    with pytest.raises(accounts.AccountError):
        make_user(session, "Wang")


def test_officers_of_a_unit(session):
    make_user(session, "wang", unit="chibi.traffic", display_name="王")
    make_user(session, "li", unit="xianan.traffic")
    off = make_user(session, "zhao", unit="chibi.traffic")
    accounts.disable_user(off, NOW)
    assert [u.username for u in accounts.officers_of(session, "chibi.traffic")] == ["wang"]
