"""Data retention: purge raw inbound payloads and call recordings after N days, keep the case record.

The policy is read from `config/retention.toml` (documented there). The purge is idempotent, works
in batches of short transactions (a busy intake keeps writing meanwhile), and takes `now` so that
it is tested without waiting. No Flask, no RQ: the CLI command and a cron job both call `purge`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, null, select, update

from gateway.config import read_toml
from gateway.db import Database
from gateway.models import InboundMessage

log = logging.getLogger(__name__)


class RetentionConfigError(ValueError):
    """The retention file is malformed; the message names the setting."""


@dataclass(frozen=True)
class RetentionPolicy:
    payloads_enabled: bool = True
    payload_days: int = 90
    recordings_enabled: bool = True
    recording_days: int = 30
    recordings_dir: Path = Path("recordings")
    batch_size: int = 1000


@dataclass(frozen=True)
class PurgeResult:
    payloads: int  # inbound rows whose payload was emptied (or would be, in a dry run)
    recordings: int  # files deleted (or that would be)
    payload_cutoff: datetime | None
    recording_cutoff: datetime | None
    dry_run: bool

    def to_dict(self) -> dict:
        return {
            "payloads": self.payloads,
            "recordings": self.recordings,
            "payload_cutoff": self.payload_cutoff.isoformat() if self.payload_cutoff else None,
            "recording_cutoff": self.recording_cutoff.isoformat() if self.recording_cutoff else None,
            "dry_run": self.dry_run,
        }


def _days(section: dict, name: str, default: int) -> int:
    value = section.get("days", default)
    # A bool is an int in Python; "days = true" is a mistake, not one day.
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise RetentionConfigError(f"retention.toml [{name}] days = {value!r}: a whole number of days, 1 or more")
    return value


def _enabled(section: dict, name: str) -> bool:
    value = section.get("enabled", True)
    if not isinstance(value, bool):
        raise RetentionConfigError(f"retention.toml [{name}] enabled = {value!r}: true or false")
    return value


def load_retention(config_dir: Path | str, instance_dir: Path | str) -> RetentionPolicy:
    raw = read_toml(config_dir, "retention.toml")
    payloads = raw.get("inbound_payloads", {})
    recordings = raw.get("recordings", {})
    batch = raw.get("run", {}).get("batch_size", 1000)
    if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
        raise RetentionConfigError(f"retention.toml [run] batch_size = {batch!r}: a whole number, 1 or more")
    directory = Path(recordings.get("directory", "recordings"))
    return RetentionPolicy(
        payloads_enabled=_enabled(payloads, "inbound_payloads"),
        payload_days=_days(payloads, "inbound_payloads", 90),
        recordings_enabled=_enabled(recordings, "recordings"),
        recording_days=_days(recordings, "recordings", 30),
        recordings_dir=directory if directory.is_absolute() else Path(instance_dir) / directory,
        batch_size=batch,
    )


def purge(database: Database, policy: RetentionPolicy, now: datetime, *, dry_run: bool = False) -> PurgeResult:
    """Apply the policy as of `now`; returns what was (or, with dry_run, would be) purged."""
    payload_cutoff = now - timedelta(days=policy.payload_days) if policy.payloads_enabled else None
    recording_cutoff = now - timedelta(days=policy.recording_days) if policy.recordings_enabled else None
    payloads = _purge_payloads(database, payload_cutoff, policy.batch_size, dry_run) if payload_cutoff else 0
    recordings = _purge_recordings(policy.recordings_dir, recording_cutoff, dry_run) if recording_cutoff else 0
    result = PurgeResult(payloads, recordings, payload_cutoff, recording_cutoff, dry_run)
    log.info("retention purge", extra={"purge": result.to_dict()})
    return result


def _purge_payloads(database: Database, cutoff: datetime, batch_size: int, dry_run: bool) -> int:
    due = (InboundMessage.received_at < cutoff, InboundMessage.payload.is_not(None))
    if dry_run:
        with database.session() as session:
            return session.scalar(select(func.count()).select_from(InboundMessage).where(*due)) or 0
    total = 0
    while True:
        # One short transaction a batch: ids first (indexed on received_at), then a keyed update.
        with database.session() as session:
            ids = session.scalars(
                select(InboundMessage.id).where(*due).order_by(InboundMessage.id).limit(batch_size)
            ).all()
            if ids:
                # null(): SQL NULL, not the JSON value null, so the row no longer matches `due`.
                session.execute(
                    update(InboundMessage).where(InboundMessage.id.in_(ids)).values(payload=null()),
                    execution_options={"synchronize_session": False},
                )
        total += len(ids)
        if len(ids) < batch_size:
            return total


def _purge_recordings(directory: Path, cutoff: datetime, dry_run: bool) -> int:
    if not directory.is_dir():
        return 0
    limit = cutoff.timestamp()
    count = 0
    for path in directory.rglob("*"):
        try:
            if path.is_file() and not path.is_symlink() and path.stat().st_mtime < limit:
                if not dry_run:
                    path.unlink()
                count += 1
        except FileNotFoundError:
            continue  # removed meanwhile by another purge: nothing left to do
    return count
