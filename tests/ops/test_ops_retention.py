"""Retention: old raw payloads and recordings go, everything else of the case stays; idempotent; dry run."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from gateway import retention
from gateway.models import Case, CaseStatus, InboundMessage
from gateway.reports_cli import purge_command

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)


def seed(database, ages_days: list[int]) -> list[int]:
    ids = []
    with database.session() as s:
        for i, age in enumerate(ages_days):
            at = NOW - timedelta(days=age)
            case = Case(
                number=f"XN-R-{i:04d}", status=CaseStatus.CLOSED, channel="sms", citizen_number="+8613807151234",
                citizen_number_type="mobile", language="zh", created_at=at, unit="chibi.traffic",
            )  # fmt: skip
            s.add(case)
            s.flush()
            row = InboundMessage(
                channel="sms", provider_id=f"SM{i}", sender="+8613807151234", sender_type="mobile",
                recipient="+8612389", body=f"body {i}", language="zh",
                payload={"From": "+8613807151234", "Body": f"body {i}", "FromCity": "XIANNING"},
                received_at=at, case_id=case.id, processed_at=at,
            )  # fmt: skip
            s.add(row)
            s.flush()
            ids.append(row.id)
    return ids


def recording(directory, name: str, age_days: float):
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"RIFF....WAVE")
    stamp = (NOW - timedelta(days=age_days)).timestamp()
    os.utime(path, (stamp, stamp))
    return path


def test_purge_keeps_the_case_record(database, tmp_path):
    ids = seed(database, [200, 120, 91, 89, 10, 0])
    old_file = recording(tmp_path / "rec", "2026/10/CA1.wav", 31)
    new_file = recording(tmp_path / "rec", "2026/11/CA2.wav", 29)
    policy = retention.RetentionPolicy(
        payload_days=90, recording_days=30, recordings_dir=tmp_path / "rec", batch_size=2
    )

    dry = retention.purge(database, policy, NOW, dry_run=True)
    assert (dry.payloads, dry.recordings, dry.dry_run) == (3, 1, True)
    assert old_file.exists()

    result = retention.purge(database, policy, NOW)
    assert (result.payloads, result.recordings) == (3, 1)
    assert result.payload_cutoff == NOW - timedelta(days=90)
    assert not old_file.exists() and new_file.exists()

    with database.session() as s:
        rows = {r.id: r for r in s.scalars(select(InboundMessage))}
        assert [rows[i].payload is None for i in ids] == [True, True, True, False, False, False]
        # The message text, sender, times and the case link stay; so do the cases.
        assert all(rows[i].body == f"body {n}" and rows[i].case_id is not None for n, i in enumerate(ids))
        assert len(s.scalars(select(Case)).all()) == 6

    again = retention.purge(database, policy, NOW)
    assert (again.payloads, again.recordings) == (0, 0)


def test_disabled_parts_are_left_alone(database, tmp_path):
    seed(database, [400])
    old_file = recording(tmp_path, "a.wav", 400)
    policy = retention.RetentionPolicy(payloads_enabled=False, recordings_enabled=False, recordings_dir=tmp_path)
    result = retention.purge(database, policy, NOW)
    assert (result.payloads, result.recordings, result.payload_cutoff) == (0, 0, None)
    assert old_file.exists()


def test_config_file(tmp_path):
    shipped = retention.load_retention(retention_config_dir(), tmp_path)
    assert shipped.payload_days == 90 and shipped.recording_days == 30
    assert shipped.recordings_dir == tmp_path / "recordings"
    (tmp_path / "retention.toml").write_text("[inbound_payloads]\ndays = true\n")
    with pytest.raises(retention.RetentionConfigError, match="inbound_payloads"):
        retention.load_retention(tmp_path, tmp_path)
    (tmp_path / "retention.toml").write_text("[recordings]\nenabled = 'no'\n")
    with pytest.raises(retention.RetentionConfigError, match="enabled"):
        retention.load_retention(tmp_path, tmp_path)


def retention_config_dir():
    from gateway.config import DEFAULT_CONFIG_DIR

    return DEFAULT_CONFIG_DIR


def test_cli(app, database, tmp_path):
    seed(database, [100, 1])
    app.extensions["gateway"].settings = app.extensions["gateway"].settings.with_(config_dir=str(tmp_path))
    (tmp_path / "retention.toml").write_text(
        f'[inbound_payloads]\ndays = 30\n[recordings]\ndays = 7\ndirectory = "{tmp_path / "rec"}"\n'
    )
    runner = app.test_cli_runner()
    result = runner.invoke(purge_command, ["--dry-run", "--now", "2026-11-27T11:00:00+08:00"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["payloads"] == 1 and json.loads(result.stdout)["dry_run"] is True
    result = runner.invoke(purge_command, ["--now", "2026-11-27T11:00:00+08:00"])
    assert json.loads(result.stdout)["payloads"] == 1
    assert json.loads(runner.invoke(purge_command, []).stdout)["payloads"] == 0
