"""Invariants every decision keeps, whatever the text (property-based)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.classify import Decision

WORDS = [
    "着火了",
    "快来",
    "民警",
    "态度差",
    "骂我",
    "身份证",
    "护照",
    "驾照",
    "消防通道",
    "赌博",
    "被骗",
    "表扬",
    "建议",
    "请问",
    "没有",
    "昨天",
    "赤壁",
    "咸安",
    "武汉",
    "九宫山",
    "温泉",
    "110",
    "没人来",
    "fire",
    "help",
    "officer",
    "rude",
    "坐席：",
    "来电人：",
    "?",
    " ",
    "举报",
    "拿刀",
    "现在没有",
]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(WORDS), min_size=0, max_size=12), st.sampled_from([None, "0715-8253825", "+8613800000000"])
)
def test_decision_invariants(classifier, parts, sender):
    d = classifier.classify("".join(parts), sender=sender)
    units = classifier.knowledge.units
    assert d.department in units.departments
    assert d.jurisdiction in units.jurisdictions
    assert d.unit == units.unit_for(d.department, d.jurisdiction).code
    assert d.kind in ("complaint", "report", "inquiry", "suggestion", "praise")
    assert d.language in ("zh", "en")
    assert 0.0 <= d.confidence <= 1.0
    assert d.needs_review == (d.confidence < classifier.knowledge.review_threshold)
    if d.emergency:
        assert d.department == "command"
    if d.department == "inspection":
        assert d.jurisdiction == "city" and d.unit == "city.inspection"


def test_to_dict_is_json_ready(classifier):
    d = classifier.classify("赤壁交警态度恶劣 骂人")
    data = d.to_dict()
    assert data["unit"] == "city.inspection"
    assert isinstance(data["reasons"], list)
    assert Decision(**{**data, "reasons": tuple(data["reasons"])}) == d


def test_cold_start_version_is_a_config_hash(classifier):
    d = classifier.classify("身份证怎么补办")
    assert d.model_version.startswith("rules-") and len(d.model_version) == len("rules-") + 12


def test_empty_text(classifier):
    d = classifier.classify("")
    assert (d.department, d.jurisdiction, d.emergency) == ("general", "city", False)
    assert d.needs_review
