"""Fault drill: a stream of signed messages while workers die (one of them after Twilio accepted its
message and before the outcome was stored), Redis restarts empty, database connections drop, the
Twilio API fails and times out, and every webhook arrives twice.

After recovery: every answered POST has exactly one case, every case is routed, every due message
was sent, and nothing was sent twice. The counts are printed (pytest -s shows them).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from fakes.twilio_api import FakeTwilioAPI
from redis import Redis
from servers import RedisServer, WebServer, WorkerProcess, wait_until
from sqlalchemy import func, select, text
from support import AUTH_TOKEN, PUBLIC_BASE_URL, sign

from gateway import create_app
from gateway.models import Case, CaseStatus, InboundMessage, OutboundMessage, OutboundState
from gateway.runtime import Runtime
from workers import context
from workers.intake import reconcile
from workers.notify import reconcile_outbox

pytestmark = pytest.mark.faults

ACCOUNT = "AC" + "f" * 32
MESSAGES = 90
TEXTS = [
    "赤壁市赵李桥镇十字路口红绿灯坏了三天了",  # an ordinary complaint
    "请问办护照需要带什么材料？",  # an inquiry answered by a service notice (an SMS)
    "救命，咸安区温泉这边有人拿刀砍人，现在还在砍",  # a live emergency: alert + advice (two SMS)
    "通城县隽水镇夜里KTV噪音太大吵得睡不着",
    "My passport renewal in Chibi is taking forever",
]


def _post_twice(base: str, body: str, sender: str, answers: list) -> None:
    params = {"MessageSid": "SM" + uuid.uuid4().hex, "From": sender, "To": "+8612389", "Body": body}
    signature = sign(PUBLIC_BASE_URL + "/twilio/sms", params)
    for _ in range(2):  # every webhook delivered twice
        try:
            r = requests.post(base + "/twilio/sms", data=params, headers={"X-Twilio-Signature": signature}, timeout=20)
            answers.append((params["MessageSid"], r.status_code))
        except requests.RequestException:
            answers.append((params["MessageSid"], None))


class CallbackPump(threading.Thread):
    """Twilio's side of delivery: a signed "delivered" callback for every message it created."""

    def __init__(self, fake: FakeTwilioAPI, base: str) -> None:
        super().__init__(daemon=True)
        self.fake, self.base, self.done = fake, base, threading.Event()
        self.seen: set[str] = set()

    def run(self) -> None:
        while not self.done.is_set():
            held = set(self.fake.held)  # their callbacks are lost too: only asking Twilio can settle them
            for created in self.fake.messages:
                if created.sid in self.seen or not created.status_callback or created.sid in held:
                    continue
                url = created.status_callback
                params = {"MessageSid": created.sid, "MessageStatus": "delivered", "AccountSid": ACCOUNT}
                path = urlsplit(url)
                local = f"{self.base}{path.path}?{path.query}"
                try:
                    r = requests.post(local, data=params, headers={"X-Twilio-Signature": sign(url, params)}, timeout=5)
                    if r.status_code == 200:
                        self.seen.add(created.sid)
                except requests.RequestException:
                    pass
            time.sleep(0.3)


def _drop_database_connections(database) -> bool:
    if database.engine.dialect.name != "postgresql":
        return False  # SQLite has no server connections to drop
    with database.engine.connect() as conn:
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
        conn.commit()
    return True


