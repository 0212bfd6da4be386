"""Transports: how an outbox row leaves the building.

`OutboxTransport` records and sends nothing (development, demos, `SMS_TRANSPORT=outbox`);
`TwilioTransport` calls twilio-python's `messages.create`. Both return a `Sent` or raise
`SendFailed` with a classified failure; the outbox decides what that means for the row.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol
from urllib.parse import urlsplit, urlunsplit

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from gateway.sms.errors import RETRY, Failure, SendFailed, classify

log = logging.getLogger(__name__)

STATUS_CALLBACK_PATH = "/twilio/sms/status"


@dataclass(frozen=True)
class Sent:
    sid: str | None  # the provider's id (SM...), None when nothing was sent
    status: str  # the provider's first status: queued, accepted, sent...


class Transport(Protocol):
    def send(self, *, message_id: int, to: str, body: str) -> Sent: ...

    def find_sent(self, *, to: str, body: str, since: datetime) -> list[str]:
        """Sids of messages the provider holds with this recipient and body, created since `since`
        (newest first): whether an attempt whose answer was lost went through."""
        ...


@dataclass
class OutboxTransport:
    """Sends nothing: the row itself is the record. Keeps a list for tests and the dev console log."""

    sent: list[tuple[int, str, str]] = field(default_factory=list)

    def send(self, *, message_id: int, to: str, body: str) -> Sent:
        self.sent.append((message_id, to, body))
        log.info("outbox transport: message %s to %s not sent (SMS_TRANSPORT=outbox)", message_id, to)
        return Sent(sid=None, status="recorded")

    def find_sent(self, *, to: str, body: str, since: datetime) -> list[str]:
        return []  # nothing leaves: there is no provider to ask


class _RebasedHttpClient(TwilioHttpClient):
    """Sends Twilio's requests to another scheme and host (a local fake API in tests).

    Rewriting at the HTTP layer keeps every other part of the real client (auth, encoding,
    error parsing) in play, which is the point of testing against a fake server.
    """

    def __init__(self, base_url: str, **kwargs) -> None:
        super().__init__(**kwargs)
        parts = urlsplit(base_url)
        self._scheme, self._netloc = parts.scheme, parts.netloc

    def request(self, method, url, *args, **kwargs):
        parts = urlsplit(url)
        url = urlunsplit((self._scheme, self._netloc, parts.path, parts.query, parts.fragment))
        return super().request(method, url, *args, **kwargs)


class TwilioTransport:
    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        from_number: str = "",
        messaging_service_sid: str = "",
        public_base_url: str = "",
        api_base_url: str = "",
        timeout: float = 10.0,
    ) -> None:
        if not (from_number or messaging_service_sid):
            raise ValueError("TwilioTransport needs a from number or a messaging service sid")
        # max_retries=0: retries are the outbox's business (with growing delays and a visible
        # attempt count), not a hidden loop inside the HTTP adapter.
        if api_base_url:
            http_client = _RebasedHttpClient(api_base_url, timeout=timeout, max_retries=0)
        else:
            http_client = TwilioHttpClient(timeout=timeout, max_retries=0)
        self.client = Client(account_sid, auth_token, http_client=http_client)
        self.from_number = from_number
        self.messaging_service_sid = messaging_service_sid
        self.public_base_url = public_base_url.rstrip("/")

    def status_callback_url(self, message_id: int) -> str | None:
        # The row id in the URL lets the callback find the row even when it arrives before
        # the worker has stored the provider's sid (Twilio can be that fast).
        if not self.public_base_url:
            return None
        return f"{self.public_base_url}{STATUS_CALLBACK_PATH}?m={message_id}"

    def send(self, *, message_id: int, to: str, body: str) -> Sent:
        kwargs: dict[str, str] = {"to": to, "body": body}
        # A messaging service picks the sender and handles Advanced Opt-Out; prefer it.
        if self.messaging_service_sid:
            kwargs["messaging_service_sid"] = self.messaging_service_sid
        else:
            kwargs["from_"] = self.from_number
        callback = self.status_callback_url(message_id)
        if callback:
            kwargs["status_callback"] = callback
        try:
            message = self.client.messages.create(**kwargs)
        except (TwilioRestException, TwilioServiceException, requests.exceptions.RequestException) as exc:
            raise SendFailed(classify(exc)) from exc
        return Sent(sid=message.sid, status=str(message.status or "queued"))

    # How far back the provider's clock may be behind ours, when comparing creation times.
    CLOCK_SKEW = timedelta(minutes=2)
    # The recipient's latest messages to look through; a retry comes within the hour.
    LOOKUP_LIMIT = 20

    def find_sent(self, *, to: str, body: str, since: datetime) -> list[str]:
        try:
            recent = self.client.messages.list(to=to, limit=self.LOOKUP_LIMIT)
        except (TwilioException, requests.exceptions.RequestException) as exc:
            # Not knowing is not "not sent": the attempt is retried later rather than risk a duplicate.
            raise SendFailed(Failure(RETRY, "lookup", str(exc)[:500])) from exc
        return [
            m.sid
            for m in recent
            if m.body == body and m.date_created is not None and m.date_created >= since - self.CLOCK_SKEW
        ]


def from_settings(settings) -> Transport:
    """The transport `SMS_TRANSPORT` asks for (settings: gateway.settings.Settings)."""
    if settings.sms_transport == "twilio":
        return TwilioTransport(
            account_sid=settings.twilio_account_sid,
            auth_token=settings.twilio_auth_token,
            from_number=settings.twilio_from_number,
            messaging_service_sid=settings.twilio_messaging_service_sid,
            public_base_url=settings.public_base_url,
            api_base_url=settings.twilio_api_base_url,
        )
    return OutboxTransport()
