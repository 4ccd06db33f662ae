"""Choice rules (JSONPath), checked against AWS's documented and recorded behaviour."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from stepflow.asl import choice
from stepflow.asl.choice import Rule, compile_rule
from stepflow.asl.errors import DefinitionError, PathSyntaxError, StatesError
from stepflow.asl.paths import Scope
from tests.asl.conformance import CORPUS


def matches(rule: dict[str, Any], data: Any, context: Any = None, variables: dict[str, Any] | None = None) -> bool:
    return compile_rule(rule).matches(Scope(data, context, variables))


def test_the_public_surface_is_explicit() -> None:
    assert sorted(choice.__all__) == ["OPERATORS", "Rule", "compile_rule", "parse_timestamp"]


def test_a_compiled_rule_keeps_its_next_state() -> None:
    rule = compile_rule({"Variable": "$.a", "IsPresent": True, "Next": "Found"})
    assert isinstance(rule, Rule)
    assert rule.next == "Found"
    assert compile_rule({"Variable": "$.a", "IsPresent": True}).next is None


# ---------------------------------------------------------------------------- BooleanEquals


@pytest.mark.parametrize(("value", "expected"), [(True, True), (False, False)])
def test_boolean_equals_matches_the_same_boolean(value: bool, expected: bool) -> None:
    assert matches({"Variable": "$.v", "BooleanEquals": True}, {"v": value}) is expected
    assert matches({"Variable": "$.v", "BooleanEquals": False}, {"v": value}) is not expected


@pytest.mark.parametrize("value", [1, 0, 1.0, "true", "false", None, [], {}, [True]])
def test_boolean_equals_is_false_for_anything_but_a_boolean(value: Any) -> None:
    assert matches({"Variable": "$.v", "BooleanEquals": True}, {"v": value}) is False
    assert matches({"Variable": "$.v", "BooleanEquals": False}, {"v": value}) is False


def test_boolean_equals_path_compares_two_booleans() -> None:
    rule = {"Variable": "$.a", "BooleanEqualsPath": "$.b"}
    assert matches(rule, {"a": False, "b": False}) is True
    assert matches(rule, {"a": True, "b": False}) is False


def test_boolean_equals_path_is_false_when_the_operand_path_holds_a_number() -> None:
    assert matches({"Variable": "$.a", "BooleanEqualsPath": "$.b"}, {"a": True, "b": 1}) is False


# ---------------------------------------------------------------------------- Numeric


def test_numeric_equals_matches_an_integer_and_a_float_of_the_same_value() -> None:
    assert matches({"Variable": "$.v", "NumericEquals": 1.0}, {"v": 1}) is True
    assert matches({"Variable": "$.v", "NumericEquals": 0}, {"v": 0.0}) is True
    assert matches({"Variable": "$.v", "NumericEquals": 2.22}, {"v": 2.22}) is True
    assert matches({"Variable": "$.v", "NumericEquals": 1}, {"v": 1.1}) is False


@pytest.mark.parametrize("value", ["1", "", True, False, None, [1], {"v": 1}])
def test_numeric_equals_is_false_for_a_value_that_is_not_a_number(value: Any) -> None:
    assert matches({"Variable": "$.v", "NumericEquals": 1}, {"v": value}) is False
    assert matches({"Variable": "$.v", "NumericGreaterThanEquals": 0}, {"v": value}) is False


@pytest.mark.parametrize(
    ("operator", "below", "equal", "above"),
    [
        ("NumericLessThan", True, False, False),
        ("NumericLessThanEquals", True, True, False),
        ("NumericGreaterThan", False, False, True),
        ("NumericGreaterThanEquals", False, True, True),
        ("NumericEquals", False, True, False),
    ],
)
def test_numeric_operators_order_numbers(operator: str, below: bool, equal: bool, above: bool) -> None:
    for value, expected in ((9, below), (10.0, equal), (10.5, above)):
        assert matches({"Variable": "$.v", operator: 10}, {"v": value}) is expected
        assert matches({"Variable": "$.v", f"{operator}Path": "$.limit"}, {"v": value, "limit": 10}) is expected


def test_numeric_path_is_false_when_the_operand_path_holds_a_string() -> None:
    assert matches({"Variable": "$.v", "NumericLessThanPath": "$.limit"}, {"v": 1, "limit": "10"}) is False
    assert matches({"Variable": "$.v", "NumericEqualsPath": "$.limit"}, {"v": 1, "limit": True}) is False


def test_numbers_compare_as_ieee_binary64_like_aws() -> None:
    # AWS documents that integers beyond 2**53 "might fail to compare in the expected way".
    assert matches({"Variable": "$.v", "NumericEquals": 2**53}, {"v": 2**53 + 1}) is True
    assert matches({"Variable": "$.v", "NumericGreaterThan": 1e308}, {"v": 10**400}) is True
    assert matches({"Variable": "$.v", "NumericLessThan": -1e308}, {"v": -(10**400)}) is True


# ---------------------------------------------------------------------------- String


def test_string_equals_needs_the_exact_same_characters() -> None:
    assert matches({"Variable": "$.v", "StringEquals": "Hello"}, {"v": "Hello"}) is True
    assert matches({"Variable": "$.v", "StringEquals": "     "}, {"v": " "}) is False
    assert matches({"Variable": "$.v", "StringEquals": "\t\r\n"}, {"v": "\t\n"}) is False
    assert matches({"Variable": "$.v", "StringEquals": "hello"}, {"v": "Hello"}) is False


@pytest.mark.parametrize("value", [0, 1.5, True, None, ["HelloWorld"], {"HelloWorld": 1}])
def test_string_operators_are_false_for_a_value_that_is_not_a_string(value: Any) -> None:
    for operator in ("StringEquals", "StringLessThan", "StringGreaterThanEquals"):
        assert matches({"Variable": "$.v", operator: "HelloWorld"}, {"v": value}) is False


@pytest.mark.parametrize(
    ("operator", "a_vs_ab", "ab_vs_a", "equal"),
    [
        ("StringLessThan", True, False, False),
        ("StringLessThanEquals", True, False, True),
        ("StringGreaterThan", False, True, False),
        ("StringGreaterThanEquals", False, True, True),
    ],
)
def test_string_operators_order_strings_lexicographically(operator: str, a_vs_ab: bool, ab_vs_a: bool, equal: bool) -> None:
    assert matches({"Variable": "$.v", operator: "AB"}, {"v": "A"}) is a_vs_ab
    assert matches({"Variable": "$.v", operator: "A"}, {"v": "AB"}) is ab_vs_a
    assert matches({"Variable": "$.v", operator: ""}, {"v": ""}) is equal
    assert matches({"Variable": "$.v", f"{operator}Path": "$.w"}, {"v": "A", "w": "AB"}) is a_vs_ab


def test_string_order_follows_utf16_code_units_as_java_does() -> None:
    # U+FFFF is one code unit 0xFFFF; U+1F600 is the surrogate pair 0xD83D 0xDE00.
    assert matches({"Variable": "$.v", "StringGreaterThan": "\U0001f600"}, {"v": "\uffff"}) is True
    assert matches({"Variable": "$.v", "StringLessThan": "\uffff"}, {"v": "\U0001f600"}) is True
    assert matches({"Variable": "$.v", "StringLessThan": "é"}, {"v": "e"}) is True


def test_string_equals_works_on_a_timestamp_string() -> None:
    assert matches({"Variable": "$.v", "StringEquals": "2016-03-14T01:59:00Z"}, {"v": "2016-03-14T01:59:00Z"}) is True


# ---------------------------------------------------------------------------- StringMatches


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        ("foo*.log", "foo23.log", True),
        ("*.log", "zebra.log", True),
        ("foo*.*", "foobar.zebra", True),
        ("*", "", True),
        ("a*b*c", "abc", True),
        ("a*b*c", "aXbYbZc", True),
        ("a**c", "ac", True),
        ("*.log", "zebra.txt", False),
        ("foo*", "afoo", False),
        ("a*a", "a", False),
        ("log", "log", True),
        ("log", "Log", False),
        ("a*b", "a\nb", True),
    ],
)
def test_string_matches_treats_star_as_any_run_of_characters(pattern: str, text: str, expected: bool) -> None:
    assert matches({"Variable": "$.v", "StringMatches": pattern}, {"v": text}) is expected


def test_string_matches_reads_backslash_star_as_a_literal_star() -> None:
    rule = {"Variable": "$.v", "StringMatches": "a\\*b"}
    assert matches(rule, {"v": "a*b"}) is True
    assert matches(rule, {"v": "aXb"}) is False


def test_string_matches_reads_a_double_backslash_as_one_literal_backslash() -> None:
    rule = {"Variable": "$.v", "StringMatches": "C:\\\\*"}
    assert matches(rule, {"v": "C:\\temp"}) is True
    assert matches(rule, {"v": "C:temp"}) is False


def test_string_matches_gives_no_other_character_a_special_meaning() -> None:
    assert matches({"Variable": "$.v", "StringMatches": "a?c"}, {"v": "abc"}) is False
    assert matches({"Variable": "$.v", "StringMatches": "[ab].(c)+"}, {"v": "[ab].(c)+"}) is True
    assert matches({"Variable": "$.v", "StringMatches": "a\\nb"}, {"v": "a\\nb"}) is True


def test_string_matches_is_false_for_a_value_that_is_not_a_string() -> None:
    assert matches({"Variable": "$.v", "StringMatches": "*"}, {"v": 1}) is False
    assert matches({"Variable": "$.v", "StringMatches": "*"}, {"v": None}) is False


def test_string_matches_stays_fast_on_a_long_text_with_many_stars() -> None:
    started = time.perf_counter()
    assert matches({"Variable": "$.v", "StringMatches": "*a*a*a*a*a*a*b"}, {"v": "a" * 20_000}) is False
    assert time.perf_counter() - started < 0.5


# ---------------------------------------------------------------------------- Timestamp


@pytest.mark.parametrize(
    ("operator", "earlier", "same", "later"),
    [
        ("TimestampEquals", False, True, False),
        ("TimestampLessThan", True, False, False),
        ("TimestampLessThanEquals", True, True, False),
        ("TimestampGreaterThan", False, False, True),
        ("TimestampGreaterThanEquals", False, True, True),
    ],
)
def test_timestamp_operators_order_instants(operator: str, earlier: bool, same: bool, later: bool) -> None:
    pivot = "2012-10-09T19:00:55Z"
    for value, expected in (("2012-10-09T19:00:54Z", earlier), (pivot, same), ("2012-10-09T19:00:56Z", later)):
        assert matches({"Variable": "$.v", operator: pivot}, {"v": value}) is expected
        assert matches({"Variable": "$.v", f"{operator}Path": "$.w"}, {"v": value, "w": pivot}) is expected


def test_timestamps_with_different_offsets_compare_as_instants() -> None:
    assert matches({"Variable": "$.v", "TimestampEquals": "2012-10-09T18:00:55Z"}, {"v": "2012-10-09T19:00:55+01:00"}) is True


def test_timestamps_compare_to_the_nanosecond() -> None:
    rule = {"Variable": "$.v", "TimestampLessThan": "2016-03-05T21:29:29.243167253Z"}
    assert matches(rule, {"v": "2016-03-05T21:29:29.243167252Z"}) is True
    assert matches(rule, {"v": "2016-03-05T21:29:29.243167253Z"}) is False


@pytest.mark.parametrize(
    "value",
    ["2012-10-09T19:00:55", "2012-10-09 19:00:55Z", "2023-02-24", "HelloWorld", "", 0, 1.1, True, None, [], {}],
)
def test_timestamp_operators_are_false_for_a_value_that_is_not_a_timestamp(value: Any) -> None:
    assert matches({"Variable": "$.v", "TimestampEquals": "2012-10-09T19:00:55Z"}, {"v": value}) is False
    assert matches({"Variable": "$.v", "TimestampLessThan": "2099-01-01T00:00:00Z"}, {"v": value}) is False


def test_timestamp_path_is_false_when_the_operand_path_holds_no_timestamp() -> None:
    rule = {"Variable": "$.v", "TimestampEqualsPath": "$.w"}
    assert matches(rule, {"v": "2012-10-09T19:00:55Z", "w": "2012-10-09T19:00:55"}) is False


# ---------------------------------------------------------------------------- Is* operators

VALUES: dict[str, Any] = {
    "null": None,
    "zero": 0,
    "float": 1.1,
    "empty string": "",
    "string": "HelloWorld",
    "timestamp": "2012-10-09T19:00:55+01:00",
    "timestamp without offset": "2012-10-09T19:00:55",
    "true": True,
    "false": False,
    "empty list": [],
    "object": {"A": 0},
}

HOLDS_FOR: dict[str, set[str]] = {
    "IsNull": {"null"},
    "IsNumeric": {"zero", "float"},
    "IsString": {"empty string", "string", "timestamp", "timestamp without offset"},
    "IsBoolean": {"true", "false"},
    "IsTimestamp": {"timestamp"},
    "IsPresent": set(VALUES),
}


@pytest.mark.parametrize("operator", sorted(HOLDS_FOR))
@pytest.mark.parametrize("kind", sorted(VALUES))
def test_is_operators_check_the_json_type(operator: str, kind: str) -> None:
    data = {"v": VALUES[kind]}
    holds = kind in HOLDS_FOR[operator]
    assert matches({"Variable": "$.v", operator: True}, data) is holds
    assert matches({"Variable": "$.v", operator: False}, data) is not holds


def test_is_present_is_false_for_a_missing_field_and_true_for_null() -> None:
    assert matches({"Variable": "$.gone", "IsPresent": True}, {"v": None}) is False
    assert matches({"Variable": "$.gone", "IsPresent": False}, {"v": None}) is True
    assert matches({"Variable": "$.v", "IsPresent": True}, {"v": None}) is True


def test_is_present_is_false_when_a_step_meets_a_value_that_is_not_an_object() -> None:
    assert matches({"Variable": "$.v.w", "IsPresent": True}, {"v": "text"}) is False
    assert matches({"Variable": "$.v[5]", "IsPresent": True}, {"v": [1, 2]}) is False
    assert matches({"Variable": "$.v[1]", "IsPresent": True}, {"v": [1, 2]}) is True


@pytest.mark.parametrize("operator", ["IsNull", "IsString", "IsNumeric", "IsBoolean", "IsTimestamp"])
def test_type_tests_fail_the_run_when_the_variable_is_missing(operator: str) -> None:
    with pytest.raises(StatesError) as raised:
        matches({"Variable": "$.gone", operator: False}, {})
    assert raised.value.error == "States.Runtime"


# ---------------------------------------------------------------------------- paths


def test_a_variable_can_read_the_context_object() -> None:
    context = {"Execution": {"Name": "run-1"}}
    assert matches({"Variable": "$$.Execution.Name", "StringEquals": "run-1"}, {}, context) is True
    assert matches({"Variable": "$$.State.Name", "IsPresent": True}, {}, context) is False


def test_a_variable_can_read_a_workflow_variable() -> None:
    variables = {"count": 3, "user": {"name": "alice"}}
    assert matches({"Variable": "$count", "NumericEquals": 3}, {}, None, variables) is True
    assert matches({"Variable": "$user.name", "StringEqualsPath": "$.name"}, {"name": "alice"}, None, variables) is True
    assert matches({"Variable": "$other", "IsPresent": True}, {}, None, variables) is False


def test_an_undefined_workflow_variable_fails_a_comparison() -> None:
    with pytest.raises(StatesError) as raised:
        matches({"Variable": "$undefined", "StringEquals": "x"}, {}, None, {})
    assert raised.value.cause == "Invalid path '$undefined': The choice state's condition path references an invalid value."


def test_an_operand_path_can_read_the_context_object() -> None:
    rule = {"Variable": "$.retries", "NumericLessThanPath": "$$.Execution.Input.limit"}
    assert matches(rule, {"retries": 1}, {"Execution": {"Input": {"limit": 3}}}) is True


def test_the_root_path_selects_the_whole_input() -> None:
    assert matches({"Variable": "$", "StringEquals": "No messages"}, "No messages") is True
    assert matches({"Variable": "$", "IsNumeric": True}, 42) is True


def test_bracket_and_index_steps_select_nested_values() -> None:
    data = {"items": [{"odd key": 1}, {"odd key": 2}]}
    assert matches({"Variable": "$.items[1]['odd key']", "NumericEquals": 2}, data) is True


def test_an_indefinite_path_that_matches_nothing_is_not_present() -> None:
    data = {"items": [{"n": 1}]}
    assert matches({"Variable": "$.items[?(@.n > 5)]", "IsPresent": True}, data) is False
    assert matches({"Variable": "$.items[?(@.n > 0)]", "IsPresent": True}, data) is True


# ---------------------------------------------------------------------------- run-time errors


def test_a_missing_variable_fails_the_run_with_aws_wording() -> None:
    with pytest.raises(StatesError) as raised:
        matches({"Variable": "$.worker.status", "StringEquals": "done"}, {"worker": {}})
    assert raised.value.error == "States.Runtime"
    assert raised.value.cause == (
        "Invalid path '$.worker.status': The choice state's condition path references an invalid value."
    )


def test_a_missing_operand_path_fails_the_run_naming_that_path() -> None:
    with pytest.raises(StatesError) as raised:
        matches({"Variable": "$.left", "NumericEqualsPath": "$.right"}, {"left": 8})
    assert raised.value.error == "States.Runtime"
    assert raised.value.cause == "Invalid path '$.right': The choice state's condition path references an invalid value."


def test_a_missing_operand_path_fails_the_run_even_when_the_variable_has_the_wrong_type() -> None:
    with pytest.raises(StatesError):
        matches({"Variable": "$.left", "NumericEqualsPath": "$.right"}, {"left": "eight"})


def test_a_missing_variable_fails_string_matches_and_timestamp_comparisons() -> None:
    for rule in (
        {"Variable": "$.v", "StringMatches": "*"},
        {"Variable": "$.v", "TimestampEquals": "2012-10-09T19:00:55Z"},
        {"Variable": "$.v", "BooleanEquals": True},
    ):
        with pytest.raises(StatesError):
            matches(rule, {"other": 1})


def test_a_step_into_a_non_object_fails_the_run() -> None:
    with pytest.raises(StatesError):
        matches({"Variable": "$.v.w", "NumericEquals": 1}, {"v": 3})


# ---------------------------------------------------------------------------- And / Or / Not


def test_and_holds_only_when_every_rule_holds() -> None:
    rule = {
        "And": [{"Variable": "$.value", "NumericGreaterThanEquals": 20}, {"Variable": "$.value", "NumericLessThan": 30}],
        "Next": "ValueInTwenties",
    }
    assert matches(rule, {"value": 22}) is True
    assert matches(rule, {"value": 30}) is False
    assert matches(rule, {"value": 19}) is False


def test_or_holds_when_any_rule_holds() -> None:
    rule = {"Or": [{"Variable": "$.v", "StringEquals": "a"}, {"Variable": "$.v", "StringEquals": "b"}]}
    assert matches(rule, {"v": "b"}) is True
    assert matches(rule, {"v": "c"}) is False


def test_not_negates_its_rule() -> None:
    rule = {"Not": {"Variable": "$.type", "StringEquals": "Private"}, "Next": "Public"}
    assert matches(rule, {"type": "Public"}) is True
    assert matches(rule, {"type": "Private"}) is False


def test_not_of_a_missing_variable_still_fails_the_run() -> None:
    with pytest.raises(StatesError):
        matches({"Not": {"Variable": "$.type", "StringEquals": "Private"}}, {"value": 22})


def test_rules_nest_to_any_depth() -> None:
    rule = {
        "Or": [
            {"And": [{"Variable": "$.a", "IsPresent": True}, {"Not": {"Variable": "$.a", "IsNull": True}}]},
            {"Not": {"Or": [{"Variable": "$.b", "BooleanEquals": True}]}},
        ]
    }
    assert matches(rule, {"a": 1, "b": True}) is True
    assert matches(rule, {"a": None, "b": False}) is True
    assert matches(rule, {"a": None, "b": True}) is False


def test_and_stops_at_the_first_false_rule_so_later_missing_paths_are_not_read() -> None:
    guarded = {"And": [{"Variable": "$.opt", "IsPresent": True}, {"Variable": "$.opt", "NumericGreaterThan": 0}]}
    assert matches(guarded, {}) is False
    assert matches(guarded, {"opt": 2}) is True
    with pytest.raises(StatesError):
        matches({"And": [{"Variable": "$.v", "IsPresent": True}, {"Variable": "$.opt", "NumericEquals": 1}]}, {"v": 1})


def test_or_stops_at_the_first_true_rule() -> None:
    rule = {"Or": [{"Variable": "$.opt", "IsPresent": False}, {"Variable": "$.opt", "NumericGreaterThan": 0}]}
    assert matches(rule, {}) is True


# ---------------------------------------------------------------------------- compile-time errors


@pytest.mark.parametrize("path", ["foo", "$.a[", "$.a[?(@.n >"])
def test_a_malformed_variable_path_is_a_path_syntax_error(path: str) -> None:
    with pytest.raises(PathSyntaxError):
        compile_rule({"Variable": path, "IsPresent": True})


def test_a_malformed_operand_path_is_a_path_syntax_error() -> None:
    with pytest.raises(PathSyntaxError):
        compile_rule({"Variable": "$.a", "StringEqualsPath": "b"})


@pytest.mark.parametrize(
    ("rule", "where"),
    [
        ({"Variable": "$.a", "Next": "X"}, ""),
        ({"Variable": "$.a", "StringEquals": "x", "NumericEquals": 1}, ""),
        ({"StringEquals": "x"}, "/Variable"),
        ({"Variable": "$.a", "IsNull": "yes"}, "/IsNull"),
        ({"Variable": "$.a", "NumericEquals": "1"}, "/NumericEquals"),
        ({"Variable": "$.a", "NumericEquals": True}, "/NumericEquals"),
        ({"Variable": "$.a", "TimestampEquals": "2012-10-09"}, "/TimestampEquals"),
        ({"And": []}, "/And"),
        ({"Or": [{"Variable": "$.a", "Bogus": 1}]}, "/Or/0"),
        ({"Condition": "{% true %}", "Next": "X"}, "/Condition"),
    ],
)
def test_a_structurally_invalid_rule_is_a_definition_error(rule: dict[str, Any], where: str) -> None:
    with pytest.raises(DefinitionError) as raised:
        compile_rule(rule)
    assert raised.value.problems[0].path == where


# ---------------------------------------------------------------------------- performance


def test_matches_is_cheap_enough_for_hot_loops() -> None:
    test = compile_rule({"Variable": "$.loop.i", "NumericLessThanPath": "$.limit"}).matches
    scope = Scope({"loop": {"i": 3}, "limit": 10})
    started = time.perf_counter()
    for _ in range(10_000):
        test(scope)
    # About 1 µs each on a laptop; the bound leaves room for slow CI machines.
    assert time.perf_counter() - started < 0.25


# ---------------------------------------------------------------------------- AWS corpus

# Beside the repository (../shared/conformance), as for the whole corpus.
CONFORMANCE = CORPUS


def _corpus_files() -> list[Path | None]:
    """The JSONPath Choice cases (JSONata and variables ones run in test_conformance.py)."""
    files = [
        path
        for path in sorted((CONFORMANCE / "cases").glob("choice_operators.*.json"))
        if not {"JSONata", "Variables"} & set(json.loads(path.read_text())["features"])
    ]
    return files or [None]  # one placeholder, so the test can say why it skips


def _recorded_branch(case: dict[str, Any]) -> str | None:
    """The state the Choice went to, from what AWS recorded: the Pass state whose Result
    is the execution's output (None when AWS reported that no choice matched)."""
    expected = case["expected"]
    if expected["status"] != "SUCCEEDED":
        return None
    states = case["definition"]["States"]
    candidates = [name for name, state in states.items() if state["Type"] == "Pass" and state.get("Result") == expected["output"]]
    assert len(candidates) == 1, f"cannot tell the branch from output {expected['output']!r}"
    return candidates[0]


@pytest.mark.conformance
@pytest.mark.parametrize("path", _corpus_files(), ids=lambda p: p.stem if p else "corpus-missing")
def test_choice_rules_take_the_branch_aws_recorded(path: Path | None) -> None:
    if path is None:
        pytest.skip(f"no choice_operators cases under {CONFORMANCE}/cases (set STEPFLOW_CONFORMANCE)")
    case = json.loads(path.read_text())
    definition = case["definition"]
    states = definition["States"]
    compiled = {
        name: [compile_rule(rule) for rule in state["Choices"]] for name, state in states.items() if state["Type"] == "Choice"
    }
    start = definition["StartAt"]
    assert start in compiled, "these cases start at the Choice state, which sees the execution input"

    scope = Scope(case["input"])
    expected = case["expected"]
    if expected["status"] == "FAILED" and expected.get("error") == "States.Runtime":
        with pytest.raises(StatesError):
            [rule.matches(scope) for rule in compiled[start]]
        return
    taken = next((rule.next for rule in compiled[start] if rule.matches(scope)), states[start].get("Default"))
    assert taken == _recorded_branch(case), f"input {case['input']!r}"
