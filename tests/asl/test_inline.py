"""``Fork.inline`` and ``run_inline``: which forks may run in-process, and running them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

import stepflow.asl as asl

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _map(processor_states: dict[str, Any], start_at: str, **extra: Any) -> dict[str, Any]:
    return {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemProcessor": {"ProcessorConfig": extra.pop("config", {"Mode": "INLINE"}), "StartAt": start_at, "States": processor_states},
                "End": True,
                **extra,
            }
        },
    }


PASS = {"P": {"Type": "Pass", "End": True}}
TASK = {"T": {"Type": "Task", "Resource": "fn:app/f", "End": True}}
WAIT = {"W": {"Type": "Wait", "Seconds": 0, "End": True}}
CHOICE = {
    "C": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericEquals": 1, "Next": "Yes"}], "Default": "No"},
    "Yes": {"Type": "Succeed"},
    "No": {"Type": "Fail", "Error": "No"},
}


def _fork(definition: dict[str, Any], items: list[Any]) -> tuple[asl.Machine, asl.Fork]:
    machine = asl.compile(definition)
    started = asl.start(machine, {"items": items}, now=T0, context={"Execution": {"Id": "x"}})
    decision = asl.step(machine, started.cursor, now=T0)
    assert isinstance(decision, asl.Fork)
    return machine, decision


@pytest.mark.parametrize(
    ("definition", "inline"),
    [
        (_map(PASS, "P"), True),
        (_map(CHOICE, "C"), True),
        (_map(TASK, "T"), False),
        (_map(WAIT, "W"), False),  # even a zero-length Wait: it is a timer to the caller
        (_map(PASS, "P", config={"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}), False),
        (_map({"Inner": {**_map(PASS, "P")["States"]["Each"], "ItemsPath": "$"}}, "Inner"), True),
        (_map({"Inner": {**_map(TASK, "T")["States"]["Each"], "ItemsPath": "$"}}, "Inner"), False),
        (
            {"StartAt": "Both", "States": {"Both": {"Type": "Parallel", "End": True, "Branches": [
                {"StartAt": "P", "States": PASS}, {"StartAt": "C", "States": CHOICE},
            ]}}},
            True,
        ),
        (
            {"StartAt": "Both", "States": {"Both": {"Type": "Parallel", "End": True, "Branches": [
                {"StartAt": "P", "States": PASS}, {"StartAt": "T", "States": TASK},
            ]}}},
            False,
        ),
    ],
)
def test_a_fork_is_inline_only_when_nothing_inside_can_have_an_effect(definition, inline):
    _, fork = _fork(definition, [[1], [2]])
    assert fork.inline is inline


def test_run_inline_gives_the_results_and_events_run_gives():
    definition = _map(CHOICE, "C")
    machine, fork = _fork(definition, [1, 2, 1])
    last_id = fork.events[-1].id
    done = asl.run_inline(machine, fork, last_id=last_id, max_steps=100)
    assert done is not None
    assert [type(result).__name__ for result in done.results] == ["Succeeded", "Failed", "Succeeded"]
    assert [event.id for event in done.events] == list(range(last_id + 1, last_id + 1 + len(done.events)))
    assert {repr(frame) for frame, _ in done.frames} == {repr([["Each", index]]) for index in range(3)}
    joined = asl.join(machine, {**fork.cursor, "event_id": done.last_id}, now=T0, results=done.results)
    reference = asl.run(definition, {"items": [1, 2, 1]})
    assert isinstance(joined, asl.Failed) and reference.status == "FAILED"
    ours = [event.type for event in (*fork.events, *done.events, *joined.events)]
    assert ours == [event.type for event in reference.events][1:]  # all but ExecutionStarted


def test_run_inline_gives_up_over_its_step_budget_and_refuses_a_fork_with_effects():
    machine, fork = _fork(_map(PASS, "P"), [1, 2, 3])
    assert asl.run_inline(machine, fork, last_id=3, max_steps=2) is None
    assert asl.run_inline(machine, fork, last_id=3, max_steps=3) is not None
    machine, fork = _fork(_map(TASK, "T"), [1])
    with pytest.raises(ValueError, match="no effect"):
        asl.run_inline(machine, fork, last_id=3, max_steps=100)
