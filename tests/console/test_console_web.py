"""The console through Flask's test client: sign-in, sessions, CSRF, headers, visibility, actions."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from console_support import CITIZEN, PASSWORD, csrf_of, login, make_case, make_user
from sqlalchemy import select

from gateway.models import Case, CaseEvent, CaseStatus, OutboundMessage, Role
from gateway.web.console import security


@pytest.fixture
def seeded(database, policy):
    """Two units' dispatchers, a supervisor, an admin, and a fresh case in each unit."""
    at = datetime.now(UTC) - timedelta(minutes=5)
    with database.session() as s:
        make_user(s, "wang", unit="chibi.traffic", display_name="王警官")
        make_user(s, "li", unit="xianan.traffic", display_name="李警官")
        make_user(s, "boss", role=Role.SUPERVISOR, display_name="督办")
        make_user(s, "root", role=Role.ADMIN)
        mine = make_case(s, policy, unit="chibi.traffic", at=at).number
        theirs = make_case(s, policy, unit="xianan.traffic", at=at, body="咸安区有人酒驾").number
    return {"mine": mine, "theirs": theirs}


def action(client, number, **fields):
    page = client.get(f"/console/cases/{number}")
    assert page.status_code == 200
    return client.post(
        f"/console/cases/{number}/actions", data={"csrf_token": csrf_of(page.get_data(as_text=True)), **fields}
    )


def test_login_shows_the_queue_with_masked_numbers(client, seeded):
    response = login(client, "wang")
    assert response.status_code == 303 and response.headers["Location"].endswith("/console/queue")
    page = client.get("/console/queue").get_data(as_text=True)
    assert seeded["mine"] in page and seeded["theirs"] not in page
    assert "+86 138****1234" in page and CITIZEN not in page


def test_case_page_shows_the_whole_number(client, seeded):
    login(client, "wang")
    page = client.get(f"/console/cases/{seeded['mine']}").get_data(as_text=True)
    assert "+86 138 0715 1234" in page
    assert "红绿灯" in page


def test_another_units_case_is_404(client, seeded):
    login(client, "wang")
    assert client.get(f"/console/cases/{seeded['theirs']}").status_code == 404
    assert client.get("/console/cases/XN-20990101-0001").status_code == 404
    page = client.get(f"/console/cases/{seeded['mine']}")
    token = csrf_of(page.get_data(as_text=True))
    response = client.post(f"/console/cases/{seeded['theirs']}/actions", data={"csrf_token": token, "type": "sign"})
    assert response.status_code == 404


def test_dispatcher_queue_ignores_a_unit_parameter(client, seeded):
    login(client, "wang")
    page = client.get("/console/queue?unit=xianan.traffic").get_data(as_text=True)
    assert seeded["theirs"] not in page and seeded["mine"] in page


@pytest.mark.parametrize("page", ["²", "٣", "9" * 40, "-1", "x"])
def test_odd_page_numbers_show_the_first_page(client, seeded, page):
    # Unicode digits pass str.isdigit() but not always int(): a 500 before this was checked.
    login(client, "wang")
    response = client.get(f"/console/queue?page={page}")
    assert response.status_code == 200


def test_supervisor_sees_every_unit_and_the_review_queue(client, seeded):
    login(client, "boss")
    page = client.get("/console/queue").get_data(as_text=True)
    assert seeded["mine"] in page and seeded["theirs"] in page
    assert client.get("/console/review").status_code == 200


def test_review_and_admin_pages_are_not_for_dispatchers(client, seeded):
    login(client, "wang")
    assert client.get("/console/review").status_code == 404
    assert client.get("/console/admin").status_code == 404


def test_wrong_password(client, seeded):
    response = login(client, "wang", "wrong password!")
    assert response.status_code == 401
    assert client.get("/console/queue").status_code == 302


def test_login_is_rate_limited(client, seeded):
    for _ in range(security.MAX_FAILURES_PER_USER):
        assert login(client, "wang", "wrong password!").status_code == 401
    # Even the right password is refused while the limit holds.
    assert login(client, "wang", PASSWORD).status_code == 429


def test_post_without_csrf_is_refused(client, seeded):
    login(client, "wang")
    response = client.post(f"/console/cases/{seeded['mine']}/actions", data={"type": "sign"})
    assert response.status_code == 400
    response = client.post("/console/login", data={"username": "wang", "password": PASSWORD})
    assert response.status_code == 400


