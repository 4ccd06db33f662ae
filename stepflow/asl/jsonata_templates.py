"""JSON values with ``{% ... %}`` expressions inside: the fields of a JSONata state.

In a JSONata state a field (``Arguments``, ``Output``, ``Assign``, ``Items``,
``ItemSelector``, ``Seconds``, ``Condition``, ...) holds any JSON value, and every string
in it that starts with ``{%`` and ends with ``%}``, at any depth, is an expression whose
value takes its place. Other strings (``"$.x"``, ``" {% x %} "``) are literals. Keys are
never evaluated.

Contract::

    template = compile_value({"n": "{% $states.input.n + 1 %}", "k": 1}, "Output")
    template.evaluate(bindings)          # -> {"n": 2, "k": 1}

Each expression knows its place for AWS's messages: ``Output/n``, ``Assign/result``,
``Items``. Literal parts are compiled away and shared between evaluations (they are never
mutated), so a template without expressions costs nothing to evaluate.

``compile_state_fields(spec)`` compiles every such field of one state.
"""

from __future__ import annotations

from typing import Any, Final

from .jsonata import Bindings, Expression, compile_expression, is_expression

__all__ = ["JSONATA_FIELDS", "ValueTemplate", "compile_state_fields", "compile_value"]

# The state fields a JSONata state evaluates (Assign has its own module: variables).
JSONATA_FIELDS: Final = (
    "Arguments",
    "Output",
    "Items",
    "ItemSelector",
    "MaxConcurrency",
    "ToleratedFailureCount",
    "ToleratedFailurePercentage",
    "TimeoutSeconds",
    "HeartbeatSeconds",
    "Seconds",
    "Timestamp",
    "Error",
    "Cause",
)

_LITERAL: Final = 0
_EXPRESSION: Final = 1
_OBJECT: Final = 2
_ARRAY: Final = 3


class ValueTemplate:
    """A compiled field value. ``expression`` is set when the whole value is one
    expression (messages about the result's type quote it); ``literal`` when there is no
    expression at all."""

    __slots__ = ("_kind", "_spec", "expression", "field", "is_literal")

    def __init__(self, kind: int, spec: Any, field: str) -> None:
        self._kind = kind
        self._spec = spec
        self.field = field
        self.expression: Expression | None = spec if kind == _EXPRESSION else None
        self.is_literal = kind == _LITERAL

    @property
    def literal(self) -> Any:
        """The value itself, for a template without expressions."""
        return self._spec if self._kind == _LITERAL else None

    def evaluate(self, bindings: Bindings) -> Any:
        """The value with every expression evaluated; raises ``StatesError``
        (States.QueryEvaluationError) worded with this template's field path."""
        kind = self._kind
        if kind == _LITERAL:
            return self._spec
        if kind == _EXPRESSION:
            return self._spec.evaluate(bindings, self.field)
        if kind == _OBJECT:
            return {key: child.evaluate(bindings) for key, child in self._spec}
        return [child.evaluate(bindings) for child in self._spec]

    def __repr__(self) -> str:
        return f"ValueTemplate({self.field!r})"


def compile_value(value: Any, field: str) -> ValueTemplate:
    """Compile a JSONata state's field value; ``field`` is its name (``Output``)."""
    if is_expression(value):
        return ValueTemplate(_EXPRESSION, compile_expression(value), field)
    if isinstance(value, dict):
        children = [(key, compile_value(child, f"{field}/{key}")) for key, child in value.items()]
        if all(child.is_literal for _, child in children):
            return ValueTemplate(_LITERAL, value, field)
        return ValueTemplate(_OBJECT, tuple(children), field)
    if isinstance(value, list):
        items = [compile_value(child, f"{field}/{index}") for index, child in enumerate(value)]
        if all(item.is_literal for item in items):
            return ValueTemplate(_LITERAL, value, field)
        return ValueTemplate(_ARRAY, tuple(items), field)
    return ValueTemplate(_LITERAL, value, field)


def compile_state_fields(spec: dict[str, Any]) -> dict[str, ValueTemplate]:
    """Every JSONata-evaluated field a state has, compiled, by ASL field name."""
    return {name: compile_value(spec[name], name) for name in JSONATA_FIELDS if name in spec}
