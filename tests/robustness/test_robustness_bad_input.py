"""Thousands of generated bodies thrown at the webhooks and the JSON API: every answer is a clear
2xx or 4xx, never a 500, and nothing is half-stored (every stored message has its case or was a
command answered on the spot)."""

from __future__ import annotations

import json
import string
import uuid
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from support import PUBLIC_BASE_URL, sign

from gateway import apikeys
from gateway.models import InboundMessage


@pytest.fixture
def api_key(database):
    with database.session() as s:
        return apikeys.create_key(s, f"fuzz-{uuid.uuid4().hex[:6]}", apikeys.CITY, datetime.now(UTC))[1]


FAST = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)

# Text as citizens and attackers send it: any Unicode (emoji, control characters, lone surrogates
# are not encodable and are left out), long bodies, numbers in every shape.
texts = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1500, max_size=1700),
    st.sampled_from(["", " ", "\x00", "STOP", "查询", "1", "新投诉", "😀" * 400, "A" * 20_000, "\r\n\t"]),
)
numbers = st.one_of(
    st.sampled_from(["+8613807151234", "13807151234", "0715-8253825", "+1", "", "abc", "+" + "9" * 30, "12389"]),
    st.text(alphabet=string.digits + "+-() ", max_size=25),
)
sids = st.one_of(st.just(None), st.text(alphabet=string.ascii_letters + string.digits, min_size=0, max_size=80))


def _form(sid, sender, body, extra, to="+8612389"):
    params = {"AccountSid": "AC" + "0" * 32, "To": to, **extra}
    if sid is not None:
        params["MessageSid"] = sid
    if sender is not None:
        params["From"] = sender
    if body is not None:
        params["Body"] = body
    return params


def _assert_nothing_half_stored(database) -> None:
    with database.session() as s:
        orphans = s.scalar(
            select(func.count())
            .select_from(InboundMessage)
            .where(InboundMessage.case_id.is_(None), InboundMessage.processed_at.is_(None))
        )
    assert orphans == 0


@FAST
@given(
    sid=sids,
    sender=st.one_of(st.none(), numbers),
    body=st.one_of(st.none(), texts),
    extra=st.dictionaries(st.text(string.ascii_letters, min_size=1, max_size=12), st.text(max_size=30), max_size=4),
    signed=st.sampled_from(["good", "bad", "none"]),
    to=st.one_of(numbers, texts),
)
def test_sms_webhook_answers_every_body_with_2xx_or_4xx(client, database, sid, sender, body, extra, signed, to):
    params = _form(sid, sender, body, extra, to)
    headers = {}
    if signed == "good":
        headers["X-Twilio-Signature"] = sign(PUBLIC_BASE_URL + "/twilio/sms", params)
    elif signed == "bad":
        headers["X-Twilio-Signature"] = "bm90IGEgc2lnbmF0dXJl"
    response = client.post(
        "/twilio/sms", data=urlencode(params), content_type="application/x-www-form-urlencoded", headers=headers
    )
    assert response.status_code < 500, response.data[:300]
    if signed != "good":
        assert response.status_code == 403
    _assert_nothing_half_stored(database)


@FAST
@given(raw=st.binary(max_size=600))
def test_sms_webhook_survives_raw_bytes_and_invalid_utf8(client, database, raw):
    signature = sign(PUBLIC_BASE_URL + "/twilio/sms", {})
    response = client.post(
        "/twilio/sms",
        data=raw,
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": signature},
    )
    assert response.status_code < 500
    _assert_nothing_half_stored(database)


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), texts, numbers),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


@FAST
@given(
    body=st.one_of(
        json_values,
        st.fixed_dictionaries(
            {
                "call_id": st.one_of(sids, st.integers()),
                "caller": st.one_of(numbers, st.integers()),
                "transcript": json_values,
            },
            optional={"started_at": st.one_of(st.text(max_size=30), st.integers()), "agent_id": json_values},
        ),
    )
)
def test_transcripts_api_answers_every_body_with_2xx_or_4xx(client, database, api_key, body):
    response = client.post(
        "/api/v1/transcripts", data=json.dumps(body), content_type="application/json", headers={"X-API-Key": api_key}
    )
    assert response.status_code < 500, response.data[:300]
    if response.status_code >= 400:
        assert response.is_json and "error" in response.get_json()
    _assert_nothing_half_stored(database)


@FAST
@given(action=json_values, number=st.one_of(st.just("XN-20261127-0001"), st.text(max_size=30)))
def test_actions_api_answers_every_body_with_2xx_or_4xx(client, api_key, action, number):
    response = client.post(
        f"/api/v1/cases/{number}/actions",
        data=json.dumps(action),
        content_type="application/json",
        headers={"X-API-Key": api_key},
    )
    assert response.status_code < 500, response.data[:300]


