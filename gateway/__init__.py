"""The complaint-intake gateway: Flask application factory."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, request
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

    # First: the request id and request timing wrap every other blueprint's handlers.
    from gateway import logging_setup
    from gateway.web import ops, reports

    logging_setup.init_app(app)
    ops.init_app(app)  # /healthz, /readyz, /metrics
    app.register_blueprint(reports.bp)

    from gateway.web import api, complaint_page, open311, openapi, transcripts, twilio_sms, twilio_voice

    app.register_blueprint(twilio_sms.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(transcripts.bp)
    app.register_blueprint(openapi.bp)
    app.register_blueprint(twilio_voice.bp)
    app.register_blueprint(open311.bp)
    app.register_blueprint(complaint_page.bp)
    from gateway.web import actions_api, console

    app.register_blueprint(actions_api.bp)
    app.register_blueprint(console.bp)
    _register_optional_blueprints(app)

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


def _register_optional_blueprints(app: Flask) -> None:
    """Blueprints of channels built beside the spine; each registers itself when present."""
    try:
        from gateway.web.twilio_status import status_bp
    except ImportError:
        return
    app.register_blueprint(status_bp)
