"""Training a model on labelled messages (the dev-set format: text, channel, from, department, ...).

scikit-learn fits here only; prediction uses the plain arrays kept in TrainedModel.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from gateway.classify.classifier import Classifier, load_classifier
from gateway.classify.commands import read_examples
from gateway.classify.features import ngrams, rule_vector
from gateway.classify.model import Head, TrainedModel
from gateway.config import DEFAULT_CONFIG_DIR

RULE_SCALE = 0.5  # weight of the rules' findings against the (unit-length) n-gram vector (5-fold CV: 0.5 >= 1)
C = 3.0  # inverse regularisation: the n-grams are many and the examples few (5-fold CV: 3 with RULE_SCALE 0.5)
C_EMERGENCY = 3.0  # the emergency head: n-grams only, balanced classes
MIN_DF = 2  # an n-gram seen in one message only is noise for a 400-message training set


EXAMPLES_FILE = "classifier/examples.jsonl"  # under the config folder: labelled examples the product ships


def shipped_examples(config_dir: Path | str = DEFAULT_CONFIG_DIR) -> list[dict]:
    """The labelled examples in config/classifier/examples.jsonl (none when the file is absent)."""
    path = Path(config_dir) / EXAMPLES_FILE
    return read_examples(path) if path.exists() else []


def train(
    examples: list[dict],
    config_dir: Path | str = DEFAULT_CONFIG_DIR,
    now: datetime | None = None,
    rules: Classifier | None = None,
    with_shipped: bool = True,
) -> TrainedModel:
    """A model from `examples` and, unless `with_shipped` is false, the examples the deployment ships
    (a bureau's own file adds to them; a message in both is learnt once, with the given labels)."""
    if len(examples) < 10:
        raise ValueError(f"too few examples to train on: {len(examples)}")
    if with_shipped:
        given = {ex["text"] for ex in examples}
        examples = list(examples) + [ex for ex in shipped_examples(config_dir) if ex["text"] not in given]
    now = now or datetime.now(UTC)
    rules = rules or load_classifier(config_dir)
    kn = rules.knowledge
    callers: list[str] = []
    rule_rows: list[np.ndarray] = []
    for ex in examples:
        result, caller, language = rules.analyse(ex["text"], ex.get("from"))
        callers.append(caller)
        rule_rows.append(rule_vector(result, kn, caller, language))

    vectorizer = TfidfVectorizer(analyzer=ngrams, sublinear_tf=True, min_df=MIN_DF, norm="l2")
    text_x = vectorizer.fit_transform(callers)
    x = sparse.hstack([text_x, sparse.csr_matrix(np.vstack(rule_rows) * RULE_SCALE)]).tocsr()

    heads = {}
    for field in ("department", "kind", "emergency"):
        y = [str(ex[field]).lower() for ex in examples]
        if len(set(y)) < 2:
            raise ValueError(f"training examples all have the same {field}: {y[0]!r}")
        if field == "emergency":
            # The emergency head sees the words only. Given the rules' danger evidence as well it learnt
            # that an emergency is where the rules see one (they find nearly every one in the training set)
            # and added nothing where they are blind; from the words alone it finds live danger told in
            # ways no cue list holds. Emergencies are few, so each weighs as much as the rest together.
            fit = LogisticRegression(C=C_EMERGENCY, max_iter=2000, tol=1e-4, class_weight="balanced")
            fit.fit(text_x, y)
            # zero weights for the rules' columns: the heads share one feature vector at prediction
            coef = np.hstack([fit.coef_, np.zeros((fit.coef_.shape[0], x.shape[1] - text_x.shape[1]))])
        else:
            fit = LogisticRegression(C=C, max_iter=1000, tol=1e-3).fit(x, y)
            coef = fit.coef_
        intercept = fit.intercept_
        if len(fit.classes_) == 2:  # binary fit keeps one row: make it a two-class softmax
            coef = np.vstack([-coef[0] / 2, coef[0] / 2])
            intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
        heads[field] = Head(tuple(str(c) for c in fit.classes_), coef, intercept)

    digest = hashlib.sha256(kn.version.encode())
    for ex in examples:
        digest.update(json.dumps([ex["text"], ex["department"], ex["kind"]], ensure_ascii=False).encode())
    return TrainedModel(
        version=f"m-{now:%Y%m%d%H%M%S}-{digest.hexdigest()[:8]}",
        created_at=now.isoformat(),
        examples=len(examples),
        rules_version=kn.version,
        vocabulary={g: int(i) for g, i in vectorizer.vocabulary_.items()},
        idf=vectorizer.idf_.astype(np.float64),
        rule_scale=RULE_SCALE,
        department=heads["department"],
        kind=heads["kind"],
        emergency=heads["emergency"],
    )
