"""stepflow.asl.validate: every problem AWS would reject, reported at once, never raising."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stepflow.asl.errors import Problem
from stepflow.asl.validate import validate

from .conformance import KNOWN_DIVERGENCES  # asl-validator fixtures we deliberately accept

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "conformance"
BENCH = Path(__file__).resolve().parents[2].parent / "shared" / "bench" / "workloads"


# ----------------------------------------------------------------------------- helpers


def machine(states: dict[str, Any], start: str | None = None, **top: Any) -> dict[str, Any]:
    return {"StartAt": start or next(iter(states)), "States": states, **top}


def one(state: dict[str, Any], **top: Any) -> dict[str, Any]:
    """A one-state machine named A, ending unless the state says otherwise."""
    return machine({"A": state}, **top)


PASS_END = {"Type": "Pass", "End": True}
ITERATOR = {"StartAt": "Item", "States": {"Item": {"Type": "Pass", "End": True}}}


def found(definition: Any, **kwargs: Any) -> dict[str, str]:
    """path -> all messages there, joined, for readable assertions."""
    out: dict[str, str] = {}
    for problem in validate(definition, **kwargs):
        out[problem.path] = f"{out[problem.path]} | {problem.message}" if problem.path in out else problem.message
    return out


def assert_only(definition: Any, path: str, *gist: str, **kwargs: Any) -> None:
    """Exactly one problem, at ``path``, whose message contains every ``gist``."""
    problems = validate(definition, **kwargs)
    assert [p.path for p in problems] == [path], problems
    for text in gist:
        assert text in problems[0].message, problems[0].message


# ----------------------------------------------------------------------------- documents


def test_it_accepts_a_minimal_machine() -> None:
    assert validate(one(PASS_END)) == []


def test_it_accepts_json_text_and_utf8_bytes() -> None:
    text = json.dumps(one(PASS_END))
    assert validate(text) == []
    assert validate(text.encode()) == []


def test_it_reports_text_that_is_not_json_with_line_and_column() -> None:
    assert_only('{\n  "StartAt": "A",\n  oops\n}', "", "not valid JSON", "line 3, column 3")


def test_it_names_the_unrecognised_token() -> None:
    assert_only("not a definition", "", "Unrecognized token 'not'")


@pytest.mark.parametrize("definition", [[], "[1, 2]", "42", None, "", "   "])
def test_it_reports_a_definition_that_is_not_an_object(definition: Any) -> None:
    assert_only(definition, "", "Definition must be a valid JSON object")


def test_it_reports_a_key_given_twice() -> None:
    text = '{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true, "End": true}}}'
    assert_only(text, "/States/A/End", "'End' appears more than once")


def test_it_reports_a_key_beside_the_same_key_with_dollar() -> None:
    definition = one({"Type": "Pass", "Parameters": {"x": 1, "x.$": "$.x"}, "End": True})
    assert_only(definition, "/States/A/Parameters/x.$", "'x' and 'x.$' are both set")


def test_it_reports_missing_required_top_level_fields() -> None:
    assert_only({}, "", "These fields are required: [States, StartAt]")
    assert_only({"States": {"A": PASS_END}}, "", "These fields are required: [StartAt]")


def test_it_checks_version_timeout_and_query_language_at_the_top() -> None:
    problems = found(one(PASS_END, Version="2.0", TimeoutSeconds=0, QueryLanguage="SQL", Commentary="x"))
    assert set(problems) == {"/Version", "/TimeoutSeconds", "/QueryLanguage", "/Commentary"}
    assert "did you mean 'Comment'" in problems["/Commentary"]


def test_it_escapes_slashes_and_tildes_in_paths() -> None:
    definition = machine({"a/b~c": {"Type": "Pass", "Next": "nowhere"}, "Z": {"Type": "Succeed"}})
    assert "/States/a~1b~0c/Next" in found(definition)


# ----------------------------------------------------------------------------- transitions


def test_it_reports_a_dangling_next_with_its_path_and_a_suggestion() -> None:
    definition = machine({"Start": {"Type": "Pass", "Next": "Chek"}, "Check": PASS_END})
    problems = found(definition)
    assert problems["/States/Start/Next"] == (
        "Next names 'Chek', which is not a state in this States object; did you mean 'Check'?"
    )


def test_it_reports_a_dangling_start_at_choice_next_default_and_catch_next() -> None:
    definition = machine(
        {
            "C": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.x", "IsNull": True, "Next": "Nope"}],
                "Default": "Gone",
            },
            "T": {
                "Type": "Task",
                "Resource": "fn",
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Lost"}],
                "End": True,
            },
        },
        start="Missing",
    )
    problems = found(definition)
    for path in ("/StartAt", "/States/C/Choices/0/Next", "/States/C/Default", "/States/T/Catch/0/Next"):
        assert "which is not a state in this States object" in problems[path]


def test_it_reports_next_and_end_together() -> None:
    definition = machine({"A": {"Type": "Pass", "Next": "B", "End": True}, "B": PASS_END})
    assert_only(definition, "/States/A", "Next and End cannot be used together")


def test_it_reports_a_state_with_neither_next_nor_end() -> None:
    definition = machine({"A": {"Type": "Pass"}, "B": PASS_END}, start="A")
    assert "needs either Next" in found(definition)["/States/A"]


def test_it_reports_next_or_end_on_states_that_end_by_themselves() -> None:
    problems = found(machine({"A": {"Type": "Succeed", "End": True}, "B": {"Type": "Fail", "Next": "A"}}))
    assert "cannot have End" in problems["/States/A/End"]
    assert "cannot have Next" in problems["/States/B/Next"]


def test_it_reports_unreachable_states() -> None:
    definition = machine({"A": PASS_END, "Orphan": PASS_END})
    assert_only(definition, "/States/Orphan", "not reachable from StartAt 'A'")


def test_it_reports_a_machine_without_a_terminal_state() -> None:
    definition = machine({"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"}})
    assert_only(definition, "/States", "No terminal state")


def test_it_reports_a_transition_out_of_a_parallel_branch() -> None:
    branch = {"StartAt": "In", "States": {"In": {"Type": "Pass", "Next": "After"}, "X": PASS_END}}
    definition = machine({"P": {"Type": "Parallel", "Branches": [branch], "Next": "After"}, "After": PASS_END})
    message = found(definition)["/States/P/Branches/0/States/In/Next"]
    assert "defined at /States/After" in message and "cannot cross" in message


def test_it_reports_state_names_used_twice_across_nesting_levels() -> None:
    processor = {"StartAt": "Done", "States": {"Done": PASS_END}}
    definition = machine({"M": {"Type": "Map", "Iterator": processor, "Next": "Done"}, "Done": PASS_END})
    assert_only(definition, "/States/Done", "'Done' is already used at /States/M/Iterator/States/Done")


def test_it_reports_state_names_longer_than_80_characters() -> None:
    assert_only(machine({"x" * 81: PASS_END}), "/States/" + "x" * 81, "81 characters", "limit is 80")


# ----------------------------------------------------------------------------- fields


def test_it_reports_unknown_fields_with_a_suggestion() -> None:
    assert_only(one({"Type": "Pass", "InputPth": "$", "End": True}), "/States/A/InputPth", "did you mean 'InputPath'")


def test_it_reports_a_misplaced_field_for_the_state_type() -> None:
    assert_only(
        one({"Type": "Pass", "Resource": "fn", "End": True}), "/States/A/Resource", "not supported in a Pass state"
    )


def test_it_reports_a_missing_or_unknown_type() -> None:
    assert_only(one({"End": True}), "/States/A", "'Type' is required")
    assert_only(one({"Type": "Pas", "End": True}), "/States/A/Type", "did you mean 'Pass'")


def test_it_reports_paths_that_do_not_parse() -> None:
    problems = found(one({"Type": "Pass", "InputPath": "bug$.x", "OutputPath": "$.a[", "End": True}))
    assert "must start with '$'" in problems["/States/A/InputPath"]
    assert "OutputPath must be a JSONPath" in problems["/States/A/OutputPath"]


def test_it_requires_result_path_to_be_a_reference_path_into_the_input() -> None:
    for result_path, gist in (("$.a[*]", "reference path"), ("$$.x", "context object"), ("$var", "variable")):
        assert_only(one({"Type": "Pass", "ResultPath": result_path, "End": True}), "/States/A/ResultPath", gist)
    assert validate(one({"Type": "Pass", "ResultPath": None, "End": True})) == []


def test_it_requires_dollar_keys_to_hold_paths_or_intrinsic_calls() -> None:
    definition = one(
        {"Type": "Pass", "Parameters": {"ok.$": "$.a", "fn.$": "States.UUID()", "bad.$": "ipsum"}, "End": True}
    )
    assert_only(definition, "/States/A/Parameters/bad.$", "must be a valid JSONPath or a valid intrinsic function call")


def test_it_reports_malformed_intrinsic_calls() -> None:
    definition = one({"Type": "Pass", "Parameters": {"sum.$": "States.MathAdd(1, '-1')"}, "End": True})
    assert "/States/A/Parameters/sum.$" in found(definition)


def test_it_checks_a_jayway_from_the_end_index_like_a_negative_index() -> None:
    assert validate(one({"Type": "Pass", "OutputPath": "$[(@.length-1)].bar", "End": True})) == []


# ----------------------------------------------------------------------------- Task


def test_it_requires_a_task_resource() -> None:
    assert_only(one({"Type": "Task", "End": True}), "/States/A", "'Resource' is required")


def test_it_accepts_fn_references_and_function_arns() -> None:
    for resource in (
        "myapp/hello",
        "01ABCDEF",
        "http://fn:8080/invoke/01ABC",
        "${FunctionArn}",
        "arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST",
    ):
        assert validate(one({"Type": "Task", "Resource": resource, "End": True})) == [], resource


def test_it_reports_bad_function_qualifiers_and_unclosed_substitutions() -> None:
    for resource in ("arn:aws:lambda:us-east-1:1:function:f:", "arn:aws:lambda:us-east-1:1:function:f:$*#", "${arn"):
        assert "/States/A/Resource" in found(one({"Type": "Task", "Resource": resource, "End": True})), resource


def test_it_reports_an_integration_action_aws_does_not_offer() -> None:
    definition = one({"Type": "Task", "Resource": "arn:aws:states:::dynamodb:query", "End": True})
    assert_only(definition, "/States/A/Resource", "is not recognized", "aws-sdk:dynamodb:query")


def test_it_rejects_sync_and_callback_integrations_in_express_machines_only() -> None:
    for resource, shown in (
        ("arn:aws:states:::states:startExecution.sync:2", ".sync"),
        ("arn:aws:states:::sqs:sendMessage.waitForTaskToken", ".waitForTaskToken"),
    ):
        definition = one({"Type": "Task", "Resource": resource, "End": True})
        assert validate(definition) == []
        assert_only(definition, "/States/A/Resource", f"does not support '{shown}'", state_machine_type="EXPRESS")


def test_it_reports_timeout_and_heartbeat_rules() -> None:
    both = one({"Type": "Task", "Resource": "fn", "TimeoutSeconds": 5, "TimeoutSecondsPath": "$.t", "End": True})
    assert_only(both, "/States/A/TimeoutSecondsPath", "cannot be used together")
    slow = one({"Type": "Task", "Resource": "fn", "TimeoutSeconds": 5, "HeartbeatSeconds": 5, "End": True})
    assert_only(slow, "/States/A/HeartbeatSeconds", "smaller than TimeoutSeconds")
    zero = one({"Type": "Task", "Resource": "fn", "TimeoutSeconds": 0, "End": True})
    assert_only(zero, "/States/A/TimeoutSeconds", "at least 1")


def test_it_requires_credentials_to_be_an_object_with_a_role_in_jsonata() -> None:
    assert_only(
        one({"Type": "Task", "Resource": "fn", "Credentials": None, "End": True}), "/States/A/Credentials", "object"
    )
    jsonata = one({"Type": "Task", "Resource": "fn", "Credentials": {}, "End": True}, QueryLanguage="JSONata")
    assert_only(jsonata, "/States/A/Credentials", "'RoleArn' is required")


# ----------------------------------------------------------------------------- Retry / Catch


def test_it_checks_retrier_fields_and_ranges() -> None:
    retrier = {
        "ErrorEquals": [],
        "IntervalSeconds": 0,
        "MaxAttempts": -1,
        "BackoffRate": 0.5,
        "MaxDelaySeconds": 0,
        "JitterStrategy": "SOME",
    }
    problems = found(one({"Type": "Task", "Resource": "fn", "Retry": [retrier], "End": True}))
    assert set(problems) == {f"/States/A/Retry/0/{field}" for field in retrier}


def test_it_requires_states_all_alone_and_last() -> None:
    catchers = [{"ErrorEquals": ["States.ALL", "X"], "Next": "B"}, {"ErrorEquals": ["Y"], "Next": "B"}]
    definition = machine({"A": {"Type": "Task", "Resource": "fn", "Catch": catchers, "End": True}, "B": PASS_END})
    message = found(definition)["/States/A/Catch/0/ErrorEquals"]
    assert "alone" in message and "last Catcher" in message


def test_it_reports_unknown_states_error_names() -> None:
    definition = one({"Type": "Task", "Resource": "fn", "Retry": [{"ErrorEquals": ["States.Timeot"]}], "End": True})
    assert_only(definition, "/States/A/Retry/0/ErrorEquals/0", "did you mean 'States.Timeout'")


def test_it_requires_catcher_error_equals_and_next() -> None:
    definition = one({"Type": "Task", "Resource": "fn", "Catch": [{"Error Equals": ["X"]}], "End": True})
    problems = found(definition)
    assert "needs ErrorEquals" in problems["/States/A/Catch/0"] and "needs Next" in problems["/States/A/Catch/0"]
    assert "did you mean 'ErrorEquals'" in problems["/States/A/Catch/0/Error Equals"]


# ----------------------------------------------------------------------------- Choice


def choice(*rules: dict[str, Any], **state: Any) -> dict[str, Any]:
    return machine({"C": {"Type": "Choice", "Choices": list(rules), "Default": "D", **state}, "D": {"Type": "Succeed"}})


def test_it_accepts_nested_choice_rules() -> None:
    rule = {
        "And": [{"Variable": "$.a", "NumericGreaterThan": 1}, {"Not": {"Variable": "$.b", "IsNull": True}}],
        "Next": "D",
    }
    assert validate(choice(rule)) == []


def test_it_requires_exactly_one_comparison_operator() -> None:
    assert_only(choice({"Variable": "$.a", "Next": "D"}), "/States/C/Choices/0", "exactly one comparison operator")
    two = choice({"Variable": "$.a", "IsNull": True, "IsPresent": True, "Next": "D"})
    assert_only(two, "/States/C/Choices/0", "exactly one operator", "IsNull, IsPresent")


def test_it_checks_the_operand_type() -> None:
    rules = [
        {"Variable": "$.a", "NumericEquals": "1", "Next": "D"},
        {"Variable": "$.a", "BooleanEquals": 1, "Next": "D"},
        {"Variable": "$.a", "TimestampEquals": "yesterday", "Next": "D"},
        {"Variable": "$.a", "StringEqualsPath": "b", "Next": "D"},
    ]
    problems = found(choice(*rules))
    assert set(problems) == {
        "/States/C/Choices/0/NumericEquals",
        "/States/C/Choices/1/BooleanEquals",
        "/States/C/Choices/2/TimestampEquals",
        "/States/C/Choices/3/StringEqualsPath",
    }


def test_it_requires_variable_for_comparisons_and_next_only_at_top_level() -> None:
    rule = {"Or": [{"StringEquals": "x", "Next": "D"}], "Next": "D"}
    problems = found(choice(rule))
    assert "needs a Variable" in problems["/States/C/Choices/0/Or/0"]
    assert "only on a top-level Choice rule" in problems["/States/C/Choices/0/Or/0/Next"]


def test_it_requires_a_variable_that_is_a_reference_path() -> None:
    rule = {"Variable": "States.ArrayContains($.a, 1)", "BooleanEquals": True, "Next": "D"}
    assert_only(choice(rule), "/States/C/Choices/0/Variable", "reference path")


def test_it_requires_non_empty_choices() -> None:
    assert "/States/C/Choices" in found(choice())


# ----------------------------------------------------------------------------- Wait / Fail


def test_it_requires_exactly_one_wait_duration() -> None:
    assert_only(one({"Type": "Wait", "End": True}), "/States/A", "exactly one of Seconds")
    both = one({"Type": "Wait", "Seconds": 1, "SecondsPath": "$.s", "End": True})
    assert_only(both, "/States/A/SecondsPath", "exactly one of Seconds, SecondsPath")


def test_it_checks_wait_seconds_range_and_timestamp_format() -> None:
    assert_only(one({"Type": "Wait", "Seconds": 100_000_000, "End": True}), "/States/A/Seconds", "at most 99,999,999")
    for stamp in (
        "2016-13-05T21:29:29Z",
        "2016-12-05 21:29:29Z",
        "2016-12-05T21:29:29",
        "{% '2016-03-14T01:59:00Z' %}",
    ):
        assert_only(one({"Type": "Wait", "Timestamp": stamp, "End": True}), "/States/A/Timestamp", "RFC3339")
    assert validate(one({"Type": "Wait", "Timestamp": "2016-03-05T21:29:29.243167252Z", "End": True})) == []


def test_it_keeps_fail_error_and_cause_apart_from_their_paths() -> None:
    problems = found(one({"Type": "Fail", "Error": "E", "ErrorPath": "$.e", "Cause": "C", "CausePath": "$.c"}))
    assert set(problems) == {"/States/A/ErrorPath", "/States/A/CausePath"}


# ----------------------------------------------------------------------------- Parallel / Map


def test_it_requires_non_empty_branches_and_checks_each_branch_as_a_machine() -> None:
    assert_only(one({"Type": "Parallel", "Branches": [], "End": True}), "/States/A/Branches", "non-empty")
    bad_branch = {"StartAt": "X", "States": {"X": {"Type": "Pass"}}}
    problems = found(one({"Type": "Parallel", "Branches": [bad_branch], "End": True}))
    assert set(problems) == {"/States/A/Branches/0/States", "/States/A/Branches/0/States/X"}


def test_it_requires_one_item_processor() -> None:
    assert_only(one({"Type": "Map", "End": True}), "/States/A", "needs an ItemProcessor")
    both = one({"Type": "Map", "ItemProcessor": ITERATOR, "Iterator": copy.deepcopy(ITERATOR), "End": True})
    assert "/States/A/Iterator" in found(both)


def test_it_checks_map_fields() -> None:
    state = {
        "Type": "Map",
        "ItemProcessor": {**ITERATOR, "ProcessorConfig": {"Mode": "DISTRIBUTED"}},
        "ItemSelector": {},
        "Parameters": {},
        "MaxConcurrency": -1,
        "ToleratedFailurePercentage": 105,
        "ToleratedFailureCount": 1,
        "ToleratedFailureCountPath": "$.n",
        "End": True,
    }
    assert set(found(one(state))) == {
        "/States/A/ItemProcessor/ProcessorConfig",
        "/States/A/Parameters",
        "/States/A/MaxConcurrency",
        "/States/A/ToleratedFailurePercentage",
        "/States/A/ToleratedFailureCountPath",
    }


@pytest.mark.parametrize(
    ("label", "gist"),
    [
        ("", "cannot be empty"),
        ("x" * 41, "cannot exceed 40 characters"),
        ("a b", "invalid character: ' '"),
        ("a\x00", "invalid character: '\\x00'"),
        ("a\x85", "invalid character"),
        ("a:b", "invalid character: ':'"),
    ],
)
def test_it_applies_aws_map_label_rules(label: str, gist: str) -> None:
    config = {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}
    definition = one(
        {"Type": "Map", "ItemProcessor": {**ITERATOR, "ProcessorConfig": config}, "Label": label, "End": True}
    )
    assert_only(definition, "/States/A/Label", gist)


# ----------------------------------------------------------------------------- JSONata


def test_it_forbids_jsonpath_fields_in_jsonata_states_and_the_reverse() -> None:
    jsonata = one({"Type": "Pass", "Parameters": {}, "End": True}, QueryLanguage="JSONata")
    assert_only(jsonata, "/States/A/Parameters", "not supported when QueryLanguage is JSONata", "Arguments")
    jsonpath = one({"Type": "Pass", "Output": {}, "End": True})
    assert_only(jsonpath, "/States/A/Output", "not supported when QueryLanguage is JSONPath")
    per_state = one(
        {"Type": "Map", "QueryLanguage": "JSONata", "ItemProcessor": ITERATOR, "ItemsPath": "$.a", "End": True}
    )
    assert_only(per_state, "/States/A/ItemsPath", "use Items")


def test_it_allows_assign_in_both_query_languages() -> None:
    assert validate(one({"Type": "Pass", "Assign": {"x.$": "$.a"}, "End": True})) == []
    assert validate(one({"Type": "Pass", "Assign": {"x": "{% 1 %}"}, "End": True}, QueryLanguage="JSONata")) == []


def test_it_forbids_a_jsonpath_state_in_a_jsonata_machine() -> None:
    definition = one({"Type": "Pass", "QueryLanguage": "JSONPath", "End": True}, QueryLanguage="JSONata")
    assert_only(definition, "/States/A", "'QueryLanguage' can not be 'JSONPath'")


@pytest.mark.parametrize(
    ("output", "gist"),
    [
        ("{% 10 %", "lacks '%}'"),
        ("10 %}", "lacks '{%'"),
        ("{%10%}", "whitespace"),
        ("{% 10 + * 2 %}", "invalid JSONata"),
        ("{% $sum($x %}", "invalid JSONata"),
        ("{%  %}", "empty"),
    ],
)
def test_it_reports_malformed_jsonata_expressions(output: str, gist: str) -> None:
    assert_only(
        one({"Type": "Pass", "Output": {"v": [output]}, "End": True}, QueryLanguage="JSONata"),
        "/States/A/Output/v/0",
        gist,
    )


def test_it_leaves_strings_that_only_mention_jsonata_alone() -> None:
    state = {"Type": "Pass", "Comment": "{% not parsed", "Output": {"x": " {% literal %} "}, "End": True}
    assert validate(one(state, QueryLanguage="JSONata")) == []


def test_it_requires_a_condition_in_jsonata_choice_rules() -> None:
    rules = [{"Condition": "{% $states.input.ok %}", "Next": "D"}, {"Variable": "$.a", "IsNull": True, "Next": "D"}]
    problems = found(choice(*rules, QueryLanguage="JSONata"))
    assert set(problems) == {"/States/C/Choices/1", "/States/C/Choices/1/Variable", "/States/C/Choices/1/IsNull"}


# ----------------------------------------------------------------------------- all at once, never raises


def test_it_reports_every_problem_at_once_ordered_by_path() -> None:
    definition = machine(
        {
            "Start": {"Type": "Pass", "Next": "Chek", "InputPath": "nope"},
            "Wait": {"Type": "Wait", "Seconds": -1, "End": True},
            "Check": {"Type": "Choice", "Choices": [{"Variable": "$.x", "Next": "Start"}]},
        },
        start="Start",
    )
    problems = validate(definition)
    assert all(isinstance(problem, Problem) for problem in problems)
    assert [problem.path for problem in problems] == [
        "/States/Check",
        "/States/Check/Choices/0",
        "/States/Start/InputPath",
        "/States/Start/Next",
        "/States/Wait",
        "/States/Wait/Seconds",
    ]


@pytest.mark.parametrize(
    "hostile",
    [
        "x" * 10_000_000,
        "[" * 1000 + "]" * 1000,
        '{"a":' * 1000 + "1" + "}" * 1000,
        b"\xff\xfe{",
        '{"StartAt": NaN}',
        '{"StartAt": "\\ud800", "States": {"\\ud800": {"Type": "Pass", "End": true}}}',
    ],
    ids=["10MB string", "1000-deep arrays", "1000-deep objects", "invalid UTF-8", "NaN", "lone surrogate"],
)
def test_it_never_raises_on_hostile_text(hostile: str | bytes) -> None:
    problems = validate(hostile)
    assert all(isinstance(problem, Problem) for problem in problems)


def test_it_reports_an_oversized_definition() -> None:
    assert any("AWS accepts at most 1,048,576" in p.message for p in validate("x" * 10_000_000))


def test_it_never_raises_on_deeply_nested_or_cyclic_dicts() -> None:
    deep: dict[str, Any] = {"leaf": 1}
    for _ in range(1000):
        deep = {"a": deep}
    problems = validate(one({"Type": "Pass", "Parameters": deep, "End": True}))
    assert all(isinstance(problem, Problem) for problem in problems)
    cyclic: dict[str, Any] = {}
    cyclic["StartAt"] = cyclic
    assert_only(cyclic, "", "not JSON data")


def test_it_rejects_an_unknown_state_machine_type_as_a_caller_error() -> None:
    with pytest.raises(ValueError):
        validate({}, state_machine_type="FAST")


_TYPES = ["Pass", "Task", "Choice", "Map", "Parallel", "Wait", "Fail", "Succeed"]
_ASL_WORDS = _TYPES + [
    "StartAt",
    "States",
    "Type",
    "Next",
    "End",
    "Choices",
    "Default",
    "Branches",
    "ItemProcessor",
    "Iterator",
    "ProcessorConfig",
    "Mode",
    "ExecutionType",
    "DISTRIBUTED",
    "Retry",
    "Catch",
    "ErrorEquals",
    "States.ALL",
    "Variable",
    "Not",
    "And",
    "Or",
    "IsNull",
    "StringEquals",
    "NumericEqualsPath",
    "Condition",
    "Resource",
    "Parameters",
    "ResultSelector",
    "ResultPath",
    "InputPath",
    "OutputPath",
    "Arguments",
    "Output",
    "Assign",
    "x.$",
    "x",
    "QueryLanguage",
    "JSONata",
    "JSONPath",
    "Seconds",
    "Timestamp",
    "SecondsPath",
    "Label",
    "Items",
    "ItemsPath",
    "ItemSelector",
    "ItemReader",
    "ReaderConfig",
    "MaxItems",
    "ItemBatcher",
    "ResultWriter",
    "Credentials",
    "RoleArn",
    "TimeoutSeconds",
    "HeartbeatSeconds",
    "MaxConcurrency",
    "ToleratedFailurePercentage",
    "Error",
    "Cause",
    "ErrorPath",
    "CausePath",
    "Comment",
    "A",
    "B",
]
_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.sampled_from(
        _ASL_WORDS + ["$.a", "$$", "$v", "{% 1 %}", "{% (", "States.Format('{}', $.a)", "arn:aws:states:::x:y.sync"]
    ),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.sampled_from(_ASL_WORDS), children, max_size=6)
    ),
    max_leaves=40,
)
_states = st.builds(
    lambda kind, fields: {**fields, "Type": kind},
    st.sampled_from(_TYPES),
    st.dictionaries(st.sampled_from(_ASL_WORDS), _json_values, max_size=8),
)


@settings(max_examples=200, deadline=None)
@given(_json_values, _states, st.sampled_from(["STANDARD", "EXPRESS"]))
def test_it_never_raises_on_arbitrary_json_made_of_asl_words(value: Any, state: Any, kind: str) -> None:
    for definition in (value, one(state), one(state, QueryLanguage="JSONata"), {"StartAt": "A", "States": value}):
        assert all(isinstance(problem, Problem) for problem in validate(definition, state_machine_type=kind))


# ----------------------------------------------------------------------------- performance


def test_it_accepts_the_100_state_benchmark_machine() -> None:
    # Its speed is measured by bench/asl_bench.py, not asserted here: a timed test would
    # fail on a slow machine.
    workload = BENCH / "w1_pass_chain.asl.json"
    if not workload.exists():
        pytest.skip(f"benchmark workload not found at {workload}")
    assert validate(workload.read_text()) == []


# ----------------------------------------------------------------------------- the corpus


def _corpus(kind: str) -> list[Any]:
    folder = CORPUS / kind
    if not folder.is_dir():
        return [pytest.param(None, id=f"{kind}-missing")]
    params = []
    for file in sorted(folder.glob("*.json")):
        entry = json.loads(file.read_text())
        marks = []
        if entry.get("name") in KNOWN_DIVERGENCES:
            marks.append(pytest.mark.xfail(strict=True, reason=KNOWN_DIVERGENCES[entry["name"]]))
        params.append(pytest.param(entry, id=file.stem, marks=marks))
    return params


def _need(entry: dict[str, Any] | None) -> dict[str, Any]:
    if entry is None:
        pytest.skip(
            f"the conformance corpus is not at {CORPUS} (expected beside the repository, in ../shared/conformance)"
        )
    return entry


def _aws_location(entry: dict[str, Any]) -> str | None:
    """Where AWS said the problem is, as a pointer ("" for the document), when it said."""
    for diagnostic in entry.get("recorded_diagnostics") or []:
        location = diagnostic.get("location")
        if location is None or location.startswith("/"):
            return (location or "/").rstrip("/")
    match = re.search(r" at (/\S*)\s*$", entry.get("expected_error_contains") or "")
    return match[1].rstrip("/") if match else None


@pytest.mark.conformance
@pytest.mark.parametrize("entry", _corpus("invalid"))
def test_it_rejects_what_aws_rejects(entry: dict[str, Any] | None) -> None:
    entry = _need(entry)
    problems = validate(entry["definition"], state_machine_type=entry.get("state_machine_type", "STANDARD"))
    assert problems, "accepted a definition AWS rejects"
    if entry.get("expected_error_contains") is None:
        return
    location = _aws_location(entry)
    if location is not None:
        # The same problem: reported where AWS reported it, or inside that field.
        assert any(p.path == location or p.path.startswith(location + "/") for p in problems), (location, problems)
    elif "Label" in entry["expected_error_contains"]:
        assert any(p.path.endswith("/Label") for p in problems), problems
    else:
        assert any(p.path == "" for p in problems), problems


@pytest.mark.conformance
@pytest.mark.parametrize("entry", _corpus("valid"))
def test_it_accepts_what_the_schema_checker_accepts(entry: dict[str, Any] | None) -> None:
    entry = _need(entry)
    assert validate(entry["definition"]) == []


@pytest.mark.conformance
@pytest.mark.parametrize("entry", _corpus("cases"))
def test_it_accepts_every_definition_aws_ran(entry: dict[str, Any] | None) -> None:
    entry = _need(entry)
    assert validate(entry["definition"], state_machine_type=entry.get("state_machine_type", "STANDARD")) == []
