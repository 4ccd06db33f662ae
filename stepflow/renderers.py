"""The API's JSON renderer: DRF's, except that it can send any value JSON can carry.

DRF writes non-ASCII characters as they are and encodes the text as UTF-8, which fails
for a lone UTF-16 surrogate (``"\\ud800"`` is valid JSON, and an execution's input may
hold one). Such a body is written with ASCII escapes instead: the same JSON value.
"""

from __future__ import annotations

from typing import Any

from rest_framework import renderers

__all__ = ["JSONRenderer"]


class _EscapedJSONRenderer(renderers.JSONRenderer):
    ensure_ascii = True


class JSONRenderer(renderers.JSONRenderer):
    """Falls back to ``\\uXXXX`` escapes when the text cannot be UTF-8."""

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: dict[str, Any] | None = None) -> bytes:
        try:
            return super().render(data, accepted_media_type, renderer_context)
        except UnicodeEncodeError:
            return _EscapedJSONRenderer().render(data, accepted_media_type, renderer_context)
