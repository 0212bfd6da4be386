"""The console in headless Chromium (Debian's, driven by Playwright): what a dispatcher really does.

Screenshots of the queue and the case page are saved as artifacts under
`$CONSOLE_ARTIFACTS` (default: instance/test-artifacts/console/, ignored by git).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from console_support import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    make_case,
    make_user,
    playwright_or_skip,
    sign_in,
)
from servers import WebServer
from sqlalchemy import select

from gateway.models import Case, CaseStatus, OutboundMessage, Role

pytestmark = pytest.mark.browser


XSS = "<script>alert(1)</script><img src=x onerror=alert(2)>"


@pytest.fixture(scope="module")
def browser():
    sync_api = playwright_or_skip()
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def server(app):
    with WebServer(app) as web:
        yield web


@pytest.fixture
def world(database, policy):
    """A realistic morning: a unit's queue with late, near and fresh cases, another unit's case."""
    now = datetime.now(UTC)
    with database.session() as s:
        make_user(s, "wang", unit="chibi.traffic", display_name="王警官")
        make_user(s, "zhao", unit="chibi.traffic", display_name="赵警官")
        make_user(s, "li", unit="xianan.traffic", display_name="李警官")
        make_user(s, "boss", role=Role.SUPERVISOR, display_name="市局督办")
        main = make_case(s, policy, at=now - timedelta(minutes=20)).number
        make_case(
            s,
            policy,
            at=now - timedelta(days=6),
            body="赤壁大道上长期有货车违停，影响通行，希望整治。",
            confidence=0.84,
        )
        make_case(s, policy, at=now - timedelta(hours=3), body="107国道赤壁段有车辆超速飙车，噪音很大。", kind="report")
        make_case(
            s, policy, at=now - timedelta(minutes=2), body="咨询一下驾驶证到期换证需要带什么材料？", kind="inquiry"
        )
        xss = make_case(s, policy, at=now - timedelta(minutes=1), body=XSS).number
        theirs = make_case(s, policy, unit="xianan.traffic", at=now - timedelta(minutes=10)).number
    return {"main": main, "xss": xss, "theirs": theirs}


def new_page(browser, width=1280, height=900):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.dialogs = dialogs
    return page


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def act(page, summary_text: str | None = None) -> None:
    """Open an action's <details> (when it is folded) before filling it."""
    if summary_text:
        summary = page.locator("details.action > summary", has_text=summary_text)
        if summary.locator("xpath=..").get_attribute("open") is None:
            summary.click()


def load_case(database, number: str) -> Case:
    with database.session() as s:
        case = s.scalars(select(Case).where(Case.number == number)).one()
        s.expunge(case)
        return case


def test_dispatcher_works_a_case_from_the_queue(browser, server, world, database):
    page = new_page(browser)
    sign_in(page, server.url, "wang")
    assert page.locator("table.queue").is_visible()
    assert page.locator(f"text={world['main']}").count() == 1
    assert world["theirs"] not in page.content()
    assert "+86 138****1234" in page.content()
    shot(page, "queue")

    page.click(f"a.case-link:has-text('{world['main']}')")
    page.wait_for_url(f"**/console/cases/{world['main']}")
    assert "+86 138 0715 1234" in page.inner_text("#citizen-number")
    page.click("#sign-button")
    page.wait_for_selector(".flash-ok")
    assert load_case(database, world["main"]).status == CaseStatus.SIGNED

    # Reply with a template, edited: the live counter counts the whole SMS the citizen receives.
    counter = page.locator("#reply-counter")
    page.select_option("select.template-picker", index=2)
    assert counter.get_attribute("data-segments") == "1"
    page.fill("#reply-body", "已派民警到现场处置。" * 8)
    assert counter.get_attribute("data-segments") == "2"
    assert "UCS-2" in counter.inner_text()
    page.fill("#reply-body", "已派民警到现场处置，请保持电话畅通。")
    assert counter.get_attribute("data-segments") == "1"
    shot(page, "case")
    page.click(".reply-form button[type=submit]")
    page.wait_for_selector(".flash-ok")
    assert load_case(database, world["main"]).status == CaseStatus.REPLIED
    assert "已派民警到现场处置，请保持电话畅通。" in page.inner_text(".messages")

    # Assign to a named officer, then ask for an extension.
    act(page, "指定责任人")
    page.select_option("details.action select[name=officer]", "zhao")
    page.locator("details.action:has(select[name=officer]) button[type=submit]").click()
    page.wait_for_selector(".flash-ok")
    assert load_case(database, world["main"]).assigned_to == "zhao"

    act(page, "申请延期")
    page.fill("details.action input[name=days]", "3")
    page.fill("details.action:has(input[name=days]) textarea[name=reason]", "需调取路口监控")
    page.locator("details.action:has(input[name=days]) button[type=submit]").click()
    page.wait_for_selector(".flash-ok")
    assert "延期申请待审批" in page.content()
    shot(page, "case-after-actions")
    assert page.dialogs == []


