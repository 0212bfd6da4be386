"""Console accounts: creating users, hashing and checking passwords.

Domain code: a session and plain values in, no Flask. Passwords are hashed with scrypt (werkzeug's
`generate_password_hash`), salted per user; the hash string names its method, so the cost can be
raised later without invalidating existing hashes.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from gateway.models import Role, User
from gateway.units import Units

HASH_METHOD = "scrypt"
MIN_PASSWORD_LENGTH = 10
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")

# Checked when the username is unknown, so that a failed login costs the same time either way
# and response times do not reveal which usernames exist.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method=HASH_METHOD)


class AccountError(ValueError):
    """A user cannot be created or changed as asked; the message says why, for people."""


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=HASH_METHOD)


def check_password(password_hash: str, password: str) -> bool:
    return check_password_hash(password_hash, password)


def validate_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise AccountError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")


def get_user(session: Session, username: str) -> User | None:
    return session.scalars(select(User).where(User.username == (username or "").strip().lower())).one_or_none()


def create_user(
    session: Session,
    username: str,
    password: str,
    role: str,
    now: datetime,
    *,
    unit: str | None = None,
    display_name: str | None = None,
    language: str = "zh",
    units: Units | None = None,
) -> User:
    """A new console user. A dispatcher belongs to exactly one unit; supervisors and admins to none.

    `units`, when given, is checked so that a typo in a unit code cannot create a dispatcher who
    sees nothing at all.
    """
    username = (username or "").strip().lower()
    if not USERNAME.match(username):
        raise AccountError("a username is 2-64 lowercase letters, digits, '.', '_' or '-'")
    if role not in Role.ALL:
        raise AccountError(f"unknown role {role!r}; use one of {', '.join(Role.ALL)}")
    unit = (unit or "").strip() or None
    if role == Role.DISPATCHER and unit is None:
        raise AccountError("a dispatcher needs a unit (e.g. chibi.traffic)")
    if role != Role.DISPATCHER and unit is not None:
        # A supervisor with a unit would look restricted while seeing the whole city.
        raise AccountError(f"a {role} sees every unit; give no unit")
    if unit is not None and units is not None and units.get(unit) is None:
        raise AccountError(f"unknown unit {unit!r}")
    if language not in ("zh", "en"):
        raise AccountError("language is zh or en")
    validate_password(password)
    if get_user(session, username) is not None:
        raise AccountError(f"user {username!r} already exists")
    user = User(
        username=username,
        display_name=(display_name or "").strip() or username,
        password_hash=hash_password(password),
        role=role,
        unit=unit,
        language=language,
        created_at=now,
    )
    session.add(user)
    session.flush()
    return user


def set_password(user: User, password: str) -> None:
    validate_password(password)
    user.password_hash = hash_password(password)


def authenticate(session: Session, username: str, password: str, now: datetime) -> User | None:
    """The active user with this username and password, or None; records the login time."""
    user = get_user(session, username)
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(user.password_hash, password or ""):
        return None
    if user.disabled_at is not None:
        return None
    user.last_login_at = now
    return user


def disable_user(user: User, now: datetime) -> None:
    user.disabled_at = user.disabled_at or now


def enable_user(user: User) -> None:
    user.disabled_at = None


def officers_of(session: Session, unit: str) -> list[User]:
    """The active people of a unit a case can be assigned to (responsibility to a named person)."""
    return list(
        session.scalars(
            select(User)
            .where(User.unit == unit, User.disabled_at.is_(None), User.role == Role.DISPATCHER)
            .order_by(User.display_name)
        )
    )