@FAST
@given(
    query=st.dictionaries(
        st.sampled_from(["service_request_id", "service_code", "status", "start_date", "end_date", "x"]),
        texts,
        max_size=4,
    )
)
def test_open311_queries_answer_2xx_or_4xx(client, query):
    response = client.get("/open311/v2/requests.json?" + urlencode(query))
    assert response.status_code < 500, response.data[:300]


VOICE_PATHS = [
    "/twilio/voice",
    "/twilio/voice/language",
    "/twilio/voice/speech",
    "/twilio/voice/recording",
    "/twilio/voice/recording-status",
    "/twilio/voice/transcription",
]
voice_fields = st.fixed_dictionaries(
    {},
    optional={
        "CallSid": sids,
        "From": numbers,
        "To": numbers,
        "Digits": st.one_of(st.sampled_from(["1", "2", "#", ""]), st.text(max_size=5)),
        "SpeechResult": texts,
        "Confidence": st.one_of(st.sampled_from(["0.93", "-1", "nan", "inf", ""]), st.text(max_size=8)),
        "RecordingSid": sids,
        "RecordingUrl": st.one_of(
            st.sampled_from(["https://api.twilio.com/r/RE1", "http://x", "", "https://" + "a" * 600]), texts
        ),
        "RecordingDuration": st.one_of(st.sampled_from(["0", "12", "-3", "1e9", ""]), st.text(max_size=6)),
        "RecordingStatus": st.sampled_from(["completed", "failed", "absent", ""]),
        "TranscriptionText": texts,
        "TranscriptionStatus": st.sampled_from(["completed", "failed", ""]),
    },
)


@FAST
@given(path=st.sampled_from(VOICE_PATHS), fields=voice_fields, lang=st.sampled_from(["", "?lang=en", "?lang=xx"]))
def test_voice_webhooks_answer_every_signed_body_with_2xx_or_4xx(client, database, path, fields, lang):
    params = {"AccountSid": "AC" + "0" * 32, **{k: v for k, v in fields.items() if v is not None}}
    signature = sign(PUBLIC_BASE_URL + path + lang, params)
    response = client.post(
        path + lang,
        data=urlencode(params),
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": signature},
    )
    assert response.status_code < 500, response.data[:300]
    _assert_nothing_half_stored(database)


@FAST
@given(
    fields=st.fixed_dictionaries(
        {},
        optional={
            "MessageSid": sids,
            "MessageStatus": st.one_of(
                st.sampled_from(["queued", "sent", "delivered", "undelivered", "failed", "read", ""]), texts
            ),
            "ErrorCode": st.one_of(st.sampled_from(["30003", "30006", "21610", ""]), st.text(max_size=10)),
        },
    ),
    row=st.one_of(st.just(""), st.sampled_from(["?m=1", "?m=-1", "?m=abc", "?m=" + "9" * 30]), st.text(max_size=12)),
)
def test_status_callbacks_answer_every_signed_body_with_2xx_or_4xx(client, fields, row):
    path = "/twilio/sms/status" + (row if row.startswith("?") or not row else "?m=" + row)
    params = {"AccountSid": "AC" + "0" * 32, **{k: v for k, v in fields.items() if v is not None}}
    response = client.post(
        path,
        data=urlencode(params),
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": sign(PUBLIC_BASE_URL + path, params)},
    )
    assert response.status_code < 500, response.data[:300]


@FAST
@given(
    fields=st.fixed_dictionaries(
        {},
        optional={
            "service_code": st.one_of(st.sampled_from(["traffic", "household", "inspection", "nope", ""]), texts),
            "description": texts,
            "lat": st.one_of(st.sampled_from(["29.84", "91", "-200", "nan", ""]), st.text(max_size=10)),
            "long": st.one_of(st.sampled_from(["114.32", "181", "inf", ""]), st.text(max_size=10)),
            "address_string": texts,
            "attribute[kind]": st.one_of(st.sampled_from(["complaint", "report", "x"]), st.text(max_size=10)),
            "phone": numbers,
        },
    ),
    fmt=st.sampled_from(["json", "xml", "csv"]),
)
def test_open311_submissions_answer_2xx_or_4xx(client, database, api_key, fields, fmt):
    response = client.post(
        f"/open311/v2/requests.{fmt}",
        data=urlencode(fields),
        content_type="application/x-www-form-urlencoded",
        headers={"X-API-Key": api_key},
    )
    assert response.status_code < 500, response.data[:300]
    _assert_nothing_half_stored(database)
