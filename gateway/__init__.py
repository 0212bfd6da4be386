"""The complaint-intake gateway: Flask application factory."""

from __future__ import annotations

import logging

from flask import Flask, abort, jsonify, request
from werkzeug.exceptions import HTTPException

from gateway.runtime import Runtime
from gateway.settings import Settings


def create_app(config: Settings | dict | None = None) -> Flask:
    """Build the web app. `config` is a Settings, a dict of overrides for Settings.from_env(), or None."""
    settings = config if isinstance(config, Settings) else Settings.from_env(**(config or {}))
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        # The only limit Werkzeug applies to urlencoded bodies: 413 beyond it.
        MAX_CONTENT_LENGTH=settings.max_content_length,
        JSON_AS_ASCII=False,
    )
    app.json.ensure_ascii = False
    app.extensions["gateway"] = Runtime(settings)

    from gateway import logging_setup
    from gateway.web import (
        actions_api,
        api,
        complaint_page,
        console,
        open311,
        openapi,
        ops,
        reports,
        transcripts,
        twilio_sms,
        twilio_status,
        twilio_voice,
    )

    # First: the request id and request timing wrap every other blueprint's handlers.
    logging_setup.init_app(app)
    ops.init_app(app)  # /healthz, /readyz, /metrics
    for blueprint in (
        twilio_sms.bp,  # citizens' SMS
        twilio_status.status_bp,  # delivery states of our SMS
        twilio_voice.bp,  # the hotline
        api.bp,  # JSON API: cases
        actions_api.bp,  # JSON API: unit actions on cases
        transcripts.bp,  # JSON API: call-centre transcripts
        openapi.bp,  # the API's description
        open311.bp,  # Open311 GeoReport v2
        complaint_page.bp,  # the public complaint page
        console.bp,  # dispatchers' console
        reports.bp,  # ledger exports
    ):
        app.register_blueprint(blueprint)

    @app.before_request
    def refuse_nul_bytes():
        # A NUL can be sent in a URL but no PostgreSQL text can hold it: a clear 4xx, not a 500.
        if any(isinstance(v, str) and "\x00" in v for v in (request.view_args or {}).values()):
            abort(404)
        if any("\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)):
            abort(400, description="query parameters must not contain NUL characters")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        # Clear 4xx answers for machines: JSON for the API, plain text elsewhere (Twilio logs it).
        if request.path.startswith("/api/"):
            response = jsonify({"error": exc.description or exc.name})
            response.status_code = exc.code or 500
            return response
        return exc

    logging.getLogger(__name__).debug("app created for %s", settings.env)
    return app
