"""Measuring a classifier against labelled messages: accuracies, macro-F1, confusion, emergency recall."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from gateway.classify.decision import Decision

FIELDS = ("department", "jurisdiction", "kind", "emergency")


def metrics(examples: list[dict], decisions: list[Decision]) -> dict[str, Any]:
    n = len(examples)
    result: dict[str, Any] = {"n": n}
    for field in FIELDS:
        right = sum(1 for ex, d in zip(examples, decisions, strict=True) if getattr(d, field) == ex[field])
        result[f"{field}_accuracy"] = right / n if n else 0.0
    labels = sorted({ex["department"] for ex in examples} | {d.department for d in decisions})
    confusion = {a: dict.fromkeys(labels, 0) for a in labels}
    for ex, d in zip(examples, decisions, strict=True):
        confusion[ex["department"]][d.department] += 1
    f1s = []
    for label in labels:
        tp = confusion[label][label]
        fp = sum(confusion[o][label] for o in labels if o != label)
        fn = sum(confusion[label][o] for o in labels if o != label)
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    result["department_macro_f1"] = sum(f1s) / len(f1s) if f1s else 0.0
    tp = sum(1 for ex, d in zip(examples, decisions, strict=True) if ex["emergency"] and d.emergency)
    actual = sum(1 for ex in examples if ex["emergency"])
    flagged = sum(1 for d in decisions if d.emergency)
    result["emergency_recall"] = tp / actual if actual else 1.0
    result["emergency_precision"] = tp / flagged if flagged else 1.0
    result["needs_review_rate"] = sum(d.needs_review for d in decisions) / n if n else 0.0
    result["department_confusion"] = confusion
    return result


def classify_all(classify: Callable[[dict], Decision], examples: Iterable[dict]) -> list[Decision]:
    return [classify(ex) for ex in examples]


def folds(examples: list[dict], k: int = 5) -> list[tuple[list[dict], list[dict]]]:
    """k (train, test) splits, example i in test fold i % k: deterministic, spreads the label mix."""
    return [
        ([ex for i, ex in enumerate(examples) if i % k != f], [ex for i, ex in enumerate(examples) if i % k == f])
        for f in range(k)
    ]


def format_report(result: dict[str, Any]) -> str:
    lines = [f"messages: {result['n']}"]
    for field in FIELDS:
        lines.append(f"{field + ' accuracy':24s} {result[f'{field}_accuracy']:.1%}")
    lines.append(f"{'department macro-F1':24s} {result['department_macro_f1']:.3f}")
    lines.append(f"{'emergency recall':24s} {result['emergency_recall']:.1%}")
    lines.append(f"{'emergency precision':24s} {result['emergency_precision']:.1%}")
    lines.append(f"{'needs review':24s} {result['needs_review_rate']:.1%}")
    confusion = result["department_confusion"]
    labels = list(confusion)
    width = max(len(x) for x in labels) + 1
    lines.append("")
    lines.append("department confusion (rows: label, columns: decided)")
    lines.append(" " * width + " ".join(f"{x[:6]:>6s}" for x in labels))
    for a in labels:
        lines.append(f"{a:<{width}s}" + " ".join(f"{confusion[a][b]:6d}" for b in labels))
    return "\n".join(lines)