def test_supervisor_approves_the_extension_and_the_unit_closes(browser, server, world, database):
    page = new_page(browser)
    sign_in(page, server.url, "wang")
    page.goto(f"{server.url}/console/cases/{world['main']}")
    page.click("#sign-button")
    page.wait_for_selector(".flash-ok")
    act(page, "申请延期")
    page.fill("details.action:has(input[name=days]) textarea[name=reason]", "需调取路口监控")
    page.locator("details.action:has(input[name=days]) button[type=submit]").click()
    page.wait_for_selector(".flash-ok")
    before = load_case(database, world["main"]).close_due

    boss = new_page(browser)
    sign_in(boss, server.url, "boss")
    boss.goto(f"{server.url}/console/cases/{world['main']}")
    boss.click("button[name=approve][value=true]")
    boss.wait_for_selector(".flash-ok")
    after = load_case(database, world["main"])
    assert after.extension_count == 1 and after.close_due > before

    page.reload()
    act(page, "办结")
    page.fill("textarea[name=summary]", "信号灯已修复，路口恢复正常。")
    page.locator("details.action:has(textarea[name=summary]) button[type=submit]").click()
    page.wait_for_selector(".flash-ok")
    assert load_case(database, world["main"]).status == CaseStatus.CLOSED
    with database.session() as s:
        purposes = {m.purpose for m in s.scalars(select(OutboundMessage))}
    assert {"reply", "followup"} <= purposes


def test_return_then_supervisor_reroutes(browser, server, world, database):
    page = new_page(browser)
    sign_in(page, server.url, "wang")
    page.goto(f"{server.url}/console/cases/{world['main']}")
    act(page, "退单")
    page.fill("details.action:has(button.danger) textarea[name=reason]", "应由治安部门办理")
    page.locator("details.action button.danger").click()
    page.wait_for_url(f"{server.url}/console/queue")
    assert load_case(database, world["main"]).status == CaseStatus.RETURNED

    boss = new_page(browser)
    sign_in(boss, server.url, "boss")
    boss.goto(f"{server.url}/console/review")
    boss.click(f"a.case-link:has-text('{world['main']}')")
    boss.select_option("details.action select[name=unit] >> nth=-1", "chibi.public_order")
    boss.locator("details.action:has(input[value=reroute]) button[type=submit]").click()
    boss.wait_for_selector(".flash-ok")
    case = load_case(database, world["main"])
    assert case.unit == "chibi.public_order" and case.status == CaseStatus.ROUTED
    # The traffic unit no longer reaches the case.
    response = page.goto(f"{server.url}/console/cases/{world['main']}")
    assert response.status == 404


def test_hostile_message_is_shown_as_text_and_runs_nothing(browser, server, world):
    page = new_page(browser)
    sign_in(page, server.url, "wang")
    assert XSS in page.inner_text("table.queue")
    page.goto(f"{server.url}/console/cases/{world['xss']}")
    assert XSS in page.inner_text(".messages")
    assert page.locator(".messages img").count() == 0 and page.locator(".messages script").count() == 0
    page.wait_for_timeout(300)
    assert page.dialogs == []


def test_another_units_dispatcher_gets_404(browser, server, world):
    page = new_page(browser)
    sign_in(page, server.url, "li")
    assert world["main"] not in page.content()
    response = page.goto(f"{server.url}/console/cases/{world['main']}")
    assert response.status == 404


def test_narrow_screen_and_english(browser, server, world):
    page = new_page(browser, width=390, height=844)
    sign_in(page, server.url, "wang")
    page.click("button:has-text('English')")
    page.wait_for_selector("text=Queue")
    # Nothing wider than the phone: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "queue-narrow-en")
    page.goto(f"{server.url}/console/cases/{world['main']}")
    wide = page.evaluate(
        "[...document.querySelectorAll('*')].filter(e => e.getBoundingClientRect().right > 391)"
        ".map(e => e.tagName + '.' + e.className).slice(0, 8)"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, wide
    shot(page, "case-narrow-en")
