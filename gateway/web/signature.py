"""Twilio request signatures, checked against the public URL Twilio called.

Behind a proxy or TLS terminator the URL Flask sees is not the one Twilio signed, so the URL is
rebuilt from PUBLIC_BASE_URL plus the path and query of the request.
"""

from __future__ import annotations

from functools import wraps

from flask import abort, request
from twilio.request_validator import SIGNATURE_SETTINGS_HEADER, RequestValidator, get_signature_algorithm

from gateway.web import runtime


def public_url() -> str:
    base = runtime().settings.public_base_url.rstrip("/")
    query = request.query_string.decode("latin-1")
    return f"{base}{request.path}" + (f"?{query}" if query else "")


def require_twilio_signature(view):
    @wraps(view)
    def checked(*args, **kwargs):
        settings = runtime().settings
        if settings.twilio_validate_signatures:
            signature = request.headers.get("X-Twilio-Signature", "")
            # request.form (not .values): query parameters are already part of the signed URL.
            form = request.form
            # HMAC-SHA1 with the auth token, or HMAC-SHA256 when Twilio says so (SharedKey signing).
            algorithm = get_signature_algorithm(request.headers.get(SIGNATURE_SETTINGS_HEADER))
            validator = RequestValidator(settings.auth_token)
            if not signature or not validator.validate(public_url(), form, signature, algorithm=algorithm):
                abort(403, description="invalid or missing X-Twilio-Signature")
        return view(*args, **kwargs)

    return checked
