"""Citizen-facing texts from `config/templates/*.toml`, in the citizen's language."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from gateway.config import read_toml


@lru_cache(maxsize=32)
def _load(config_dir: str, name: str) -> dict:
    return read_toml(Path(config_dir) / "templates", f"{name}.toml")


def render(config_dir: str | Path, file: str, key: str, language: str, **values) -> str:
    """The template `key` of `config/templates/<file>.toml` in `language` (Chinese when it lacks one)."""
    entry = _load(str(config_dir), file)[key]
    text = entry.get(language) or entry["zh"]
    return text.format(**values)
