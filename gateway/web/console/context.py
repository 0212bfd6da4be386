"""What every console request knows: the runtime, the signed-in user, their language, the clock."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import wraps

from flask import abort, g, redirect, request, session, url_for

from gateway.case_actions import Actor
from gateway.models import Role, User
from gateway.web import runtime  # noqa: F401 (the console's pages import it from here)
from gateway.web.console.i18n import LANGUAGES, translate


def now() -> datetime:
    return datetime.now(UTC)


def language() -> str:
    lang = session.get("lang")
    if lang in LANGUAGES:
        return lang
    user = g.get("user")
    return user.language if user is not None and user.language in LANGUAGES else "zh"


def t(key: str, **values: object) -> str:
    return translate(key, language(), **values)


def current_user() -> User | None:
    return g.get("user")


def current_actor() -> Actor:
    return g.actor


def login_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if g.get("user") is None:
            return redirect(url_for("console.login", next=request.full_path if request.method == "GET" else None))
        return view(*args, **kwargs)

    return wrapped


def roles_required(*roles: str):
    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            user = g.get("user")
            if user is None:
                return redirect(url_for("console.login"))
            if user.role not in roles:
                # Pages a role has no business on are "not found", like other units' cases.
                abort(404)
            return view(*args, **kwargs)

        return wrapped

    return decorate


def unit_name(code: str | None) -> str:
    if not code:
        return "—"
    unit = runtime().units.get(code)
    return unit.name(language()) if unit is not None else code


def is_city_wide(user: User | None) -> bool:
    return user is not None and user.role in (Role.SUPERVISOR, Role.ADMIN)


def department_name(code: str | None) -> str:
    dep = runtime().units.departments.get(code or "")
    if dep is None:
        return code or "—"
    return dep.name_en if language() == "en" else dep.name_zh


def jurisdiction_name(code: str | None) -> str:
    jur = runtime().units.jurisdictions.get(code or "")
    if jur is None:
        return code or "—"
    return jur.name_en if language() == "en" else jur.name_zh
