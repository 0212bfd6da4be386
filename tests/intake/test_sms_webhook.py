"""POST /twilio/sms: signature checks, limits, validation, and what one accepted message stores."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from sqlalchemy import func, select
from support import PUBLIC_BASE_URL, post_signed, sign, sms_params

from gateway.models import Case, CaseEvent, InboundMessage
from gateway.runtime import redis_from_url

CASE_NUMBER = re.compile(r"XN-\d{8}-\d{4}")


def _count(database, model) -> int:
    with database.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_signed_sms_is_stored_with_a_case_number_and_acknowledged(client, database):
    params = sms_params("赤壁市赵李桥镇路口红绿灯坏了三天了，早晚高峰堵得不行", sender="13807151234")
    response = post_signed(client, "/twilio/sms", params)

    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    body = response.get_data(as_text=True)
    number = CASE_NUMBER.search(body).group(0)
    assert "110" in body and "工作日" in body
    with database.session() as s:
        inbound = s.scalars(select(InboundMessage)).one()
        case = s.scalars(select(Case)).one()
        assert case.number == number
        assert inbound.case_id == case.id
        assert inbound.sender == "+8613807151234"  # national format normalised to E.164
        assert inbound.sender_type == "mobile"
        assert inbound.payload["MessageSid"] == params["MessageSid"]
        assert case.status == "new" and case.language == "zh"
        assert [e.type for e in s.scalars(select(CaseEvent))] == ["received"]


def test_english_sender_is_answered_in_english(client):
    response = post_signed(
        client, "/twilio/sms", sms_params("My passport renewal in Chibi is taking forever", sender="+16465550101")
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "call 110" in body and CASE_NUMBER.search(body)


def test_repeated_delivery_returns_the_same_acknowledgement_and_stores_nothing_new(client, database):
    params = sms_params("通城县隽水镇有人在小区里放鞭炮")
    first = post_signed(client, "/twilio/sms", params)
    second = post_signed(client, "/twilio/sms", params)
    assert first.status_code == second.status_code == 200
    assert first.get_data() == second.get_data()
    assert _count(database, InboundMessage) == 1
    assert _count(database, Case) == 1


def test_case_numbers_follow_a_daily_sequence(client):
    numbers = [
        CASE_NUMBER.search(
            post_signed(client, "/twilio/sms", sms_params(f"第{i}条投诉", sender=f"+861380715123{i}")).get_data(
                as_text=True
            )
        ).group(0)
        for i in range(3)
    ]
    prefix = numbers[0][:-4]
    first = int(numbers[0][-4:])
    assert numbers == [f"{prefix}{first:04d}", f"{prefix}{first + 1:04d}", f"{prefix}{first + 2:04d}"]


def test_unsigned_request_is_refused_and_stores_nothing(client, database):
    response = client.post("/twilio/sms", data=sms_params("无签名"))
    assert response.status_code == 403
    assert _count(database, InboundMessage) == 0


def test_wrong_signature_is_refused(client, database):
    response = post_signed(client, "/twilio/sms", sms_params("签名错误"), token="some-other-token")
    assert response.status_code == 403
    assert _count(database, InboundMessage) == 0


def test_signature_for_another_url_is_refused(client, database):
    params = sms_params("签到别的地址")
    response = post_signed(client, "/twilio/sms", params, url="https://attacker.example/twilio/sms")
    assert response.status_code == 403
    assert _count(database, Case) == 0


def test_tampered_parameter_is_refused(client, database):
    params = sms_params("原文")
    signature = sign(PUBLIC_BASE_URL + "/twilio/sms", params)
    tampered = {**params, "Body": "改过的内容"}
    response = client.post(
        "/twilio/sms",
        data=urlencode(tampered),
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": signature},
    )
    assert response.status_code == 403
    assert _count(database, InboundMessage) == 0


def test_parameters_twilio_adds_without_notice_are_part_of_the_signature(client, database):
    params = {**sms_params("新字段"), "FromCity": "XIANNING", "SomeFutureParameter": "x"}
    assert post_signed(client, "/twilio/sms", params).status_code == 200
    assert _count(database, InboundMessage) == 1


def test_oversized_body_is_413(client, database, app):
    limit = app.config["MAX_CONTENT_LENGTH"]
    params = sms_params("长" * limit)
    response = post_signed(client, "/twilio/sms", params)
    assert response.status_code == 413
    assert _count(database, InboundMessage) == 0


def test_missing_fields_are_a_clear_400(client, database):
    params = sms_params("没有发送人")
    del params["From"]
    response = post_signed(client, "/twilio/sms", params)
    assert response.status_code == 400
    assert b"From" in response.data
    assert _count(database, InboundMessage) == 0


def test_redis_down_still_answers_200_and_keeps_the_message(app, database):
    # A Redis that is not there: the row is the truth, the queue only a trigger.
    app.extensions["gateway"].__dict__["redis"] = redis_from_url("redis://127.0.0.1:1/0")
    response = post_signed(app.test_client(), "/twilio/sms", sms_params("redis 不在也要收下"))
    assert response.status_code == 200
    assert CASE_NUMBER.search(response.get_data(as_text=True))
    assert _count(database, InboundMessage) == 1


def test_an_odd_to_number_does_not_refuse_the_message(client, database):
    params = {**sms_params("收件号码很奇怪"), "To": "+86" + "1" * 60}
    assert post_signed(client, "/twilio/sms", params).status_code == 200
    with database.session() as s:
        assert s.scalars(select(InboundMessage)).one().payload["To"] == params["To"]  # kept whole in the payload
