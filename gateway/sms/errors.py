"""What a failed send means for us: retry later, stop (opted out), or phone the citizen instead.

Twilio's codes are documented at https://www.twilio.com/docs/api/errors; the ones handled here are
the ones the issue names. Anything else that is a 4xx is a permanent failure: retrying a request
Twilio refused as malformed would only fail again.
"""

from __future__ import annotations

from dataclasses import dataclass

import requests
from twilio.base.exceptions import TwilioRestException, TwilioServiceException

RETRY = "retry"
OPT_OUT = "opt_out"  # 21610: the recipient replied STOP to our sender; Twilio will not deliver
CALLBACK = "callback"  # the number cannot get SMS: a person must phone
FAIL = "fail"

OPTED_OUT_CODES = frozenset({21610})
UNREACHABLE_CODES = frozenset({21211, 21614, 21635})  # invalid, not SMS-capable, landline
RATE_LIMIT_CODES = frozenset({20429})


@dataclass(frozen=True)
class Failure:
    action: str  # RETRY | OPT_OUT | CALLBACK | FAIL
    code: str  # Twilio's error code, or "timeout" / "connection" / "http-<status>"
    message: str

    @property
    def retryable(self) -> bool:
        return self.action == RETRY


class SendFailed(Exception):
    """Raised by a transport; carries the classified failure."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(f"{failure.code}: {failure.message}")
        self.failure = failure


def classify(exc: BaseException) -> Failure:
    if isinstance(exc, (TwilioRestException, TwilioServiceException)):
        code = int(exc.code) if exc.code is not None else int(exc.status)
        status = int(exc.status)
        message = str(getattr(exc, "msg", None) or getattr(exc, "detail", None) or "")[:500]
        if code in OPTED_OUT_CODES:
            return Failure(OPT_OUT, str(code), message)
        if code in UNREACHABLE_CODES:
            return Failure(CALLBACK, str(code), message)
        if code in RATE_LIMIT_CODES or status == 429 or status >= 500:
            return Failure(RETRY, str(code), message)
        return Failure(FAIL, str(code), message)
    # A timeout is ambiguous (Twilio may have accepted the message); the issue asks for a retry,
    # accepting a rare duplicate over a lost reply.
    if isinstance(exc, requests.exceptions.Timeout):
        return Failure(RETRY, "timeout", str(exc)[:500])
    if isinstance(exc, requests.exceptions.ConnectionError):
        return Failure(RETRY, "connection", str(exc)[:500])
    if isinstance(exc, requests.exceptions.RequestException):
        return Failure(RETRY, "request-error", str(exc)[:500])
    raise TypeError(f"not a send failure: {exc!r}") from exc
