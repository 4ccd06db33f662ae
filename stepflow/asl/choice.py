"""Choice state rules for the JSONPath query language, evaluated as AWS evaluates them.

Contract::

    rule = compile_rule({"Variable": "$.n", "NumericLessThanPath": "$.limit", "Next": "Loop"})
    rule.matches(Scope(input))   # -> bool
    rule.next                    # "Loop" (None for a rule nested in And/Or/Not)

``compile_rule`` takes a top-level rule (with ``Next``) or a nested one and compiles it
once into closures; ``matches`` then costs about a microsecond. Compiling raises
``PathSyntaxError`` for a malformed path and ``DefinitionError`` for a rule that is not
structurally valid (the validator normally rejects those first).

``matches`` raises ``StatesError("States.Runtime", cause)`` where AWS fails the
execution: when ``Variable`` (or the operand path of a ``...Path`` operator) selects
nothing, for every operator except ``IsPresent``. ``cause`` is AWS's wording without the
"An error occurred while executing the state ..." prefix the interpreter adds::

    Invalid path '$.x': The choice state's condition path references an invalid value.

Type rules (AWS compares only like with like; a mismatch is a plain false, never an
error, and this holds for the value an operand path selects too):

* numbers are JSON numbers only: ``true`` is not ``1``, ``"1"`` is not ``1``; they are
  compared as IEEE 754 binary64 (so 2**53 + 1 equals 2**53), which is why AWS's docs
  warn that integers beyond ±(2**53 - 1) "might fail to compare in the expected way";
* strings order by UTF-16 code units (Java ``String.compareTo``), not by code points;
* timestamps are strings that ``timestamps.timestamp_key`` accepts, compared as instants
  to the nanosecond; any other value is not a timestamp;
* ``StringMatches``: ``*`` matches any run of characters, ``\\*`` a literal ``*`` and
  ``\\\\`` a literal backslash; nothing else is special;
* ``IsX: false`` is the exact negation of ``IsX: true``, so ``IsNumeric: false`` holds
  for ``null`` and ``IsPresent: false`` for a missing path.

``And`` and ``Or`` stop at the first operand that decides them, so a later operand's
missing path only fails the run when it is reached.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any, Final

from .errors import DefinitionError, ErrorName, Problem, StatesError
from .paths import Path, PathNoMatch, Scope, compile_path
from .timestamps import parse_timestamp, timestamp_key

__all__ = ["OPERATORS", "Rule", "compile_rule", "parse_timestamp"]

Test = Callable[[Scope], bool]
Reader = Callable[[Scope], Any]
Coerce = Callable[[Any], Any]
Compare = Callable[[Any, Any], bool]

_INF: Final = float("inf")


class Rule:
    """A compiled Choice rule. ``matches(scope)`` is the compiled test itself (an
    attribute, not a method, to spare a call layer on the hot path)."""

    __slots__ = ("definition", "matches", "next")

    matches: Test
    next: str | None
    definition: dict[str, Any]

    def __init__(self, matches: Test, next: str | None, definition: dict[str, Any]) -> None:
        self.matches = matches
        self.next = next
        self.definition = definition

    def __repr__(self) -> str:
        return f"Rule({self.definition!r})"


# ---------------------------------------------------------------------------- coercions
# Each turns a JSON value into something comparable, or None when it has the wrong type.


def _as_double(value: Any) -> float | None:
    kind = type(value)  # exact type checks: bool is a subclass of int, and is no number
    if kind is float:
        return value  # type: ignore[no-any-return]
    if kind is int:
        try:
            return float(value)  # binary64, like AWS; huge integers round
        except OverflowError:  # beyond 1.8e308, where Java's double becomes infinite
            return _INF if value > 0 else -_INF
    return None


def _as_string(value: Any) -> str | None:
    return value if type(value) is str else None


def _as_boolean(value: Any) -> bool | None:
    return value if type(value) is bool else None


def _java_order(compare: Compare) -> Compare:
    """Order strings by UTF-16 code units, as Java does: a character beyond U+FFFF sorts
    by its high surrogate (0xD800-0xDBFF), so below U+E000-U+FFFF, unlike code points."""

    def ordered(a: str, b: str) -> bool:
        if a.isascii() and b.isascii():
            return compare(a, b)
        return compare(a.encode("utf-16-be", "surrogatepass"), b.encode("utf-16-be", "surrogatepass"))

    return ordered


# ---------------------------------------------------------------------------- operators
# name -> (coerce, compare, the operand's kind for messages)
_COMPARISONS: Final[dict[str, tuple[Coerce, Compare, str]]] = {
    "BooleanEquals": (_as_boolean, operator.eq, "a boolean"),
    "NumericEquals": (_as_double, operator.eq, "a number"),
    "NumericLessThan": (_as_double, operator.lt, "a number"),
    "NumericGreaterThan": (_as_double, operator.gt, "a number"),
    "NumericLessThanEquals": (_as_double, operator.le, "a number"),
    "NumericGreaterThanEquals": (_as_double, operator.ge, "a number"),
    "StringEquals": (_as_string, operator.eq, "a string"),
    "StringLessThan": (_as_string, _java_order(operator.lt), "a string"),
    "StringGreaterThan": (_as_string, _java_order(operator.gt), "a string"),
    "StringLessThanEquals": (_as_string, _java_order(operator.le), "a string"),
    "StringGreaterThanEquals": (_as_string, _java_order(operator.ge), "a string"),
    "TimestampEquals": (timestamp_key, operator.eq, "a timestamp"),
    "TimestampLessThan": (timestamp_key, operator.lt, "a timestamp"),
    "TimestampGreaterThan": (timestamp_key, operator.gt, "a timestamp"),
    "TimestampLessThanEquals": (timestamp_key, operator.le, "a timestamp"),
    "TimestampGreaterThanEquals": (timestamp_key, operator.ge, "a timestamp"),
}

_TYPE_TESTS: Final[dict[str, Callable[[Any], bool]]] = {
    "IsNull": lambda value: value is None,
    "IsBoolean": lambda value: type(value) is bool,
    "IsNumeric": lambda value: type(value) is int or type(value) is float,
    "IsString": lambda value: type(value) is str,
    "IsTimestamp": lambda value: timestamp_key(value) is not None,
}

OPERATORS: Final[frozenset[str]] = frozenset(
    [*_COMPARISONS, *(f"{name}Path" for name in _COMPARISONS), *_TYPE_TESTS, "IsPresent", "StringMatches"]
)
"""Every data-test operator (``And``/``Or``/``Not`` are the boolean ones)."""


def compile_rule(rule: dict[str, Any]) -> Rule:
    """Compile a Choice rule (top-level with ``Next``, or nested without it)."""
    return Rule(_compile(rule, ""), rule.get("Next"), rule)


def _compile(rule: Any, where: str) -> Test:
    if not isinstance(rule, dict):
        raise _problem(where, "a Choice rule must be an object")
    if "And" in rule or "Or" in rule:
        name = "And" if "And" in rule else "Or"
        operands = rule[name]
        if not isinstance(operands, list) or not operands:
            raise _problem(f"{where}/{name}", f"{name} must be a non-empty array of Choice rules")
        tests = tuple(_compile(sub, f"{where}/{name}/{i}") for i, sub in enumerate(operands))
        return _all(tests) if name == "And" else _any(tests)
    if "Not" in rule:
        inner = _compile(rule["Not"], f"{where}/Not")
        return lambda scope: not inner(scope)
    if "Condition" in rule:
        raise _problem(f"{where}/Condition", "Condition is a JSONata rule; this compiler takes JSONPath rules")

    names = [key for key in rule if key in OPERATORS]
    if len(names) != 1:
        found = ", ".join(names) if names else "none"
        raise _problem(where, f"a Choice rule needs exactly one comparison operator (found: {found})")
    name = names[0]
    if not isinstance(rule.get("Variable"), str):
        raise _problem(f"{where}/Variable", f"{name} needs a Variable path")
    variable = compile_path(rule["Variable"])
    operand = rule[name]
    at = f"{where}/{name}"

    if name == "IsPresent":
        return _is_present(variable, _boolean_operand(operand, at))
    if name in _TYPE_TESTS:
        return _type_test(variable, _TYPE_TESTS[name], _boolean_operand(operand, at))
    if name == "StringMatches":
        if not isinstance(operand, str):
            raise _problem(at, "StringMatches needs a string pattern")
        return _string_matches(variable, _wildcard(operand))
    if name in _COMPARISONS:
        coerce, compare, kind = _COMPARISONS[name]
        constant = coerce(operand)
        if constant is None:
            raise _problem(at, f"{name} needs {kind}, not {operand!r}")
        return _compare_constant(variable, coerce, compare, constant)
    coerce, compare, _ = _COMPARISONS[name[: -len("Path")]]
    if not isinstance(operand, str):
        raise _problem(at, f"{name} needs a path")
    return _compare_paths(variable, compile_path(operand), coerce, compare)


def _problem(where: str, message: str) -> DefinitionError:
    return DefinitionError([Problem(where, message)])


def _boolean_operand(operand: Any, at: str) -> bool:
    if type(operand) is not bool:
        raise _problem(at, f"the operand must be true or false, not {operand!r}")
    return operand


# ---------------------------------------------------------------------------- reading paths
# A lookup returns what its path selects, or _MISSING; the tests turn _MISSING into the
# States.Runtime failure themselves, which keeps one call per path on the hot path.

_MISSING: Final[Any] = object()


def _lookup(path: Path) -> Reader:
    """A function returning what ``path`` selects, or ``_MISSING`` when nothing.

    Plain ``$.a.b`` paths on the input (nearly every Variable) skip ``Path.get``'s
    generality: with only string keys, a ``KeyError`` or ``TypeError`` (a step met a
    list, string, number or null) is exactly ``Path.get``'s "no node there".
    """
    get = path.get
    steps = path.steps
    if steps is None or path.reads_context or path.reads_variable or not all(type(s) is str for s in steps):

        def lookup(scope: Scope) -> Any:
            try:
                found = get(scope)
            except PathNoMatch:
                return _MISSING
            if steps is None and not found:  # an indefinite path that matched no node
                return _MISSING
            return found

        return lookup

    if len(steps) == 1:
        key = steps[0]

        def lookup_key(scope: Scope) -> Any:
            try:
                return scope.input[key]
            except (KeyError, TypeError):  # TypeError: the input is not an object
                return _MISSING

        return lookup_key

    def lookup_keys(scope: Scope) -> Any:
        node = scope.input
        try:
            for key in steps:
                node = node[key]
        except (KeyError, TypeError):  # TypeError: a step met a non-object
            return _MISSING
        return node

    return lookup_keys


def _missing(path: Path) -> StatesError:
    return StatesError(
        ErrorName.RUNTIME,
        f"Invalid path '{path.text}': The choice state's condition path references an invalid value.",
    )


# ---------------------------------------------------------------------------- tests


def _all(tests: tuple[Test, ...]) -> Test:
    def every(scope: Scope) -> bool:
        for test in tests:
            if not test(scope):
                return False
        return True

    return every


def _any(tests: tuple[Test, ...]) -> Test:
    def some(scope: Scope) -> bool:
        for test in tests:
            if test(scope):
                return True
        return False

    return some


def _is_present(path: Path, expected: bool) -> Test:
    lookup = _lookup(path)
    return lambda scope: (lookup(scope) is not _MISSING) is expected


def _type_test(path: Path, check: Callable[[Any], bool], expected: bool) -> Test:
    lookup = _lookup(path)

    def type_test(scope: Scope) -> bool:
        value = lookup(scope)
        if value is _MISSING:
            raise _missing(path)
        return check(value) is expected

    return type_test


def _compare_constant(path: Path, coerce: Coerce, compare: Compare, constant: Any) -> Test:
    lookup = _lookup(path)

    def compare_constant(scope: Scope) -> bool:
        value = lookup(scope)
        if value is _MISSING:
            raise _missing(path)
        left = coerce(value)
        return left is not None and compare(left, constant)

    return compare_constant


def _compare_paths(path: Path, other: Path, coerce: Coerce, compare: Compare) -> Test:
    lookup, lookup_other = _lookup(path), _lookup(other)

    def compare_paths(scope: Scope) -> bool:
        # Both paths are read before any type check: a missing operand path fails the
        # run even when the Variable's value has the wrong type.
        value, value_other = lookup(scope), lookup_other(scope)
        if value is _MISSING:
            raise _missing(path)
        if value_other is _MISSING:
            raise _missing(other)
        left = coerce(value)
        if left is None:
            return False
        right = coerce(value_other)
        return right is not None and compare(left, right)

    return compare_paths


def _string_matches(path: Path, matcher: Callable[[str], bool]) -> Test:
    lookup = _lookup(path)

    def string_matches(scope: Scope) -> bool:
        value = lookup(scope)
        if value is _MISSING:
            raise _missing(path)
        return type(value) is str and matcher(value)

    return string_matches


def _wildcard(pattern: str) -> Callable[[str], bool]:
    """Compile a StringMatches pattern into a matcher that runs in linear time.

    The pattern splits at unescaped ``*`` into literal pieces; a text matches when it
    starts with the first piece, ends with the last, and holds the others in order
    between them (taking each at its leftmost place is always right when ``*`` is the
    only wildcard). A backslash before anything but ``*`` or ``\\`` stays literal.
    """
    pieces: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern) and pattern[i + 1] in "*\\":
            current.append(pattern[i + 1])
            i += 2
            continue
        if char == "*":
            pieces.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    pieces.append("".join(current))

    if len(pieces) == 1:
        literal = pieces[0]
        return lambda text: text == literal
    head, middle, tail = pieces[0], tuple(piece for piece in pieces[1:-1] if piece), pieces[-1]
    least = len(head) + len(tail) + sum(len(piece) for piece in middle)

    def matches(text: str) -> bool:
        if len(text) < least or not text.startswith(head) or not text.endswith(tail):
            return False
        position, end = len(head), len(text) - len(tail)
        for piece in middle:
            found = text.find(piece, position, end)
            if found < 0:
                return False
            position = found + len(piece)
        return True

    return matches
