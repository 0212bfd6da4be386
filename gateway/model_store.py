"""Trained classifier models in the database: saved with a version, loaded when a newer one appears.

Models live in the database rather than on a worker's disk so that every worker on every host
routes with the same version, and a case can name the version that routed it.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.models import ClassifierModel


def save_model(
    session: Session, trained, *, source: str, examples: int, metrics: dict | None, now: datetime
) -> ClassifierModel:
    row = ClassifierModel(
        version=trained.version,
        created_at=now,
        source=source[:200],
        examples=examples,
        metrics=metrics,
        payload=trained.dumps(),
    )
    session.add(row)
    session.flush()
    return row


def latest_version(session: Session) -> str | None:
    return session.scalars(select(ClassifierModel.version).order_by(ClassifierModel.id.desc()).limit(1)).first()


def load_version(session: Session, version: str):
    from gateway.classify.training import TrainedModel

    payload = session.scalars(select(ClassifierModel.payload).where(ClassifierModel.version == version)).one()
    return TrainedModel.loads(payload)


class ClassifierProvider:
    """Hands out the classifier for the newest stored model, reloading only when the version changes,
    so every worker picks up a newly trained model without a restart."""

    def __init__(self, config_dir: str | Path, check_every: float = 10.0) -> None:
        self.config_dir = config_dir
        # How often to ask the database for a newer model. Asking on every job cost a round trip
        # per case; a new model reaching the workers within seconds is soon enough.
        self.check_every = check_every
        self._lock = threading.Lock()
        self._version: str | None = None
        self._classifier = None
        self._checked = float("-inf")

    def get(self, session: Session):
        from gateway.classify import load_classifier

        with self._lock:
            if self._classifier is not None and time.monotonic() - self._checked < self.check_every:
                return self._classifier
            version = latest_version(session)
            if self._classifier is None or version != self._version:
                model = load_version(session, version) if version else None
                self._classifier = load_classifier(config_dir=self.config_dir, model=model)
                self._version = version
            self._checked = time.monotonic()
            return self._classifier
