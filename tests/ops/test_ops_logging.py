"""Logs are JSON lines with a request or job id, and hold no phone number and no message body."""

from __future__ import annotations

import io
import json
import logging
import re

import pytest
from support import post_signed, run_worker, sms_params

from gateway import logging_setup

PHONE = "+8613807151234"
NATIONAL = "13807151234"
LANDLINE = "0715-8123456"
BODY = "赤壁市赵李桥镇十字路口红绿灯坏了三天了，我的电话13807151234，早晚高峰堵死了"
DIGITS = re.compile(r"\d{7,}")


@pytest.fixture
def log_stream(app):
    stream = io.StringIO()
    logging_setup.configure_logging("DEBUG", stream=stream)
    yield stream
    logging_setup.configure_logging("INFO", stream=None)


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_no_phone_or_body_through_a_whole_intake(client, redis_conn, log_stream):
    log = logging.getLogger("gateway.test")
    response = post_signed(client, "/twilio/sms", sms_params(BODY, sender=PHONE), url=None)
    assert response.status_code == 200
    run_worker(redis_conn)
    # What careless code might write, in every shape a logging call takes.
    log.info("sms from %s to %s", PHONE, "+8671512389")
    log.info("call back %s or %s, or (0715) 8123456", NATIONAL, LANDLINE)
    log.warning("inbound %(From)s said %(Body)s", {"From": PHONE, "Body": BODY})
    log.info("stored", extra={"payload": {"From": PHONE, "Body": BODY}, "sender": PHONE, "to_number": PHONE})
    log.info("params %s", {"Body": BODY, "MessageSid": "SM123"})
    log.info("url /api/v1/lookup?From=%%2B8613807151234")
    try:
        raise ValueError(f"cannot reach {PHONE}")
    except ValueError:
        log.exception("send failed")

    text = log_stream.getvalue()
    assert text, "nothing was logged"
    for secret in (PHONE, NATIONAL, "8123456", "8613807151234", BODY, "红绿灯"):
        assert secret not in text
    records = lines(log_stream)
    assert any(r["msg"] == "sms from [phone] to [phone]" for r in records)
    assert any(r.get("payload") == "[redacted]" and r.get("sender") == "[redacted]" for r in records)
    assert any("Traceback" in r.get("exc", "") and "[phone]" in r["exc"] for r in records)
    # Numbers that are not phones stay readable.
    log.info("case XN-20261127-0042 job intake-12345678 took 0.123456 s at 2026-11-27 09:00:00")
    assert (
        lines(log_stream)[-1]["msg"]
        == "case XN-20261127-0042 job intake-12345678 took 0.123456 s at 2026-11-27 09:00:00"
    )


def test_request_and_job_ids(app, client, redis_conn, log_stream):
    @app.get("/_test/log")
    def _log_something():
        logging.getLogger("gateway.test").info("inside a request")
        return "ok"

    response = client.get("/_test/log", headers={"X-Request-ID": "lb-request-00000001"})
    assert response.headers["X-Request-ID"] == "lb-request-00000001"
    record = next(r for r in lines(log_stream) if r["msg"] == "inside a request")
    assert record["request_id"] == "lb-request-00000001" and record["level"] == "INFO"
    # An id that is not sane is replaced rather than logged.
    response = client.get("/_test/log", headers={"X-Request-ID": "+8613807151234 <script>"})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])

    from rq import Queue

    Queue("intake", connection=redis_conn).enqueue(
        logging.getLogger("gateway.job").warning, "from a job", job_id="job-log-1"
    )
    run_worker(redis_conn, queues=("intake",))
    record = next(r for r in lines(log_stream) if r["msg"] == "from a job")
    assert record["job_id"] == "job-log-1" and "request_id" not in record


def test_redaction_helpers():
    assert logging_setup.redact_text(f"a {PHONE} b") == "a [phone] b"
    assert logging_setup.redact_value({"Body": "x", "n": [PHONE]}) == {"Body": "[redacted]", "n": ["[phone]"]}
    assert not DIGITS.search(logging_setup.redact_text("+86 138 0715 1234 and 138-0715-1234"))


def test_a_database_error_in_the_log_carries_no_message_or_number(database):
    """SQL errors quote their statement; the engine is built to leave the parameters out."""
    import pytest
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    with pytest.raises(DBAPIError) as caught, database.engine.begin() as conn:
        conn.execute(
            text("INSERT INTO no_such_table VALUES (:body, :sender)"),
            {"body": "夜里有人敲门", "sender": "+8613807151234"},
        )
    message = str(caught.value)
    assert "夜里有人敲门" not in message and "13807151234" not in message
