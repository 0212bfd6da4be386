"""Segment counting, and every automatic text within 2 segments in zh and en with realistic values."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.conversation import texts
from gateway.conversation.notices import load_notices
from gateway.sms import segments
from gateway.units import load_units


@pytest.mark.parametrize(
    ("text", "encoding", "count"),
    [
        ("", segments.GSM7, 0),
        ("a" * 160, segments.GSM7, 1),
        ("a" * 161, segments.GSM7, 2),
        ("a" * 306, segments.GSM7, 2),
        ("a" * 307, segments.GSM7, 3),
        ("€" * 80, segments.GSM7, 1),  # extension characters cost two septets
        ("€" * 81, segments.GSM7, 2),
        ("中" * 70, segments.UCS2, 1),
        ("中" * 71, segments.UCS2, 2),
        ("中" * 134, segments.UCS2, 2),
        ("中" * 135, segments.UCS2, 3),
        ("a" * 159 + "中", segments.UCS2, 3),  # one Chinese character makes the whole message UCS-2
        ("😀" * 35, segments.UCS2, 1),  # surrogate pairs: two units each
        ("😀" * 36, segments.UCS2, 2),
        ("“quoted”", segments.UCS2, 1),  # curly quotes are not GSM-7
    ],
)
def test_segment_counts(text, encoding, count):
    result = segments.count(text)
    assert (result.encoding, result.segments) == (encoding, count)


@given(st.text(max_size=400))
def test_segments_cover_the_text(text):
    result = segments.count(text)
    single, part = (160, 153) if result.encoding == segments.GSM7 else (70, 67)
    if result.segments <= 1:
        assert result.units <= single
    else:
        assert (result.segments - 1) * part < result.units <= result.segments * part


def test_cap_keeps_1600():
    assert segments.cap("a" * 1600) == "a" * 1600
    capped = segments.cap("中" * 2000)
    assert len(capped) == 1600 and capped.endswith("…")


UNITS = load_units()
LONGEST_UNIT = {
    "zh": max((u.name_zh for u in UNITS.units.values()), key=len),
    "en": max((u.name_en for u in UNITS.units.values()), key=len),
}
NUMBER = "XN-20261127-0042"
REALISTIC = {
    "number": NUMBER,
    "count": 4,
    "date": {"zh": "11月27日", "en": "27 Nov 2026"},
    "status": {"zh": "已转承办单位，待签收", "en": "answered, still in progress"},
    "unit": LONGEST_UNIT,
    "from_unit": LONGEST_UNIT["zh"],
    "items": {
        "zh": "；".join(f"XN-2026112{i}-004{i}（已受理，正在分派）" for i in range(3)),
        "en": "; ".join(f"XN-2026112{i}-004{i} (answered, still in progress)" for i in range(3)),
    },
    "rating": "不满意",
    "excerpt": "我上周在赤壁市蒲圻街道被交警罚款二百元，但是当时车是停在停车位里的，请核实并给个说法，谢谢"[:59] + "…",
    # Unit-written parts of the reply and closing texts, at a length units write them.
    "body": {
        "zh": "您反映的违停罚款问题已核实，系误判，罚款已撤销，请登录交管12123查看。",
        "en": "The parking fine was issued in error and has been cancelled; check it in the 12123 app.",
    },
    "summary": {"zh": "经核实系误判，罚款已撤销。", "en": "The parking fine was issued in error and is cancelled."},
}


def _values(language: str) -> dict:
    return {k: (v[language] if isinstance(v, dict) else v) for k, v in REALISTIC.items()}


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("key", texts.keys())
def test_every_template_stays_within_two_segments(key, language):
    values = _values(language)
    if key == "notice":
        bodies = [texts.render(key, language, text=n.text(language)) for n in load_notices().notices]
    else:
        bodies = [texts.render(key, language, **values)]
    for body in bodies:
        count = segments.count(body)
        assert count.segments <= 2, f"{key}/{language}: {count} {body!r}"
        if language == "en" and key not in ("unit_thread_message", "unit_rating_escalation"):
            assert count.encoding == segments.GSM7, f"{key}/en is not plain GSM-7: {body!r}"


@pytest.mark.parametrize("language", ["zh", "en"])
def test_status_names_exist_for_every_status(language):
    from gateway.models import CaseStatus

    for status in (*CaseStatus.OPEN, CaseStatus.CLOSED):
        assert texts.status_name(status, language)
