"""The console's report page and CSV export over a seeded October (Asia/Shanghai) worked out by hand.

    A = chibi.traffic    A1 on time at every step, rated 5; A2 late at every step, escalated, rated 2;
                         A3 open and past its reply deadline at the end of the month.
                         received 3, signed 1/2, replied 1/2 (waits 24 h and 72 h: 2 days on average),
                         closed 2 (1 on time), open overdue 1, on-time rate 1/3, satisfaction 3.50 (2).
    B = xianan.traffic   B1 and B2 on time at every step (waits 6 h and 24 h), an extension, B1 rated 4.
                         received 2, closed 2/2, on-time rate 100%, satisfaction 4.00 (1).
    C = chibi.household  returned a case to dispatch (now unrouted): returns 1, nothing else.
    Outside October: a case in A on Nov 2, one in B at 23:30 local on Sep 30.

Ranking (gateway.reports.ranking): B 92.50 first, A 48.75 last and flagged.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from console_support import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    csrf_of,
    login,
    make_user,
    playwright_or_skip,
    sign_in,
)
from factories import add_case, add_event, shanghai
from servers import WebServer

from gateway.models import CaseStatus, Role
from gateway.web.console import context

A, B, C = "chibi.traffic", "xianan.traffic", "chibi.household"
A_NAME, B_NAME = "赤壁市公安局交警", "咸安区公安分局交警"
OCTOBER = {"from": "2026-10-01", "to": "2026-10-31"}


def L(day: int, hour: int, minute: int = 0, month: int = 10) -> datetime:  # noqa: N802 (reads as a time)
    return shanghai(2026, month, day, hour, minute)


def seed_october(session) -> None:
    add_case(
        session, A, L(2, 9), status=CaseStatus.CLOSED,
        sign_due=L(2, 17), signed_at=L(2, 10), reply_due=L(4, 17), first_reply_at=L(3, 9),
        close_due=L(10, 17), closed_at=L(9, 10), rating=5, rating_text="5", rated_at=L(10, 9),
    )  # fmt: skip
    a2 = add_case(
        session, A, L(5, 9), status=CaseStatus.CLOSED, escalated_at=L(16, 9),
        sign_due=L(5, 17), signed_at=L(6, 9), reply_due=L(7, 17), first_reply_at=L(8, 9),
        close_due=L(15, 17), closed_at=L(20, 10), rating=2, rating_text="2", rated_at=L(21, 9),
    )  # fmt: skip
    add_event(session, a2, "escalated", L(16, 9), unit=A, reason="close_overdue")
    add_case(
        session, A, L(25, 9), status=CaseStatus.SIGNED,
        sign_due=L(25, 17), signed_at=None, reply_due=L(27, 17), close_due=L(5, 17, month=11),
    )  # fmt: skip
    b1 = add_case(
        session, B, L(3, 10), status=CaseStatus.CLOSED,
        sign_due=L(3, 17), signed_at=L(3, 11), reply_due=L(5, 17), first_reply_at=L(3, 16),
        close_due=L(12, 17), closed_at=L(11, 10), rating=4, rating_text="4", rated_at=L(12, 9),
    )  # fmt: skip
    add_event(session, b1, "extension_approved", L(8, 9), unit=B, days=3)
    add_case(
        session, B, L(10, 10), status=CaseStatus.CLOSED,
        sign_due=L(10, 17), signed_at=L(10, 11), reply_due=L(12, 17), first_reply_at=L(11, 10),
        close_due=L(20, 17), closed_at=L(14, 10),
    )  # fmt: skip
    c1 = add_case(session, None, L(7, 9), status=CaseStatus.REVIEW)
    add_event(session, c1, "returned", L(7, 11), unit=C, reason="not ours")
    add_case(session, A, L(2, 9, month=11))
    add_case(session, B, L(30, 23, 30, month=9))
    session.flush()


@pytest.fixture
def seeded(database):
    with database.session() as s:
        make_user(s, "li", unit=B, display_name="李警官")
        make_user(s, "boss", role=Role.SUPERVISOR, display_name="市局督办")
        make_user(s, "root", role=Role.ADMIN)
        seed_october(s)


@pytest.fixture
def clock(monkeypatch):
    """The console's clock, a month after the seeded October (the page's default range ends today)."""
    at = shanghai(2026, 11, 20, 10)
    monkeypatch.setattr(context, "now", lambda: at)
    return at


def ledger_row(html: str, unit: str) -> list[str]:
    """The cells of one unit's row in the ledger table, as text."""

    class Rows(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.rows: dict[str, list[str]] = {}
            self.table = False
            self.current: list[str] | None = None
            self.cell: list[str] | None = None

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "table" and "ledger" in (attrs.get("class") or ""):
                self.table = True
            elif self.table and tag == "tr" and "data-unit" in attrs:
                self.current = self.rows.setdefault(attrs["data-unit"] or "", [])
            elif self.current is not None and tag in ("td", "th"):
                self.cell = []

        def handle_endtag(self, tag):
            if tag == "table":
                self.table = False
            elif tag in ("td", "th") and self.cell is not None and self.current is not None:
                self.current.append(" ".join("".join(self.cell).split()))
                self.cell = None
            elif tag == "tr":
                self.current = None

        def handle_data(self, data):
            if self.cell is not None:
                self.cell.append(data)

    parser = Rows()
    parser.feed(html)
    return parser.rows[unit]


def read_csv(response) -> list[dict]:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_supervisor_sees_every_unit_the_ranking_and_the_charts(client, seeded, clock):
    login(client, "boss")
    response = client.get("/console/reports", query_string=OCTOBER)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # Unit, received, signed on time / signed, replied on time / replied, closed, closed on time,
    # open overdue, escalated, extensions, returns, average first reply, ratings, mean, on-time rate.
    assert ledger_row(html, A) == [A_NAME, "3", "1 / 2", "1 / 2", "2", "1", "1", "1", "0", "0", "2天", "2", "3.50", "33.3%"]  # fmt: skip
    assert ledger_row(html, B) == [B_NAME, "2", "2 / 2", "2 / 2", "2", "2", "0", "0", "1", "0", "15小时", "1", "4.00", "100%"]  # fmt: skip
    assert ledger_row(html, C)[9] == "1"  # the return counts against the unit that returned it
    assert ledger_row(html, "")[:2] == ["未分派", "1"]  # the case C returned
    assert ledger_row(html, "*")[:2] == ["合计", "6"]
    assert "另有 54 个单位本期无数据" in html  # 57 units, three with figures
    # The ranking: B first, A last and flagged, with its dissatisfied answer.
    ranking = html[html.index('class="report-table ranking"') :]
    assert ranking.index(B_NAME) < ranking.index(A_NAME)
    assert '<tr class="rank-last" data-unit="chibi.traffic">' in ranking
    assert "92.50" in ranking and "48.75" in ranking and "末位" in ranking and "有不满意" in ranking
    # The charts: a bar per day with the day's total, on-time and satisfaction bars with their numbers.
    assert html.count('<g class="day"') == 31
    assert 'data-day="2026-10-02" data-total="1"' in html
    assert 'aria-label="赤壁市公安局交警: 33.3%"' in html and 'aria-label="咸安区公安分局交警: 100%"' in html
    assert 'aria-label="赤壁市公安局交警: 3.50"' in html
    # Export links keep the range.
    assert "/console/reports/ranking.csv?from=2026-10-01&amp;to=2026-10-31" in html


def test_all_units_and_one_unit(client, seeded, clock):
    login(client, "root")  # an administrator is city-wide as well
    html = client.get("/console/reports", query_string={**OCTOBER, "all": "1"}).get_data(as_text=True)
    assert ledger_row(html, "city.inspection")[1] == "0" and "本期无数据" not in html
    html = client.get("/console/reports", query_string={**OCTOBER, "unit": A}).get_data(as_text=True)
    assert ledger_row(html, A)[1] == "3" and B_NAME not in html.split('class="report-table ledger"')[1]
    assert "排名比较全部单位" in html


def test_dispatcher_sees_their_own_unit_only(client, seeded, clock):
    login(client, "li")
    html = client.get("/console/reports", query_string=OCTOBER).get_data(as_text=True)
    assert ledger_row(html, B)[:2] == [B_NAME, "2"]
    assert A_NAME not in html and "chibi.traffic" not in html
    assert 'class="report-table ranking"' not in html and "ranking.csv" not in html
    assert 'name="unit"' not in html  # no unit picker
    # Another unit is refused outright, not quietly swapped for theirs.
    assert client.get("/console/reports", query_string={**OCTOBER, "unit": A}).status_code == 403
    assert client.get("/console/reports", query_string={**OCTOBER, "unit": B}).status_code == 200


def test_default_range_is_the_last_30_local_days(client, seeded, clock):
    login(client, "boss")
    html = client.get("/console/reports").get_data(as_text=True)
    assert 'name="from" value="2026-10-22"' in html and 'name="to" value="2026-11-20"' in html
    assert html.count('<g class="day"') == 30
    # A3 (Oct 25) and the Nov 2 case; A3 is overdue at "now" (the console's clock).
    assert ledger_row(html, A)[1:2] == ["2"] and ledger_row(html, A)[6] == "1"


def test_csv_export_for_a_supervisor(client, seeded, clock):
    login(client, "boss")
    response = client.get("/console/reports/ledger.csv", query_string=OCTOBER)
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.get_data(as_text=True).startswith("\ufeff")  # Excel reads the names as UTF-8
    rows = {r["unit"]: r for r in read_csv(response)}
    assert len(rows) == 58  # every unit of the deployment, and the unrouted
    assert rows[A]["received"] == "3" and rows[A]["unit_name"] == A_NAME and rows[A]["on_time_rate"] == "0.3333"
    assert rows[B]["extensions"] == "1" and rows[C]["returns"] == "1"

    days = read_csv(client.get("/console/reports/ledger.csv", query_string={**OCTOBER, "by": "day"}))
    assert sum(int(r["received"]) for r in days if r["unit"] == A) == 3

    ranking = read_csv(client.get("/console/reports/ranking.csv", query_string=OCTOBER))
    assert [(r["rank"], r["unit"], r["score"], r["flag_last"]) for r in ranking] == [
        ("1", B, "92.5", "False"),
        ("2", A, "48.75", "True"),
    ]
    one_unit = client.get("/console/reports/ledger.csv", query_string={**OCTOBER, "unit": A})
    assert [r["unit"] for r in read_csv(one_unit)] == [A]


def test_csv_export_for_a_dispatcher(client, seeded, clock):
    login(client, "li")
    rows = read_csv(client.get("/console/reports/ledger.csv", query_string=OCTOBER))
    assert [r["unit"] for r in rows] == [B] and rows[0]["received"] == "2"
    departments = read_csv(client.get("/console/reports/ledger.csv", query_string={**OCTOBER, "by": "department"}))
    assert [(r["unit"], r["received"]) for r in departments] == [("traffic", "2")]
    assert client.get("/console/reports/ledger.csv", query_string={**OCTOBER, "unit": A}).status_code == 403
    # The ranking compares units with each other: not a dispatcher's page.
    assert client.get("/console/reports/ranking.csv", query_string=OCTOBER).status_code == 404


def test_signed_out_and_unknown_pages(client, seeded):
    for path in ("/console/reports", "/console/reports/ledger.csv", "/console/reports/ranking.csv"):
        response = client.get(path, query_string=OCTOBER)
        assert response.status_code == 302 and "/console/login" in response.headers["Location"]
    login(client, "boss")
    assert client.get("/console/reports/ledger.json", query_string=OCTOBER).status_code == 404


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"from": "2026-13-01", "to": "2026-10-31"}, "日期“2026-13-01”无效"),
        ({"from": "yesterday"}, "日期“yesterday”无效"),
        ({"from": "2026-10-31", "to": "2026-10-01"}, "截止日期早于起始日期"),
        ({"from": "2025-01-01", "to": "2026-10-31"}, "最多统计 366 天"),
        ({**OCTOBER, "unit": "nowhere.none"}, "没有这个承办单位"),
    ],
)
def test_bad_input_is_a_400_with_the_reason(client, seeded, clock, args, message):
    login(client, "boss")
    response = client.get("/console/reports", query_string=args)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html and 'name="from"' in html  # the form comes back to be corrected
    export = client.get("/console/reports/ledger.csv", query_string=args)
    assert export.status_code == 400 and message in export.get_data(as_text=True)
    assert client.get("/console/reports/ranking.csv", query_string=args).status_code == 400


