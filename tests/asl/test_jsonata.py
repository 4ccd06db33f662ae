"""JSONata states: ``{% %}`` expressions in every field that takes one, ``$states``, AWS's
extra functions, and AWS's errors. Machines live in ``tests/machines/jsonata/``."""

from __future__ import annotations

import re
from typing import Any

import pytest

from stepflow import asl
from stepflow.asl import jsonata as engine
from stepflow.asl.jsonata import Bindings, compile_expression
from tests.machines import load

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def invoke(resource: str, payload: Any, context: Any) -> Any:
    """``echo`` returns its payload; ``boom`` fails with Custom.Error."""
    if resource == "boom":
        raise asl.TaskFailed("Custom.Error", "it broke")
    return payload


def run(name: str, input: Any, clock: asl.VirtualClock | None = None) -> asl.Result:
    return asl.run(load(f"jsonata/{name}"), input, invoke=invoke, clock=clock or asl.VirtualClock())


def evaluate(expression: str, **bindings: Any) -> Any:
    """One expression, against ``$states.input`` = ``bindings['input']`` and variables."""
    input = bindings.pop("input", {})
    return compile_expression("{% " + expression + " %}").evaluate(Bindings(input=input, context={}, variables=bindings), "Output")


def cause_of(expression: str, **bindings: Any) -> str:
    with pytest.raises(asl.StatesError) as failure:
        evaluate(expression, **bindings)
    assert failure.value.error == "States.QueryEvaluationError"
    return str(failure.value.cause)


# ----------------------------------------------------------------------------- functions


def test_it_calls_each_function_aws_adds() -> None:
    result = run("functions", {"text": "abc", "json": '{"a": [1, null]}'})
    assert result.status == "SUCCEEDED", result.cause
    output = result.output
    assert output["partition"] == [[1, 2], [3, 4], [5]]
    assert output["range"] == [0, 2, 4, 6, 8, 10]
    assert output["rangeDown"] == [3, 2, 1]
    assert output["rangeOfOne"] == 1  # a sequence of one is that one, as AWS records
    assert output["hash"] == "1cac63f39fd68d8c531f27b807610fb3d50f0fc3f186995767fb6316e7200a3e"
    assert output["md5"] == "900150983cd24fb0d6963f7d28e17f72"
    assert output["seeded"] is True and output["unseeded"] is True
    assert UUID.match(output["uuid"])
    assert output["parsed"] == {"a": [1, None]}


def test_the_same_seed_gives_the_same_random_number_and_it_is_below_one() -> None:
    first, second = evaluate("$random(7)"), evaluate("$random(7)")
    assert first == second and 0 <= first < 1
    assert evaluate("$random(8)") != first


def test_a_range_that_holds_no_number_returns_nothing() -> None:
    assert "returned nothing (undefined)" in cause_of("$range(5, 1)")


@pytest.mark.parametrize(
    ("expression", "gist"),
    [
        ("$partition([1, 2], 0)", "$partition: the chunk size must be a positive integer, not 0"),
        ("$range(0, 5, 0)", "$range: the step must not be 0"),
        ("$range(0, 5.5)", "$range: the end must be an integer"),
        ("$hash('x', 'SHA-3')", "$hash: the algorithm must be one of MD5, SHA-1, SHA-256, SHA-384, SHA-512"),
        ("$parse('{nope')", "$parse: the string is not valid JSON"),
    ],
)
def test_the_functions_aws_adds_refuse_bad_arguments(expression: str, gist: str) -> None:
    assert f"threw an error during evaluation. {gist}" in cause_of(expression)


def test_it_refuses_eval_as_aws_does() -> None:
    result = run("eval_refused", {})
    assert (result.status, result.error) == ("FAILED", "States.QueryEvaluationError")
    assert result.cause == (
        "An error occurred while executing the state 'Eval' (entered at the event id #2). The JSONata expression "
        "'$eval('1 + 1')' specified for the field 'Output' threw an error during evaluation. "
        "T1006: Attempted to invoke a non-function"
    )


# ----------------------------------------------------------------------------- errors


def test_it_names_the_field_when_an_expression_returns_nothing() -> None:
    result = run("undefined_output", {"present": 1})
    assert result.error == "States.QueryEvaluationError"
    assert result.cause == (
        "An error occurred while executing the state 'Shape' (entered at the event id #4). The JSONata expression "
        "'$states.input.absent' specified for the field 'Output/lost' returned nothing (undefined)."
    )


def test_an_evaluation_failure_is_recorded_in_the_history() -> None:
    result = run("undefined_output", {"present": 1})
    failed = [event for event in result.events if event.type == "EvaluationFailed"]
    assert [event.details["location"] for event in failed] == ["Output/lost"]
    assert failed[0].details["state"] == "Shape"
    assert [event.type for event in result.events][-2:] == ["EvaluationFailed", "ExecutionFailed"]


def test_a_function_is_not_a_result() -> None:
    assert cause_of("function($x) { $x }").endswith("returned an unsupported result type.")


def test_an_engine_error_is_quoted_with_its_code() -> None:
    assert cause_of("$notAFunction(1)") == (
        "The JSONata expression '$notAFunction(1)' specified for the field 'Output' threw an error during evaluation. "
        "T1006: Attempted to invoke a non-function"
    )