def test_security_headers(client, seeded):
    response = client.get("/console/login")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_session_expires_after_idle_time(client, seeded):
    login(client, "wang")
    assert client.get("/console/queue").status_code == 200
    with client.session_transaction() as sess:
        sess["seen_at"] -= int(security.IDLE_TIMEOUT.total_seconds()) + 5
    response = client.get("/console/queue")
    assert response.status_code == 302 and "/console/login" in response.headers["Location"]


def test_disabling_a_user_ends_their_session(client, database, seeded):
    login(client, "wang")
    with database.session() as s:
        from gateway import accounts

        accounts.disable_user(accounts.get_user(s, "wang"), datetime.now(UTC))
    assert client.get("/console/queue").status_code == 302


def test_sign_reply_and_close_through_the_forms(client, database, seeded):
    login(client, "wang")
    number = seeded["mine"]
    assert action(client, number, type="sign").status_code == 303
    assert action(client, number, type="reply", body="已派民警处理").status_code == 303
    assert action(client, number, type="close", summary="已修复").status_code == 303
    with database.session() as s:
        case = s.scalars(select(Case).where(Case.number == number)).one()
        assert case.status == CaseStatus.CLOSED
        actors = {e.actor for e in s.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id))}
        assert "wang" in actors
        assert s.scalars(select(OutboundMessage).where(OutboundMessage.purpose == "reply")).first() is not None
    page = client.get(f"/console/cases/{number}").get_data(as_text=True)
    assert "已修复" in page


def test_refused_action_is_explained(client, seeded):
    login(client, "wang")
    action(client, seeded["mine"], type="close", summary="done")
    response = action(client, seeded["mine"], type="sign")
    assert response.status_code == 303
    page = client.get(f"/console/cases/{seeded['mine']}").get_data(as_text=True)
    assert "flash-error" in page


def test_message_bodies_are_escaped(client, database, policy):
    with database.session() as s:
        make_user(s, "wang", unit="chibi.traffic")
        number = make_case(s, policy, body="<script>alert(1)</script><img src=x onerror=alert(2)>").number
    login(client, "wang")
    page = client.get(f"/console/cases/{number}").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    queue = client.get("/console/queue").get_data(as_text=True)
    assert "<img src=x" not in queue


def test_language_switch(client, seeded):
    login(client, "wang")
    page = client.get("/console/queue")
    assert "工单队列" in page.get_data(as_text=True)
    client.post("/console/lang", data={"csrf_token": csrf_of(page.get_data(as_text=True)), "lang": "en"})
    assert "Queue" in client.get("/console/queue").get_data(as_text=True)


def test_admin_creates_a_user_and_a_key(app, client, database, seeded):
    login(client, "root")
    page = client.get("/console/admin")
    token = csrf_of(page.get_data(as_text=True))
    response = client.post(
        "/console/admin/users",
        data={
            "csrf_token": token,
            "username": "zhao",
            "password": "long enough pw",
            "role": "dispatcher",
            "unit": "chibi.fire",
            "display_name": "赵",
            "language": "zh",
        },
    )
    assert response.status_code == 303
    response = client.post(
        "/console/admin/keys", data={"csrf_token": token, "name": "fire-desk", "scope": "chibi.fire"}
    )
    assert response.status_code == 200
    key = re.search(r'id="new-key">(gk_[^<]+)<', response.get_data(as_text=True)).group(1)
    # Shown once: not on the next visit, and not kept in the (readable) session cookie.
    assert key not in client.get("/console/admin").get_data(as_text=True)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None and key[10:] not in cookie.value
    client.post("/console/logout", data={"csrf_token": token})
    assert login(client, "zhao", "long enough pw").status_code == 303


def test_emergency_feed(client, database, policy):
    with database.session() as s:
        make_user(s, "cmd", unit="city.command")
        make_case(s, policy, unit="chibi.traffic", emergency=True, body="有人持刀")
    login(client, "cmd")
    data = client.get("/console/emergencies.json").get_json()
    assert data["count"] == 1 and data["cases"][0]["number"].startswith("XN-")
    page = client.get("/console/queue").get_data(as_text=True)
    assert 'id="emergency-banner" class="emergency-banner"' in page
