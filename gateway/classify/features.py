"""What the trained model sees: character n-grams of the caller's words plus the rules' own findings.

Character n-grams need no word segmentation, which Chinese would otherwise require, and cope with
misspellings and mixed scripts. The rules' findings (their department and kind votes, the inspection
and emergency cues) let a small training set learn *when the rules are right* instead of relearning
the whole routing guide from 400 examples.

Training (scikit-learn) and inference (plain numpy) share `ngrams()` and `rule_vector()`, so the
stored model needs no pickle and predicts without scikit-learn's per-call overhead.
"""

from __future__ import annotations

import math

import numpy as np

from gateway.classify.knowledge import KINDS, Knowledge
from gateway.classify.rules import RuleResult

NGRAM_MIN, NGRAM_MAX = 1, 3


def ngrams(text: str) -> list[str]:
    """Character 1- to 3-grams; runs of spaces count as one space (a lone space is no 1-gram)."""
    text = " ".join(text.split())
    n = len(text)
    # one list comprehension per size: this runs for every message the model classifies
    grams = [c for c in text if c != " "] if NGRAM_MIN == 1 else []
    for size in range(max(NGRAM_MIN, 2), NGRAM_MAX + 1):
        grams += [text[i : i + size] for i in range(n - size + 1)]
    return grams


def rule_vector(rules: RuleResult, knowledge: Knowledge, caller: str, language: str) -> np.ndarray:
    """The rules' findings as numbers in 0..1."""
    deps = knowledge.departments
    values: list[float] = [1.0 if rules.department == d else 0.0 for d in deps]
    top = max(max(rules.department_scores.values()), 1.0)
    values += [max(rules.department_scores[d], 0.0) / top for d in deps]
    values += [1.0 if rules.kind == k else 0.0 for k in KINDS]
    ktop = max(max(rules.kind_scores.values()), 1.0)
    values += [max(rules.kind_scores[k], 0.0) / ktop for k in KINDS]
    values += [
        1.0 if rules.inspection else 0.0,
        1.0 if rules.emergency.emergency else 0.0,
        1.0 if rules.emergency.danger else 0.0,
        1.0 if rules.emergency.sender_in_danger else 0.0,
        1.0 if "?" in caller else 0.0,
        1.0 if language == "en" else 0.0,
        min(math.log1p(len(caller)) / 6.0, 1.0),
    ]
    # appended last so that a model trained before they existed still reads its own columns
    values += [
        1.0 if rules.emergency.severe else 0.0,
        min(len(rules.emergency.danger), 3) / 3.0,
    ]
    return np.asarray(values, dtype=np.float64)
