"""The webhook's conversation: commands answered without a case, threads joined, new matters opened."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from support import post_signed, sms_params

from gateway.models import Case, InboundMessage, OptOut

CASE_NUMBER = re.compile(r"XN-\d{8}-\d{4}")
SENDER = "+8613971234567"


def _post(client, body: str, sender: str = SENDER) -> str:
    response = post_signed(client, "/twilio/sms", sms_params(body, sender=sender))
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _cases(database) -> int:
    with database.session() as s:
        return s.scalar(select(func.count()).select_from(Case))


def test_status_command_answers_with_the_case_and_opens_nothing(client, database):
    number = CASE_NUMBER.search(_post(client, "赤壁市蒲圻街道夜里KTV噪音太大")).group(0)
    answer = _post(client, "查询")
    assert number in answer
    assert _cases(database) == 1
    with database.session() as s:
        handled = s.scalars(select(InboundMessage).where(InboundMessage.body == "查询")).one()
        assert handled.processed_at is not None and handled.case_id is None


def test_a_further_message_joins_the_open_case_and_new_starts_another(client, database):
    number = CASE_NUMBER.search(_post(client, "嘉鱼县鱼岳镇我家楼下每天晚上有人打牌赌钱")).group(0)
    joined = _post(client, "补充一下，他们一般十点以后开始")
    assert number in joined and "并入" in joined
    assert _cases(database) == 1
    fresh = CASE_NUMBER.search(_post(client, "新投诉 我的身份证补办一个月了还没拿到")).group(0)
    assert fresh != number
    assert _cases(database) == 2


def test_stop_opts_the_number_out_and_is_confirmed(client, database):
    answer = _post(client, "退订")
    assert answer.count("<Message>") == 1
    with database.session() as s:
        assert s.get(OptOut, SENDER) is not None
    assert _cases(database) == 0


def test_repeated_delivery_of_a_command_is_not_answered_twice(client, database):
    params = sms_params("STATUS", sender=SENDER)
    first = post_signed(client, "/twilio/sms", params).get_data(as_text=True)
    second = post_signed(client, "/twilio/sms", params).get_data(as_text=True)
    assert "<Message>" in first and "<Message>" not in second
    with database.session() as s:
        assert s.scalar(select(func.count()).select_from(InboundMessage)) == 1
