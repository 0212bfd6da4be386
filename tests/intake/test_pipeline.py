"""A signed SMS becomes a routed case through real RQ workers, and survives Redis and worker failures."""

from __future__ import annotations

import re
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
import requests
from redis import Redis
from rq import Queue
from rq.registry import StartedJobRegistry
from servers import RedisServer, WebServer, WorkerProcess, wait_until
from sqlalchemy import func, select, text
from support import PUBLIC_BASE_URL, post_signed, run_worker, sign, sms_params

from gateway import apikeys, create_app, intake
from gateway.models import Case, CaseEvent, InboundMessage, OutboundMessage
from gateway.runtime import Runtime
from workers import context
from workers.intake import reconcile

CASE_NUMBER = re.compile(r"XN-\d{8}-\d{4}")


def _api_key(database, scope: str = "city") -> str:
    with database.session() as s:
        return apikeys.create_key(s, f"test-{scope}", scope, datetime.now(timezone.utc))[1]


def _routed_events(database, number: str) -> list[CaseEvent]:
    with database.session() as s:
        case = s.scalars(select(Case).where(Case.number == number)).one()
        return list(s.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.type == "routed")))


def test_signed_sms_is_routed_by_a_real_worker_and_visible_through_the_api(client, database, redis_conn):
    response = post_signed(client, "/twilio/sms", sms_params("赤壁市赵李桥镇十字路口红绿灯坏了三天了，早晚高峰堵死了"))
    number = CASE_NUMBER.search(response.get_data(as_text=True)).group(0)
    assert Queue("intake", connection=redis_conn).count == 1

    run_worker(redis_conn)

    key = _api_key(database)
    case = client.get(f"/api/v1/cases/{number}", headers={"X-API-Key": key}).get_json()
    assert case["number"] == number
    assert case["status"] == "routed"
    assert (case["department"], case["jurisdiction"], case["unit"]) == ("traffic", "chibi", "chibi.traffic")
    assert case["emergency"] is False and case["kind"] == "complaint"
    assert 0 < case["confidence"] <= 1 and case["reasons"]
    assert case["deadlines"]["sign"] and case["deadlines"]["reply"] and case["deadlines"]["close"]
    assert case["messages"][0]["direction"] == "in" and "红绿灯" in case["messages"][0]["body"]
    assert [e["type"] for e in case["timeline"]][:3] == ["received", "classified", "routed"]


def test_api_refuses_missing_keys_and_hides_other_units_cases(client, database, redis_conn):
    number = CASE_NUMBER.search(
        post_signed(client, "/twilio/sms", sms_params("嘉鱼县鱼岳镇办身份证排了三个小时的队")).get_data(as_text=True)
    ).group(0)
    run_worker(redis_conn)
    assert client.get(f"/api/v1/cases/{number}").status_code == 401
    assert client.get(f"/api/v1/cases/{number}", headers={"X-API-Key": "gk_wrong"}).status_code == 401
    other_unit = _api_key(database, "chibi.traffic")
    assert client.get(f"/api/v1/cases/{number}", headers={"X-API-Key": other_unit}).status_code == 404
    own_unit = _api_key(database, "jiayu.household")
    assert client.get(f"/api/v1/cases/{number}", headers={"X-API-Key": own_unit}).status_code == 200


def test_message_the_classifier_cannot_place_goes_to_review_not_the_floor(client, database, redis_conn):
    number = CASE_NUMBER.search(post_signed(client, "/twilio/sms", sms_params("喂")).get_data(as_text=True)).group(0)
    run_worker(redis_conn)
    with database.session() as s:
        case = s.scalars(select(Case).where(Case.number == number)).one()
        assert case.status == "review"
        assert case.reply_due is not None  # a case in review still owes the citizen a reply on time
        types = [e.type for e in s.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id))]
    assert "review_needed" in types


def test_processing_twice_routes_once(runtime, database, redis_conn, client):
    post_signed(client, "/twilio/sms", sms_params("通山县九宫山镇景区门口乱停车"))
    with database.session() as s:
        inbound_id = s.scalar(select(InboundMessage.id))
    now = datetime.now(timezone.utc)
    for _ in range(2):
        with database.session() as s:
            intake.process(s, inbound_id, classifier=runtime.classifiers.get(s), policy=runtime.policy, now=now)
    with database.session() as s:
        assert s.scalar(select(func.count()).select_from(CaseEvent).where(CaseEvent.type == "routed")) == 1


