"""Validating real responses of the test client against the served OpenAPI description."""

from __future__ import annotations

from functools import lru_cache

from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from gateway.web.openapi import document


@lru_cache(maxsize=1)
def _openapi() -> OpenAPI:
    # Loading validates the document itself against the OpenAPI 3.1 meta-schema.
    return OpenAPI.from_dict(document())


def _request(method: str, path: str, json_body=None, headers=None) -> Request:
    builder = EnvironBuilder(path=path, method=method, json=json_body, headers=headers, base_url="http://localhost")
    return Request(builder.get_environ())


def check_response(response, method: str, path: str) -> None:
    """Raise if `response` (from the Flask test client) is not what the description promises."""
    _openapi().validate_response(WerkzeugOpenAPIRequest(_request(method, path)), WerkzeugOpenAPIResponse(response))


def check_request(method: str, path: str, json_body, headers=None) -> None:
    """Raise if a request body the tests send is not what the description says clients may send."""
    _openapi().validate_request(WerkzeugOpenAPIRequest(_request(method, path, json_body, headers)))
