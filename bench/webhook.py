"""Webhook throughput and latency: POST /twilio/sms (signed, stored, enqueued, answered) against a bare
Flask endpoint that only answers TwiML, both under the same gunicorn settings, driven by wrk."""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

from bench.environment import (
    AUTH_TOKEN,
    children,
    cpu_seconds,
    database,
    env_for,
    gunicorn,
    postgres_pids,
    redis,
    rss_mb,
)
from bench.messages import write_wrk_file

LUA = Path(__file__).resolve().parent / "wrk_post.lua"


def _wrk(base: str, requests_file: Path, connections: int, seconds: int, threads: int = 2) -> dict:
    out = subprocess.run(
        [
            "wrk",
            "-t",
            str(threads),
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "-s",
            str(LUA),
            base,
            "--",
            str(requests_file),
            str(threads),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def run(seconds: int = 15, connections: int = 16) -> dict:
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        with redis(tmp) as server, database(tmp) as db_url:
            env = env_for(db_url, server.url)
            results = {}
            for name, app in (("bare", "bench.bare_app:app"), ("gateway", "gateway:create_app()")):
                with gunicorn(app, env) as (base, proc):
                    requests_file = tmp / f"{name}.tsv"
                    write_wrk_file(requests_file, base, AUTH_TOKEN, count=60_000)
                    _wrk(base, requests_file, connections, 3)  # warm-up
                    # CPU per request does not depend on what else the machine is doing, unlike req/s.
                    web, db = children(proc.pid), postgres_pids()
                    web_cpu, db_cpu = cpu_seconds(web), cpu_seconds(db)
                    results[name] = result = _wrk(base, requests_file, connections, seconds)
                    result["web_cpu_ms"] = (cpu_seconds(web) - web_cpu) * 1000 / result["requests"]
                    result["db_cpu_ms"] = (cpu_seconds(db) - db_cpu) * 1000 / result["requests"]
                    result["rss_mb"] = rss_mb(proc.pid)
    bare, gw = results["bare"], results["gateway"]
    return {
        "benchmark": "webhook",
        "database": db_url.split(":")[0],
        "connections": connections,
        "seconds": seconds,
        "bare_rps": round(bare["rps"], 1),
        "gateway_rps": round(gw["rps"], 1),
        "throughput_ratio": round(gw["rps"] / bare["rps"], 3),
        "gateway_p50_ms": round(gw["p50_us"] / 1000, 2),
        "gateway_p99_ms": round(gw["p99_us"] / 1000, 2),
        "bare_p99_ms": round(bare["p99_us"] / 1000, 2),
        "bare_web_cpu_ms_per_request": round(bare["web_cpu_ms"], 3),
        "gateway_web_cpu_ms_per_request": round(gw["web_cpu_ms"], 3),
        "gateway_db_cpu_ms_per_request": round(gw["db_cpu_ms"], 3),
        "gateway_errors": gw["status_errors"] + gw["connect_errors"] + gw["timeouts"],
        "web_rss_mb": gw["rss_mb"],
        "targets": {"throughput_ratio": ">= 0.5", "gateway_p99_ms": "<= 50"},
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
