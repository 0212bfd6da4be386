"""The issue's targets, measured on messages the rules and models were not written from.

Cold start: the rules were written from the routing guide and the even-numbered dev messages, so they
are measured on the odd-numbered ones. Some odd messages have since been read (two live emergencies the
rules missed, two false alarms, a few department errors listed by a cross-validation run), so the odd
figures flatter a little: the sealed half of the independent set (test_independent_set.py) holds the
estimate nobody tuned to.
Trained: 5-fold cross-validation over the whole dev set (train on four folds, evaluate on the fifth).
"""

from __future__ import annotations

import io
import json

import pytest

from gateway.classify import load_classifier
from gateway.classify.commands import classify_file, evaluate_file
from gateway.classify.evaluation import folds, metrics
from gateway.classify.training import train

COLD_TARGETS = {
    "department_accuracy": 0.85,
    "jurisdiction_accuracy": 0.90,
    "emergency_recall": 1.0,
    "emergency_precision": 0.90,
    "kind_accuracy": 0.75,
}
TRAINED_TARGETS = {
    "department_accuracy": 0.95,
    "jurisdiction_accuracy": 0.95,
    "emergency_recall": 1.0,
    "emergency_precision": 0.95,
    "kind_accuracy": 0.85,
}
# What this version reaches (see the module's report); a change that falls below these is a regression.
# (department 0.90: a cue listed twice in one spelling, "hukou" and "hu kou", no longer counts twice.)
COLD_FLOOR = {
    "department_accuracy": 0.90,
    "jurisdiction_accuracy": 0.97,
    "emergency_recall": 1.0,
    "emergency_precision": 0.94,
    "kind_accuracy": 0.78,
}
TRAINED_FLOOR = {
    "department_accuracy": 0.95,
    "jurisdiction_accuracy": 0.98,
    "emergency_recall": 1.0,
    "emergency_precision": 0.97,
    "kind_accuracy": 0.90,
}
# Targets not reached yet, each written down (none on the dev set's cross-validation now: the model no
# longer adds an emergency where the one who caused it has driven off, emergency.toml `departed`).
COLD_OPEN: set[str] = set()
TRAINED_OPEN: set[str] = set()


def _misses(result: dict, targets: dict) -> dict:
    return {k: round(result[k], 3) for k, v in targets.items() if result[k] < v}


@pytest.fixture(scope="module")
def cold_result(classifier, held_out):
    decisions = [classifier.classify(ex["text"], ex["channel"], ex.get("from")) for ex in held_out]
    return metrics(held_out, decisions)


@pytest.fixture(scope="module")
def cv_result(dev_examples):
    examples, decisions = [], []
    for training, testing in folds(dev_examples, 5):
        clf = load_classifier(model=train(training))
        examples += testing
        decisions += [clf.classify(ex["text"], ex["channel"], ex.get("from")) for ex in testing]
    return metrics(examples, decisions)


def test_cold_start_no_regression(cold_result):
    assert not _misses(cold_result, COLD_FLOOR)


def test_trained_cv_no_regression(cv_result):
    assert not _misses(cv_result, TRAINED_FLOOR)


def _target_params(targets: dict, still_open: set[str], what: str) -> list:
    return [
        pytest.param(
            measure,
            marks=pytest.mark.xfail(reason=f"issue target not reached yet ({what})", strict=False)
            if measure in still_open
            else (),
            id=measure,
        )
        for measure in targets
    ]


@pytest.mark.parametrize("measure", _target_params(COLD_TARGETS, COLD_OPEN, "cold start"))
def test_cold_start_meets_issue_target(cold_result, measure):
    assert cold_result[measure] >= COLD_TARGETS[measure], round(cold_result[measure], 3)


@pytest.mark.parametrize("measure", _target_params(TRAINED_TARGETS, TRAINED_OPEN, "5-fold CV"))
def test_trained_cv_meets_issue_target(cv_result, measure):
    assert cv_result[measure] >= TRAINED_TARGETS[measure], round(cv_result[measure], 3)


def test_classify_file_writes_decisions_without_labels(classifier, dev_examples, dev_file):
    out = io.StringIO()
    assert classify_file(dev_file, classifier, out) == len(dev_examples)
    first = out.getvalue().splitlines()[0]
    assert set(json.loads(first)) == {
        "id",
        "department",
        "jurisdiction",
        "unit",
        "emergency",
        "kind",
        "confidence",
        "reasons",
    }


def test_evaluate_file_prints_and_returns_metrics(classifier, dev_examples, dev_file):
    out = io.StringIO()
    result = evaluate_file(dev_file, classifier, out)
    assert result["n"] == len(dev_examples)
    text = out.getvalue()
    assert "department accuracy" in text and "emergency recall" in text and "confusion" in text
