"""Citizen- and unit-facing texts from `config/templates/*.toml`, in the reader's language.

Every module that speaks (intake's acknowledgement, the conversation, the tracker, the hotline)
reads its file through here, so a template missing a language falls back to Chinese the same way
everywhere.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from gateway.config import read_toml


@lru_cache(maxsize=32)
def templates(config_dir: str | Path, file: str) -> dict:
    """The whole of `config/templates/<file>.toml` (cached: templates change with a deploy)."""
    return read_toml(Path(config_dir) / "templates", f"{file}.toml")


def pick(entry: dict, language: str):
    """An entry's text in `language`, Chinese when the entry has none in it."""
    return entry.get(language) or entry["zh"]


def render(config_dir: str | Path, file: str, key: str, language: str, **values) -> str:
    """The template `key` of `config/templates/<file>.toml` in `language`, filled in."""
    return pick(templates(str(config_dir), file)[key], language).format(**values)
