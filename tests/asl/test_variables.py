"""Workflow variables: Assign in JSONPath and JSONata states, scopes of Parallel branches and
Map iterations, evaluation order, AWS's limits, history, and cursors that carry variables
through JSON. Machines live in ``tests/machines/variables/``."""

from __future__ import annotations

import json
from typing import Any

import pytest

from stepflow import asl
from stepflow.asl import variables
from tests.machines import load


def invoke(resource: str, payload: Any, context: Any) -> Any:
    if resource == "boom":
        raise asl.TaskFailed("Custom.Error", "it broke")
    return payload


def run(name: str, input: Any = None) -> asl.Result:
    return asl.run(load(f"variables/{name}"), input or {}, invoke=invoke, clock=asl.VirtualClock())


def through_json(value: Any) -> Any:
    return json.loads(json.dumps(value))


class RoundTrip:
    """Drives a machine as a fleet of workers would: every cursor goes through JSON (as if
    stored and picked up by another worker) before the interpreter sees it again."""

    def __init__(self, name: str) -> None:
        self.machine = asl.compile(load(f"variables/{name}"))
        self.clock = asl.VirtualClock()
        self.last_id = 0

    def run(self, input: Any) -> asl.Succeeded | asl.Failed:
        started = asl.start(self.machine, input, now=self.clock.now())
        self.last_id = started.events[-1].id
        return self.frame(started.cursor)

    def frame(self, cursor: asl.Cursor) -> asl.Succeeded | asl.Failed:
        decision: asl.Decision = asl.step(self.machine, self.fresh(cursor), now=self.clock.now())
        while True:
            if decision.events:
                self.last_id = decision.events[-1].id
            if isinstance(decision, (asl.Next, asl.WaitUntil)):
                if isinstance(decision, asl.WaitUntil):
                    self.clock.sleep((decision.at - self.clock.now()).total_seconds())
                decision = asl.step(self.machine, self.fresh(decision.cursor), now=self.clock.now())
            elif isinstance(decision, asl.Invoke):
                output = invoke(decision.resource, decision.payload, None)
                decision = asl.resume(self.machine, self.fresh(decision.cursor), now=self.clock.now(), output=output)
            elif isinstance(decision, asl.Fork):
                results = [self.frame(child) for child in decision.children]
                decision = asl.join(self.machine, self.fresh(decision.cursor), now=self.clock.now(), results=results)
            else:
                return decision

    def fresh(self, cursor: asl.Cursor) -> asl.Cursor:
        cursor = through_json(cursor)
        cursor["event_id"] = self.last_id
        return cursor


# ----------------------------------------------------------------------------- scopes


def test_branches_read_outer_variables_and_keep_their_own() -> None:
    result = run("parallel_scope", {"k": 1})
    assert result.output == {
        "branches": [{"seen": "hello"}, {"seen": "hello", "inner": False}],
        "innerVisible": False,
        "greeting": "hello",
    }


def test_a_branch_cannot_assign_an_outer_variable() -> None:
    result = run("branch_assigns_outer")
    assert (result.status, result.error) == ("FAILED", "States.Runtime")
    assert result.cause is not None and result.cause.endswith(
        "The variable 'counter' belongs to an outer scope: a Parallel branch or Map iteration can read it but cannot assign it."
    )


def test_each_map_iteration_has_its_own_scope() -> None:
    result = run("map_scope", {"items": [1, 2]})
    assert result.output == {
        "results": [{"sum": 101, "before": False}, {"sum": 102, "before": False}],
        "seenOutside": False,
    }


def test_a_distributed_map_sees_no_outer_variables_but_its_item_selector_does() -> None:
    assert run("distributed_map_scope").output == [{"outer": False, "passed": 100}]


# ----------------------------------------------------------------------------- order


def test_every_expression_of_a_state_sees_the_variables_from_before_it() -> None:
    assert run("assignment_order").output == {"before": {"a": 1, "b": 2}, "after": {"a": 2, "b": 1}}


def test_a_loop_counter_lives_in_a_variable() -> None:
    assert run("loop_counter").output == {"i": 3}