def test_ten_concurrent_deliveries_of_one_message_make_one_case(app, database, redis_conn):
    params = sms_params("崇阳县天城镇一家网吧整夜有人赌博，吵得睡不着")
    signature = sign(PUBLIC_BASE_URL + "/twilio/sms", params)
    answers: list[requests.Response] = []
    start = threading.Barrier(10)

    def deliver(base: str) -> None:
        start.wait()
        answers.append(
            requests.post(base + "/twilio/sms", data=params, headers={"X-Twilio-Signature": signature}, timeout=30)
        )

    with WebServer(app) as web:
        threads = [threading.Thread(target=deliver, args=(web.url,)) for _ in range(10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)

    assert [a.status_code for a in answers] == [200] * 10
    assert len({CASE_NUMBER.search(a.text).group(0) for a in answers}) == 1
    with database.session() as s:
        assert s.scalar(select(func.count()).select_from(InboundMessage)) == 1
        assert s.scalar(select(func.count()).select_from(Case)) == 1
    run_worker(redis_conn)
    with database.session() as s:
        assert s.scalar(select(Case.status)) == "routed"


@pytest.fixture
def private_redis(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


def test_redis_stopped_during_intake_then_restarted_empty_case_is_routed_without_help(
    settings, database, private_redis
):
    rt = Runtime(settings.with_(redis_url=private_redis.url))
    context.install(rt)
    app = create_app(rt.settings)
    try:
        private_redis.stop()  # Redis goes away in the middle of intake
        response = post_signed(app.test_client(), "/twilio/sms", sms_params("通城县隽水镇菜市场旁边有人摆摊堵路"))
        assert response.status_code == 200
        number = CASE_NUMBER.search(response.get_data(as_text=True)).group(0)

        private_redis.start()  # back, and empty: it keeps nothing on disk
        redis = Redis.from_url(private_redis.url)
        assert redis.dbsize() == 0
        # The cron reconciler's next tick, after the grace period.
        later = datetime.now(timezone.utc) + timedelta(seconds=settings.reconcile_grace_seconds + 1)
        assert reconcile(rt, later, settings.reconcile_grace_seconds) == 1
        run_worker(redis)
        with database.session() as s:
            case = s.scalars(select(Case).where(Case.number == number)).one()
            assert case.status == "routed" and case.unit == "tongcheng.public_order"
        # The next tick finds nothing more to do.
        assert reconcile(rt, later + timedelta(seconds=60), settings.reconcile_grace_seconds) == 0
    finally:
        context.install(None)
        rt.close()
        app.extensions["gateway"].close()


def _hold_a_lock_intake_needs(database, inbound_id: int):
    """Take a lock the intake job needs, so that the job blocks inside its transaction."""
    conn = database.engine.connect()
    trans = conn.begin()
    if database.engine.dialect.name == "postgresql":
        # The case row: the drain locks (or skips) the message's row, then waits here to route its case.
        conn.execute(
            text("SELECT id FROM cases WHERE id = (SELECT case_id FROM inbound_messages WHERE id = :id) FOR UPDATE"),
            {"id": inbound_id},
        )
    else:
        conn.execute(text("UPDATE case_counters SET last = last"))  # BEGIN IMMEDIATE already holds the write lock
    return conn, trans


def test_worker_killed_mid_job_case_is_still_routed_once(settings, database, private_redis, tmp_path):
    rt = Runtime(settings.with_(redis_url=private_redis.url))
    context.install(rt)
    app = create_app(rt.settings)
    worker = WorkerProcess(
        {"DATABASE_URL": settings.database_url, "REDIS_URL": private_redis.url, "GATEWAY_ENV": "test"}
    )
    redis = Redis.from_url(private_redis.url)
    try:
        response = post_signed(app.test_client(), "/twilio/sms", sms_params("咸安区永安街道有人在小区里养大型犬不拴绳"))
        number = CASE_NUMBER.search(response.get_data(as_text=True)).group(0)
        with database.session() as s:
            inbound_id = s.scalar(select(InboundMessage.id))

        conn, trans = _hold_a_lock_intake_needs(database, inbound_id)
        worker.start()
        started = StartedJobRegistry("intake", connection=redis)
        wait_until(lambda: started.count == 1, timeout=60, what="the intake job to start")
        time.sleep(0.5)  # inside the job, blocked on the row lock
        assert started.count == 1  # still there: blocked, not finished
        worker.kill()  # SIGKILL: no cleanup, no chance to commit
        trans.rollback()
        conn.close()

        with database.session() as s:
            assert s.get(InboundMessage, inbound_id).processed_at is None
        later = datetime.now(timezone.utc) + timedelta(seconds=settings.reconcile_grace_seconds + 1)
        assert reconcile(rt, later, settings.reconcile_grace_seconds) == 1
        run_worker(redis)
        with database.session() as s:
            case = s.scalars(select(Case).where(Case.number == number)).one()
            assert case.status == "routed"
        assert len(_routed_events(database, number)) == 1
    finally:
        worker.stop()
        context.install(None)
        rt.close()
        app.extensions["gateway"].close()


def test_live_emergency_alerts_the_command_centre_and_tells_the_citizen_to_call_110(
    client, database, redis_conn, runtime
):
    response = post_signed(
        client,
        "/twilio/sms",
        sms_params("救命！咸安区温泉这边有人拿刀在砍人，就在我家楼下，现在还在砍", sender="+8613971110000"),
    )
    number = CASE_NUMBER.search(response.get_data(as_text=True)).group(0)
    run_worker(redis_conn)  # the intake job, then the notify jobs it enqueued
    with database.session() as s:
        case = s.scalars(select(Case).where(Case.number == number)).one()
        assert case.emergency is True and case.department == "command"
        events = [e.type for e in s.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id))]
        assert "emergency_alert" in events
        sent = {m.to_number: m for m in s.scalars(select(OutboundMessage).where(OutboundMessage.case_id == case.id))}
    duty = runtime.units.unit_for("command", "city").duty_number
    assert sent[duty].purpose == "emergency_alert" and number in sent[duty].body
    assert sent["+8613971110000"].purpose == "emergency_advice" and "110" in sent["+8613971110000"].body
    assert {m.state for m in sent.values()} == {"sent"}  # the outbox transport records them as sent
