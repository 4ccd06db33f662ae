"""OpenAPI schema additions that hold for every operation (a drf-spectacular hook).

Every operation can answer with the one error body (``stepflow.api.error_body``): 400 for
bad input, 401/403 for a missing or insufficient login, 404, 405, 409 for a conflict,
413 for a body past ``STEPFLOW_MAX_REQUEST_BYTES``, 429 when throttled. The views
document their successes; this hook documents those failures once, so the schema
describes every answer a client can get (schemathesis checks it: tests/test_schema.py).
"""

from __future__ import annotations

from typing import Any

__all__ = ["add_error_responses"]

_ERRORS = {
    "400": "The request is not valid; problems say where.",
    "401": "Not signed in.",
    "403": "Signed in without the permission this needs.",
    "404": "Nothing is there.",
    "405": "The method is not allowed here.",
    "409": "It conflicts with the current state.",
    "413": "The request body is too large.",
    "429": "Too many requests; retry after Retry-After seconds.",
}

_ERROR_BODY = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "problems"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "problems": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["path", "message"],
                        "properties": {"path": {"type": "string"}, "message": {"type": "string"}},
                    },
                },
            },
        }
    },
}


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Postprocessing hook: the ``Error`` component, and every error status on every operation."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = _ERROR_BODY
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if method not in ("get", "put", "post", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            for status, description in _ERRORS.items():
                responses.setdefault(status, {"description": description, "content": reference})
    return result
