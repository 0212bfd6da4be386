"""The `gateway` command, run against the test database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask.cli import ScriptInfo
from sqlalchemy import select

from gateway import apikeys
from gateway.classify.training import shipped_examples
from gateway.cli import main
from gateway.models import ClassifierModel

DEV_SET = Path(__file__).resolve().parents[2] / "shared" / "data" / "complaints-dev.jsonl"


@pytest.fixture
def run(app):
    def invoke(*args: str):
        result = app.test_cli_runner().invoke(main, list(args), obj=ScriptInfo(create_app=lambda: app))
        assert result.exit_code == 0, result.output
        return result.output

    return invoke


def test_apikey_create_prints_the_key_alone_on_the_last_line(run, database):
    output = run("apikey", "create", "records-system", "--scope", "chibi.traffic")
    key = output.strip().splitlines()[-1]
    assert key.startswith("gk_") and " " not in key
    with database.session() as s:
        row = apikeys.verify(s, key)
        assert row.name == "records-system" and row.scope == "chibi.traffic"


def test_apikey_create_refuses_an_unknown_unit(app):
    result = app.test_cli_runner().invoke(
        main, ["apikey", "create", "x", "--scope", "nowhere.traffic"], obj=ScriptInfo(create_app=lambda: app)
    )
    assert result.exit_code != 0 and "unknown unit" in result.output


def test_classify_writes_one_decision_a_line(run, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps(
            {"id": "a", "channel": "sms", "from": "+8613807151234", "text": "赤壁市赵李桥镇红绿灯坏了"},
            ensure_ascii=False,
        )
        + "\n"
        + json.dumps({"id": "b", "channel": "sms", "from": "+16465550101", "text": "Thanks to the officers in Jiayu!"})
        + "\n",
        encoding="utf-8",
    )
    lines = [json.loads(line) for line in run("classify", str(source)).strip().splitlines()]
    assert [line["id"] for line in lines] == ["a", "b"]
    assert lines[0]["department"] == "traffic" and lines[0]["unit"] == "chibi.traffic"
    assert set(lines[0]) >= {"department", "jurisdiction", "unit", "emergency", "kind", "confidence", "reasons"}


@pytest.mark.skipif(not DEV_SET.exists(), reason="the labelled dev set is not beside the checkout")
def test_train_stores_a_versioned_model_that_routes_new_cases(run, database, runtime):
    output = run("train", "--from", str(DEV_SET))
    summary = json.loads(output.strip().splitlines()[-1])
    version = summary["version"]
    # the dev set's 420 messages and the examples the deployment ships (config/classifier/examples.jsonl)
    assert summary["given"] == 420 and summary["examples"] == 420 + len(shipped_examples())
    with database.session() as s:
        row = s.scalars(select(ClassifierModel)).one()
        assert row.version == version and row.examples == summary["examples"]
        assert runtime.classifiers.get(s).classify("赤壁市红绿灯坏了").model_version == version
    report = run("evaluate", str(DEV_SET))
    assert "department" in report and "emergency" in report


def test_sweep_runs_once_as_of_a_given_time(run):
    report = json.loads(run("sweep", "--now", "2026-11-27T09:00:00+08:00").strip().splitlines()[-1])
    assert report["cases"] == 0 and set(report) >= {"reminders", "holding_replies", "escalations"}
