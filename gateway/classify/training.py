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
from gateway.classify.features import emergency_columns, ngrams, rule_vector
from gateway.classify.model import Head, TrainedModel
from gateway.config import DEFAULT_CONFIG_DIR

RULE_SCALE = 0.5  # weight of the rules' findings against the (unit-length) n-gram vector (5-fold CV: 0.5 >= 1)
C = 3.0  # inverse regularisation: the n-grams are many and the examples few (5-fold CV: 3 with RULE_SCALE 0.5)
C_EMERGENCY = 10.0  # the emergency head: few features (n-grams and danger evidence), balanced classes
MIN_DF = 2  # an n-gram seen in one message only is noise for a 400-message training set


def train(
    examples: list[dict],
    config_dir: Path | str = DEFAULT_CONFIG_DIR,
    now: datetime | None = None,
    rules: Classifier | None = None,
) -> TrainedModel:
    if len(examples) < 10:
        raise ValueError(f"too few examples to train on: {len(examples)}")
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

    # the emergency head sees the words and the danger evidence, not rule 1's verdict (see
    # features.emergency_columns); emergencies are few, so each one weighs as much as the rest together
    n_text = text_x.shape[1]
    keep = np.zeros(x.shape[1])
    keep[:n_text] = 1.0
    keep[[n_text + i for i in emergency_columns(kn)]] = 1.0
    x_emergency = x @ sparse.diags(keep)

    heads = {}
    for field in ("department", "kind", "emergency"):
        y = [str(ex[field]).lower() for ex in examples]
        if len(set(y)) < 2:
            raise ValueError(f"training examples all have the same {field}: {y[0]!r}")
        if field == "emergency":
            fit = LogisticRegression(C=C_EMERGENCY, max_iter=2000, tol=1e-4, class_weight="balanced")
            fit.fit(x_emergency, y)
        else:
            fit = LogisticRegression(C=C, max_iter=1000, tol=1e-3).fit(x, y)
        coef, intercept = fit.coef_, fit.intercept_
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
