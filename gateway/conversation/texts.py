"""The citizen conversation's texts (`config/templates/citizen.toml`), in the citizen's language."""

from __future__ import annotations

from pathlib import Path

from gateway import templates_text
from gateway.config import DEFAULT_CONFIG_DIR

FILE = "citizen"


def render(key: str, language: str, config_dir: str | Path = DEFAULT_CONFIG_DIR, **values) -> str:
    """Template `key` in `language`, Chinese when the language has no entry."""
    return templates_text.render(config_dir, FILE, key, language, **values)


def status_name(status: str, language: str, config_dir: str | Path = DEFAULT_CONFIG_DIR) -> str:
    names = templates_text.templates(str(config_dir), FILE)["status_names"]
    return templates_text.pick(names.get(status) or names["new"], language)


def keys(config_dir: str | Path = DEFAULT_CONFIG_DIR) -> list[str]:
    return [k for k in templates_text.templates(str(config_dir), FILE) if k != "status_names"]
