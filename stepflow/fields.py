"""A JSON model field that keeps the document exactly as the interpreter produced it.

Django's ``JSONField`` stores ``jsonb`` on PostgreSQL, which reorders object keys. Key
order is visible in ASL (``States.JsonToString``, outputs shown to people), and a run must
give the same result whether it paused at a Wait (cursor reloaded from the database) or
not, so run data is kept as JSON text on every database.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.db import models

__all__ = ["JSONTextField", "dumps"]


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def dumps(value: Any) -> str:
    """Compact JSON text, the form stored and the form whose size the limits measure."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    if _LONE_SURROGATE.search(text):
        # JSON may carry "\ud800", but UTF-8 (the database's text) cannot: store it escaped,
        # which reads back as the same value.
        return json.dumps(value, ensure_ascii=True, separators=(",", ":"), allow_nan=False)
    return text


class JSONTextField(models.TextField):
    """Stores any JSON value as text; SQL ``NULL`` reads back as ``None``."""

    description = "JSON stored as text, key order preserved"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        return None if value is None else json.loads(value)

    def get_prep_value(self, value: Any) -> str | None:
        if value is None:
            return None
        return dumps(value)

    def to_python(self, value: Any) -> Any:
        # Values are already Python objects everywhere but in fixtures' text form.
        return value

    def value_to_string(self, obj: models.Model) -> str:
        return dumps(self.value_from_object(obj))
