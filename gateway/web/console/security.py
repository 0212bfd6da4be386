"""The console's guards: signed-cookie sessions that expire, CSRF tokens, login rate limits, headers.

Sessions are Flask's signed cookies (SECRET_KEY): nothing to store server-side, and every request
re-reads the user, so a disabled account or a changed password ends its sessions at once.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import time
from datetime import timedelta

from flask import Flask, Response, abort, request, session
from redis import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

IDLE_TIMEOUT = timedelta(minutes=30)  # a console left open at an empty desk
ABSOLUTE_TIMEOUT = timedelta(hours=12)  # one shift; then sign in again
CSRF_FIELD = "csrf_token"

# Failed sign-ins counted per (IP, username) and per IP, in a sliding-ish fixed window.
LOGIN_WINDOW_SECONDS = 15 * 60
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_IP = 30

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    # Pages carry citizens' numbers and messages: never kept by a browser or proxy cache.
    "Cache-Control": "no-store",
}


def configure_app(app: Flask, production: bool) -> None:
    """Cookie settings of the app's session cookie, which the console signs users in with."""
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_SECURE"] = production
    app.config["PERMANENT_SESSION_LIFETIME"] = ABSOLUTE_TIMEOUT


def set_security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


# --- sessions ---------------------------------------------------------------------------------


def start_session(user_id: int, password_hash: str, language: str) -> None:
    """A fresh session after sign-in: nothing from before it (a planted token) survives."""
    session.clear()
    session.permanent = True
    now = int(time.time())
    session.update(
        uid=user_id,
        pw=_fingerprint(password_hash),
        auth_at=now,
        seen_at=now,
        lang=language,
        csrf=secrets.token_urlsafe(32),
    )


def session_user_id(password_hash_of) -> int | None:
    """The signed-in user's id, or None when there is none or the session has expired.

    `password_hash_of(uid)` returns the user's current hash (None when disabled or gone), so that a
    password change or a disabled account ends the session.
    """
    uid = session.get("uid")
    if uid is None:
        return None
    now = int(time.time())
    auth_at, seen_at = session.get("auth_at", 0), session.get("seen_at", 0)
    if now - auth_at > ABSOLUTE_TIMEOUT.total_seconds() or now - seen_at > IDLE_TIMEOUT.total_seconds():
        end_session(keep_language=True)
        session["expired"] = True
        return None
    current = password_hash_of(uid)
    if current is None or not hmac.compare_digest(session.get("pw", ""), _fingerprint(current)):
        end_session(keep_language=True)
        return None
    # Refreshing once a minute is enough for a 30-minute idle limit and spares a cookie per request.
    if now - seen_at > 60:
        session["seen_at"] = now
    return uid


def end_session(keep_language: bool = False) -> None:
    language = session.get("lang")
    session.clear()
    if keep_language and language:
        session["lang"] = language


def _fingerprint(password_hash: str) -> str:
    return password_hash[-16:]


# --- CSRF -------------------------------------------------------------------------------------


def csrf_token() -> str:
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def check_csrf() -> None:
    """Every state-changing request carries the session's token in a form field (or header)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    sent = request.form.get(CSRF_FIELD) or request.headers.get("X-CSRF-Token") or ""
    expected = session.get("csrf") or ""
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        abort(400, description="csrf")


# --- login rate limit -------------------------------------------------------------------------


class LoginLimiter:
    """Counts failed sign-ins in Redis, shared by every web process."""

    def __init__(self, redis: Redis, prefix: str = "console:login") -> None:
        self.redis = redis
        self.prefix = prefix

    def _keys(self, ip: str, username: str) -> tuple[str, str]:
        return f"{self.prefix}:ip:{ip}", f"{self.prefix}:user:{ip}:{username.lower()[:64]}"

    def blocked(self, ip: str, username: str) -> bool:
        ip_key, user_key = self._keys(ip, username)
        try:
            ip_count, user_count = self.redis.mget(ip_key, user_key)
        except RedisError as exc:
            # Fail open, loudly: with Redis down, locking every dispatcher out of the console
            # would do more harm than a window without throttling (passwords are still checked).
            log.warning("login limiter unavailable, not throttling: %s", exc)
            return False
        return int(ip_count or 0) >= MAX_FAILURES_PER_IP or int(user_count or 0) >= MAX_FAILURES_PER_USER

    def failed(self, ip: str, username: str) -> None:
        try:
            pipe = self.redis.pipeline()
            for key in self._keys(ip, username):
                # The window starts at the first failure (SET NX) and is not extended by later ones.
                pipe.set(key, 0, ex=LOGIN_WINDOW_SECONDS, nx=True)
                pipe.incr(key)
            pipe.execute()
        except RedisError as exc:
            log.warning("login limiter unavailable, failure not counted: %s", exc)

    def succeeded(self, ip: str, username: str) -> None:
        try:
            self.redis.delete(self._keys(ip, username)[1])
        except RedisError as exc:
            log.warning("login limiter unavailable: %s", exc)
