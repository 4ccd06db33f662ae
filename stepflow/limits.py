"""Limits on what clients send, enforced before the input can cost much.

* ``RequestSizeMiddleware``: a body larger than ``STEPFLOW_MAX_REQUEST_BYTES`` is answered
  413 before it is read (by its ``Content-Length``, which is all Django and DRF ever read).
* ``JSONParser`` (the API's parser) and ``parse_json`` (definitions sent as JSON text):
  JSON nested deeper than ``STEPFLOW_MAX_JSON_DEPTH`` is refused, and so is JSON so deep
  that the decoder itself gives up, instead of a ``RecursionError`` taking a worker down.
* ``execution_name_problem``: AWS's rules for an execution name.

Errors::

    ValueError
    └── JSONTooDeep     the document nests deeper than the limit

This module imports no app (workflows and executions use it); the API's one error body
comes from ``stepflow.api`` when a response is built.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from rest_framework import parsers
from rest_framework.exceptions import ParseError

__all__ = ["JSONParser", "JSONTooDeep", "RequestSizeMiddleware", "execution_name_problem", "json_depth", "parse_json"]


class JSONTooDeep(ValueError):
    """Raised when a JSON document nests deeper than the limit."""


def json_depth(value: Any, limit: int) -> int:
    """How deeply ``value``'s arrays and objects nest (a scalar is 0), counting no further
    than ``limit + 1``: the walk stops as soon as the limit is passed."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        depth += 1
        if depth > deepest:
            deepest = depth
            if deepest > limit:
                return deepest
        stack.extend((child, depth) for child in children if isinstance(child, (dict, list)))
    return deepest


def parse_json(text: str | bytes, *, max_depth: int | None = None) -> Any:
    """``json.loads`` that refuses nesting past ``max_depth`` (``STEPFLOW_MAX_JSON_DEPTH``).

    Raises ``json.JSONDecodeError`` for text that is not JSON and ``JSONTooDeep``.
    """
    limit = settings.STEPFLOW_MAX_JSON_DEPTH if max_depth is None else max_depth
    try:
        value = json.loads(text)
    except RecursionError:
        raise JSONTooDeep(f"the JSON nests deeper than {limit} levels") from None
    if json_depth(value, limit) > limit:
        raise JSONTooDeep(f"the JSON nests deeper than {limit} levels")
    return value


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing documents nested past ``STEPFLOW_MAX_JSON_DEPTH``."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict[str, Any] | None = None) -> Any:
        limit = settings.STEPFLOW_MAX_JSON_DEPTH
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(f"JSON parse error - the body nests deeper than {limit} levels.") from None
        if json_depth(data, limit) > limit:
            raise ParseError(f"JSON parse error - the body nests deeper than {limit} levels.")
        return data


class RequestSizeMiddleware:
    """Answers 413 (in the API's error body) to a request body past ``STEPFLOW_MAX_REQUEST_BYTES``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.STEPFLOW_MAX_REQUEST_BYTES
        declared = request.META.get("CONTENT_LENGTH") or ""
        if declared:
            try:
                size = int(declared)
            except ValueError:
                return _refuse(400, "bad_request", "The Content-Length header is not a number.")
            if size > limit:
                return _refuse(413, "request_too_large", f"The request body is {size} bytes; the limit is {limit} bytes.")
        # A body without a Content-Length is never parsed (Django and DRF read Content-Length bytes).
        return self.get_response(request)


def _refuse(status: int, code: str, message: str) -> JsonResponse:
    from stepflow.api import error_body  # imports the apps' exceptions; load it late

    return JsonResponse(error_body(code, message), status=status)


# AWS: "A name must not contain white space, brackets < > { } [ ], wildcard characters ? *,
# special characters " # % \ ^ | ~ ` $ & , ; : /, or control characters (U+0000-001F,
# U+007F-009F)."
_FORBIDDEN = frozenset('<>{}[]?*"#%\\^|~`$&,;:/')
MAX_NAME_LENGTH = 80


def execution_name_problem(name: Any) -> str | None:
    """Why ``name`` is not a valid execution name under AWS's rules; ``None`` if it is."""
    if not isinstance(name, str):
        return "must be a string"
    if not 1 <= len(name) <= MAX_NAME_LENGTH:
        return f"must be 1 to {MAX_NAME_LENGTH} characters long, not {len(name)}"
    for char in name:
        if char.isspace():
            return "must not contain white space"
        if char in _FORBIDDEN:
            return f"must not contain {char!r} (no brackets, wildcards, or any of \" # % \\ ^ | ~ ` $ & , ; : /)"
        if ord(char) <= 0x1F or 0x7F <= ord(char) <= 0x9F or 0xD800 <= ord(char) <= 0xDFFF:
            return f"must not contain the control character U+{ord(char):04X}"
    return None
