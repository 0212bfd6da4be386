"""The hotline: signed Twilio Voice webhooks (speech, no speech, recording, transcription, repeats)."""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from urllib.parse import quote

from rq import Queue
from sqlalchemy import func, select
from support import PUBLIC_BASE_URL, post_signed, run_worker

from gateway.models import CallbackTask, Case, CaseEvent, InboundMessage, OutboundMessage

MOBILE = "+8613807151234"
LANDLINE = "+867158123456"
CASE_NUMBER = re.compile(r"XN-\d{8}-\d{4}")
SPOKEN = re.compile(r"X N, \d \d \d \d \d \d \d \d, \d \d \d \d")


def call_params(sid: str | None = None, caller: str = MOBILE, **extra) -> dict:
    return {
        "CallSid": sid or "CA" + uuid.uuid4().hex,
        "AccountSid": "AC" + "0" * 32,
        "From": caller,
        "To": "+8671512389",
        "CallStatus": "in-progress",
        "Direction": "inbound",
        "ApiVersion": "2010-04-01",
        **extra,
    }


def twiml(response) -> ET.Element:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/xml"
    return ET.fromstring(response.get_data())


def said(root: ET.Element) -> str:
    return " ".join(node.text or "" for node in root.iter("Say"))


def count(database, model) -> int:
    with database.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_answer_greets_in_chinese_and_takes_speech_with_a_recording_fallback(client):
    root = twiml(post_signed(client, "/twilio/voice", call_params()))

    choose, speech = root.findall("Gather")
    assert choose.get("input") == "dtmf" and choose.get("numDigits") == "1"
    assert choose.get("action") == PUBLIC_BASE_URL + "/twilio/voice/language"
    greeting, hint = choose.findall("Say")
    assert "12389" in greeting.text and greeting.get("language") == "cmn-CN"
    assert hint.text == "For English, press 1." and hint.get("language") == "en-US"

    assert speech.get("input") == "speech"
    assert speech.get("language") == "cmn-Hans-CN" and speech.get("speechModel") == "default"
    assert speech.get("action") == PUBLIC_BASE_URL + "/twilio/voice/speech?lang=zh"
    record = root.find("Record")
    assert record.get("maxLength") == "120"
    assert record.get("action") == PUBLIC_BASE_URL + "/twilio/voice/recording?lang=zh"
    assert record.get("transcribe") is None  # Twilio transcribes English only
    assert [child.tag for child in root][-1] == "Hangup"


def test_unsigned_or_wrongly_signed_calls_are_refused(client):
    assert client.post("/twilio/voice", data=call_params()).status_code == 403
    assert post_signed(client, "/twilio/voice", call_params(), token="wrong").status_code == 403


def test_english_on_keypress(client):
    root = twiml(post_signed(client, "/twilio/voice/language", call_params(Digits="1")))
    gather = root.find("Gather")
    assert gather.get("language") == "en-US"
    assert gather.get("action") == PUBLIC_BASE_URL + "/twilio/voice/speech?lang=en"
    assert "complaint line" in said(root)
    record = root.find("Record")
    assert record.get("transcribe") == "true"
    assert record.get("transcribeCallback") == PUBLIC_BASE_URL + "/twilio/voice/transcription?lang=en"


def test_another_key_stays_in_chinese(client):
    root = twiml(post_signed(client, "/twilio/voice/language", call_params(Digits="5")))
    assert root.find("Gather").get("language") == "cmn-Hans-CN"