def test_a_runaway_expression_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "EVALUATION_TIMEOUT_SECONDS", 0.0)
    assert "D1012" in cause_of("$sum($map([1..20000], function($v) { $v * 2 }))")


def test_it_fails_a_condition_that_is_not_boolean() -> None:
    result = run("condition_not_boolean", {"n": "yes"})
    assert result.cause is not None and result.cause.endswith(
        "The JSONata expression '$states.input.n' specified for the field 'Condition' returned an unexpected "
        "result type. Expected 'boolean', but was 'string' for value: \"yes\""
    )


def test_it_rejects_items_that_are_not_an_array_and_records_the_map_failure() -> None:
    result = run("map_items", {"things": "nope", "label": "L", "limit": 1})
    assert result.error == "States.QueryEvaluationError"
    assert result.cause is not None and result.cause.endswith(
        "specified for the field 'Items' returned an unexpected result type. Expected 'array', but was 'string' "
        'for value: "nope"'
    )
    assert [event.type for event in result.events][-3:] == ["EvaluationFailed", "MapStateFailed", "ExecutionFailed"]


# ----------------------------------------------------------------------------- fields


def test_it_shapes_a_task_payload_with_arguments_and_its_output_with_the_result() -> None:
    result = run("task_data_flow", {"name": "Ada", "timeout": 30})
    assert result.output == {"sent": {"greeting": "Hello Ada", "static": [1, "$.not.a.path"]}, "name": "Ada"}
    scheduled = next(event for event in result.events if event.type == "TaskScheduled")
    assert scheduled.details["parameters"] == {"greeting": "Hello Ada", "static": [1, "$.not.a.path"]}
    assert scheduled.details["timeoutInSeconds"] == 30


def test_a_timeout_expression_must_give_a_positive_integer() -> None:
    result = run("task_data_flow", {"name": "Ada", "timeout": "soon"})
    assert result.cause is not None and "field 'TimeoutSeconds' returned an unexpected result type" in result.cause


@pytest.mark.parametrize(
    ("n", "expected"),
    [(20, {"size": "big", "route": "big"}), (1, {"size": "small", "route": "default"})],
)
def test_a_matching_rule_gives_its_output_and_the_state_gives_the_defaults(n: int, expected: dict[str, str]) -> None:
    assert run("choice_outputs", {"n": n}).output == expected


def test_a_catcher_reads_the_error_output() -> None:
    result = run("catch_error_output", {"k": 1})
    assert result.output == {"caught": "Custom.Error", "why": "it broke"}


def test_wait_and_fail_fields_take_expressions() -> None:
    clock = asl.VirtualClock()
    began = clock.now()
    result = run("wait_and_fail", {"seconds": 5, "until": "2016-03-14T01:59:00Z", "kind": "Stop"}, clock)
    assert (result.status, result.error, result.cause) == ("FAILED", "Custom.Stop", "waited 5s")
    assert (clock.now() - began).total_seconds() == 5


def test_a_bad_timestamp_expression_fails_as_aws_words_it() -> None:
    result = run("wait_and_fail", {"seconds": 0, "until": "2016-13-05T21:29:29Z", "kind": "Stop"})
    assert result.error == "States.QueryEvaluationError"
    assert result.cause is not None and result.cause.endswith(
        "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: 2016-13-05T21:29:29Z"
    )


def test_map_items_item_selector_and_max_concurrency_are_expressions() -> None:
    result = run("map_items", {"things": ["a", "b"], "label": "L", "limit": 1})
    assert result.output == {
        "results": [{"value": "a", "index": 0, "label": "L"}, {"value": "b", "index": 1, "label": "L"}],
        "count": 2,
    }


def test_it_keeps_null_apart_from_undefined_and_prints_integral_numbers_as_integers() -> None:
    result = run("nulls_and_numbers", {"a": None, "b": [None, 1]})
    assert result.output == {
        "isNull": True,
        "exists": True,
        "copy": {"a": None, "b": [None, 1]},
        "three": 3,
        "quarter": 0.25,
        "literal": "$.stays.a.string",
    }
    assert type(result.output["three"]) is int


def test_evaluation_leaves_its_inputs_untouched() -> None:
    document = {"a": None, "list": [3, 1, 2], "nested": {"x": None}}
    snapshot = repr(document)
    evaluate("$sort($states.input.list) ~> $append([$states.input.a])", input=document)
    evaluate("$states.input ~> |nested|{'x': 1}|", input=document)
    assert repr(document) == snapshot


@pytest.mark.parametrize(
    ("input", "gist"),
    [
        ({"limit": -1, "percentage": 5}, "'MaxConcurrency' returned a value out of range. Expected an integer of at least 0, but was: -1"),
        ({"limit": 1.5, "percentage": 5}, "'MaxConcurrency' returned an unexpected result type. Expected 'integer', but was 'number'"),
        ({"limit": 1, "percentage": 101}, "'ToleratedFailurePercentage' returned a value out of range. Expected a number from 0 to 100"),
    ],
)
def test_map_limit_expressions_must_give_numbers_in_range(input: dict[str, Any], gist: str) -> None:
    result = run("map_limits", input)
    assert result.error == "States.QueryEvaluationError"
    assert gist in str(result.cause)


def test_map_limit_expressions_in_range_run_the_map() -> None:
    assert run("map_limits", {"limit": 1, "percentage": 12.5}).output == [1, 2]
