"""POST to routed case: latency at a steady rate (default 100 messages/s for 60 s).

Web (gunicorn) and two SimpleWorker processes run as the Procfile runs them; a paced sender posts
signed webhooks; latency is the time from the moment a POST was sent to the case's routed_at.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import requests
from sqlalchemy import select

from bench.environment import AUTH_TOKEN, database, env_for, gunicorn, percentile, redis, rq_workers, rss_mb
from bench.messages import signed_form, texts
from gateway import jobs
from gateway.db import Database
from gateway.models import Case, InboundMessage


def run(rate: int = 100, seconds: int = 60) -> dict:
    rate = int(os.environ.get("BENCH_E2E_RATE", rate))
    seconds = int(os.environ.get("BENCH_E2E_SECONDS", seconds))
    total = rate * seconds
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        with redis(tmp) as server, database(tmp) as db_url:
            env = env_for(db_url, server.url)
            with gunicorn("gateway:create_app()", env) as (base, web), rq_workers(env, 2, jobs.QUEUES) as workers:
                corpus = texts()
                forms = [
                    signed_form(base, AUTH_TOKEN, corpus[i % len(corpus)], sender=f"+86137{i:08d}")
                    for i in range(total)
                ]
                sent_at: dict[str, float] = {}
                failures = []
                local = threading.local()

                def post(i: int, due: float) -> None:
                    delay = due - time.time()
                    if delay > 0:
                        time.sleep(delay)
                    params, signature = forms[i]
                    session = getattr(local, "session", None) or requests.Session()
                    local.session = session
                    sent_at[params["MessageSid"]] = time.time()
                    r = session.post(
                        base + "/twilio/sms", data=params, headers={"X-Twilio-Signature": signature}, timeout=15
                    )
                    if r.status_code != 200:
                        failures.append(r.status_code)

                start = time.time() + 0.5
                with ThreadPoolExecutor(max_workers=32) as pool:
                    for i in range(total):
                        pool.submit(post, i, start + i / rate)
                send_done = time.time()
                db = Database(db_url)
                deadline = time.time() + 120
                routed: dict[str, datetime] = {}
                while time.time() < deadline:
                    with db.session() as session:
                        rows = session.execute(
                            select(InboundMessage.provider_id, Case.routed_at)
                            .join(Case, Case.id == InboundMessage.case_id)
                            .where(Case.routed_at.is_not(None))
                        ).all()
                    routed = {sid: at for sid, at in rows}
                    if len(routed) >= total - len(failures):
                        break
                    time.sleep(0.5)
                web_rss, worker_rss = rss_mb(web.pid), sum(rss_mb(w.pid) for w in workers)
                db.dispose()
    latencies = [(routed[sid].timestamp() - t) * 1000 for sid, t in sent_at.items() if sid in routed]
    return {
        "benchmark": "end_to_end",
        "database": db_url.split(":")[0],
        "rate_per_s": rate,
        "seconds": seconds,
        "sent": total,
        "http_failures": len(failures),
        "routed": len(routed),
        "send_duration_s": round(send_done - start, 1),
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "web_rss_mb": web_rss,
        "workers_rss_mb": worker_rss,
        "targets": {"p95_ms": "<= 500"},
        "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
