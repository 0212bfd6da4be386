"""Messages written independently of the classifier (tests/classify/data/independent_messages.jsonl).

Six writers worked from the routing guide alone, without seeing config/classifier, the code or the dev
set: 1,020 SMS and hotline messages in Chinese (some Traditional, pinyin and Hubei dialect) and English.
Batches C and D are heavy in live emergencies and in danger that is not live; E and F in the everyday
boundaries between departments and kinds.

"look": batches C and E and the even-numbered messages of A and B were read to find what the rules
lacked. "sealed": batches D and F and the odd-numbered messages of A and B were only ever scored, so
their figures estimate how the classifier does on messages nobody tuned it to. Do not tune words to
sealed lines: read them only to fix a label.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.classify.commands import read_examples
from gateway.classify.evaluation import metrics

ALL = read_examples(Path(__file__).parent / "data" / "independent_messages.jsonl")


def _sealed(ex: dict) -> bool:
    batch, number = ex["id"].split("-")
    return batch in ("fd", "ff") or (batch in ("fa", "fb") and int(number) % 2 == 1)


LOOK = [e for e in ALL if not _sealed(e)]
SEALED = [e for e in ALL if _sealed(e)]

# Rules only, as measured when each batch was added; below these is a regression. Sealed, scored before
# the look half that came with it was read: A/B department 84.1%, emergency recall 82.9% (precision
# 100%); D department 91.9%, emergency recall 89.1% (96.1%); F department 91.7%, recall 100% (90.0%).
FLOORS = {
    "look": {
        "department_accuracy": 0.96,
        "jurisdiction_accuracy": 0.99,
        "kind_accuracy": 0.84,
        "emergency_recall": 0.99,
        "emergency_precision": 0.99,
    },
    "sealed": {
        "department_accuracy": 0.92,
        "jurisdiction_accuracy": 0.975,
        "kind_accuracy": 0.86,
        "emergency_recall": 0.95,
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
    assert len(ALL) == 1020 and len({e["id"] for e in ALL}) == 1020
    assert (len(LOOK), len(SEALED)) == (510, 510)
    assert sum(e["emergency"] for e in ALL) == 223
