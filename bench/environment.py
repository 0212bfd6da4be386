"""What a benchmark runs against: a private Redis, a private database, gunicorn and RQ worker processes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from gateway import migrate

PROJECT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(PROJECT / "tests"))
from servers import RedisServer, free_port, wait_until  # noqa: E402

AUTH_TOKEN = "bench-auth-token"
PG_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (gunicorn workers), in MB."""
    total = 0
    pids = [pid]
    try:
        out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
        pids += [int(p) for p in out]
    except FileNotFoundError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            continue
    return round(total / 1024, 1)


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time consumed so far by these processes (those that still exist)."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(p) for p in out]


def postgres_pids() -> list[int]:
    """The local PostgreSQL server's processes (the benchmark's database server)."""
    out = subprocess.run(["pgrep", "-x", "postgres"], capture_output=True, text=True).stdout.split()
    return [int(p) for p in out]


@contextmanager
def database(tmp: Path) -> Iterator[str]:
    """PostgreSQL (a private database, dropped afterwards) when it answers, else a SQLite file."""
    try:
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        name = f"gwbench_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception:
        url = f"sqlite:///{tmp / 'bench.db'}"
        migrate.upgrade(url)
        yield url
        return
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    try:
        migrate.upgrade(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def redis(tmp: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def env_for(db_url: str, redis_url: str, port: int | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=db_url,
        REDIS_URL=redis_url,
        TWILIO_AUTH_TOKEN=AUTH_TOKEN,
        GATEWAY_ENV="development",
        LOG_LEVEL="WARNING",  # the same quiet logs for the baselines and the gateway
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
    )
    if port:
        env["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{port}"
    return env


@contextmanager
def gunicorn(app: str, env: dict[str, str]) -> Iterator[tuple[str, subprocess.Popen]]:
    """`app` under the Procfile's gunicorn settings (gunicorn.conf.py), on a free local port."""
    port = free_port()
    env = {**env, "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", "WEB_ACCESS_LOG": ""}
    proc = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            app,
            "--config",
            str(PROJECT / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=PROJECT,
    )
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            requests.get(base + "/healthz", timeout=0.5)
            return True
        except requests.RequestException:
            return False

    try:
        wait_until(up, timeout=30, what=f"gunicorn {app}")
        yield base, proc
    finally:
        proc.terminate()
        proc.wait(20)


@contextmanager
def rq_workers(
    env: dict[str, str], count: int, queues: tuple[str, ...], burst: bool = False
) -> Iterator[list[subprocess.Popen]]:
    procs = [
        subprocess.Popen(
            [
                str(BIN / "rq"),
                "worker",
                *queues,
                "--url",
                env["REDIS_URL"],
                "-w",
                "rq.worker.SimpleWorker",
                "--logging_level",
                "WARNING",
                *(["--burst"] if burst else []),
            ],
            env=env,
            cwd=PROJECT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(count)
    ]
    try:
        yield procs
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start
