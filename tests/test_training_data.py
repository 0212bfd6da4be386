"""Routes that dispatchers confirmed (signed for) or corrected (re-routed) are labelled examples."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from support import post_signed, run_worker, sms_params

from gateway.models import Case
from gateway.tracker.actions import mark_signed, reroute
from gateway.training_data import examples_from_database


def test_confirmed_and_corrected_routes_become_examples(client, database, redis_conn, runtime):
    for i, text in enumerate(["赤壁市赵李桥镇路口的红绿灯坏了三天了", "嘉鱼县鱼岳镇有人在楼下打牌赌钱", "喂喂"]):
        post_signed(client, "/twilio/sms", sms_params(text, sender=f"+8613971000{i:03d}"))
    run_worker(redis_conn)
    now = datetime.now(UTC) + timedelta(minutes=5)
    with database.session() as s:
        traffic, gambling, unplaced = s.scalars(select(Case).order_by(Case.id)).all()
        mark_signed(s, traffic, "chibi.traffic:wang", now, policy=runtime.policy)  # confirmed
        reroute(s, gambling, "criminal", "jiayu", "supervisor", now, runtime.units, runtime.policy)  # corrected
        examples = {e["id"]: e for e in examples_from_database(s)}
    assert set(examples) == {traffic.number, gambling.number}  # the unconfirmed one teaches nothing
    assert examples[traffic.number]["department"] == "traffic" and examples[traffic.number]["text"].startswith("赤壁市")
    assert examples[gambling.number]["department"] == "criminal"  # the correction, not the first guess
    assert examples[gambling.number]["jurisdiction"] == "jiayu"
