"""JSONata for the States Language: one compiled ``{% ... %}`` expression, evaluated as
AWS Step Functions evaluates it.

Contract::

    expression = compile_expression("{% $states.input.n + 1 %}")   # the whole field text
    bindings = Bindings(input=raw_input, context=make_context, variables=visible)
    expression.evaluate(bindings, "Output/n")   # -> a JSON value

``evaluate`` returns plain JSON values (``dict``, ``list``, ``str``, ``int``, ``float``,
``bool``, ``None``) and raises ``StatesError("States.QueryEvaluationError", cause)`` with
AWS's words when the expression fails, returns nothing (JSONata's *undefined*) or returns
a function. The caller adds the "An error occurred while executing the state ..." prefix.

The engine is ``jsonata-python``. Where it differs from AWS (JSONata 2.0.6 in Java), this
module wraps it:

* it reads JSON ``null`` inside its input as *undefined*; values are handed to it with
  ``null`` turned into the engine's own null, and turned back on the way out;
* its arrays are ``list`` subclasses carrying flags; results are plain lists again;
* numbers: an integral double prints as an integer in JSONata (``7``, not ``7.0``);
* ``$eval`` is unavailable (AWS refuses it: calling it fails as calling any non-function
  does), ``$random`` takes AWS's optional seed, and AWS's ``$partition``, ``$range``,
  ``$hash``, ``$uuid`` and ``$parse`` exist (see ``jsonata_functions``);
* the engine's own time limit counts from compile time; a per-evaluation guard is used
  instead (``EVALUATION_TIMEOUT_SECONDS``).

Expressions are compiled once per distinct text and shared; evaluation never mutates
the values it is given.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any, Final

from .errors import ErrorName, StatesError

__all__ = [
    "ABSENT",
    "EVALUATION_TIMEOUT_SECONDS",
    "Bindings",
    "Expression",
    "compile_expression",
    "is_expression",
    "json_type",
    "query_error",
]

EVALUATION_TIMEOUT_SECONDS: Final = 10.0  # a runaway expression must not hold a worker
ABSENT: Final[Any] = object()  # a $states field that is not available where it is read


def is_expression(value: Any) -> bool:
    """True for a string a JSONata state evaluates: ``{% ... %}``."""
    return type(value) is str and len(value) >= 4 and value.startswith("{%") and value.endswith("%}")


def json_type(value: Any) -> str:
    """The JSON kind AWS names in its messages: null, boolean, number, string, array, object."""
    if value is None:
        return "null"
    kind = type(value)
    if kind is bool:
        return "boolean"
    if kind is int or kind is float:
        return "number"
    if kind is str:
        return "string"
    if kind is list:
        return "array"
    if kind is dict:
        return "object"
    return "unsupported"


def query_error(text: str, field: str, problem: str) -> StatesError:
    """``States.QueryEvaluationError`` worded as AWS words it."""
    return StatesError(
        ErrorName.QUERY_EVALUATION_ERROR,
        f"The JSONata expression '{text}' specified for the field '{field}' {problem}",
        location=field,
    )


class Bindings:
    """What the expressions of one evaluation see: ``$states`` and the workflow variables.

    ``input`` is the state's raw input; ``context`` the context object (or a function
    that builds it, called only if an expression reads ``$states``); ``result`` and
    ``error_output`` are set only where AWS makes them available (``ABSENT`` elsewhere).
    Values are converted for the engine once and shared by every expression.
    """

    __slots__ = ("_context", "_converted", "_error_output", "_input", "_result", "_states", "_variables")

    def __init__(
        self,
        *,
        input: Any,
        context: dict[str, Any] | Callable[[], dict[str, Any]],
        variables: Mapping[str, Any] | None = None,
        result: Any = ABSENT,
        error_output: Any = ABSENT,
    ) -> None:
        self._input = input
        self._context = context
        self._result = result
        self._error_output = error_output
        self._variables = variables or {}
        self._states: dict[str, Any] | None = None
        self._converted: dict[str, Any] = {}

    def states(self) -> dict[str, Any]:
        """The ``$states`` object, in the engine's form."""
        if self._states is None:
            context = self._context() if callable(self._context) else self._context
            states = {"input": to_engine(self._input), "context": to_engine(context)}
            if self._result is not ABSENT:
                states["result"] = to_engine(self._result)
            if self._error_output is not ABSENT:
                states["errorOutput"] = to_engine(self._error_output)
            self._states = states
        return self._states

    def lookup(self, names: frozenset[str]) -> dict[str, Any]:
        """Engine bindings for the variable ``names`` an expression mentions."""
        out: dict[str, Any] = {}
        for name in names:
            if name == "states":
                out[name] = self.states()
            elif name in self._variables:
                converted = self._converted.get(name, ABSENT)
                if converted is ABSENT:
                    converted = self._converted[name] = to_engine(self._variables[name])
                out[name] = converted
        return out