def test_speech_from_a_mobile_becomes_a_case_read_out_and_texted(client, database, redis_conn):
    params = call_params(SpeechResult="赤壁市赵李桥镇路口的红绿灯坏了三天了", Confidence="0.87")
    root = twiml(post_signed(client, "/twilio/voice/speech?lang=zh", params))

    with database.session() as s:
        case = s.scalars(select(Case)).one()
        inbound = s.scalars(select(InboundMessage)).one()
        sms = s.scalars(select(OutboundMessage)).one()
        assert case.channel == "voice" and case.language == "zh"
        assert inbound.provider_id == params["CallSid"] and inbound.body == params["SpeechResult"]
        assert inbound.payload["Confidence"] == "0.87"
        assert sms.to_number == MOBILE and sms.purpose == "ack" and sms.state == "queued"
        assert case.number in sms.body
        number = case.number
    text = said(root)
    assert text.count(", ".join(" ".join(p) for p in number.split("-"))) == 2  # read out twice
    assert "短信" in text
    assert root[-1].tag == "Hangup"
    # The intake job and the SMS job are on their queues.
    assert Queue("intake", connection=redis_conn).count == 1
    assert Queue("notify", connection=redis_conn).count == 1

    run_worker(redis_conn)
    with database.session() as s:
        case = s.scalars(select(Case)).one()
        assert case.department == "traffic" and case.jurisdiction == "chibi"
        assert s.scalars(select(OutboundMessage.state)).all() == ["sent"]


def test_fixed_line_caller_gets_no_sms_but_a_call_back_task(client, database):
    params = call_params(caller=LANDLINE, SpeechResult="我家楼下天天晚上有人放鞭炮", Confidence="0.6")
    root = twiml(post_signed(client, "/twilio/voice/speech?lang=zh", params))
    assert "回电" in said(root) and "短信" not in said(root)
    with database.session() as s:
        case = s.scalars(select(Case)).one()
        assert case.citizen_number_type == "fixed_line"
        assert s.scalars(select(OutboundMessage.state)).all() == ["suppressed"]
        task = s.scalars(select(CallbackTask)).one()
        assert task.case_id == case.id and task.number == LANDLINE and task.reason == "fixed_line"


def test_withheld_number_gets_the_number_on_the_call_only(client, database):
    params = call_params(caller="anonymous", SpeechResult="I want to report a noisy bar", Confidence="0.9")
    root = twiml(post_signed(client, "/twilio/voice/speech?lang=en", params))
    assert SPOKEN.search(said(root))
    assert count(database, Case) == 1 and count(database, OutboundMessage) == 0


def test_repeated_callback_for_the_same_call_is_one_case_and_one_sms(client, database):
    params = call_params(SpeechResult="通城县隽水镇有人在小区里放鞭炮", Confidence="0.9")
    first = post_signed(client, "/twilio/voice/speech?lang=zh", params)
    again = post_signed(client, "/twilio/voice/speech?lang=zh", params)
    assert said(twiml(first)) == said(twiml(again))
    assert count(database, Case) == 1 and count(database, InboundMessage) == 1
    assert count(database, OutboundMessage) == 1


def test_no_speech_falls_back_to_a_recording_and_stores_nothing(client, database):
    root = twiml(post_signed(client, "/twilio/voice/speech?lang=zh", call_params(SpeechResult="", Confidence="0")))
    assert root.find("Record").get("maxLength") == "120"
    assert "留言" in said(root)
    assert count(database, InboundMessage) == 0


def recording_params(sid: str, duration: str = "34", caller: str = MOBILE) -> dict:
    return call_params(
        sid,
        caller,
        RecordingSid="RE" + sid[2:],
        RecordingUrl=f"https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE{sid[2:]}",
        RecordingDuration=duration,
        Digits="#",
    )


def test_recording_creates_a_case_that_keeps_the_recording(client, database):
    sid = "CA" + uuid.uuid4().hex
    params = recording_params(sid)
    root = twiml(post_signed(client, "/twilio/voice/recording?lang=zh", params))
    assert SPOKEN.search(said(root)) and root[-1].tag == "Hangup"

    with database.session() as s:
        case = s.scalars(select(Case)).one()
        inbound = s.scalars(select(InboundMessage)).one()
        assert params["RecordingUrl"] in inbound.body and "调度员收听" in inbound.body
        assert case.language == "zh"
        event = s.scalars(select(CaseEvent).where(CaseEvent.type == "voice_recording")).one()
        assert event.details["url"] == params["RecordingUrl"] and event.details["duration"] == 34

    # The recording status callback for the same call adds nothing.
    status = {k: params[k] for k in ("CallSid", "AccountSid", "RecordingSid", "RecordingUrl", "RecordingDuration")}
    status["RecordingStatus"] = "completed"
    path = f"/twilio/voice/recording-status?lang=zh&caller={quote(MOBILE)}"
    assert post_signed(client, path, status).status_code == 204
    assert count(database, Case) == 1 and count(database, InboundMessage) == 1
    with database.session() as s:
        assert s.scalar(select(func.count()).where(CaseEvent.type == "voice_recording")) == 1


