"""Messages written independently of the classifier, by fifty-eight writers who worked from the routing guide
alone, without seeing config/classifier, the code or the dev set: 8,860 SMS and hotline messages in
Chinese (some Traditional, pinyin, Hubei dialect, speech-recognition slips) and English. Batches C, D, G
and H are heavy in live emergencies and in danger that is not live; E and F in the everyday boundaries
between departments and kinds; M to P (a third of them live emergencies, many told without an urgent word)
each in one style: rural dialect callers, English and pinyin from foreign residents, terse SMS, formal letters;
Q to T likewise: speech-recognition transcripts, bystanders, young people's slang, messages naming two services;
U to X: danger buried in long complaints, Chinese-English code-switching, the hard edges of "live", a broad mix;
GA, GC and GD: danger told quietly by those at risk at home, rural life, a broad mix; GE to GH: department
boundaries, English from foreign residents, long calls whose matter comes out late, a broad mix; GI, GJ
and GK: English only; HA to HF: English SMS from foreign residents, English calls, the hard edges of "live"
in English, rural and speech-recognition Chinese, an English mix, a Chinese and English mix; IA to IF: English SMS
from Chinese residents, English calls from visitors, department and kind boundaries in English, young people's
Chinese SMS, an English mix, a Chinese and English mix; JA to JF: terse English SMS from foreign residents, English
calls from residents, Chinese calls, messages naming two matters, an English mix, a Chinese mix; KA to KF: officers'
conduct against services' rules, English matters that name no service, speech-recognition Chinese calls, English in
distress and anger, an English mix, a Chinese mix.

"look" (config/classifier/examples.jsonl, shipped: `gateway train` learns from it): batches C, E, G, I, M,
N, O, Q, R, S, U, V, W, GA, GC, GE, GF, GG, GI, GJ, HA, HB, HC, HD, IA, IB, IC, ID, JA, JB, JC, JD, KA, KB, KC, KD and the even-numbered messages of A and B were read to
find what the rules lacked; K was shipped unread.
"sealed" (tests/classify/data/independent_messages.jsonl): batches D, F, H, J, L, P, T, X, GD, GH, GK, HE, HF, IE, IF, JE, JF, KE, KF and the odd-numbered
messages of A and B were only ever scored, so their figures estimate how the classifier does on messages nobody
tuned it to. Do not tune words to sealed lines, and never copy them into the shipped examples: read them
only to fix a label.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.classify import load_classifier
from gateway.classify.commands import read_examples
from gateway.classify.evaluation import metrics
from gateway.classify.training import shipped_examples, train

SEALED = read_examples(Path(__file__).parent / "data" / "independent_messages.jsonl")
LOOK = shipped_examples()

# As measured when each batch was added; below these is a regression. Sealed, rules only, scored before
# the look half that came with it was read: A/B department 84.1%, emergency recall 82.9% (precision 100%);
# D 91.9%, 89.1% (96.1%); F 91.7%, 100% (90.0%); H 88.0%, 83.6% (97.9%); J 91.2%, 90.0% (100%);
# L 91.9%, 82.2% (94.9%); P 90.7%, 84.4% (92.7%). M, N and O, the look batches of P's round, scored unread:
# M 90.7%, 93.2% (91.1%); N 77.3%, 66.7% (96.8%); O 86.7%, 82.2% (92.5%). T 86.0%, 80.4% (92.5%), and its
# look batches unread: Q 92.7%, 88.9% (100%); R 89.3%, 86.7% (95.1%); S 87.3%, 91.1% (87.2%). X 91.3%, 86.7%
# (97.5%), and its look batches unread: U 91.3%, 91.1% (95.3%); V 92.7%, 91.1% (95.3%); W 87.3%, 73.3% (100%).
# GD 92.0%, 86.7% (100%), and its look batches unread: GA 86.7%, 77.8% (100%); GC 80.7%, 77.8% (97.2%).
# GH 92.7%, 95.6% (95.6%), and its look batches unread: GE 89.3%, 92.1% (92.1%); GF 78.7%, 77.8% (87.5%);
# GG 92.7%, 100% (90.0%). GK 80.7%, 82.2% (92.5%), and its look batches unread: GJ 76.7%, 72.3% (91.9%);
# GI (scored after GJ's words were added) 75.3%, 68.2% (93.8%). HE 76.7%, 72.5% (92.5%) and HF 81.3%, 82.0% (93.2%),
# and their look batches unread: HA 70.7%, 78.0% (88.6%); HB 77.3%, 72.9% (81.4%); HC 68.0%, 74.1% (85.1%);
# HD 80.7%, 84.3% (97.7%). IE 81.3%, 82.4% (95.5%) and IF 89.3%, 90.0% (100%), and their look batches unread:
# IA 79.3%, 77.6% (97.4%); IB 76.0%, 76.0% (92.7%); IC 79.3%, 80.0% (97.6%); ID 90.0%, 92.0% (97.9%). JE 87.3%,
# 84.0% (91.3%) and JF 86.7%, 80.0% (100%), and their look batches unread: JA 72.7%, 68.0% (91.9%); JB 77.3%,
# 78.4% (93.0%); JC 91.3%, 96.0% (92.3%); JD 86.7%, 88.5% (100%). KE 84.7%, 86.3% (100%) and KF 90.0%, 86.0% (100%),
# and their look batches unread: KA 89.3%, 92.0% (100%); KB 80.7%, 82.0% (95.3%); KC 83.3%, 94.0% (92.2%; jurisdiction
# 70.0%: towns in speech-recognition homophones); KD 82.0%, 84.0% (84.0%).
RULES_FLOORS = {
    "look": {
        "department_accuracy": 0.955,
        "jurisdiction_accuracy": 0.985,
        "kind_accuracy": 0.795,
        "emergency_recall": 0.98,
        "emergency_precision": 0.99,
    },
    "sealed": {
        "department_accuracy": 0.90,
        "jurisdiction_accuracy": 0.975,
        "kind_accuracy": 0.82,
        "emergency_recall": 0.885,
        "emergency_precision": 0.965,
    },
}
# Trained on the dev set (and, as `gateway train` does, the shipped examples), scored on the sealed half.
TRAINED_FLOOR = {
    "department_accuracy": 0.925,
    "jurisdiction_accuracy": 0.975,
    "kind_accuracy": 0.875,
    "emergency_recall": 0.985,
    "emergency_precision": 0.96,
}


def _low(examples, classifier, floors) -> dict:
    result = metrics(examples, [classifier.classify(e["text"], e["channel"], e.get("from")) for e in examples])
    return {k: round(result[k], 3) for k, floor in floors.items() if result[k] < floor}


@pytest.mark.parametrize("half", ["look", "sealed"])
def test_rules_floors(classifier, half):
    examples = LOOK if half == "look" else SEALED
    assert not _low(examples, classifier, RULES_FLOORS[half])


def test_trained_on_the_dev_set_floors_on_the_sealed_half(classifier, dev_examples):
    trained = load_classifier(model=train(dev_examples, rules=classifier))
    assert not _low(SEALED, trained, TRAINED_FLOOR)


def test_halves_are_whole_and_apart():
    assert (len(LOOK), len(SEALED)) == (5780, 3080)
    assert (sum(e["emergency"] for e in LOOK), sum(e["emergency"] for e in SEALED)) == (1788, 922)
    assert not {e["id"] for e in LOOK} & {e["id"] for e in SEALED}
    assert not {e["text"] for e in LOOK} & {e["text"] for e in SEALED}