def test_nothing_is_lost_or_sent_twice_through_faults(settings, database, tmp_path):
    redis_server = RedisServer(tmp_path)
    redis_server.start()
    fake = FakeTwilioAPI(account_sid=ACCOUNT, auth_token=AUTH_TOKEN, slow_seconds=11).start()
    drill = settings.with_(
        redis_url=redis_server.url,
        sms_transport="twilio",
        twilio_account_sid=ACCOUNT,
        twilio_from_number="+8612389",
        twilio_api_base_url=fake.base_url,
        reconcile_grace_seconds=5,
        # A worker killed mid-send leaves its row claimed; the drill waits 20 s for it, not 5 min.
        outbox_send_lease_seconds=20,
    )
    rt = Runtime(drill)
    context.install(rt)
    app = create_app(drill)
    env = {
        "DATABASE_URL": drill.database_url,
        "REDIS_URL": drill.redis_url,
        "GATEWAY_ENV": "test",
        "PUBLIC_BASE_URL": drill.public_base_url,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_ACCOUNT_SID": ACCOUNT,
        "TWILIO_FROM_NUMBER": "+8612389",
        "TWILIO_API_BASE_URL": fake.base_url,
        "SMS_TRANSPORT": "twilio",
        "OUTBOX_SEND_LEASE_SECONDS": "20",
    }
    workers = [WorkerProcess(env, scheduler=True), WorkerProcess(env)]
    workers_lock = threading.Lock()  # the drill's faults and its process manager take turns
    answers: list = []
    faults: Counter = Counter()

    def kill_the_sender_once_twilio_has_it() -> None:
        # Twilio creates the next message and holds its answer; every worker dies meanwhile, the
        # sender among them: the message exists at Twilio and our row does not know it.
        wait_until(lambda: fake.held, timeout=60, interval=0.05, what="a send held at Twilio")
        with workers_lock:
            for w in workers:
                w.kill()
            faults["worker_killed_after_twilio_accepted"] += 1
            for w in workers:
                w.start()
        fake.release()

    try:
        with WebServer(app) as web:
            pump = CallbackPump(fake, web.url)
            pump.start()
            for w in workers:
                w.start()
            fake.script("hold")
            killer = threading.Thread(target=kill_the_sender_once_twilio_has_it, daemon=True)
            killer.start()
            senders = []
            for i in range(MESSAGES):
                t = threading.Thread(
                    target=_post_twice, args=(web.url, TEXTS[i % len(TEXTS)], f"+86139{i:08d}", answers)
                )
                t.start()
                senders.append(t)
                time.sleep(0.08)
                if i == MESSAGES // 5:
                    with workers_lock:
                        workers[0].kill()  # SIGKILL, wherever it is
                        faults["worker_killed"] += 1
                        workers[0].start()
                elif i == 2 * MESSAGES // 5:
                    redis_server.stop()  # Redis goes away...
                    faults["redis_restarted_empty"] += 1
                    time.sleep(1.0)
                    redis_server.start()  # ...and comes back with nothing
                    with workers_lock:
                        for w in workers:  # the process manager restarts workers that lost Redis
                            if w.proc.poll() is not None:
                                w.start()
                elif i == 3 * MESSAGES // 5:
                    faults["db_connections_dropped"] += _drop_database_connections(database)
                elif i == 7 * MESSAGES // 10:
                    fake.script(500, 500, 500, "slow")  # Twilio fails, then answers too late
                    faults["twilio_500"] += 3
                    faults["twilio_timeout"] += 1
            for t in senders:
                t.join(60)
            killer.join(90)
            assert faults["worker_killed_after_twilio_accepted"] == 1, "no send was held at Twilio"
            with workers_lock:
                for w in workers:  # workers that died with Redis come back, as under a process manager
                    if w.proc.poll() is not None:
                        w.start()

            # Recovery: the cron reconcilers, every few seconds, until everything is done.
            redis = Redis.from_url(redis_server.url)

            def settled() -> bool:
                now = datetime.now(timezone.utc) + timedelta(seconds=drill.reconcile_grace_seconds + 1)
                reconcile(rt, now, drill.reconcile_grace_seconds)
                reconcile_outbox(redis, rt.database, now, timedelta(seconds=drill.reconcile_grace_seconds))
                with database.session() as s:
                    unprocessed = s.scalar(
                        select(func.count()).select_from(InboundMessage).where(InboundMessage.processed_at.is_(None))
                    )
                    unsent = s.scalar(
                        select(func.count())
                        .select_from(OutboundMessage)
                        .where(OutboundMessage.state.in_([OutboundState.QUEUED]))
                    )
                left.update(unprocessed=unprocessed, unsent=unsent)
                return unprocessed == 0 and unsent == 0

            left: dict = {}
            try:
                wait_until(settled, timeout=240, interval=3, what="every message processed and sent")
            except AssertionError as exc:
                raise AssertionError(f"{exc}; still to do: {left}; faults: {dict(faults)}") from None
            time.sleep(1.5)  # the last delivery callbacks
            pump.done.set()
    finally:
        for w in workers:
            w.stop()
        context.install(None)
        rt.close()
        app.extensions["gateway"].close()
        fake.close()
        redis_server.stop()

    answered = {sid for sid, status in answers if status == 200}
    with database.session() as s:
        inbound = s.execute(select(InboundMessage.provider_id, InboundMessage.case_id)).all()
        statuses = Counter(s.scalars(select(Case.status)))
        outbound = s.scalars(select(OutboundMessage)).all()
    per_sid = Counter(sid for sid, _ in inbound)
    created_per_row = Counter(
        parse_qs(urlsplit(m.status_callback).query)["m"][0] for m in fake.messages if m.status_callback
    )
    report = {
        "posts": len(answers),
        "answered_200": len([a for a in answers if a[1] == 200]),
        "messages": MESSAGES,
        "cases": sum(statuses.values()),
        "case_statuses": dict(statuses),
        "outbound_rows": len(outbound),
        "outbound_states": dict(Counter(m.state for m in outbound)),
        "twilio_creates": len(fake.messages),
        "sent_twice": sum(1 for n in created_per_row.values() if n > 1),
        # the message Twilio accepted from the killed worker: found by asking Twilio, not sent again
        "settled_by_asking_twilio": sum(1 for m in outbound if m.provider_sid in fake.held),
        "faults": dict(faults),
    }
    print("\nfault drill:", report)

    assert answered, "no webhook was answered"
    assert all(per_sid[sid] == 1 for sid in answered), "an answered message has no row, or two"
    assert all(case_id is not None for _, case_id in inbound), "an inbound message without a case"
    assert statuses[CaseStatus.NEW] == 0, "a case was never routed"
    assert sum(statuses.values()) == len(answered)  # distinct senders: one case per message
    assert all(m.state in (OutboundState.SENT, OutboundState.DELIVERED) for m in outbound), report["outbound_states"]
    assert {str(m.id) for m in outbound} == set(created_per_row), "a due message was never sent"
    assert report["sent_twice"] == 0, created_per_row
    assert report["settled_by_asking_twilio"] == 1
