"""Hypothesis strategies for whole ASL definitions, the shapes people and attackers write.

A generated definition is mostly well formed, so that the interpreter gets to run it:
states only move forward (each non-terminal state's ``Next`` is the following state;
Choice rules and Catchers jump to any later one), so every run ends; each field holds
the kind of value it expects most of the time and a malformed one some of the time;
``mutated`` then breaks anything at all (a junk value, a missing key, an unknown field).
The values inside come from ``fuzz_values``.

``FUZZ`` is the settings every fuzz test uses: a fixed number of examples, no deadline,
no example database; derandomised under CI so a CI run is repeatable. Set
``STEPFLOW_FUZZ_EXAMPLES`` to run a longer campaign locally.
"""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from .fuzz_values import (
    deep_values,
    inputs,
    intrinsic_calls,
    json_values,
    jsonata_expressions,
    numbers,
    odd_text,
    query_paths,
    reference_paths,
    result_paths,
    scalars,
)

__all__ = ["FUZZ", "deep_values", "definitions", "inputs", "json_values", "mutated", "odd_text", "task_outcomes"]

FUZZ = settings(
    max_examples=int(os.environ.get("STEPFLOW_FUZZ_EXAMPLES", "150")),
    deadline=None,
    database=None,
    derandomize=os.environ.get("CI", "").lower() in ("1", "true", "yes"),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)

_PERCENT = st.integers(0, 99)


def _maybe(draw: st.DrawFn, probability: float) -> bool:
    return draw(_PERCENT) < probability * 100


def _pick(draw: st.DrawFn, choices: list[str]) -> str:
    return choices[draw(st.integers(0, len(choices) - 1))]


# ----------------------------------------------------------------------------- templates


def _templates(*, jsonata: bool, leaves: int) -> st.SearchStrategy[dict[str, Any]]:
    """Parameters / ResultSelector / ItemSelector / Arguments objects, nested."""
    if jsonata:
        keys = st.sampled_from(["a", "b", "n", "v", "w", "k.$", "", "ü"])
        values = st.recursive(jsonata_expressions | scalars, lambda inner: st.dictionaries(keys, inner, max_size=4) | st.lists(inner, max_size=3), max_leaves=leaves)
        return st.dictionaries(keys, values, max_size=4)
    plain_keys = st.sampled_from(["a", "n", "", "ü", "k y"])
    dynamic = st.dictionaries(st.sampled_from(["b.$", "v.$", "w.$", "b.$", "v.$", "w.$", "$", ".$", "a.$.$"]), query_paths | intrinsic_calls, max_size=3)
    objects = lambda inner: st.builds(lambda plain, more: {**plain, **more}, st.dictionaries(plain_keys, inner, max_size=3), dynamic)  # noqa: E731
    return objects(st.recursive(scalars, lambda inner: objects(inner) | st.lists(inner, max_size=3), max_leaves=leaves))


TEMPLATES = {False: _templates(jsonata=False, leaves=6), True: _templates(jsonata=True, leaves=6)}
# JSONata Arguments and Output: an object of expressions, or one expression (Output: any value).
_ARGUMENTS = TEMPLATES[True] | jsonata_expressions
_OUTPUTS = _ARGUMENTS | scalars
_ASSIGN = {
    False: st.builds(lambda plain, dynamic: {**plain, **dynamic}, st.dictionaries(st.sampled_from(["v", "y"]), scalars, max_size=2), st.dictionaries(st.sampled_from(["x.$", "w.$"]), query_paths | intrinsic_calls, max_size=2)),
    True: st.dictionaries(st.sampled_from(["v", "w", "x"]), jsonata_expressions | scalars, max_size=2),
}

# ----------------------------------------------------------------------------- Choice rules

_OPERANDS: dict[str, st.SearchStrategy[Any]] = {
    **dict.fromkeys(["StringEquals", "StringLessThan", "StringGreaterThanEquals", "StringMatches"], odd_text | st.sampled_from(["a", "b*", "*", "\\*"])),
    **dict.fromkeys(["NumericEquals", "NumericLessThan", "NumericGreaterThan", "NumericLessThanEquals"], numbers),
    **dict.fromkeys(["TimestampEquals", "TimestampLessThan"], st.sampled_from(["2024-01-01T00:00:00Z", "2024-13-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z", "x"])),
    **dict.fromkeys(["BooleanEquals", "IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp"], st.booleans()),
    **dict.fromkeys(["StringEqualsPath", "NumericLessThanPath", "BooleanEqualsPath", "TimestampGreaterThanPath"], reference_paths),
}
_OPERATOR_NAMES = st.sampled_from(sorted(_OPERANDS))