def test_recording_status_alone_still_makes_the_case(client, database):
    """The caller hung up while recording and the action request never came: the status callback is enough."""
    sid = "CA" + uuid.uuid4().hex
    params = recording_params(sid)
    status = {k: params[k] for k in ("CallSid", "AccountSid", "RecordingSid", "RecordingUrl", "RecordingDuration")}
    status["RecordingStatus"] = "completed"
    path = f"/twilio/voice/recording-status?lang=zh&caller={quote(MOBILE)}"
    assert post_signed(client, path, status).status_code == 204
    with database.session() as s:
        case = s.scalars(select(Case)).one()
        assert case.citizen_number == MOBILE
        assert s.scalars(select(OutboundMessage.to_number)).all() == [MOBILE]
    # A tampered caller in the URL breaks Twilio's signature.
    forged = post_signed(client, path.replace("1234", "9999"), status, url=PUBLIC_BASE_URL + path)
    assert forged.status_code == 403


def test_empty_recording_makes_no_case(client, database):
    root = twiml(post_signed(client, "/twilio/voice/recording?lang=zh", recording_params("CA" + "1" * 32, "0")))
    assert "没有收到" in said(root)
    assert count(database, InboundMessage) == 0


def test_english_transcription_joins_the_call_case(client, database, redis_conn):
    sid = "CA" + uuid.uuid4().hex
    params = recording_params(sid)
    twiml(post_signed(client, "/twilio/voice/recording?lang=en", params))
    transcription = {
        "CallSid": sid,
        "AccountSid": params["AccountSid"],
        "From": MOBILE,
        "To": params["To"],
        "RecordingSid": params["RecordingSid"],
        "RecordingUrl": params["RecordingUrl"],
        "TranscriptionSid": "TR" + uuid.uuid4().hex,
        "TranscriptionStatus": "completed",
        "TranscriptionText": "My passport application in Chibi has been pending for two months.",
        "TranscriptionUrl": "https://api.twilio.com/2010-04-01/Accounts/AC0/Transcriptions/TR1",
    }
    path = "/twilio/voice/transcription?lang=en"
    assert post_signed(client, path, transcription).status_code == 204
    assert post_signed(client, path, transcription).status_code == 204  # Twilio retried
    with database.session() as s:
        case = s.scalars(select(Case)).one()
        bodies = s.scalars(select(InboundMessage.body).order_by(InboundMessage.id)).all()
        assert len(bodies) == 2 and bodies[1] == transcription["TranscriptionText"]
        assert case.language == "en"
        assert s.scalars(select(OutboundMessage.language)).all() == ["en"]
    run_worker(redis_conn)
    with database.session() as s:
        assert s.scalar(select(func.count()).where(InboundMessage.processed_at.is_(None))) == 0


def test_failed_transcription_changes_nothing(client, database):
    sid = "CA" + uuid.uuid4().hex
    twiml(post_signed(client, "/twilio/voice/recording?lang=en", recording_params(sid)))
    params = {"CallSid": sid, "TranscriptionStatus": "failed", "TranscriptionText": ""}
    assert post_signed(client, "/twilio/voice/transcription?lang=en", params).status_code == 204
    assert count(database, InboundMessage) == 1


def test_callback_without_call_sid_is_400(client, database):
    params = call_params(SpeechResult="有人打架")
    del params["CallSid"]
    assert post_signed(client, "/twilio/voice/speech?lang=zh", params).status_code == 400
    assert count(database, InboundMessage) == 0