class Expression:
    """One compiled ``{% ... %}`` expression. ``text`` is what AWS quotes in messages: the
    part between the marks, without the surrounding whitespace."""

    __slots__ = ("_engine", "_names", "text")

    def __init__(self, text: str, engine: Any, names: frozenset[str]) -> None:
        self.text = text
        self._engine = engine
        self._names = names

    def evaluate(self, bindings: Bindings, field: str) -> Any:
        """The expression's JSON value. Raises ``StatesError`` (QueryEvaluationError)."""
        from jsonata.jsonata import Jsonata

        values = bindings.lookup(self._names)
        guard = _Guard()
        values["__evaluate_entry"] = guard.enter
        values["__evaluate_exit"] = guard.leave
        Jsonata.CURRENT.jsonata = self._engine  # the engine's functions find "their" instance here
        try:
            raw = self._engine.evaluate(None, values)
        except RecursionError:
            raise query_error(self.text, field, "threw an error during evaluation. D1011: Stack overflow error") from None
        except Exception as exc:  # JException, or a bug inside the engine: both fail the state
            code = getattr(exc, "error", None)
            detail = f"{code}: {exc}" if isinstance(code, str) and code else f"{exc}" or type(exc).__name__
            raise query_error(self.text, field, f"threw an error during evaluation. {detail}") from None
        if raw is None:
            raise query_error(self.text, field, "returned nothing (undefined).")
        try:
            return from_engine(raw)
        except _Unsupported:
            raise query_error(self.text, field, "returned an unsupported result type.") from None

    def __repr__(self) -> str:
        return f"Expression({self.text!r})"


class _Guard:
    """Stops an evaluation that runs longer than ``EVALUATION_TIMEOUT_SECONDS``. The
    engine calls ``enter``/``leave`` around every node; the clock is read every 256th."""

    __slots__ = ("deadline", "ticks")

    def __init__(self) -> None:
        self.deadline = time.monotonic() + EVALUATION_TIMEOUT_SECONDS
        self.ticks = 0

    def enter(self, expr: Any, input: Any, environment: Any) -> None:
        self.ticks += 1
        if not self.ticks & 255 and time.monotonic() > self.deadline:
            from jsonata.jexception import JException

            raise JException("D1012", -1, int(EVALUATION_TIMEOUT_SECONDS * 1000))

    def leave(self, expr: Any, input: Any, environment: Any, result: Any) -> None:
        return None


def compile_expression(field_text: str) -> Expression:
    """Compile a ``{% ... %}`` field value. Raises ``ValueError`` when it is not one and the
    engine's exception when its JSONata is malformed (the validator reports both first)."""
    if not is_expression(field_text):
        raise ValueError(f"{field_text!r} is not a JSONata expression '{{% ... %}}'")
    return _compile(field_text[2:-2].strip())


@lru_cache(maxsize=2048)
def _compile(text: str) -> Expression:
    from jsonata.jsonata import Jsonata

    from .jsonata_functions import install

    engine = Jsonata(text)
    engine.set_output_convert_nulls(False)  # keep null apart from undefined
    engine.set_validate_input(False)  # values come from JSON; checking them costs a walk
    install(engine.environment)
    return Expression(text, engine, frozenset(_variable_names(engine.ast)))


def _variable_names(ast: Any) -> set[str]:
    """Every ``$name`` the expression mentions (read, bound or called), found in the AST so
    that strings and regular expressions that merely contain ``$`` do not count."""
    from jsonata.parser import Parser

    names: set[str] = set()
    seen: set[int] = set()
    stack: list[Any] = [ast]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, Parser.Symbol):
            if node.type == "variable" and isinstance(node.value, str):
                names.add(node.value)
            stack.extend(value for key, value in vars(node).items() if key != "_outer_instance" and value is not None)
        elif isinstance(node, (list, tuple)):
            stack.extend(node)
        elif isinstance(node, dict):
            stack.extend(node.values())
    return names


# ---------------------------------------------------------------- values in and out


def to_engine(value: Any) -> Any:
    """``value`` with every JSON null replaced by the engine's null (which it keeps apart
    from undefined). Containers without a null inside are returned as they are."""
    if value is None:
        from jsonata.utils import Utils

        return Utils.NULL_VALUE
    kind = type(value)
    if kind is dict:
        copy: dict[str, Any] | None = None
        for key, item in value.items():
            if item is None or type(item) is dict or type(item) is list:
                converted = to_engine(item)
                if converted is not item:
                    if copy is None:
                        copy = dict(value)
                    copy[key] = converted
        return value if copy is None else copy
    if kind is list:
        items: list[Any] | None = None
        for index, item in enumerate(value):
            if item is None or type(item) is dict or type(item) is list:
                converted = to_engine(item)
                if converted is not item:
                    if items is None:
                        items = list(value)
                    items[index] = converted
        return value if items is None else items
    return value


class _Unsupported(Exception):
    """A function (or regular expression) where a JSON value must be."""


_MAX_EXACT: Final = 2.0**53


def from_engine(value: Any) -> Any:
    """An engine result as plain JSON values: null back to ``None``, its list subclass to
    ``list``, integral doubles to integers. Unchanged parts are returned as they are."""
    from jsonata.utils import Utils

    kind = type(value)
    if kind is str or kind is bool or kind is int:
        return value
    if value is None or value is Utils.NULL_VALUE:
        return None
    if kind is float:
        return int(value) if value.is_integer() and -_MAX_EXACT <= value <= _MAX_EXACT else value
    if kind is dict:
        copy: dict[str, Any] | None = None
        for key, item in value.items():
            converted = from_engine(item)
            if converted is not item:
                if copy is None:
                    copy = dict(value)
                copy[key] = converted
        return value if copy is None else copy
    if isinstance(value, list):
        items = [from_engine(item) for item in value]
        if kind is list and all(a is b for a, b in zip(items, value)):
            return value
        return items
    raise _Unsupported(type(value).__name__)


def to_json_text(value: Any) -> str:
    """Compact JSON, as AWS shows a value inside a message."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
