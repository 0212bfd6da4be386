"""Messages written independently of the classifier (tests/classify/data/independent_messages.jsonl).

Two writers worked from the routing guide alone, without seeing config/classifier, the code or the dev
set: 340 SMS and hotline messages in Chinese (some Traditional, pinyin and Hubei dialect) and English.
The even-numbered half ("look") was read to find what the rules lacked; the odd-numbered half
("sealed") was only ever scored, so its figures estimate how the classifier does on messages nobody
tuned it to. Do not tune words to sealed lines: read them only to fix a label.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.classify.commands import read_examples
from gateway.classify.evaluation import metrics

ALL = read_examples(Path(__file__).parent / "data" / "independent_messages.jsonl")
LOOK = [e for e in ALL if int(e["id"].rsplit("-", 1)[1]) % 2 == 0]
SEALED = [e for e in ALL if int(e["id"].rsplit("-", 1)[1]) % 2 == 1]

# Rules only, as measured when the set was added; below these is a regression. The sealed figures before
# the look half was read were: department 84.1%, jurisdiction 95.9%, kind 81.8%, emergency recall 82.9%,
# precision 100%.
FLOORS = {
    "look": {
        "department_accuracy": 0.98,
        "jurisdiction_accuracy": 0.99,
        "kind_accuracy": 0.90,
        "emergency_recall": 1.0,
        "emergency_precision": 1.0,
    },
    "sealed": {
        "department_accuracy": 0.86,
        "jurisdiction_accuracy": 0.95,
        "kind_accuracy": 0.80,
        "emergency_recall": 0.88,
        "emergency_precision": 0.97,
    },
}


@pytest.mark.parametrize("half", ["look", "sealed"])
def test_independent_set_floors(classifier, half):
    examples = LOOK if half == "look" else SEALED
    result = metrics(examples, [classifier.classify(e["text"], e["channel"], e.get("from")) for e in examples])
    low = {k: round(result[k], 3) for k, floor in FLOORS[half].items() if result[k] < floor}
    assert not low, low


def test_set_is_whole():
    assert len(ALL) == 340 and len({e["id"] for e in ALL}) == 340
    assert sum(e["emergency"] for e in ALL) == 75
