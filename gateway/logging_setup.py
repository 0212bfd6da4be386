"""Structured JSON logs, one object a line, with the request id or RQ job id; no phone numbers, no bodies.

Citizens' numbers and what they wrote are personal data that logs (shipped, kept, read by many)
must not hold. Redaction is a `logging.Filter` on the handler this module installs, so it covers
every logger that reaches it (ours, werkzeug's request lines, RQ's, libraries'):

- the formatted message and the exception text are scrubbed of phone numbers: E.164 (+86...),
  Chinese mobiles (1[3-9] and 9 digits), landlines with an area code (0xx-xxxxxxxx), with or without
  separators; case numbers (XN-20261127-0042) and ids are left readable;
- values of known personal fields (Body, From, To, sender, to_number, citizen_number, payload...)
  passed as `extra=` or inside mapping arguments are replaced by "[redacted]". Code must still not
  log a body positionally ("%s", body): no pattern can tell a complaint text from other text.

`configure_logging()` is idempotent; `init_app(app)` adds the request id (X-Request-ID if the load
balancer set one, else a new one) to every log line of a request and to the response.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import re
import sys
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import IO, Any

from rq import get_current_job

REDACTED = "[redacted]"
PHONE_MASK = "[phone]"

# Field names whose values are personal data, compared case-insensitively.
SENSITIVE_FIELDS = frozenset(
    name.lower()
    for name in (
        "Body",
        "body",
        "From",
        "To",
        "Caller",
        "Called",
        "sender",
        "recipient",
        "to_number",
        "citizen_number",
        "phone",
        "text",
        "transcript",
        "TranscriptionText",
        "SpeechResult",
        "description",
        "payload",
        "resolution",
        "rating_text",
    )
)

# Digits not glued to other digits or to letters/hyphen-digit runs (so "XN-20261127-0042" survives).
_PHONE = re.compile(
    r"""
    (?<![\w-])(?:
        (?:\+|%2[Bb])\d[\d\s\-().]{6,18}\d    # E.164 (also URL-encoded), or international with separators
      | 1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}         # Chinese mobile, 11 digits
      | 0\d{2,3}[\s-]?\d{7,8}                  # landline with area code
      | \(0\d{2,3}\)\s?\d{7,8}                 # (0715) 5551234
      | 86[\s-]?1[3-9]\d{9}                    # mobile with country code, no plus
    )(?![\w])
    """,
    re.VERBOSE,
)

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

_STANDARD_ATTRS = frozenset(vars(logging.LogRecord("x", 0, "x", 0, "x", None, None))) | {"message", "asctime"}
_HANDLER_MARK = "_gateway_json_handler"


def redact_text(text: str) -> str:
    return _PHONE.sub(PHONE_MASK, text)


def redact_value(value: Any, key: str | None = None) -> Any:
    if key is not None and key.lower() in SENSITIVE_FIELDS and value not in (None, ""):
        return REDACTED
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping):
        return {k: redact_value(v, str(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(redact_value(v) for v in value)
    return value


class RedactingFilter(logging.Filter):
    """Scrubs a record in place before any formatter sees it (see the module docstring)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, Mapping):
            record.args = redact_value(args)
        elif isinstance(args, tuple):
            record.args = tuple(redact_value(a) for a in args)
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = f"{record.msg!s} {record.args!r}"
        record.msg = redact_text(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        record.exc_info = None  # the scrubbed text stands in for it
        if record.stack_info:
            record.stack_info = redact_text(record.stack_info)
        for key, value in list(vars(record).items()):
            if key not in _STANDARD_ATTRS:
                setattr(record, key, redact_value(value, key))
        return True


def current_job_id() -> str | None:
    job = get_current_job()
    return job.id if job is not None else None


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        rid = request_id.get()
        if rid:
            data["request_id"] = rid
        job_id = current_job_id()
        if job_id:
            data["job_id"] = job_id
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            data["exc"] = record.exc_text
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                data[key] = value
        return json.dumps(data, ensure_ascii=False, default=str)


class _JsonHandler(logging.StreamHandler):
    """Writes to the given stream, or to whatever `sys.stderr` is at the time of each record.

    Resolving stderr late matters when the handler outlives a stream (pytest swaps sys.stderr per
    test; a handler holding the old one would write to a closed file).
    """

    def __init__(self, stream: IO[str] | None = None) -> None:
        super().__init__(stream or sys.stderr)
        self.fixed = stream

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = self.fixed or sys.stderr
        super().emit(record)


def configure_logging(level: str | int | None = None, stream: IO[str] | None = None) -> logging.Handler:
    """Install (once) a JSON handler with redaction on the root logger; returns it.

    Level from LOG_LEVEL (default INFO). Called again, it adjusts the existing handler rather than
    adding a second one (create_app runs more than once in tests and in `flask` commands);
    `stream=None` means the current stderr.
    """
    root = logging.getLogger()
    level = level or os.environ.get("LOG_LEVEL", "INFO")
    handler = next((h for h in root.handlers if getattr(h, _HANDLER_MARK, False)), None)
    if handler is None:
        handler = _JsonHandler(stream)
        setattr(handler, _HANDLER_MARK, True)
        handler.addFilter(RedactingFilter())
        handler.setFormatter(JsonFormatter())
        root.addHandler(handler)
    elif isinstance(handler, _JsonHandler):
        handler.fixed = stream
    root.setLevel(level)
    return handler


def init_app(app) -> None:
    """JSON logs for the app and a request id on each request (header X-Request-ID in and out)."""
    from flask import g, request

    configure_logging()

    @app.before_request
    def _request_id() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        # Only a sane id from upstream is kept: the header is client-controlled and is logged.
        rid = incoming if re.fullmatch(r"[A-Za-z0-9._-]{8,64}", incoming) else uuid.uuid4().hex
        g.request_id_token = request_id.set(rid)

    @app.after_request
    def _echo(response):
        rid = request_id.get()
        if rid:
            response.headers["X-Request-ID"] = rid
        return response

    @app.teardown_request
    def _clear(_exc) -> None:
        token = g.pop("request_id_token", None)
        if token is not None:
            request_id.reset(token)
