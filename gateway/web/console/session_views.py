"""Signing in and out, the language switch, and the hooks every console request passes through."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, g, redirect, render_template, request, session, url_for
from werkzeug.exceptions import HTTPException

from gateway import accounts
from gateway.case_actions import Actor
from gateway.models import User
from gateway.web.console import bp, security
from gateway.web.console.context import (
    department_name,
    is_city_wide,
    jurisdiction_name,
    language,
    now,
    runtime,
    t,
    unit_name,
)
from gateway.web.console.display import Clock, full_number, mask_number
from gateway.web.console.i18n import LANGUAGES


@bp.record_once
def _configure(state) -> None:
    settings = state.app.extensions["gateway"].settings
    security.configure_app(state.app, settings.production)


@bp.before_request
def load_user():
    security.check_csrf()
    g.user = None
    g.actor = None
    if request.endpoint == "console.static":
        return None
    rt = runtime()
    with rt.database.session() as db:

        def password_hash_of(uid: int) -> str | None:
            user = db.get(User, uid)
            return user.password_hash if user is not None and user.disabled_at is None else None

        uid = security.session_user_id(password_hash_of)
        if uid is not None:
            user = db.get(User, uid)
            db.expunge(user)
            g.user = user
            g.actor = Actor.from_user(user)
    return None


@bp.after_request
def headers(response):
    return security.set_security_headers(response)


@bp.app_template_global("csrf_token")
def _csrf_token() -> str:
    return security.csrf_token()


@bp.context_processor
def _template_context() -> dict:
    lang = language()
    rt = runtime()
    return {
        "t": t,
        "lang": lang,
        "user": g.get("user"),
        "city_wide": is_city_wide(g.get("user")),
        "clock": Clock(rt.units.bureau.timezone, lang, now()),
        "mask": mask_number,
        "full_number": full_number,
        "unit_name": unit_name,
        "department_name": department_name,
        "jurisdiction_name": jurisdiction_name,
        "bureau": rt.units.bureau.name_en if lang == "en" else rt.units.bureau.name_zh,
    }


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    code = exc.code or 500
    if code == 400 and exc.description == "csrf":
        message = t("csrf_failed")
    elif code == 404:
        message = t("not_found")
    elif code == 403:
        message = t("forbidden")
    else:
        message = exc.name
    return render_template("console/error.html", message=message, code=code), code


def _client_ip() -> str:
    # Behind the load balancer, configure ProxyFix so that remote_addr is the client's address.
    return request.remote_addr or "unknown"


def _safe_next(target: str | None) -> str:
    """Only a path inside the console: a login link must not bounce a dispatcher to another site."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and parts.path.startswith("/console/"):
            return target
    return url_for("console.queue")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        if g.user is not None:
            return redirect(url_for("console.queue"))
        expired = session.pop("expired", False)
        return render_template("console/login.html", error=t("session_expired") if expired else None)
    username = (request.form.get("username") or "").strip()[:64]
    password = request.form.get("password") or ""
    rt = runtime()
    limiter = security.LoginLimiter(rt.redis)
    ip = _client_ip()
    if limiter.blocked(ip, username):
        return render_template("console/login.html", error=t("login_limited"), username=username), 429
    with rt.database.session() as db:
        user = accounts.authenticate(db, username, password, now())
        if user is not None:
            uid, pw_hash, user_lang = user.id, user.password_hash, user.language
    if user is None:
        limiter.failed(ip, username)
        return render_template("console/login.html", error=t("login_failed"), username=username), 401
    limiter.succeeded(ip, username)
    chosen = session.get("lang")
    security.start_session(uid, pw_hash, chosen if chosen in LANGUAGES else user_lang)
    return redirect(_safe_next(request.args.get("next")), code=303)


@bp.post("/logout")
def logout():
    security.end_session(keep_language=True)
    return redirect(url_for("console.login"), code=303)


@bp.post("/lang")
def set_language():
    lang = request.form.get("lang")
    if lang in LANGUAGES:
        session["lang"] = lang
    back = request.form.get("next")
    if g.user is None:
        return redirect(url_for("console.login"), code=303)
    return redirect(_safe_next(back), code=303)


@bp.get("/")
def index():
    return redirect(url_for("console.queue"))


def flash_ok() -> None:
    flash(t("action_done"), "ok")
