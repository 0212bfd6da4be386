"""Parsing the `--now` that commands take, so a sweep or a report can be run as of any moment."""

from __future__ import annotations

from datetime import UTC, datetime

import click


def parse_now(value: str | None) -> datetime:
    """An ISO time with a zone, as UTC; the clock when `value` is empty."""
    if not value:
        return datetime.now(UTC)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO time", param_hint="--now") from None
    if parsed.tzinfo is None:
        raise click.BadParameter("give a time zone, e.g. 2026-11-27T09:00:00+08:00", param_hint="--now")
    return parsed.astimezone(UTC)
