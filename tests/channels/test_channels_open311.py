"""Open311 GeoReport v2: services, POST through intake, GET with the spec's filters, no citizen numbers."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from support import run_worker

from gateway.models import Case, CaseStatus, InboundMessage

CITIZEN = "13807151234"
FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}


def submit(client, key, **fields):
    data = {
        "service_code": "traffic",
        "description": "赤壁市赵李桥镇路口红绿灯坏了三天了，我的电话13807151234",
        "address_string": "赤壁市赵李桥镇",
        "lat": "29.72",
        "long": "113.90",
        "phone": CITIZEN,
        "attribute[kind]": "complaint",
    }
    if key:
        data["api_key"] = key
    data.update(fields)
    return client.post("/open311/v2/requests.json", data={k: v for k, v in data.items() if v is not None})


def count(database, model) -> int:
    with database.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_services_are_the_configured_departments(client):
    services = client.get("/open311/v2/services.json").get_json()
    codes = [s["service_code"] for s in services]
    assert "traffic" in codes and "household" in codes
    assert "command" not in codes  # an emergency is a phone call to 110
    traffic = next(s for s in services if s["service_code"] == "traffic")
    assert traffic["service_name"] == "交警" and traffic["metadata"] is True and traffic["type"] == "realtime"
    english = client.get("/open311/v2/services.json?locale=en").get_json()
    assert next(s for s in english if s["service_code"] == "traffic")["service_name"] == "Traffic Police"


def test_service_definition_offers_the_kinds(client):
    definition = client.get("/open311/v2/services/traffic.json").get_json()
    (attribute,) = definition["attributes"]
    assert attribute["code"] == "kind" and attribute["datatype"] == "singlevaluelist"
    assert [v["key"] for v in attribute["values"]] == ["complaint", "report", "inquiry", "suggestion", "praise"]
    assert client.get("/open311/v2/services/command.json").status_code == 404


def test_round_trip_post_then_get(client, database, api_key, redis_conn):
    response = submit(client, api_key)
    assert response.status_code == 201
    (created,) = response.get_json()
    number = created["service_request_id"]
    with database.session() as s:
        case = s.scalars(select(Case)).one()
        assert case.number == number and case.channel == "open311"
        assert case.citizen_number == "+8613807151234"
        inbound = s.scalars(select(InboundMessage)).one()
        assert "地点：赤壁市赵李桥镇" in inbound.body and inbound.payload["kind"] == "complaint"

    run_worker(redis_conn)
    (request,) = client.get(f"/open311/v2/requests/{number}.json", headers={"X-API-Key": api_key}).get_json()
    assert set(request) == FIELDS
    assert request["service_request_id"] == number
    assert request["status"] == "open"
    assert request["service_code"] == "traffic"
    assert request["agency_responsible"] == "赤壁市公安局交警"
    assert request["requested_datetime"].endswith("+08:00")
    assert request["expected_datetime"] is not None
    assert request["lat"] == "29.72" and request["address"]
    # The citizen typed their number into the text: masked, like everywhere in Open311.
    assert "13807151234" not in request["description"] and "*********34" in request["description"]


def test_no_citizen_number_anywhere_in_open311_answers(client, api_key, redis_conn):
    number = submit(client, api_key).get_json()[0]["service_request_id"]
    run_worker(redis_conn)
    for path in (
        f"/open311/v2/requests/{number}.json",
        "/open311/v2/requests.json",
        f"/open311/v2/requests/{number}.xml",
        "/open311/v2/requests.xml",
    ):
        for headers in ({}, {"X-API-Key": api_key}):
            body = client.get(path, headers=headers).get_data(as_text=True)
            assert number in body
            assert "13807151234" not in body and "8613807151234" not in body


def test_description_needs_a_key_that_may_see_the_case(client, api_key, other_key, redis_conn):
    number = submit(client, api_key, service_code="household", description="身份证丢了要补办")
    number = number.get_json()[0]["service_request_id"]
    run_worker(redis_conn)
    anonymous = client.get(f"/open311/v2/requests/{number}.json").get_json()[0]
    assert anonymous["description"] is None and anonymous["status"] == "open"
    other_unit = client.get(f"/open311/v2/requests/{number}.json", headers={"X-API-Key": other_key}).get_json()[0]
    assert other_unit["description"] is None


def test_filters(client, database, api_key, redis_conn):
    traffic = submit(client, api_key).get_json()[0]["service_request_id"]
    household = submit(client, api_key, service_code="household", description="我想问一下户口迁移要带什么材料")
    household = household.get_json()[0]["service_request_id"]
    run_worker(redis_conn)
    with database.session() as s:
        case = s.scalars(select(Case).where(Case.number == household)).one()
        case.status = CaseStatus.CLOSED
        case.closed_at = datetime.now(UTC)

    def ids(query: str) -> set[str]:
        response = client.get("/open311/v2/requests.json" + query)
        assert response.status_code == 200, response.get_json()
        return {r["service_request_id"] for r in response.get_json()}

    assert ids("") == {traffic, household}
    assert ids("?status=open") == {traffic}
    assert ids("?status=closed") == {household}
    assert ids("?status=open,closed") == {traffic, household}
    assert ids("?service_code=household") == {household}
    assert ids(f"?service_request_id={traffic}") == {traffic}
    assert ids(f"?service_request_id={traffic},{household}&status=open") == {traffic, household}
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    yesterday = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S+08:00")
    assert ids(f"?start_date={tomorrow}") == set()
    assert ids(f"?start_date={yesterday}&end_date={tomorrow}") == {traffic, household}
    assert ids(f"?end_date={yesterday}") == set()


@pytest.mark.parametrize(
    "query",
    [
        "?start_date=yesterday",
        "?end_date=2026-11-27T00:00:00",
        "?status=pending",
        "?start_date=2026-12-01T00:00:00Z&end_date=2026-11-01T00:00:00Z",
    ],
)
def test_bad_filters_are_400_in_the_spec_error_format(client, query):
    response = client.get("/open311/v2/requests.json" + query)
    assert response.status_code == 400
    (error,) = response.get_json()
    assert error["code"] == 400 and error["description"]


def test_unknown_request_is_404(client):
    response = client.get("/open311/v2/requests/XN-20000101-0001.json")
    assert response.status_code == 404
    assert response.get_json()[0]["code"] == 404


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"service_code": None}, "service_code is required"),
        ({"service_code": "parking"}, "unknown service_code parking"),
        ({"service_code": "command"}, "unknown service_code command"),
        ({"description": "  "}, "description is required"),
        ({"description": "长" * 4001}, "description must be at most 4000 characters"),
        ({"attribute[kind]": "rant"}, "attribute[kind] must be one of complaint, report, inquiry, suggestion, praise"),
        ({"lat": "91", "long": "113"}, "lat and long must be given together, as decimal degrees"),
        ({"long": None}, "lat and long must be given together, as decimal degrees"),
    ],
)
def test_bad_posts_are_400_and_store_nothing(client, database, api_key, fields, problem):
    response = submit(client, api_key, **fields)
    assert response.status_code == 400
    assert response.get_json() == [{"code": 400, "description": problem}]
    assert count(database, InboundMessage) == 0


@pytest.mark.parametrize("key", [None, "gk_not_a_key"])
def test_post_without_a_valid_key_is_403(client, database, key):
    response = submit(client, key)
    assert response.status_code == 403
    assert count(database, InboundMessage) == 0


def test_key_in_the_header_works_too(client, api_key):
    response = client.post(
        "/open311/v2/requests.json",
        data={"service_code": "fire", "description": "小区消防通道被车堵死了"},
        headers={"X-API-Key": api_key},
    )
    assert response.status_code == 201


def test_idempotency_key_makes_a_retry_return_the_same_request(client, database, api_key):
    headers = {"Idempotency-Key": "app-7f3e-0001"}
    data = {"service_code": "fire", "description": "小区消防通道被车堵死了", "api_key": api_key}
    first = client.post("/open311/v2/requests.json", data=data, headers=headers)
    again = client.post("/open311/v2/requests.json", data=data, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json() == again.get_json()
    assert count(database, Case) == 1


def test_post_rate_limit_per_key(tight_client, api_key):
    answers = [submit(tight_client, api_key).status_code for _ in range(3)]
    assert answers == [201, 201, 429]


def test_xml_services_and_requests(client, api_key):
    root = ET.fromstring(client.get("/open311/v2/services.xml").get_data())
    assert root.tag == "services" and root.find("service/service_code").text
    response = client.post(
        "/open311/v2/requests.xml", data={"service_code": "fire", "description": "消防通道被堵", "api_key": api_key}
    )
    assert response.status_code == 201 and response.mimetype == "text/xml"
    number = ET.fromstring(response.get_data()).find("request/service_request_id").text
    one = ET.fromstring(client.get(f"/open311/v2/requests/{number}.xml").get_data())
    assert one.find("request/status").text == "open"
    error = ET.fromstring(client.get("/open311/v2/requests.xml?status=x").get_data())
    assert error.tag == "errors" and error.find("error/code").text == "400"


def test_unknown_format_is_404(client):
    assert client.get("/open311/v2/services.csv").status_code == 404
