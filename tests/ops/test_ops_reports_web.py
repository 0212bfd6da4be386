"""The report endpoints (/reports/...) and the `gateway report` commands over the seeded month."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest
from test_ops_ledger import A, B, seed

from gateway import apikeys
from gateway.reports_cli import report_group

MONTH = {"from": "2026-11-01", "to": "2026-11-30"}


@pytest.fixture
def seeded(database):
    with database.session() as s:
        seed(s)


def key(database, scope: str) -> dict:
    with database.session() as s:
        return {"X-API-Key": apikeys.create_key(s, f"reports-{scope}", scope, datetime.now(UTC))[1]}


def test_json_csv_and_charts(client, database, seeded):
    city = key(database, "city")
    assert client.get("/reports/ledger.json", query_string=MONTH).status_code == 401

    body = client.get("/reports/ledger.json", query_string=MONTH, headers=city).get_json()
    units = {u["unit"]: u for u in body["units"]}
    assert units[A]["received"] == 6 and units[A]["unit_name"] == "赤壁市公安局交警"
    assert units[B]["returns"] == 1 and units["city.inspection"]["received"] == 0  # every unit listed
    assert body["city"]["received"] == 8
    assert len(body["city_by_day"]) == 30 and body["ranking"][0]["unit"] == A

    response = client.get("/reports/ledger.csv", query_string={**MONTH, "by": "unit"}, headers=city)
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")  # for Excel
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert next(r for r in rows if r["unit"] == A)["received"] == "6"

    charts = client.get("/reports/charts.json", query_string=MONTH, headers=city).get_json()
    volume = {s["department"]: s["received"] for s in charts["volume_by_department"]["series"]}
    assert sum(volume["traffic"]) == 6 and len(volume["traffic"]) == 30
    assert {u["unit"] for u in charts["satisfaction_by_unit"]} == {A, B}

    ranking = client.get("/reports/ranking.csv", query_string=MONTH, headers=city).get_data(as_text=True)
    assert ranking.lstrip("\ufeff").splitlines()[0].startswith("rank,unit,unit_name,score")


def test_unit_key_sees_its_own_unit_only(client, database, seeded):
    unit_key = key(database, B)
    body = client.get("/reports/ledger.json", query_string=MONTH, headers=unit_key).get_json()
    assert {u["unit"] for u in body["units"]} == {B} and body["ranking"] == []
    denied = client.get("/reports/ledger.json", query_string={**MONTH, "unit": A}, headers=unit_key)
    assert denied.status_code == 403


@pytest.mark.parametrize(
    "args",
    [
        {},
        {"from": "2026-13-01"},
        {"from": "2026-11-02", "to": "2026-11-01"},
        {"from": "2025-01-01", "to": "2026-11-01"},
    ],
)
def test_bad_requests(client, database, args):
    assert client.get("/reports/ledger.json", query_string=args, headers=key(database, "city")).status_code == 400


def test_cli_daily_and_range(app, seeded):
    runner = app.test_cli_runner()
    now = ["--now", "2026-12-01T10:00:00+08:00"]
    result = runner.invoke(report_group, ["daily", "--date", "2026-11-02", *now])
    assert result.exit_code == 0, result.output
    rows = {r["unit"]: r for r in csv.DictReader(io.StringIO(result.stdout))}
    assert rows[A]["received"] == "2" and rows[A]["signed_on_time"] == "1"
    assert rows[B]["open_overdue"] == "1"

    result = runner.invoke(
        report_group, ["range", "--from", "2026-11-01", "--to", "2026-11-30", "--format", "json", *now]
    )
    data = json.loads(result.stdout)
    units = {u["unit"]: u for u in data["units"]}
    assert units[A]["on_time_rate"] == 0.5 and units[B]["open_overdue"] == 1
    assert data["ranking"][-1]["unit"] == B and data["ranking"][-1]["flag_last"] is True

    result = runner.invoke(report_group, ["daily", "--date", "2026-11-02", "--unit", A, "--format", "json", *now])
    assert [u["unit"] for u in json.loads(result.stdout)["units"]] == [A]
    result = runner.invoke(report_group, ["range", "--from", "2026-11-01", "--to", "2026-11-30", "--ranking", *now])
    assert result.stdout.splitlines()[1].startswith("1,chibi.traffic,")

    assert runner.invoke(report_group, ["daily", "--date", "2026-11-31"]).exit_code != 0
    assert runner.invoke(report_group, ["daily", "--date", "2026-11-02", "--unit", "nowhere"]).exit_code != 0
