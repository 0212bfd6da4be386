"""Fixtures of the classifier tests: the rules-only classifier and the shared labelled messages.

The labelled set lives outside the project (shared/data beside the repository); it is read in place,
never copied. COMPLAINTS_DEV may point elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gateway.classify import Classifier, load_classifier
from gateway.classify.commands import read_examples

REPO = Path(__file__).resolve().parents[2]


def dev_path() -> Path | None:
    candidates = [
        os.environ.get("COMPLAINTS_DEV", ""),
        REPO.parent / "shared/data/complaints-dev.jsonl",
        Path("/work/shared/data/complaints-dev.jsonl"),
    ]
    for c in candidates:
        if c and Path(c).is_file():
            return Path(c)
    return None


@pytest.fixture(scope="session")
def classifier() -> Classifier:
    return load_classifier()


@pytest.fixture(scope="session")
def dev_examples() -> list[dict]:
    path = dev_path()
    if path is None:
        pytest.skip("labelled set shared/data/complaints-dev.jsonl not found (set COMPLAINTS_DEV)")
    return read_examples(path)


@pytest.fixture(scope="session")
def dev_file(dev_examples) -> Path:
    return dev_path()


@pytest.fixture(scope="session")
def held_out(dev_examples) -> list[dict]:
    """The odd-numbered messages: the rules were written without reading them."""
    return [ex for ex in dev_examples if int(ex["id"].rsplit("-", 1)[1]) % 2 == 1]
