"""The citizen conversation's texts (`config/templates/citizen.toml`), in the citizen's language."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from gateway.config import DEFAULT_CONFIG_DIR, read_toml

FILE = "citizen.toml"


@lru_cache(maxsize=8)
def _templates(config_dir: str) -> dict:
    return read_toml(Path(config_dir) / "templates", FILE)


def render(key: str, language: str, config_dir: str | Path = DEFAULT_CONFIG_DIR, **values) -> str:
    """Template `key` in `language`, Chinese when the language has no entry."""
    entry = _templates(str(config_dir))[key]
    return (entry.get(language) or entry["zh"]).format(**values)


def status_name(status: str, language: str, config_dir: str | Path = DEFAULT_CONFIG_DIR) -> str:
    names = _templates(str(config_dir))["status_names"]
    entry = names.get(status) or names["new"]
    return entry.get(language) or entry["zh"]


def keys(config_dir: str | Path = DEFAULT_CONFIG_DIR) -> list[str]:
    return [k for k in _templates(str(config_dir)) if k != "status_names"]
