"""The web edge: blueprints for webhooks, the JSON API, Open311, the public page and the console."""

from __future__ import annotations

from flask import current_app

from gateway.runtime import Runtime


def runtime() -> Runtime:
    """The app's runtime (settings, database, Redis, units...), as create_app installed it."""
    return current_app.extensions["gateway"]
