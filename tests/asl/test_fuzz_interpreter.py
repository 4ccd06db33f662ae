"""stepflow.asl's interpreter never raises: whatever the definition and input, a run ends
in success, a clean failure with an error name, or a timeout.

Two drivers run each generated machine: ``asl.run`` (as tests and the dry-run use it) and
a durable one that does what the workers do, storing the cursor as JSON text between any
two calls, so a cursor that is not plain JSON fails here before it fails a worker.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from stepflow import asl
from stepflow.asl import Failed, Fork, Invoke, Next, Succeeded, TaskFailed, VirtualClock, WaitUntil

from .fuzz import FUZZ, deep_values, definitions, inputs, task_outcomes

_MAX_DECISIONS = 5_000  # forward-only machines end long before this; more means a runaway loop


def scripted(outcomes: list[tuple[str, Any]]) -> Any:
    """An ``invoke`` callable that answers with ``outcomes`` in turn, then echoes."""
    queue = list(outcomes)

    def invoke(resource: str, payload: Any, context: dict[str, Any]) -> Any:
        if not queue:
            return payload
        kind, value = queue.pop(0)
        if kind == "fail":
            raise TaskFailed(*value)
        return payload if kind == "echo" else value

    return invoke


def stored(value: Any) -> Any:
    """``value`` as the database gives it back: through JSON text (no NaN, no infinity)."""
    return json.loads(json.dumps(value, allow_nan=False))


class DurableDriver:
    """Drives a run with ``start``/``step``/``resume``/``join`` only, reloading the cursor
    from JSON text after every decision, as the workers do."""

    def __init__(self, machine: asl.Machine, invoke: Any) -> None:
        self.machine = machine
        self.invoke = invoke
        self.clock = VirtualClock(datetime(2024, 1, 1, tzinfo=UTC))
        self.last_id = 0
        self.decisions = 0

    def run(self, input: Any) -> Succeeded | Failed:
        first = asl.start(self.machine, input, now=self.clock.now())
        self.last_id = first.events[-1].id
        return self.drive(stored(first.cursor))

    def decide(self, decision: Any) -> Any:
        self.decisions += 1
        assert self.decisions < _MAX_DECISIONS, "the run did not end"
        if decision.events:
            self.last_id = decision.events[-1].id
        return decision

    def drive(self, cursor: dict[str, Any]) -> Succeeded | Failed:
        machine, clock = self.machine, self.clock
        while True:
            cursor["event_id"] = self.last_id
            decision = self.decide(asl.step(machine, cursor, now=clock.now()))
            while True:
                if isinstance(decision, Next):
                    cursor = stored(decision.cursor)
                    break
                if isinstance(decision, WaitUntil):
                    clock.sleep((decision.at - clock.now()).total_seconds())
                    cursor = stored(decision.cursor)
                    break
                if isinstance(decision, Invoke):
                    waiting = {**stored(decision.cursor), "event_id": self.last_id}
                    try:
                        output = self.invoke(decision.resource, stored(decision.payload), {})
                    except TaskFailed as failure:
                        decision = self.decide(asl.resume(machine, waiting, now=clock.now(), error=failure.error, cause=failure.cause))
                    else:
                        decision = self.decide(asl.resume(machine, waiting, now=clock.now(), output=output))
                    continue
                if isinstance(decision, Fork):
                    parent = stored(decision.cursor)
                    results = [self.drive(stored(child)) for child in decision.children]
                    decision = self.decide(asl.join(machine, {**parent, "event_id": self.last_id}, now=clock.now(), results=results))
                    continue
                assert isinstance(decision, (Succeeded, Failed)), decision
                return decision


def assert_clean(outcome: Succeeded | Failed | asl.Result) -> None:
    """A success with a JSON output, or a failure named by a string (with a string cause)."""
    if isinstance(outcome, asl.Result):
        assert outcome.status in ("SUCCEEDED", "FAILED", "TIMED_OUT")
        failed = outcome.status == "FAILED"
    else:
        failed = isinstance(outcome, Failed)
    if failed:
        assert outcome.error is None or isinstance(outcome.error, str)
        assert outcome.cause is None or isinstance(outcome.cause, str)
    else:
        stored(outcome.output)


def run_both_ways(definition: dict[str, Any], input: Any, outcomes: list[tuple[str, Any]]) -> None:
    problems = asl.validate(definition)
    assert all(isinstance(problem, asl.Problem) for problem in problems)
    try:
        machine = asl.compile(definition)
    except asl.DefinitionError as exc:
        assert problems and exc.problems == problems
        return
    assert not problems
    assert_clean(asl.run(machine, input, invoke=scripted(outcomes), clock=VirtualClock(datetime(2024, 1, 1, tzinfo=UTC))))
    assert_clean(DurableDriver(machine, scripted(outcomes)).run(stored(input)))


@FUZZ
@given(definition=definitions(), input=inputs(), outcomes=task_outcomes)
def test_it_ends_every_generated_run_cleanly(definition: dict[str, Any], input: Any, outcomes: list[tuple[str, Any]]) -> None:
    run_both_ways(definition, input, outcomes)


@FUZZ
@given(input=deep_values(400) | inputs(), path=st.sampled_from(["$", "$.a", "$..a", "$[0]", "$.a[*]"]))
def test_it_fails_cleanly_on_deeply_nested_input(input: Any, path: str) -> None:
    definition = {
        "StartAt": "Copy",
        "States": {
            "Copy": {"Type": "Pass", "Parameters": {"all.$": path, "text.$": "States.JsonToString($)"}, "ResultPath": "$.copy", "Next": "Each"},
            "Each": {"Type": "Map", "ItemsPath": "$.copy.all", "ItemProcessor": {"StartAt": "Item", "States": {"Item": {"Type": "Pass", "End": True}}}, "End": True},
        },
    }
    run_both_ways(definition, {"a": input}, [])
    jsonata = {
        "QueryLanguage": "JSONata",
        "StartAt": "Copy",
        "States": {"Copy": {"Type": "Pass", "Output": {"all": "{% $states.input %}", "text": "{% $string($states.input) %}"}, "End": True}},
    }
    run_both_ways(jsonata, input, [])