def test_jsonpath_states_assign_and_read_variables_everywhere_a_path_goes() -> None:
    result = run("jsonpath_references", {"x": 1})
    assert result.output == {"greeting": "Hi Ada", "count": 2, "route": "matched", "from": "Remember"}


def test_a_jsonpath_catcher_assigns_from_the_error_output_and_the_state_assign_does_not_apply() -> None:
    result = run("catch_assign", {"k": 1})
    assert result.output == {
        "error": "Custom.Error",
        "cause": "it broke",
        "input": {"k": 1, "failure": {"Error": "Custom.Error", "Cause": "it broke"}},
    }
    exited = next(event for event in result.events if event.type == "TaskStateExited")
    assert exited.details["assignedVariables"] == {"error": '"Custom.Error"', "cause": '"it broke"'}


# ----------------------------------------------------------------------------- limits


def test_one_variable_may_hold_at_most_256_kib() -> None:
    result = run("too_big")
    assert result.error == "States.DataLimitExceeded"
    assert "exceeding the maximum of 262144 bytes for one variable" in str(result.cause)


def test_one_assign_may_hold_at_most_256_kib() -> None:
    result = run("assign_too_big")
    assert result.error == "States.DataLimitExceeded"
    assert "exceeding the maximum of 262144 bytes for one Assign" in str(result.cause)


def test_all_variables_together_may_hold_at_most_10_mib() -> None:
    chunk = "x" * 200_000
    cursor = {"vars": {f"v{i}": chunk for i in range(40)}, "outer_vars": {f"o{i}": chunk for i in range(12)}}
    with pytest.raises(asl.StatesError) as failure:
        variables.apply(cursor, {"one_more": chunk}, "Hoard")
    assert failure.value.error == "States.DataLimitExceeded"
    assert "for all the variables of an execution" in str(failure.value.cause)
    assert variables.apply({"vars": {"a": 1}}, {"b": 2}, "Fine") == {"a": 1, "b": 2}


# ----------------------------------------------------------------------------- history, cursors, validation


def test_exited_events_show_assigned_variables_as_json_text() -> None:
    result = run("assignment_order")
    swap = next(event for event in result.events if event.type == "PassStateExited" and event.details["name"] == "Swap")
    assert swap.details["assignedVariables"] == {"a": "2", "b": "1"}
    assert swap.details["assignedVariablesDetails"] == {"truncated": False}
    show = next(event for event in result.events if event.type == "PassStateExited" and event.details["name"] == "Show")
    assert "assignedVariables" not in show.details


@pytest.mark.parametrize(
    ("name", "input", "expected"),
    [
        ("loop_counter", {}, {"i": 3}),
        ("map_scope", {"items": [1, 2]}, {"results": [{"sum": 101, "before": False}, {"sum": 102, "before": False}], "seenOutside": False}),
        ("parallel_scope", {"k": 1}, {"branches": [{"seen": "hello"}, {"seen": "hello", "inner": False}], "innerVisible": False, "greeting": "hello"}),
    ],
)
def test_variables_survive_a_json_round_trip_between_steps(name: str, input: Any, expected: Any) -> None:
    outcome = RoundTrip(name).run(input)
    assert isinstance(outcome, asl.Succeeded), outcome
    assert outcome.output == expected


def test_cursors_carry_variables_only_when_there_are_some() -> None:
    machine = asl.compile(load("variables/loop_counter"))
    first = asl.start(machine, {}, now=asl.VirtualClock().now()).cursor
    assert "vars" not in first and "outer_vars" not in first
    after_init = asl.step(machine, first, now=asl.VirtualClock().now())
    assert isinstance(after_init, asl.Next) and after_init.cursor["vars"] == {"i": 0}


@pytest.mark.parametrize("name", ["states", ""])
def test_the_validator_refuses_a_variable_name_stepflow_cannot_honour(name: str) -> None:
    definition = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Assign": {name: 1}, "End": True}}}
    problems = asl.validate(definition)
    assert [problem.path for problem in problems] == [f"/States/A/Assign/{name}"]
