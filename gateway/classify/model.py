"""A trained model: TF-IDF character n-grams + the rules' findings -> linear scores per label.

Stored without pickle (a numpy .npz with a JSON header) so that a model read back from the database
cannot run code, and evaluated with numpy alone: loading takes milliseconds and a prediction tens of
microseconds.
"""

from __future__ import annotations

import io
import json
import math
from collections import Counter
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from gateway.classify.features import ngrams, rule_vector
from gateway.classify.knowledge import Knowledge
from gateway.classify.rules import RuleResult

FORMAT = "gateway.classify/1"


def _softmax(classes: tuple[str, ...], scores: list[float]) -> dict[str, float]:
    # plain floats: for a handful of classes numpy's per-call overhead costs more than the arithmetic
    top = max(scores)
    exps = [math.exp(x - top) for x in scores]
    total = sum(exps)
    return {c: e / total for c, e in zip(classes, exps, strict=True)}


@dataclass(frozen=True)
class Head:
    """One linear classifier (department or kind) over the shared features."""

    classes: tuple[str, ...]
    coef: np.ndarray  # (classes, features)
    intercept: np.ndarray  # (classes,)


@dataclass(frozen=True, eq=False)
class TrainedModel:
    version: str
    created_at: str  # ISO 8601, UTC
    examples: int
    rules_version: str  # the rules' config the model was trained with (rules-<hash>)
    vocabulary: dict[str, int]
    idf: np.ndarray
    rule_scale: float
    department: Head
    kind: Head
    emergency: Head  # classes "false", "true": a second opinion that can only add emergencies
    metrics: dict | None = None

    @cached_property
    def _stacked(self) -> tuple[np.ndarray, np.ndarray, list[tuple[int, int]]]:
        heads = (self.department, self.kind, self.emergency)
        bounds, start = [], 0
        for h in heads:
            bounds.append((start, start + len(h.classes)))
            start += len(h.classes)
        coef = np.ascontiguousarray(np.vstack([h.coef for h in heads]).T).T  # column gathers stay cheap
        return coef, np.concatenate([h.intercept for h in heads]), bounds

    @cached_property
    def terms(self) -> list[str]:
        """The n-gram of each feature column (for reasons)."""
        return sorted(self.vocabulary, key=self.vocabulary.__getitem__)

    def text_vector(self, caller: str) -> tuple[np.ndarray, np.ndarray]:
        # map and Counter run in C: look every n-gram up, count the known ones
        counts = Counter([i for i in map(self.vocabulary.get, ngrams(caller)) if i is not None])
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        idx = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        val = (1.0 + np.log(tf)) * self.idf[idx]
        norm = math.sqrt(float(val @ val))
        return idx, val / norm if norm else val

    def predict(
        self, caller: str, rules: RuleResult, knowledge: Knowledge, language: str
    ) -> tuple[dict[str, float], dict[str, float], float, list[str]]:
        """Department and kind probabilities, the probability of an emergency, and a reason naming the
        n-grams that weighed most."""
        idx, val = self.text_vector(caller)
        n_text = len(self.vocabulary)
        coef, intercept, bounds = self._stacked
        # a model trained with fewer rule features (an older version) reads the first ones only
        rv = rule_vector(rules, knowledge, caller, language)[: coef.shape[1] - n_text] * self.rule_scale
        # one gather over the three heads' columns instead of three
        gathered = coef[:, idx]
        scores = (gathered @ val + coef[:, n_text:] @ rv + intercept).tolist()
        heads = (self.department, self.kind, self.emergency)
        dep, kind, emergency_p = (_softmax(h.classes, scores[a:b]) for h, (a, b) in zip(heads, bounds, strict=True))
        emergency = emergency_p.get("true", 0.0)
        notes = []
        best = max(dep, key=dep.__getitem__)
        if len(idx):
            # the department head's rows come first in the gathered columns
            weights = (gathered[self.department.classes.index(best)] * val).tolist()
            top = sorted(range(len(weights)), key=weights.__getitem__, reverse=True)[:4]
            grams = [self.terms[int(idx[t])] for t in top if weights[t] > 0]
            if grams:
                notes.append(f"model features for {best}: {'、'.join(repr(g) for g in grams)}")
        return dep, kind, emergency, notes

    def dumps(self) -> bytes:
        header = {
            "format": FORMAT,
            "version": self.version,
            "created_at": self.created_at,
            "examples": self.examples,
            "rules_version": self.rules_version,
            "rule_scale": self.rule_scale,
            "vocabulary": self.terms,
            "department_classes": list(self.department.classes),
            "kind_classes": list(self.kind.classes),
            "emergency_classes": list(self.emergency.classes),
            "metrics": self.metrics,
        }
        buf = io.BytesIO()
        np.savez_compressed(
            buf,
            header=np.frombuffer(json.dumps(header, ensure_ascii=False).encode(), dtype=np.uint8),
            idf=self.idf.astype(np.float32),
            department_coef=self.department.coef.astype(np.float32),
            department_intercept=self.department.intercept,
            kind_coef=self.kind.coef.astype(np.float32),
            kind_intercept=self.kind.intercept,
            emergency_coef=self.emergency.coef.astype(np.float32),
            emergency_intercept=self.emergency.intercept,
        )
        return buf.getvalue()

    @classmethod
    def loads(cls, data: bytes) -> TrainedModel:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            header = json.loads(npz["header"].tobytes().decode())
            if header.get("format") != FORMAT:
                raise ValueError(f"not a classifier model (format {header.get('format')!r})")
            arrays = {k: npz[k].astype(np.float64) for k in npz.files if k != "header"}
        return cls(
            version=header["version"],
            created_at=header["created_at"],
            examples=int(header["examples"]),
            rules_version=header["rules_version"],
            vocabulary={g: i for i, g in enumerate(header["vocabulary"])},
            idf=arrays["idf"],
            rule_scale=float(header["rule_scale"]),
            department=Head(
                tuple(header["department_classes"]), arrays["department_coef"], arrays["department_intercept"]
            ),
            kind=Head(tuple(header["kind_classes"]), arrays["kind_coef"], arrays["kind_intercept"]),
            emergency=Head(tuple(header["emergency_classes"]), arrays["emergency_coef"], arrays["emergency_intercept"]),
            metrics=header.get("metrics"),
        )
