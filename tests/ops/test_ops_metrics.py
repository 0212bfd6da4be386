"""GET /metrics: Prometheus text whose counters and gauges move with a real signed SMS and a real worker."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families
from support import post_signed, run_worker, sms_params

from gateway.runtime import redis_from_url

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1
SMS = "赤壁市赵李桥镇十字路口红绿灯坏了三天了，早晚高峰堵死了"


def scrape(client) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    samples = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return samples


def value(samples, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_counters_move_after_a_signed_sms(app, client, redis_conn):
    app.config["METRICS_SETTLE_SECONDS"] = 0  # count rows at once (production waits for late commits)
    before = scrape(client)
    assert value(before, "gateway_database_up") == 1 and value(before, "gateway_redis_up") == 1
    assert value(before, "gateway_inbound_messages_total", channel="sms") == 0

    assert post_signed(client, "/twilio/sms", sms_params(SMS)).status_code == 200
    queued = scrape(client)
    assert value(queued, "gateway_inbound_messages_total", channel="sms") == 1
    assert value(queued, "gateway_queue_jobs", queue="intake", state="queued") == 1
    assert value(queued, "gateway_cases", status="new") == 1
    assert value(queued, "gateway_intake_latency_seconds_count", channel="sms") == 0
    assert value(queued, "gateway_http_requests_total", endpoint="twilio_sms.inbound_sms", status="200") >= 1

    run_worker(redis_conn)
    done = scrape(client)
    assert value(done, "gateway_queue_jobs", queue="intake", state="queued") == 0
    assert value(done, "gateway_cases", status="new") == 0
    assert value(done, "gateway_cases", status="routed") == 1
    assert value(done, "gateway_intake_latency_seconds_count", channel="sms") == 1
    assert value(done, "gateway_intake_latency_seconds_bucket", channel="sms", le="+Inf") == 1
    assert value(done, "gateway_intake_latency_seconds_sum", channel="sms") >= 0
    assert sum(v for (name, _), v in done.items() if name == "gateway_outbound_messages") >= 0
    assert ("gateway_deadlines_breached", (("deadline", "close"),)) in done
    assert value(done, "gateway_deadlines_breached", deadline="close") == 0

    # A second delivery of another message: the counter keeps counting from its watermark.
    post_signed(client, "/twilio/sms", sms_params("嘉鱼县鱼岳镇办身份证排了三个小时的队"))
    again = scrape(client)
    assert value(again, "gateway_inbound_messages_total", channel="sms") == 2
    assert value(again, "gateway_intake_latency_seconds_count", channel="sms") == 1


def test_stores_down_are_reported_not_raised(client, app):
    rt = app.extensions["gateway"]
    rt.__dict__["redis"] = redis_from_url(DEAD_REDIS)  # replaces the cached property's value
    samples = scrape(client)
    assert value(samples, "gateway_redis_up") == 0
    assert value(samples, "gateway_database_up") == 1
    assert not any(name == "gateway_queue_jobs" for name, _ in samples)