def test_bad_export_kind_is_a_400(client, seeded, clock):
    login(client, "boss")
    response = client.get("/console/reports/ledger.csv", query_string={**OCTOBER, "by": "week"})
    assert response.status_code == 400 and "按单位、按日或按警种" in response.get_data(as_text=True)


def test_english_page(client, seeded, clock):
    login(client, "boss")
    page = client.get("/console/reports")
    client.post(
        "/console/lang", data={"lang": "en", "csrf_token": csrf_of(page.get_data(as_text=True)), "next": "/console/"}
    )
    html = client.get("/console/reports", query_string=OCTOBER).get_data(as_text=True)
    assert "Daily volume by department" in html and "Chibi City Bureau Traffic Police" in html
    assert ledger_row(html, A)[10] == "2d"
    rows = read_csv(client.get("/console/reports/ledger.csv", query_string={**OCTOBER, "unit": A}))
    assert rows[0]["unit_name"] == "Chibi City Bureau Traffic Police"


# --- in the browser --------------------------------------------------------------------------------


DEPARTMENTS = ("traffic", "household", "public_order", "exit_entry", "criminal")
JURISDICTIONS = ("chibi", "xianan", "jiayu", "tongcheng")


def seed_recent_month(session, now: datetime) -> int:
    """Three weeks of varied work across units and departments, relative to the real clock."""
    count = 0
    for n in range(1, 26):
        for k in range(n % 4 + 1):
            unit = f"{JURISDICTIONS[(n + k) % 4]}.{DEPARTMENTS[(n * 3 + k) % 5]}"
            created = now - timedelta(days=n, hours=k)
            late = (n + k) % 5 == 0
            closed = n > 4 and (n + k) % 3 != 0
            add_case(
                session, unit, created,
                status=CaseStatus.CLOSED if closed else CaseStatus.SIGNED,
                sign_due=created + timedelta(hours=8), signed_at=created + timedelta(hours=1),
                reply_due=created + timedelta(days=2), first_reply_at=created + timedelta(hours=20 + 10 * k),
                close_due=created + timedelta(days=3 if late else 10),
                closed_at=created + timedelta(days=4) if closed else None,
                rating=(5 - (n + k) % 4) if closed else None,
                rated_at=created + timedelta(days=4, hours=2) if closed else None,
            )  # fmt: skip
            count += 1
    return count


