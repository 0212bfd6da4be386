"""The dispatcher console under /console/: queues, case pages, actions, review and administration.

Server-rendered (Jinja) with a little JavaScript; every action goes through `gateway.case_actions`,
exactly as the JSON API's do. Templates live in gateway/web/templates/console/, static files in
gateway/web/static/console/.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint

_WEB = Path(__file__).resolve().parent.parent

bp = Blueprint(
    "console",
    __name__,
    url_prefix="/console",
    template_folder=str(_WEB / "templates"),
    static_folder=str(_WEB / "static" / "console"),
    static_url_path="/static",
)

# Importing the modules attaches their routes and hooks to `bp`.
from gateway.web.console import admin, pages, reports_page, session_views  # noqa: E402,F401
