"""A local HTTP server that answers as Twilio's Messages API does, for the real twilio-python client.

    with FakeTwilioAPI(account_sid=..., auth_token=...) as api:
        api.script(21610)            # the next create answers with Twilio's 21610 error
        transport = TwilioTransport(..., api_base_url=api.base_url)

Outcomes are consumed first-in first-out; when the script is empty a create succeeds.
Scriptable outcomes: "ok", an error code (21610, 21211, 21614, 21635, 20429), an HTTP status
(500, 503), "slow" (answer 201 after `slow_seconds`, past the client's timeout: the message
is created all the same, as it can be at Twilio) and "hold" (create the message at once, then hold
the answer until `release()`: the fault drill kills the sending worker meanwhile).

`GET .../Messages.json?To=...` lists the messages created so far, newest first, as Twilio's list
resource does (what the outbox asks before trying again an attempt whose answer was lost);
`script_lookups(500)` makes the next list request fail.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

# Twilio's answers for the errors the gateway handles (status, message).
ERRORS: dict[int, tuple[int, str]] = {
    21610: (400, "Attempt to send to unsubscribed recipient"),
    21211: (400, "The 'To' number is not a valid phone number."),
    21614: (400, "'To' number is not a valid mobile number"),
    21635: (400, "The 'To' number cannot be reached by SMS: landline"),
    20429: (429, "Too Many Requests"),
    21617: (400, "The concatenated message body exceeds the 1600 character limit."),
}


@dataclass
class Received:
    path: str
    form: dict[str, str]
    authorization: str | None
    outcome: str


@dataclass
class Created:
    sid: str
    to: str
    body: str
    status_callback: str | None


@dataclass
class _State:
    account_sid: str
    auth_token: str
    slow_seconds: float
    script: deque = field(default_factory=deque)
    requests: list[Received] = field(default_factory=list)
    messages: list[Created] = field(default_factory=list)
    resources: list[dict] = field(default_factory=list)
    lookup_script: deque = field(default_factory=deque)
    lookups: list[dict[str, str]] = field(default_factory=list)
    held: list[str] = field(default_factory=list)  # sids of messages whose answer was held
    released: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    closing: threading.Event = field(default_factory=threading.Event)


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakeTwilio/1.0"
    state: _State  # set on the subclass the server is built with

    def log_message(self, format, *args):  # keep pytest output clean
        pass

    def do_POST(self):
        state = self.state
        length = int(self.headers.get("Content-Length") or 0)
        form = dict(parse_qsl(self.rfile.read(length).decode("utf-8"), keep_blank_values=True))
        path = urlsplit(self.path).path
        with state.lock:
            outcome = state.script.popleft() if state.script else "ok"
            state.requests.append(Received(path, form, self.headers.get("Authorization"), str(outcome)))

        if path != f"/2010-04-01/Accounts/{state.account_sid}/Messages.json":
            return self._json(404, {"code": 20404, "message": "The requested resource was not found", "status": 404})
        if not self._authorised():
            return self._json(401, {"code": 20003, "message": "Authenticate", "status": 401})
        if not form.get("To") or not form.get("Body"):
            return self._json(400, {"code": 21604, "message": "A 'To' phone number is required.", "status": 400})
        if not (form.get("From") or form.get("MessagingServiceSid")):
            return self._json(400, {"code": 21603, "message": "A 'From' phone number is required.", "status": 400})
        if len(form["Body"]) > 1600:
            outcome = 21617

        if outcome == "hold":
            resource = self._store(form)
            with state.lock:
                state.held.append(resource["sid"])
            state.released.wait(60)
            return self._json(201, resource)
        if outcome == "slow":
            # Wait past the client's timeout, then create the message anyway.
            state.closing.wait(state.slow_seconds)
            outcome = "ok"
        if outcome == "ok":
            return self._created(form)
        if isinstance(outcome, int) and outcome in ERRORS:
            status, message = ERRORS[outcome]
            return self._json(
                status,
                {
                    "code": outcome,
                    "message": message,
                    "status": status,
                    "more_info": f"https://www.twilio.com/docs/errors/{outcome}",
                },
            )
        status = int(outcome)
        return self._json(status, {"code": 20000 + status, "message": "Internal Server Error", "status": status})

    def do_GET(self):
        state = self.state
        parts = urlsplit(self.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        with state.lock:
            outcome = state.lookup_script.popleft() if state.lookup_script else "ok"
            state.lookups.append(query)
        list_path = f"/2010-04-01/Accounts/{state.account_sid}/Messages.json"
        if parts.path != list_path:
            return self._json(404, {"code": 20404, "message": "The requested resource was not found", "status": 404})
        if not self._authorised():
            return self._json(401, {"code": 20003, "message": "Authenticate", "status": 401})
        if outcome != "ok":
            status = int(outcome)
            return self._json(status, {"code": 20000 + status, "message": "Internal Server Error", "status": status})
        size = int(query.get("PageSize") or 50)
        with state.lock:
            found = [r for r in reversed(state.resources) if "To" not in query or r["to"] == query["To"]][:size]
        self._json(
            200,
            {
                "messages": found,
                "end": max(len(found) - 1, 0),
                "first_page_uri": f"{list_path}?PageSize={size}&Page=0",
                "next_page_uri": None,
                "page": 0,
                "page_size": size,
                "previous_page_uri": None,
                "start": 0,
                "uri": f"{list_path}?PageSize={size}&Page=0",
            },
        )

    def _authorised(self) -> bool:
        header = self.headers.get("Authorization") or ""
        if not header.startswith("Basic "):
            return False
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        return user == self.state.account_sid and password == self.state.auth_token

    def _created(self, form: dict[str, str]) -> None:
        self._json(201, self._store(form))

    def _store(self, form: dict[str, str]) -> dict:
        """Create the message resource, as Twilio does on a valid request."""
        state = self.state
        sid = "SM" + secrets.token_hex(16)
        stamp = format_datetime(datetime.now(UTC), usegmt=True)
        body = form["Body"]
        resource = {
            "account_sid": state.account_sid,
            "api_version": "2010-04-01",
            "body": body,
            "date_created": stamp,
            "date_sent": None,
            "date_updated": stamp,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": form.get("From"),
            "messaging_service_sid": form.get("MessagingServiceSid"),
            "num_media": "0",
            "num_segments": "1",
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": "accepted" if form.get("MessagingServiceSid") else "queued",
            "subresource_uris": {"media": f"/2010-04-01/Accounts/{state.account_sid}/Messages/{sid}/Media.json"},
            "to": form["To"],
            "uri": f"/2010-04-01/Accounts/{state.account_sid}/Messages/{sid}.json",
        }
        with state.lock:
            state.messages.append(Created(sid, form["To"], body, form.get("StatusCallback")))
            state.resources.append(resource)
        return resource

    def _json(self, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout): as at Twilio, the work is done all the same


class FakeTwilioAPI:
    def __init__(self, *, account_sid: str, auth_token: str, slow_seconds: float = 3.0) -> None:
        self._state = _State(account_sid=account_sid, auth_token=auth_token, slow_seconds=slow_seconds)
        handler = type("Handler", (_Handler,), {"state": self._state})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-twilio", daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def script(self, *outcomes: str | int) -> None:
        with self._state.lock:
            self._state.script.extend(outcomes)

    @property
    def held(self) -> list[str]:
        with self._state.lock:
            return list(self._state.held)

    def release(self) -> None:
        """Answer the held requests (to whoever is still listening)."""
        self._state.released.set()

    def script_lookups(self, *outcomes: str | int) -> None:
        with self._state.lock:
            self._state.lookup_script.extend(outcomes)

    @property
    def lookups(self) -> list[dict[str, str]]:
        """The query of every list request (GET Messages.json)."""
        with self._state.lock:
            return list(self._state.lookups)

    @property
    def requests(self) -> list[Received]:
        with self._state.lock:
            return list(self._state.requests)

    @property
    def messages(self) -> list[Created]:
        with self._state.lock:
            return list(self._state.messages)

    def start(self) -> FakeTwilioAPI:
        self._thread.start()
        return self

    def close(self) -> None:
        self._state.closing.set()
        self._state.released.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeTwilioAPI:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()
