"""Helpers for tests: signing webhooks as Twilio does, building its parameters, running real workers."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime
from urllib.parse import urlencode

from redis import Redis
from rq import Queue, SimpleWorker
from twilio.request_validator import RequestValidator

from gateway import jobs

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
PUBLIC_BASE_URL = "https://gateway.test.example"
AUTH_TOKEN = "test-auth-token"


def sign(url: str, params: dict, token: str = AUTH_TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, params)


def post_signed(client, path: str, params: dict, *, token: str = AUTH_TOKEN, url: str | None = None):
    """POST a form as Twilio would: urlencoded, signed over the public URL and every parameter."""
    signature = sign(url or PUBLIC_BASE_URL + path, params, token)
    return client.post(
        path,
        data=urlencode(params),
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": signature},
    )


def sms_params(body: str, sid: str | None = None, sender: str = "+8613807151234") -> dict:
    return {
        "MessageSid": sid or "SM" + uuid.uuid4().hex,
        "AccountSid": "AC" + "0" * 32,
        "From": sender,
        "To": "+8671512389",
        "Body": body,
        "NumMedia": "0",
        "NumSegments": "1",
    }


def run_worker(redis: Redis, queues=jobs.QUEUES) -> None:
    """Run a real RQ worker until the queues are empty (in this process, on the test runtime)."""
    worker = SimpleWorker([Queue(name, connection=redis) for name in queues], connection=redis)
    worker.work(burst=True)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)