def console_error(message) -> bool:
    # CSP refusals and script errors; failed requests are checked by URL in `failed` instead.
    return message.type == "error" and not message.text.startswith("Failed to load resource")


def failed(response) -> bool:
    # The browser's own /favicon.ico request is not the page's doing.
    return response.status >= 400 and not response.url.endswith("/favicon.ico")


@pytest.mark.browser
def test_report_page_in_the_browser(app, database):
    sync_api = playwright_or_skip()
    now = datetime.now(UTC)
    with database.session() as s:
        make_user(s, "boss", role=Role.SUPERVISOR, display_name="市局督办")
        make_user(s, "li", unit="xianan.traffic", display_name="李警官")
        total = seed_recent_month(s, now)
    with WebServer(app) as web, sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_context(viewport={"width": 1320, "height": 900}, locale="zh-CN").new_page()
            errors: list[str] = []
            # CSP refusals and script errors show up as console errors; failed requests are checked
            # by URL instead (the browser's own /favicon.ico 404 is not the page's doing).
            page.on("console", lambda m: errors.append(m.text) if console_error(m) else None)
            page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if failed(r) else None)
            sign_in(page, web.url, "boss")
            page.click("nav.mainnav >> text=统计报表")
            page.wait_for_url(f"{web.url}/console/reports")

            volume = page.locator("svg.volume-chart")
            assert volume.is_visible() and volume.bounding_box()["width"] > 900
            assert page.locator("svg.volume-chart g.day").count() == 30
            totals = page.locator("svg.volume-chart text.bar-total").all_text_contents()
            assert totals and sum(int(x) for x in totals) == total
            assert page.locator(".legend-total strong").inner_text() == str(total)
            on_time = page.locator("ol.hbars").first
            assert on_time.locator("svg.hb-bar rect.hb-fill").count() >= 5
            assert all(v.endswith("%") for v in on_time.locator(".hb-value strong").all_inner_texts())
            assert page.locator("ol.hbars").nth(1).locator("svg.hb-bar").count() >= 5
            assert page.locator("table.ranking tr.rank-last .tag-last").count() == 1
            assert not errors, errors  # no CSP refusals or script errors

            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "reports.png"), full_page=True)

            with page.expect_download() as download:
                page.click("text=台账·按单位")
            text = Path(download.value.path()).read_text(encoding="utf-8-sig")
            assert sum(int(r["received"]) for r in csv.DictReader(io.StringIO(text))) == total

            # A dispatcher: their unit's figures and charts, no ranking, no unit picker.
            page = browser.new_context(viewport={"width": 1320, "height": 900}, locale="zh-CN").new_page()
            sign_in(page, web.url, "li")
            page.goto(f"{web.url}/console/reports")
            assert page.locator("svg.volume-chart g.day").count() == 30
            assert page.locator("table.ledger tbody tr").count() == 1
            assert page.locator("table.ranking").count() == 0 and page.locator("select[name=unit]").count() == 0
            page.screenshot(path=str(ARTIFACTS / "reports-dispatcher.png"), full_page=True)
        finally:
            browser.close()
