"""Helpers of the console tests: users, cases as intake leaves them, logging in through the forms."""

from __future__ import annotations

import itertools
import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from gateway import accounts
from gateway.deadlines import Policy
from gateway.models import Case, CaseStatus, InboundMessage, Role, User

SH = ZoneInfo("Asia/Shanghai")
# A Tuesday morning in a working week (no holiday): deadlines are plain working hours away.
NOW = datetime(2026, 3, 10, 10, 0, tzinfo=SH).astimezone(UTC)
PASSWORD = "correct horse battery"
CITIZEN = "+8613807151234"
_numbers = itertools.count(1)
_sids = itertools.count(1)


def make_user(
    session: Session, username: str, role: str = Role.DISPATCHER, unit: str | None = "chibi.traffic", **kw
) -> User:
    if role != Role.DISPATCHER:
        unit = None
    return accounts.create_user(session, username, PASSWORD, role, NOW - timedelta(days=30), unit=unit, **kw)


def make_case(
    session: Session,
    policy: Policy | None,
    *,
    unit: str | None = "chibi.traffic",
    status: str = CaseStatus.ROUTED,
    at: datetime = NOW - timedelta(hours=1),
    body: str = "赤壁市中心路口红绿灯坏了，车辆乱行，请交警处理。",
    emergency: bool = False,
    kind: str = "complaint",
    citizen: str = CITIZEN,
    number: str | None = None,
    confidence: float = 0.91,
) -> Case:
    """A case as intake leaves it: the citizen's message stored, routed at `at` with deadlines."""
    jurisdiction, department = unit.split(".") if unit else (None, None)
    case = Case(
        number=number or f"XN-20260310-{next(_numbers):04d}",
        status=status,
        channel="sms",
        citizen_number=citizen,
        citizen_number_type="mobile",
        language="zh",
        created_at=at,
        department=department,
        jurisdiction=jurisdiction,
        unit=unit,
        emergency=emergency,
        kind=kind,
        confidence=confidence,
        reasons=["关键词“红绿灯”→交警", "地名“赤壁”→赤壁市"],
        place="赤壁市中心路口",
        route_source="classifier",
        routed_at=at if unit else None,
        extension_count=0,
        returned_seconds=0,
    )
    session.add(case)
    session.flush()
    session.add(
        InboundMessage(
            channel="sms",
            provider_id=f"SM{next(_sids):032d}",
            sender=citizen,
            sender_type="mobile",
            body=body,
            language="zh",
            received_at=at,
            case_id=case.id,
            processed_at=at,
        )
    )
    if unit and policy is not None:
        policy.apply(case, start=at)
    session.flush()
    return case


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def login(client, username: str, password: str = PASSWORD):
    page = client.get("/console/login")
    token = csrf_of(page.get_data(as_text=True))
    return client.post("/console/login", data={"username": username, "password": password, "csrf_token": token})


# --- headless Chromium (Debian's package, driven by Playwright) -----------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(
    os.environ.get("CONSOLE_ARTIFACTS", Path(__file__).resolve().parents[2] / "instance" / "test-artifacts" / "console")
)


def playwright_or_skip():
    """Playwright's sync API, when Chromium is here. In CI a missing browser is a failure, not a skip:
    .ci/run installs it, and browser tests that quietly stop running would prove nothing."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is missing in CI (.ci/browser-deps installs it)")
        pytest.skip("Debian's chromium is not installed (.ci/browser-deps installs it)")
    return pytest.importorskip("playwright.sync_api")


def sign_in(page, base: str, username: str) -> None:
    """Sign in through the form, as a person does, and land on the queue."""
    page.goto(f"{base}/console/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/console/queue")
