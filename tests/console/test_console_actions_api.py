"""`POST /api/v1/cases/<number>/actions`: the console's rules for the bureau's other systems."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from console_support import make_case, make_user
from sqlalchemy import select

from gateway import apikeys
from gateway.models import Case, CaseEvent, CaseStatus, OutboundMessage


@pytest.fixture
def keys(database):
    now = datetime.now(UTC)
    with database.session() as s:
        _, unit_key = apikeys.create_key(s, "chibi-traffic-desk", "chibi.traffic", now)
        _, other_key = apikeys.create_key(s, "xianan-desk", "xianan.traffic", now)
        _, city_key = apikeys.create_key(s, "city-hub", apikeys.CITY, now)
    return {"unit": unit_key, "other": other_key, "city": city_key}


@pytest.fixture
def case_number(database, policy):
    # Routed a minute ago by the real clock: the API acts at the real time.
    with database.session() as s:
        make_user(s, "zhao", unit="chibi.traffic")
        return make_case(s, policy, at=datetime.now(UTC) - timedelta(minutes=1)).number


def post(client, number, key, body):
    return client.post(f"/api/v1/cases/{number}/actions", json=body, headers={"X-API-Key": key})


def load(database, number):
    with database.session() as s:
        case = s.scalars(select(Case).where(Case.number == number)).one()
        s.expunge(case)
        return case


def test_unit_key_signs_and_the_event_names_the_key(client, database, keys, case_number):
    response = post(client, case_number, keys["unit"], {"type": "sign"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["ok"] is True and body["case"]["status"] == "signed"
    assert any(e["type"] == "signed" and e["actor"] == "api:chibi-traffic-desk" for e in body["case"]["timeline"])


def test_other_units_key_gets_404(client, database, keys, case_number):
    response = post(client, case_number, keys["other"], {"type": "sign"})
    assert response.status_code == 404
    assert response.get_json()["code"] == "not_found"
    assert load(database, case_number).status == CaseStatus.ROUTED


def test_missing_key_is_401(client, case_number):
    response = client.post(f"/api/v1/cases/{case_number}/actions", json={"type": "sign"})
    assert response.status_code == 401


def test_unit_key_cannot_approve_but_city_key_can(client, database, keys, case_number):
    assert post(client, case_number, keys["unit"], {"type": "extend", "reason": "取证", "days": 3}).status_code == 200
    refused = post(client, case_number, keys["unit"], {"type": "approve_extension"})
    assert refused.status_code == 403 and refused.get_json()["code"] == "forbidden"
    approved = post(client, case_number, keys["city"], {"type": "approve_extension", "approve": True})
    assert approved.status_code == 200, approved.get_json()
    assert load(database, case_number).extension_count == 1


def test_reply_queues_an_sms(client, database, keys, case_number):
    response = post(client, case_number, keys["unit"], {"type": "reply", "body": "已安排处理"})
    assert response.status_code == 200
    with database.session() as s:
        sms = s.scalars(select(OutboundMessage)).one()
        assert sms.purpose == "reply" and "已安排处理" in sms.body


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"type": "teleport"}, 400, "bad_type"),
        ({"type": "return"}, 400, "missing_field"),
        ({"type": "assign", "officer": "nobody"}, 400, "bad_officer"),
        ({"type": "reroute", "unit": "chibi.fire"}, 403, "forbidden"),
    ],
)
def test_clear_4xx_errors(client, keys, case_number, body, status, code):
    response = post(client, case_number, keys["unit"], body)
    assert response.status_code == status
    assert response.get_json()["code"] == code and response.get_json()["error"]


def test_not_json_is_400(client, keys, case_number):
    response = client.post(
        f"/api/v1/cases/{case_number}/actions", data="type=sign", headers={"X-API-Key": keys["unit"]}
    )
    assert response.status_code == 400 and response.get_json()["code"] == "bad_json"


def test_state_conflict_is_409_and_nothing_is_written(client, database, keys, case_number):
    assert post(client, case_number, keys["unit"], {"type": "close", "summary": "已处理"}).status_code == 200
    with database.session() as s:
        before = s.scalar(select(CaseEvent.id).order_by(CaseEvent.id.desc()).limit(1))
    response = post(client, case_number, keys["unit"], {"type": "sign"})
    assert response.status_code == 409 and response.get_json()["code"] == "not_allowed"
    with database.session() as s:
        assert s.scalar(select(CaseEvent.id).order_by(CaseEvent.id.desc()).limit(1)) == before


def test_days_written_in_other_scripts_digits_is_a_clear_400(client, keys, case_number):
    # "²" passes str.isdigit() but int() refuses it: a 500 before digits were required to be ASCII.
    response = post(client, case_number, keys["unit"], {"type": "extend", "reason": "取证", "days": "²"})
    assert response.status_code == 400
    assert response.get_json()["code"] == "bad_field" and "days" in response.get_json()["error"]
