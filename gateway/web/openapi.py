"""GET /api/v1/openapi.json: the OpenAPI 3.1 description of the JSON API (served without a key).

Kept true by tests/channels/test_channels_openapi.py, which validates real responses against it.
OpenAPI 3.1 schemas are JSON Schema 2020-12, so `"type": ["string", "null"]` means nullable.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from gateway.transcripts import LANGUAGES, MAX_CHARS, MAX_ID, SPEAKERS

bp = Blueprint("openapi", __name__, url_prefix="/api/v1")

_NULLABLE_STRING = {"type": ["string", "null"]}
_NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}


def _error(with_problems: bool = False) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "$ref": "#/components/schemas/ProblemList" if with_problems else "#/components/schemas/Error"
    }
    return {"content": {"application/json": {"schema": schema}}}


def document() -> dict[str, Any]:
    case_ref = {"$ref": "#/components/schemas/Case"}
    key_error = {**_error(), "description": "missing or invalid X-API-Key"}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Complaint-intake gateway API",
            "version": "1",
            "description": "Cases and call-centre transcripts for the bureau's other systems. "
            "Every operation but this description needs an API key in the X-API-Key header.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"apiKey": []}],
        "paths": {
            "/openapi.json": {
                "get": {
                    "operationId": "getOpenApi",
                    "summary": "This description",
                    "security": [],
                    "responses": {
                        "200": {
                            "description": "OpenAPI document",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        }
                    },
                }
            },
            "/cases/{number}": {
                "get": {
                    "operationId": "getCase",
                    "summary": "A case, with its messages and timeline",
                    "parameters": [
                        {
                            "name": "number",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "maxLength": 32},
                            "example": "XN-20261127-0042",
                        }
                    ],
                    "responses": {
                        "200": {"description": "the case", "content": {"application/json": {"schema": case_ref}}},
                        "401": key_error,
                        "404": {**_error(), "description": "no such case, or outside the key's scope"},
                    },
                }
            },
            "/transcripts": {
                "post": {
                    "operationId": "postTranscript",
                    "summary": "Submit a call-centre transcript; idempotent on call_id",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Transcript"}}},
                    },
                    "responses": {
                        "201": {
                            "description": "a new case",
                            "headers": {"Location": {"schema": {"type": "string"}}},
                            "content": {"application/json": {"schema": case_ref}},
                        },
                        "200": {
                            "description": "the case of an earlier submission with the same call_id",
                            "content": {"application/json": {"schema": case_ref}},
                        },
                        "400": {**_error(True), "description": "the body is not valid JSON"},
                        "401": key_error,
                        "409": {**_error(True), "description": "call_id already used by another client"},
                        "413": {**_error(), "description": "the body is too large"},
                        "415": {**_error(True), "description": "the body is not JSON"},
                        "422": {**_error(True), "description": "fields missing or of the wrong type or size"},
                        "429": {
                            **_error(True),
                            "description": "too many transcripts for this key; retry after Retry-After seconds",
                            "headers": {"Retry-After": {"schema": {"type": "string"}}},
                        },
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {"apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {"error": {"type": "string"}},
                },
                "ProblemList": {
                    "type": "object",
                    "required": ["error", "problems"],
                    "properties": {
                        "error": {"type": "string"},
                        "problems": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["field", "problem"],
                                "properties": {"field": {"type": "string"}, "problem": {"type": "string"}},
                                "additionalProperties": False,
                            },
                        },
                    },
                },
                "Transcript": {
                    "type": "object",
                    "required": ["call_id", "caller", "started_at", "transcript", "agent_id"],
                    "additionalProperties": False,
                    "properties": {
                        "call_id": {"type": "string", "minLength": 1, "maxLength": MAX_ID},
                        "caller": {"type": "string", "maxLength": 40, "description": "the caller's number, any format"},
                        "started_at": {"type": "string", "format": "date-time", "description": "with a UTC offset"},
                        "transcript": {
                            "description": "plain text, possibly with speaker labels (来电人：/坐席：, Caller:/Agent:), "
                            "or a list of turns",
                            "oneOf": [
                                {"type": "string", "minLength": 1, "maxLength": MAX_CHARS},
                                {
                                    "type": "array",
                                    "minItems": 1,
                                    "items": {
                                        "type": "object",
                                        "required": ["speaker", "text"],
                                        "additionalProperties": False,
                                        "properties": {
                                            "speaker": {"enum": list(SPEAKERS)},
                                            "text": {"type": "string"},
                                        },
                                    },
                                },
                            ],
                        },
                        "agent_id": {"type": "string", "minLength": 1, "maxLength": 64},
                        "language": {"enum": list(LANGUAGES)},
                        "audio_url": {"type": "string", "format": "uri", "maxLength": 2000},
                    },
                },
                "Case": {
                    "type": "object",
                    "required": ["number", "status", "channel", "language", "created_at", "messages", "timeline"],
                    "properties": {
                        "number": {"type": "string"},
                        "status": {
                            "enum": ["new", "review", "routed", "signed", "replied", "returned", "closed"],
                        },
                        "channel": {"enum": ["sms", "voice", "transcript", "open311", "web"]},
                        "language": {"type": "string"},
                        "created_at": {"type": "string", "format": "date-time"},
                        "department": _NULLABLE_STRING,
                        "jurisdiction": _NULLABLE_STRING,
                        "unit": _NULLABLE_STRING,
                        "emergency": {"type": ["boolean", "null"]},
                        "kind": _NULLABLE_STRING,
                        "confidence": {"type": ["number", "null"]},
                        "reasons": {"type": "array"},
                        "place": _NULLABLE_STRING,
                        "model_version": _NULLABLE_STRING,
                        "deadlines": {
                            "type": "object",
                            "properties": {"sign": _NULLABLE_TIME, "reply": _NULLABLE_TIME, "close": _NULLABLE_TIME},
                        },
                        "signed_at": _NULLABLE_TIME,
                        "first_reply_at": _NULLABLE_TIME,
                        "closed_at": _NULLABLE_TIME,
                        "resolution": _NULLABLE_STRING,
                        "rating": {"type": ["integer", "null"]},
                        "messages": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["direction", "body", "state", "at"],
                                "properties": {
                                    "direction": {"enum": ["in", "out"]},
                                    "channel": {"type": "string"},
                                    "purpose": {"type": "string"},
                                    "body": {"type": "string"},
                                    "state": {"type": "string"},
                                    "at": _NULLABLE_TIME,
                                },
                            },
                        },
                        "timeline": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["type", "at", "actor"],
                                "properties": {
                                    "type": {"type": "string"},
                                    "at": {"type": "string", "format": "date-time"},
                                    "actor": {"type": "string"},
                                },
                            },
                        },
                    },
                },
            },
        },
    }


@bp.get("/openapi.json")
def openapi_json() -> Response:
    return jsonify(document())
