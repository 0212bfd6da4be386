"""The online complaint page (网上投诉): CSRF, validation, floods, the case number, safe look-ups."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from support import run_worker

from gateway.models import Case, InboundMessage

CASE_NUMBER = re.compile(r"XN-\d{8}-\d{4}")
MOBILE = "13807151234"


def hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def open_form(client, lang: str = "zh") -> dict:
    page = client.get(f"/complaint?lang={lang}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    return {"csrf": hidden(html, "csrf"), "form_id": hidden(html, "form_id"), "lang": lang}


def submit(client, form: dict | None = None, **fields):
    form = form or open_form(client)
    data = {**form, "text": "赤壁市赵李桥镇路口的红绿灯坏了三天了", "mobile": MOBILE, "place": "赵李桥镇", **fields}
    return client.post("/complaint", data={k: v for k, v in data.items() if v is not None})


def count(database, model) -> int:
    with database.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_page_in_chinese_and_english(client):
    zh = client.get("/complaint").get_data(as_text=True)
    assert "网上投诉" in zh and "110" in zh and 'name="csrf"' in zh
    en = client.get("/complaint?lang=en").get_data(as_text=True)
    assert "File a complaint online" in en and "call 110" in en


def test_complaint_becomes_a_case_and_shows_its_number(client, database, redis_conn):
    response = submit(client)
    assert response.status_code == 201
    number = CASE_NUMBER.search(response.get_data(as_text=True)).group(0)
    with database.session() as s:
        case = s.scalars(select(Case)).one()
        inbound = s.scalars(select(InboundMessage)).one()
        assert case.number == number and case.channel == "web"
        assert case.citizen_number == "+8613807151234"
        assert inbound.body == "赤壁市赵李桥镇路口的红绿灯坏了三天了\n地点：赵李桥镇"
    run_worker(redis_conn)
    with database.session() as s:
        assert s.scalars(select(Case.department)).one() == "traffic"


def test_english_complaint(client, database):
    response = submit(client, open_form(client, "en"), text="My passport renewal is delayed", place=None)
    assert response.status_code == 201
    assert "Your case number is" in response.get_data(as_text=True)
    with database.session() as s:
        assert s.scalars(select(Case.language)).one() == "en"


def test_double_submit_of_one_form_is_one_case(client, database):
    form = open_form(client)
    first = submit(client, form)
    again = submit(client, form)
    assert (first.status_code, again.status_code) == (201, 200)
    assert CASE_NUMBER.search(first.get_data(as_text=True)).group(0) == CASE_NUMBER.search(
        again.get_data(as_text=True)
    ).group(0)
    assert count(database, Case) == 1


def test_missing_or_wrong_csrf_token_is_refused(client, database):
    form = open_form(client)
    assert submit(client, {**form, "csrf": "forged"}).status_code == 400
    assert submit(client, {**form, "csrf": None}).status_code == 400
    # Another browser (no session cookie) cannot post a token it did not get.
    other = client.application.test_client()
    assert submit(other, form).status_code == 400
    assert count(database, InboundMessage) == 0


def test_validation_errors_are_400_and_store_nothing(client, database):
    form = open_form(client)
    cases = [
        ({"text": "  "}, "请填写投诉内容"),
        ({"text": "长" * 2001}, "最多2000字"),
        ({"mobile": "12345"}, "有效的手机号码"),
        ({"mobile": "0715-8123456"}, "有效的手机号码"),  # a landline cannot be texted the number
        ({"place": "地" * 101}, "地点最多100字"),
    ]
    for fields, message in cases:
        response = submit(client, form, **fields)
        assert response.status_code == 400, fields
        assert message in response.get_data(as_text=True)
    assert count(database, InboundMessage) == 0


def test_submissions_are_limited_per_number_and_per_address(tight_client, database):
    answers = [submit(tight_client, open_form(tight_client)).status_code for _ in range(3)]
    assert answers == [201, 201, 429]  # per number: 2 an hour in the tight config
    other = submit(tight_client, open_form(tight_client), mobile="13907151111").status_code
    assert other == 429  # per address: 3 an hour, this is the fourth try
    assert count(database, Case) == 2


def test_lookup_needs_the_number_and_the_right_four_digits(client):
    number = CASE_NUMBER.search(submit(client).get_data(as_text=True)).group(0)
    form = open_form(client)

    found = client.post("/complaint/lookup", data={**form, "number": number, "last4": "1234"})
    assert found.status_code == 200
    html = found.get_data(as_text=True)
    assert number in html and "分派" in html
    # Never the complaint text or the full number on the page.
    assert "红绿灯" not in html and MOBILE not in html

    wrong = client.post("/complaint/lookup", data={**form, "number": number, "last4": "9999"})
    missing = client.post("/complaint/lookup", data={**form, "number": "XN-20000101-0001", "last4": "1234"})
    assert wrong.status_code == missing.status_code == 404
    assert number not in wrong.get_data(as_text=True)
    assert "没有找到" in wrong.get_data(as_text=True)


def test_lookup_guessing_is_rate_limited(tight_client):
    number = CASE_NUMBER.search(submit(tight_client).get_data(as_text=True)).group(0)
    form = open_form(tight_client)
    answers = [
        tight_client.post("/complaint/lookup", data={**form, "number": number, "last4": f"{n:04d}"}).status_code
        for n in range(4)
    ]
    assert answers == [404, 404, 404, 429]  # 3 look-ups a case an hour in the tight config
    right = tight_client.post("/complaint/lookup", data={**form, "number": number, "last4": "1234"})
    assert right.status_code == 429


def test_lookup_without_csrf_is_refused(client):
    assert client.post("/complaint/lookup", data={"number": "XN-1", "last4": "1234"}).status_code == 400
