"""The tracker's texts, from `config/templates/tracker.toml`, with dates in the reader's language."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from gateway import templates_text

# Units and supervisors read Chinese; citizens read the language they wrote in.
UNIT_LANGUAGE = "zh"


def _templates(config_dir: str) -> dict:
    return templates_text.templates(str(config_dir), "tracker")


_pick = templates_text.pick


def text(config_dir: str, key: str, language: str, **values) -> str:
    return _pick(_templates(config_dir)[key], language).format(**values)


def step_name(config_dir: str, step: str, language: str) -> str:
    return _pick(_templates(config_dir)["step_names"], language)[step]


def escalation_reason(config_dir: str, reason: str, language: str) -> str:
    return _pick(_templates(config_dir)["escalation_reasons"], language)[reason]


def format_date(moment: datetime, tz: ZoneInfo, language: str) -> str:
    local = moment.astimezone(tz)
    if language == "zh":
        return f"{local.year}年{local.month}月{local.day}日"
    return f"{local.day} {local:%b} {local.year}"


def format_deadline(moment: datetime, tz: ZoneInfo, language: str) -> str:
    local = moment.astimezone(tz)
    if language == "zh":
        return f"{local.month}月{local.day}日{local:%H:%M}"
    return f"{local.day} {local:%b %H:%M}"
