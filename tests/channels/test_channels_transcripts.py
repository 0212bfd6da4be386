"""POST /api/v1/transcripts: call-centre transcripts become cases, once per call_id; bad input is a
clear 4xx that stores nothing. Every response is checked against the served OpenAPI description."""

from __future__ import annotations

import json
import re
import uuid

import pytest
from openapi_check import check_request, check_response
from sqlalchemy import func, select
from support import run_worker

from gateway.models import Case, InboundMessage

PATH = "/api/v1/transcripts"
CASE_NUMBER = re.compile(r"^XN-\d{8}-\d{4}$")

ZH_TURNS = (
    "坐席：您好，12389，请讲。\n"
    "来电人：我要投诉赤壁市赵李桥镇那个路口的红绿灯，坏了三天了，早晚高峰堵得不行。\n"
    "坐席：您是在哪个镇？\n"
    "来电人：赵李桥镇。\n"
    "坐席：好的，我们会转交交警部门处理。"
)


def transcript(**overrides) -> dict:
    body = {
        "call_id": "CC-" + uuid.uuid4().hex[:12],
        "caller": "0715-8123456",
        "started_at": "2026-11-27T09:30:00+08:00",
        "transcript": ZH_TURNS,
        "agent_id": "agent-07",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def post(client, key: str | None, body, **kwargs):
    headers = {"X-API-Key": key} if key else {}
    if isinstance(body, dict | list):
        response = client.post(PATH, json=body, headers=headers, **kwargs)
    else:
        response = client.post(PATH, data=body, headers=headers, content_type="application/json", **kwargs)
    check_response(response, "POST", PATH)
    return response


def count(database, model) -> int:
    with database.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_chinese_transcript_with_speaker_turns_becomes_a_case(client, database, api_key):
    body = transcript()
    check_request("POST", PATH, body, {"X-API-Key": api_key})
    response = post(client, api_key, body)

    assert response.status_code == 201
    case = response.get_json()
    assert CASE_NUMBER.match(case["number"])
    assert case["channel"] == "transcript" and case["language"] == "zh" and case["status"] == "new"
    assert response.headers["Location"] == f"/api/v1/cases/{case['number']}"
    with database.session() as s:
        inbound = s.scalars(select(InboundMessage)).one()
        assert inbound.provider_id == body["call_id"]
        # Stored with its labels: the classifier reads the caller's turns itself.
        assert inbound.body == ZH_TURNS
        assert inbound.sender == "+867158123456" and inbound.sender_type == "fixed_line"
        assert inbound.payload["agent_id"] == "agent-07"


def test_the_classifier_routes_on_what_the_caller_said(client, database, api_key, redis_conn):
    response = post(client, api_key, transcript())
    run_worker(redis_conn)
    number = response.get_json()["number"]
    routed = client.get(f"/api/v1/cases/{number}", headers={"X-API-Key": api_key})
    check_response(routed, "GET", f"/api/v1/cases/{number}")
    case = routed.get_json()
    assert case["status"] in ("routed", "review")
    assert case["department"] == "traffic" and case["jurisdiction"] == "chibi"


def test_english_transcript_without_turns(client, api_key):
    text = "My passport renewal at the Chibi exit and entry office has been pending for six weeks."
    response = post(client, api_key, transcript(transcript=text, caller="+1 (646) 555-0101", language="en"))
    assert response.status_code == 201
    case = response.get_json()
    assert case["language"] == "en"
    assert case["messages"][0]["body"] == text


def test_turns_given_as_a_list_are_written_with_labels(client, database, api_key):
    turns = [
        {"speaker": "agent", "text": "12389, how can I help?"},
        {"speaker": "caller", "text": "Someone keeps parking on the fire lane at my building in Xian'an."},
    ]
    body = transcript(transcript=turns, language="en")
    check_request("POST", PATH, body, {"X-API-Key": api_key})
    assert post(client, api_key, body).status_code == 201
    with database.session() as s:
        inbound = s.scalars(select(InboundMessage)).one()
        assert inbound.body.splitlines() == [
            "Agent: 12389, how can I help?",
            "Caller: Someone keeps parking on the fire lane at my building in Xian'an.",
        ]
        assert inbound.payload["turns"] == turns


def test_chinese_turn_list_gets_chinese_labels(client, database, api_key):
    turns = [{"speaker": "agent", "text": "您好"}, {"speaker": "caller", "text": "我的身份证丢了怎么补办"}]
    assert post(client, api_key, transcript(transcript=turns)).status_code == 201
    with database.session() as s:
        assert s.scalars(select(InboundMessage.body)).one() == "坐席：您好\n来电人：我的身份证丢了怎么补办"


def test_repeated_call_id_answers_200_with_the_same_case(client, database, api_key):
    body = transcript()
    first = post(client, api_key, body)
    again = post(client, api_key, body)
    assert first.status_code == 201 and again.status_code == 200
    assert again.get_json()["number"] == first.get_json()["number"]
    assert count(database, Case) == 1 and count(database, InboundMessage) == 1


def test_another_clients_call_id_is_a_conflict_that_shows_nothing(client, database, api_key, other_key):
    body = transcript()
    post(client, api_key, body)
    response = post(client, other_key, body)
    assert response.status_code == 409
    assert "number" not in response.get_json() and "XN-" not in response.get_data(as_text=True)


def test_transcript_of_20000_characters_is_accepted(client, api_key):
    long_text = ("来电人：" + "路口的红绿灯坏了很久没人修。" * 2000)[:20000]
    assert len(long_text) == 20000
    # Sent as json.dumps writes it by default (\u escapes, 6 bytes a character: 120 kB).
    raw = json.dumps(transcript(transcript=long_text))
    assert len(raw) > 64 * 1024
    assert post(client, api_key, raw).status_code == 201


def test_transcript_over_20000_characters_is_422(client, database, api_key):
    response = post(client, api_key, transcript(transcript="长" * 20001))
    assert response.status_code == 422
    assert response.get_json()["problems"] == [
        {"field": "transcript", "problem": "must be at most 20000 characters (got 20001)"}
    ]
    assert count(database, InboundMessage) == 0


def test_oversize_body_is_413(client, database, api_key):
    response = post(client, api_key, json.dumps(transcript(transcript="x" * 300_000)))
    assert response.status_code == 413
    assert count(database, InboundMessage) == 0


def test_malformed_json_is_400(client, database, api_key):
    response = post(client, api_key, '{"call_id": "x", ')
    assert response.status_code == 400
    problem = response.get_json()["problems"][0]
    assert problem["field"] == "(body)" and "not valid JSON" in problem["problem"]
    assert count(database, InboundMessage) == 0


def test_non_json_body_is_415(client, database, api_key):
    response = client.post(PATH, data={"call_id": "x"}, headers={"X-API-Key": api_key})
    check_response(response, "POST", PATH)
    assert response.status_code == 415
    assert count(database, InboundMessage) == 0


def test_missing_fields_are_listed(client, database, api_key):
    response = post(client, api_key, {"call_id": "CC-1"})
    assert response.status_code == 422
    fields = {p["field"]: p["problem"] for p in response.get_json()["problems"]}
    assert fields == {
        "caller": "is required",
        "started_at": "is required",
        "transcript": "is required",
        "agent_id": "is required",
    }
    assert count(database, InboundMessage) == 0


@pytest.mark.parametrize(
    ("overrides", "field", "problem"),
    [
        ({"call_id": 42}, "call_id", "must be a string, not a number"),
        ({"call_id": "x" * 65}, "call_id", "must be at most 64 characters"),
        ({"caller": ["0715"]}, "caller", "must be a string, not an array"),
        ({"caller": "anonymous"}, "caller", "must be a telephone number (any format)"),
        ({"started_at": "yesterday"}, "started_at", "must be an ISO 8601 date-time, e.g. 2026-11-27T09:30:00+08:00"),
        ({"started_at": "2026-11-27T09:30:00"}, "started_at", "must include a UTC offset (e.g. +08:00 or Z)"),
        ({"transcript": True}, "transcript", "must be a string or a list of turns, not a boolean"),
        ({"transcript": "   "}, "transcript", "must not be empty"),
        ({"transcript": [{"speaker": "robot", "text": "hi"}]}, "transcript[0].speaker", "must be one of caller, agent"),
        ({"language": "fr"}, "language", "must be one of zh, en"),
        ({"audio_url": "ftp://x/y.wav"}, "audio_url", "must be an http or https URL"),
        ({"agent_id": None, "mood": "angry"}, "mood", "is not a known field"),
    ],
)
def test_wrong_types_and_values_are_422_naming_the_field(client, database, api_key, overrides, field, problem):
    response = post(client, api_key, transcript(**overrides))
    assert response.status_code == 422
    assert {"field": field, "problem": problem} in response.get_json()["problems"]
    assert count(database, InboundMessage) == 0


def test_json_that_is_not_an_object_is_422(client, api_key):
    response = post(client, api_key, [1, 2])
    assert response.status_code == 422
    assert response.get_json()["problems"] == [{"field": "(body)", "problem": "must be a JSON object"}]


@pytest.mark.parametrize("key", [None, "gk_wrong", "x" * 500])
def test_bad_key_is_401_and_stores_nothing(client, database, key):
    response = post(client, key, transcript())
    assert response.status_code == 401
    assert count(database, InboundMessage) == 0


def test_audio_url_is_kept(client, database, api_key):
    url = "https://recordings.callcentre.example/2026/11/27/CC-1.wav"
    assert post(client, api_key, transcript(audio_url=url)).status_code == 201
    with database.session() as s:
        assert s.scalars(select(InboundMessage)).one().payload["audio_url"] == url


def test_rate_limit_is_per_key(tight_client, database, api_key, other_key):
    answers = [post(tight_client, api_key, transcript()).status_code for _ in range(4)]
    assert answers == [201, 201, 201, 429]
    limited = post(tight_client, api_key, transcript())
    assert int(limited.headers["Retry-After"]) >= 1
    # Another key has its own window.
    assert post(tight_client, other_key, transcript()).status_code == 201
    assert count(database, Case) == 4


def test_openapi_description_is_served_without_a_key(client):
    response = client.get("/api/v1/openapi.json")
    check_response(response, "GET", "/api/v1/openapi.json")
    doc = response.get_json()
    assert doc["openapi"].startswith("3.1")
    assert {"/transcripts", "/cases/{number}"} <= set(doc["paths"])
    assert doc["components"]["securitySchemes"]["apiKey"]["name"] == "X-API-Key"


def test_case_lookup_responses_match_the_description(client, api_key, other_key):
    number = post(client, api_key, transcript()).get_json()["number"]
    for key, expected in ((api_key, 200), (other_key, 404), ("bad", 401)):
        response = client.get(f"/api/v1/cases/{number}", headers={"X-API-Key": key})
        check_response(response, "GET", f"/api/v1/cases/{number}")
        assert response.status_code == expected
