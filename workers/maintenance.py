"""Housekeeping jobs: the retention purge (raw payloads and recordings past their time)."""

from __future__ import annotations

from datetime import UTC, datetime

from gateway import retention
from gateway.settings import INSTANCE_DIR
from workers.context import runtime


def purge_job() -> dict:
    rt = runtime()
    policy = retention.load_retention(rt.settings.config_dir, INSTANCE_DIR)
    return retention.purge(rt.database, policy, datetime.now(UTC)).to_dict()
