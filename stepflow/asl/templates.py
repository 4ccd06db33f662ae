"""Payload templates: ``Parameters``, ``ResultSelector``, ``ItemSelector``.

A template is JSON in which a field whose name ends in ``.$`` takes its value from a Path
(``"who.$": "$.name"``, ``"$$.Execution.Id"``, ``"$var"``) or an intrinsic function call
(``"n.$": "States.MathAdd($.n, 1)"``); the ``.$`` is dropped from the output field name.
Everything else is copied as it stands.

``compile_template(value)`` does the parsing once; ``Template.evaluate(scope)`` builds a
fresh output that shares the literal parts (they are never mutated) and raises
``StatesError("States.Runtime", ...)`` worded as AWS words it when a path finds nothing.
"""

from __future__ import annotations

import json
from typing import Any

from .errors import ErrorName, StatesError
from .paths import Path, PathNoMatch, Scope, compile_path

__all__ = ["Template", "compile_template"]

_LITERAL = 0
_PATH = 1
_INTRINSIC = 2
_NESTED = 3


class Template:
    """A compiled payload template. ``reads_context`` tells whether it uses ``$$``."""

    __slots__ = ("_fields", "_items", "_literal", "reads_context")

    def __init__(self, fields: list[tuple[str, int, Any, str]] | None, items: list[tuple[int, Any]] | None, literal: Any, reads_context: bool) -> None:
        self._fields = fields
        self._items = items
        self._literal = literal
        self.reads_context = reads_context

    def evaluate(self, scope: Scope) -> Any:
        fields = self._fields
        if fields is not None:
            out: dict[str, Any] = {}
            for key, kind, spec, source_key in fields:
                if kind == _LITERAL:
                    out[key] = spec
                elif kind == _PATH:
                    out[key] = _read(spec, scope, source_key)
                elif kind == _NESTED:
                    out[key] = spec.evaluate(scope)
                else:
                    out[key] = spec.evaluate(scope)
            return out
        items = self._items
        if items is not None:
            return [spec.evaluate(scope) if kind == _NESTED else spec for kind, spec in items]
        return self._literal


def _read(path: Path, scope: Scope, source_key: str) -> Any:
    try:
        return path.get(scope)
    except PathNoMatch:
        source = scope.context if path.reads_context else scope.input
        raise StatesError(
            ErrorName.RUNTIME,
            f"The JSONPath '{path.text}' specified for the field '{source_key}' could not be found "
            f"in the input '{to_json(source)}'",
        ) from None


def to_json(value: Any) -> str:
    """Compact JSON, as AWS prints payloads inside error causes."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def compile_template(value: Any) -> Template:
    """Compile a payload template. Raises ``PathSyntaxError``/``IntrinsicSyntaxError``."""
    if isinstance(value, dict):
        fields: list[tuple[str, int, Any, str]] = []
        reads_context = False
        for key, spec in value.items():
            if key.endswith(".$") and isinstance(spec, str):
                name = key[:-2]
                compiled, reads = _compile_dynamic(spec)
                reads_context = reads_context or reads
                kind = _PATH if isinstance(compiled, Path) else _INTRINSIC
                fields.append((name, kind, compiled, key))
            elif isinstance(spec, (dict, list)):
                nested = compile_template(spec)
                reads_context = reads_context or nested.reads_context
                if nested._fields is None and nested._items is None:
                    fields.append((key, _LITERAL, nested._literal, key))
                elif _is_static(nested):
                    fields.append((key, _LITERAL, spec, key))
                else:
                    fields.append((key, _NESTED, nested, key))
            else:
                fields.append((key, _LITERAL, spec, key))
        return Template(fields, None, None, reads_context)
    if isinstance(value, list):
        items: list[tuple[int, Any]] = []
        reads_context = False
        for spec in value:
            nested = compile_template(spec)
            reads_context = reads_context or nested.reads_context
            items.append((_LITERAL, spec) if _is_static(nested) else (_NESTED, nested))
        return Template(None, items, None, reads_context)
    return Template(None, None, value, False)


def _is_static(template: Template) -> bool:
    """True when the template has no dynamic field anywhere, so its source can be shared."""
    if template._fields is not None:
        return all(kind == _LITERAL for _, kind, _, _ in template._fields)
    if template._items is not None:
        return all(kind == _LITERAL for kind, _ in template._items)
    return True


def _compile_dynamic(spec: str) -> tuple[Any, bool]:
    """A ``.$`` value: a Path, or an intrinsic call (``States.X(...)``)."""
    if spec.startswith("$"):
        path = compile_path(spec)
        return path, path.reads_context
    from .intrinsics import compile_intrinsic

    intrinsic = compile_intrinsic(spec)
    return intrinsic, "$$" in spec