@st.composite
def _comparison(draw: st.DrawFn) -> dict[str, Any]:
    operator = draw(_OPERATOR_NAMES)
    return {"Variable": draw(reference_paths), operator: draw(_OPERANDS[operator])}


def _choice_rules(depth: int = 0) -> st.SearchStrategy[dict[str, Any]]:
    """A JSONPath Choice rule (without Next): a comparison, or And/Or/Not over rules."""
    if depth >= 3:
        return _comparison()
    nested = _choice_rules(depth + 1)
    lists = st.lists(nested, min_size=1, max_size=3)
    return st.one_of(_comparison(), _comparison(), st.builds(lambda rules: {"And": rules}, lists), st.builds(lambda rules: {"Or": rules}, lists), st.builds(lambda rule: {"Not": rule}, nested))


_RULES = {False: _choice_rules(), True: jsonata_expressions.map(lambda condition: {"Condition": condition})}

# ----------------------------------------------------------------------------- Retry and Catch

_ERRORS = ["States.TaskFailed", "States.Timeout", "States.Runtime", "States.DataLimitExceeded", "States.QueryEvaluationError", "Custom.Error", "\u00e9rr"]
_ERROR_LISTS = st.just(["States.ALL"]) | st.lists(st.sampled_from(_ERRORS), min_size=1, max_size=2, unique=True)
def _all_last(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """At most one catch-all entry, and it comes last (as the validator requires)."""
    catch_all = [entry for entry in entries if entry["ErrorEquals"] == ["States.ALL"]]
    return [entry for entry in entries if entry["ErrorEquals"] != ["States.ALL"]] + catch_all[:1]


_RETRIERS = st.lists(
    st.fixed_dictionaries(
        {"ErrorEquals": _ERROR_LISTS},
        optional={
            "IntervalSeconds": st.integers(1, 99_999_999),
            "MaxAttempts": st.integers(0, 3),  # a deterministic failure retried 99,999,999 times is slow, not wrong
            "BackoffRate": st.floats(1.0, 1e300) | st.sampled_from([1.0, 2.0, 1e300]),
            "MaxDelaySeconds": st.integers(1, 31_622_400),
            "JitterStrategy": st.sampled_from(["FULL", "NONE"]),
        },
    ),
    max_size=2,
).map(_all_last)
_CATCHER_EXTRAS = {
    True: st.fixed_dictionaries({}, optional={"Output": _OUTPUTS, "Assign": _ASSIGN[True]}),
    False: st.fixed_dictionaries({}, optional={"ResultPath": result_paths | st.none(), "Assign": _ASSIGN[False]}),
}


def _catchers(draw: st.DrawFn, later: list[str], jsonata: bool) -> list[dict[str, Any]]:
    if not later:
        return []
    count = draw(st.integers(0, 2))
    return _all_last([{"ErrorEquals": draw(_ERROR_LISTS), "Next": _pick(draw, later), **draw(_CATCHER_EXTRAS[jsonata])} for _ in range(count)])


# ----------------------------------------------------------------------------- states

_RESOURCES = [
    "fn:app/echo", "fn:01ABCDEF", "arn:aws:states:::lambda:invoke", "arn:aws:lambda:us-east-1:123456789012:function:f",
    "http://fn.example/invoke/01ABC", "arn:aws:states:::lambda:invoke.waitForTaskToken",
]  # fmt: skip
_IO = ("InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "Arguments", "Output", "Assign")
_IO_FIELDS = {
    "Pass": ("InputPath", "OutputPath", "ResultPath", "Parameters", "Output", "Assign"),
    "Task": _IO,
    "Parallel": _IO,
    "Map": ("InputPath", "OutputPath", "ResultPath", "ResultSelector", "Output", "Assign"),
    "Wait": ("InputPath", "OutputPath", "Output", "Assign"),
    "Choice": ("InputPath", "OutputPath", "Output", "Assign"),
    "Succeed": ("InputPath", "OutputPath", "Output"),
    "Fail": (),
}
_JSONPATH_IO = {
    "InputPath": query_paths | st.none(),
    "OutputPath": query_paths | st.none(),
    "ResultPath": result_paths | st.none(),
    "Parameters": TEMPLATES[False],
    "ResultSelector": TEMPLATES[False],
    "Assign": _ASSIGN[False],
}
_JSONATA_IO = {"Arguments": _ARGUMENTS, "Output": _OUTPUTS, "Assign": _ASSIGN[True]}
_TIMESTAMPS = st.sampled_from(["2024-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "2024-02-30T00:00:00Z", "x"])
_WAITS = {
    False: {"Seconds": st.integers(0, 99_999_999), "Timestamp": _TIMESTAMPS, "SecondsPath": query_paths, "TimestampPath": query_paths},
    True: {"Seconds": st.integers(0, 99_999_999) | jsonata_expressions, "Timestamp": _TIMESTAMPS | jsonata_expressions},
}
_TIMEOUTS = {False: st.integers(1, 99_999_999), True: st.integers(1, 99_999_999) | jsonata_expressions}
_FAIL_FIELDS = {
    False: {"Error": st.sampled_from(_ERRORS) | odd_text, "Cause": odd_text},
    True: {"Error": st.sampled_from(_ERRORS) | odd_text | jsonata_expressions, "Cause": odd_text | jsonata_expressions},
}
_ITEMS = {True: jsonata_expressions | st.lists(scalars, max_size=4), False: query_paths}
_COUNTS = st.integers(0, 100)
_KINDS = st.sampled_from(["Pass", "Pass", "Task", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"])
_NESTED_KINDS = st.sampled_from(["Pass", "Task", "Choice", "Fail", "Succeed"])  # no deeper nesting
_NAME_STEMS = ["S", "Pass", "\u00e9t\u00e4t", "\U0001f600", "a b", "x" * 76, "$", "\u202e", "Map", "1"]


def _fill(draw: st.DrawFn, kind: str, later: list[str], depth: int, jsonata: bool, names: set[str]) -> dict[str, Any]:
    """The fields of a state of type ``kind`` (besides Type); ``later`` are the states
    after it, where its transitions may go."""
    state: dict[str, Any] = {}
    table = _JSONATA_IO if jsonata else _JSONPATH_IO
    for field in _IO_FIELDS[kind]:
        if field in table and _maybe(draw, 0.3):
            state[field] = draw(table[field])
    if kind not in ("Succeed", "Choice", "Fail"):
        state |= {"Next": later[0]} if later else {"End": True}
    if kind == "Pass" and not jsonata and _maybe(draw, 0.3):
        state["Result"] = draw(json_values())
    elif kind == "Task":
        state["Resource"] = _pick(draw, _RESOURCES)
        if _maybe(draw, 0.2):
            state["TimeoutSeconds"] = draw(_TIMEOUTS[jsonata])
        elif not jsonata and _maybe(draw, 0.1):
            state["TimeoutSecondsPath"] = draw(reference_paths)
    elif kind == "Choice":
        state["Choices"] = [{**draw(_RULES[jsonata]), "Next": _pick(draw, later)} for _ in range(draw(st.integers(1, 3)))]
        state["Default"] = later[0]
    elif kind == "Wait":
        field = _pick(draw, list(_WAITS[jsonata]))
        state[field] = draw(_WAITS[jsonata][field])
    elif kind == "Fail":
        for field, values in _FAIL_FIELDS[jsonata].items():
            if _maybe(draw, 0.5):
                state[field] = draw(values)
            elif not jsonata and _maybe(draw, 0.3):
                state[field + "Path"] = draw(query_paths | intrinsic_calls)
    elif kind == "Parallel":
        state["Branches"] = [draw(_machine(depth + 1, jsonata, names)) for _ in range(draw(st.integers(1, 2)))]
    elif kind == "Map":
        state["ItemProcessor"] = {**draw(_machine(depth + 1, jsonata, names)), "ProcessorConfig": {"Mode": "INLINE"}}
        if _maybe(draw, 0.6):
            state["Items" if jsonata else "ItemsPath"] = draw(_ITEMS[jsonata])
        if _maybe(draw, 0.3):
            state["ItemSelector"] = draw(TEMPLATES[jsonata])
        if _maybe(draw, 0.3):
            state["MaxConcurrency"] = draw(_COUNTS)
        if _maybe(draw, 0.2):
            state[_pick(draw, ["ToleratedFailurePercentage", "ToleratedFailureCount"])] = draw(_COUNTS)
    if kind in ("Task", "Parallel", "Map"):
        state["Retry"] = draw(_RETRIERS)
        state["Catch"] = _catchers(draw, later, jsonata)
    return state


@st.composite
def _machine(draw: st.DrawFn, depth: int, jsonata: bool, names: set[str]) -> dict[str, Any]:
    """A state machine whose transitions only go forward; names are unique across levels."""
    own = []
    for _ in range(draw(st.integers(1, 4 if depth == 0 else 2))):
        name = f"{_pick(draw, _NAME_STEMS)}{len(names)}"
        names.add(name)
        own.append(name)
    states = {}
    for index, name in enumerate(own):
        later = own[index + 1 :]
        kind = draw(_KINDS if depth < 2 else _NESTED_KINDS)
        if (kind == "Choice" and not later) or (kind in ("Succeed", "Fail") and later and _maybe(draw, 0.8)):
            kind = "Pass"  # a Choice needs somewhere to go; an early end leaves the rest unreachable
        states[name] = {"Type": kind, **_fill(draw, kind, later, depth, jsonata, names)}
    return {"StartAt": own[0], "States": states}


@st.composite
def definitions(draw: st.DrawFn) -> dict[str, Any]:
    """A whole definition in JSONPath or JSONata, sometimes with a machine-level timeout."""
    jsonata = draw(st.booleans())
    definition = draw(_machine(0, jsonata, set()))
    if jsonata:
        definition["QueryLanguage"] = "JSONata"
    if _maybe(draw, 0.1):
        definition["TimeoutSeconds"] = draw(st.integers(1, 99_999_999))
    return definition


# ----------------------------------------------------------------------------- mutations

_JUNK = st.sampled_from([None, True, 0, -1, 1.5, "", "x", [], {}, [None], {"Type": "Pass"}]) | scalars | json_values(3)
_JUNK_KEYS = st.sampled_from(["Type", "Next", "End", "Unknown", "Parameters", "States", "StartAt"]) | odd_text


@st.composite
def mutated(draw: st.DrawFn, base: st.SearchStrategy[Any]) -> Any:
    """``base``'s value with a few nodes replaced by junk, removed, or given unknown keys."""
    value = draw(base)
    for _ in range(draw(st.integers(1, 4))):
        value = _mutate(draw, value)
    return value


def _mutate(draw: st.DrawFn, value: Any) -> Any:
    if isinstance(value, dict) and value and _maybe(draw, 0.7):
        key = _pick(draw, list(value))
        action = _pick(draw, ["descend", "descend", "replace", "drop", "add"])
        copy = dict(value)
        if action == "descend":
            copy[key] = _mutate(draw, value[key])
        elif action == "replace":
            copy[key] = draw(_JUNK)
        elif action == "drop":
            del copy[key]
        else:
            copy[draw(_JUNK_KEYS)] = draw(_JUNK)
        return copy
    if isinstance(value, list) and value and _maybe(draw, 0.7):
        index = draw(st.integers(0, len(value) - 1))
        copy = list(value)
        copy[index] = _mutate(draw, value[index]) if _maybe(draw, 0.6) else draw(_JUNK)
        return copy
    return draw(_JUNK)


# ----------------------------------------------------------------------------- Task outcomes

# What successive Task calls answer: ``("ok", result)``, ``("echo", None)`` or
# ``("fail", (error, cause))``; calls past the end of the list echo their payload.
task_outcomes = st.lists(
    st.tuples(st.just("ok"), json_values(6))
    | st.tuples(st.just("echo"), st.none())
    | st.tuples(st.just("fail"), st.tuples(st.sampled_from(_ERRORS) | odd_text, st.none() | odd_text)),
    max_size=6,
)
