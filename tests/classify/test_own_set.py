"""The development set written for these tests (tests/classify/data/own_messages.jsonl): messages in
styles the labelled dev set has little of (SMS shorthand, hotline turns, Traditional script, English
with pinyin), written from the routing guide and general knowledge, not from dev lines.

Every live emergency in it must be found (the guide's first rule), and no non-emergency may be flagged;
departments and kinds are held to floors (labels left null there are not checked).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.classify.commands import read_examples

OWN = read_examples(Path(__file__).parent / "data" / "own_messages.jsonl")
# What the rules reach on the set; below these is a regression.
DEPARTMENT_FLOOR, KIND_FLOOR, JURISDICTION_FLOOR = 0.85, 0.85, 0.95
# Known misses, written down rather than hidden (none at present: the taxi driver who will not stop,
# own-047, is found since "叫他停…" / "won't stop" are danger cues).
KNOWN_MISSES: set[str] = set()


@pytest.mark.parametrize("ex", [e for e in OWN if e["emergency"]], ids=lambda e: e["id"])
def test_every_live_emergency_is_found(classifier, ex):
    d = classifier.classify(ex["text"], ex["channel"], ex.get("from"))
    if ex["id"] in KNOWN_MISSES:
        pytest.xfail("known miss: " + ex["text"][:30])
    assert d.emergency and d.department == "command", d.reasons


@pytest.mark.parametrize("ex", [e for e in OWN if not e["emergency"]], ids=lambda e: e["id"])
def test_no_false_emergency(classifier, ex):
    d = classifier.classify(ex["text"], ex["channel"], ex.get("from"))
    assert not d.emergency, d.reasons


def test_floors(classifier):
    got = {"department": [0, 0], "kind": [0, 0], "jurisdiction": [0, 0]}
    for ex in OWN:
        d = classifier.classify(ex["text"], ex["channel"], ex.get("from"))
        for field, tally in got.items():
            if ex[field] is not None:
                tally[1] += 1
                tally[0] += getattr(d, field) == ex[field]
    rate = {f: a / n for f, (a, n) in got.items()}
    assert rate["department"] >= DEPARTMENT_FLOOR, rate
    assert rate["kind"] >= KIND_FLOOR, rate
    assert rate["jurisdiction"] >= JURISDICTION_FLOOR, rate
