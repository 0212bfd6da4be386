"""The queue query: a unit's open cases, most urgent deadline first, filtered and paged in SQL."""

from __future__ import annotations

from datetime import timedelta

from console_support import NOW, make_case

from gateway import queue_view as qv
from gateway.models import CaseStatus


def numbers(page: qv.QueuePage) -> list[str]:
    return [row.case.number for row in page.rows]


def test_sorted_by_the_next_deadline_whatever_the_step(session, policy):
    old = make_case(session, policy, at=NOW - timedelta(days=5))  # sign deadline long gone
    fresh = make_case(session, policy, at=NOW - timedelta(minutes=5))
    signed = make_case(session, policy, at=NOW - timedelta(hours=2), status=CaseStatus.SIGNED)  # reply due later
    make_case(session, policy, unit="xianan.traffic")
    closed = make_case(session, policy, status=CaseStatus.CLOSED)
    page = qv.queue_page(session, qv.QueueFilter(unit="chibi.traffic"), NOW)
    assert numbers(page) == [old.number, fresh.number, signed.number]
    assert closed.number not in numbers(page)
    assert page.rows[0].urgency(NOW) == "overdue" and page.rows[0].step == "sign"
    assert page.rows[2].step == "reply" and page.rows[2].next_due == signed.reply_due
    assert page.rows[1].excerpt.startswith("赤壁市中心路口")


def test_filters(session, policy):
    overdue = make_case(session, policy, at=NOW - timedelta(days=5))
    emergency = make_case(session, policy, emergency=True, kind="report", at=NOW - timedelta(minutes=1))
    inquiry = make_case(session, policy, kind="inquiry", at=NOW - timedelta(minutes=30))
    review = make_case(session, policy, status=CaseStatus.REVIEW)

    def run(**kw):
        return numbers(qv.queue_page(session, qv.QueueFilter(unit="chibi.traffic", **kw), NOW))

    assert run(overdue=True) == [overdue.number]
    assert run(emergency=True) == [emergency.number]
    assert run(kind="inquiry") == [inquiry.number]
    assert run(review=True) == [review.number]
    assert run(status=CaseStatus.REVIEW) == [review.number]
    assert set(run(since=NOW - timedelta(minutes=40), until=NOW - timedelta(minutes=20))) == {inquiry.number}


def test_search_by_number_prefix_and_by_text(session, policy):
    a = make_case(session, policy, body="有人在小区门口乱停车")
    b = make_case(session, policy, body="噪音扰民 100% 严重", number="XN-20260309-0777")
    f = qv.QueueFilter(unit="chibi.traffic")
    assert numbers(qv.queue_page(session, qv.QueueFilter(**{**f.__dict__, "search": "乱停车"}), NOW)) == [a.number]
    assert numbers(qv.queue_page(session, qv.QueueFilter(**{**f.__dict__, "search": "xn-20260309"}), NOW)) == [b.number]
    # LIKE wildcards in the search are literal characters.
    assert numbers(qv.queue_page(session, qv.QueueFilter(**{**f.__dict__, "search": "100%"}), NOW)) == [b.number]
    assert numbers(qv.queue_page(session, qv.QueueFilter(**{**f.__dict__, "search": "_"}), NOW)) == []


def test_pagination(session, policy):
    made = [make_case(session, policy, at=NOW - timedelta(minutes=i)) for i in range(7)]
    first = qv.queue_page(session, qv.QueueFilter(unit="chibi.traffic", per_page=3), NOW)
    last = qv.queue_page(session, qv.QueueFilter(unit="chibi.traffic", per_page=3, page=3), NOW)
    beyond = qv.queue_page(session, qv.QueueFilter(unit="chibi.traffic", per_page=3, page=99), NOW)
    assert first.total == 7 and first.pages == 3 and len(first.rows) == 3
    assert numbers(first) == [c.number for c in reversed(made)][:3]
    assert len(last.rows) == 1 and beyond.page == 3


def test_summary_and_live_emergencies(session, policy):
    make_case(session, policy, at=NOW - timedelta(days=5))
    e = make_case(session, policy, emergency=True, at=NOW - timedelta(minutes=1))
    make_case(session, policy, unit="xianan.traffic", emergency=True)
    s = qv.summary(session, "chibi.traffic", NOW)
    assert (s.open, s.overdue, s.emergencies) == (2, 1, 1)
    assert [c.number for c in qv.live_emergencies(session, "chibi.traffic")] == [e.number]
    assert len(qv.live_emergencies(session, None)) == 2
