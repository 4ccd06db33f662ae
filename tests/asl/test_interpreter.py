"""The step-wise interpreter: decisions as values over a JSON cursor, and run() on top."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import stepflow.asl as asl
from stepflow.asl.interpreter import retry_delay
from stepflow.asl.model import Retrier
from tests.machines import load

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def echo(resource: str, payload: Any, context: dict[str, Any]) -> Any:
    return payload


def drive_through_json(definition: dict[str, Any], input: Any, invoke: Any = echo) -> tuple[asl.Decision, list[asl.Event]]:
    """Run a machine the way a worker does: every cursor goes through JSON text between
    calls, Fork children run one after another, and time jumps to each WaitUntil."""
    machine = asl.compile(definition)
    now = T0
    events: list[asl.Event] = []

    def frame(decision: asl.Decision) -> asl.Decision:
        nonlocal now
        while True:
            events.extend(decision.events)
            cursor = json.loads(json.dumps(decision.cursor)) if decision.cursor is not None else None
            match decision:
                case asl.Next():
                    cursor["event_id"] = events[-1].id
                    decision = asl.step(machine, cursor, now=now)
                case asl.WaitUntil(at=at):
                    now = max(now, at)
                    decision = asl.step(machine, cursor, now=now)
                case asl.Invoke(resource=resource, payload=payload):
                    try:
                        decision = asl.resume(machine, cursor, now=now, output=invoke(resource, payload, {}))
                    except asl.TaskFailed as failure:
                        decision = asl.resume(machine, cursor, now=now, error=failure.error, cause=failure.cause)
                case asl.Fork(children=children):
                    results = []
                    for child in children:
                        child = json.loads(json.dumps(child))
                        child["event_id"] = events[-1].id
                        results.append(frame(asl.step(machine, child, now=now)))
                    cursor["event_id"] = events[-1].id
                    decision = asl.join(machine, cursor, now=now, results=results)
                case asl.Succeeded() | asl.Failed():
                    return decision

    return frame(asl.start(machine, input, now=now)), events


def test_importing_the_core_does_not_import_django() -> None:
    code = "import sys, stepflow.asl; print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_public_surface_is_explicit() -> None:
    assert set(asl.__all__) >= {"validate", "compile", "run", "start", "step", "resume", "join", "TaskFailed", "VirtualClock"}
    for name in asl.__all__:
        assert hasattr(asl, name), name


def test_start_returns_the_first_cursor_with_execution_started() -> None:
    machine = asl.compile({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
    decision = asl.start(machine, {"x": 1}, now=T0)
    assert isinstance(decision, asl.Next)
    assert decision.cursor["state"] == "A"
    assert [e.type for e in decision.events] == ["ExecutionStarted"]
    assert json.loads(json.dumps(decision.cursor)) == decision.cursor


def test_a_pass_chain_takes_one_step_per_state() -> None:
    machine = asl.compile(load("retry/fails_twice_then_succeeds") | {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": 1, "Next": "B"}, "B": {"Type": "Pass", "End": True}}})
    first = asl.start(machine, {}, now=T0)
    second = asl.step(machine, first.cursor, now=T0)
    assert isinstance(second, asl.Next) and second.cursor["state"] == "B"
    assert [e.type for e in second.events] == ["PassStateEntered", "PassStateExited"]
    third = asl.step(machine, second.cursor, now=T0)
    assert isinstance(third, asl.Succeeded) and third.output == 1
    assert [e.type for e in third.events] == ["PassStateEntered", "PassStateExited", "ExecutionSucceeded"]


def test_a_cursor_that_goes_through_json_at_every_step_gives_the_same_run_as_run() -> None:
    definition = load("wait/task_wait_choice_loop")
    flaky_calls = {"n": 0}

    def flaky_echo(resource: str, payload: Any, context: dict[str, Any]) -> Any:
        if isinstance(payload, dict) and "round" in payload:
            flaky_calls["n"] += 1
            if flaky_calls["n"] % 2 == 1:
                raise asl.TaskFailed("Flaky", "try again")
        return payload

    outcome, events = drive_through_json(definition, {"round": 0, "items": [1, 2, 3]}, flaky_echo)
    assert isinstance(outcome, asl.Succeeded)
    flaky_calls["n"] = 0
    reference = asl.run(definition, {"round": 0, "items": [1, 2, 3]}, invoke=flaky_echo, clock=asl.VirtualClock(T0))
    assert reference.status == "SUCCEEDED"
    assert outcome.output == reference.output
    assert outcome.output == {"round": 3, "items": [1, 2, 3]}
    last_fan = [e for e in events if e.type == "ParallelStateExited"][-1]
    assert last_fan.details["output"]["fanned"] == [[1, 2, 3], {"round": 2, "items": [1, 2, 3], "fetched": {"round": 2, "items": [1, 2, 3]}}]
    assert [e.type for e in events] == [e.type for e in reference.events]
    assert [e.id for e in events] == list(range(1, len(events) + 1))
    assert all(e.previous_id == e.id - 1 for e in events)


def test_a_wait_state_asks_to_be_woken_and_stepping_early_changes_nothing() -> None:
    machine = asl.compile({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 2, "End": True}}})
    waiting = asl.step(machine, asl.start(machine, {"a": 1}, now=T0).cursor, now=T0)
    assert isinstance(waiting, asl.WaitUntil) and waiting.at == T0 + timedelta(seconds=2)
    early = asl.step(machine, waiting.cursor, now=T0 + timedelta(seconds=1))
    assert isinstance(early, asl.WaitUntil) and early.events == ()
    done = asl.step(machine, waiting.cursor, now=T0 + timedelta(seconds=2))
    assert isinstance(done, asl.Succeeded) and done.output == {"a": 1}


def test_retry_waits_interval_times_backoff_rate_to_the_attempt() -> None:
    machine = asl.compile(load("retry/fails_twice_then_succeeds"))
    decision = asl.step(machine, asl.start(machine, {}, now=T0).cursor, now=T0)
    assert isinstance(decision, asl.Invoke) and decision.attempt == 0
    waits = []
    now = T0
    for _ in range(2):
        decision = asl.resume(machine, decision.cursor, now=now, error="Boom", cause="no")
        assert isinstance(decision, asl.WaitUntil)
        waits.append((decision.at - now).total_seconds())
        now = decision.at
        decision = asl.step(machine, decision.cursor, now=now)
        assert isinstance(decision, asl.Invoke)
    assert waits == [2.0, 6.0]
    assert decision.attempt == 2
    done = asl.resume(machine, decision.cursor, now=now, output={"ok": True})
    assert isinstance(done, asl.Succeeded) and done.output == {"ok": True}


def test_retry_delay_is_capped_by_max_delay_seconds() -> None:
    retrier = Retrier(("States.ALL",), interval_seconds=1, max_attempts=4, backoff_rate=10, max_delay_seconds=30)
    assert [retry_delay(retrier, attempt, "seed") for attempt in range(4)] == [1, 10, 30, 30]


def test_full_jitter_stays_within_the_delay_and_repeats_for_the_same_seed() -> None:
    retrier = Retrier(("States.ALL",), interval_seconds=4, backoff_rate=2, jitter_strategy="FULL")
    delays = [retry_delay(retrier, 2, f"exec-{n}") for n in range(50)]
    assert all(0 <= d <= 16 for d in delays)
    assert len(set(delays)) > 40
    assert retry_delay(retrier, 2, "exec-7") == delays[7]


def test_it_retries_then_catches_with_the_error_output_at_result_path() -> None:
    calls = []

    def declined(resource: str, payload: Any, context: dict[str, Any]) -> Any:
        calls.append(context["attempt"])
        raise asl.TaskFailed("CardDeclined", "insufficient funds")

    result = asl.run(load("catch/retry_then_catch"), {"order": 7}, invoke=declined, clock=asl.VirtualClock(T0))
    assert calls == [0, 1, 2]
    assert result.status == "SUCCEEDED"
    assert result.output == {"order": 7, "failure": {"Error": "CardDeclined", "Cause": "insufficient funds"}, "refund": "refunded"}
    types = [e.type for e in result.events]
    assert types.count("TaskFailed") == 3
    assert types[types.index("PassStateEntered") - 1] == "TaskStateExited"


def test_a_task_timeout_is_states_timeout_and_is_caught_by_its_own_name() -> None:
    definition = load("catch/retry_then_catch")
    definition["States"]["Charge"]["TimeoutSeconds"] = 3
    clock = asl.VirtualClock(T0)

    def slow(resource: str, payload: Any, context: dict[str, Any]) -> Any:
        assert context["timeout_seconds"] == 3
        clock.sleep(10)
        return "too late"

    result = asl.run(definition, {}, invoke=slow, clock=clock)
    assert result.status == "FAILED"
    assert result.error == "ChargeTimedOut"
    assert "TaskTimedOut" in [e.type for e in result.events]


def test_a_map_inside_a_parallel_branch_joins_back_in_order() -> None:
    result = asl.run(load("parallel/map_inside_parallel"), {"numbers": [1, 2, 3]}, invoke=echo, clock=asl.VirtualClock(T0))
    assert result.status == "SUCCEEDED", result.cause
    assert result.output == {
        "numbers": [1, 2, 3],
        "result": {"doubled": [{"n": 2, "i": 0}, {"n": 4, "i": 1}, {"n": 6, "i": 2}], "echoed": {"count": 3}},
    }
    assert [e.type for e in result.events].count("MapIterationSucceeded") == 3


def test_a_failed_branch_fails_the_parallel_with_its_own_error_which_catch_can_match() -> None:
    result = asl.run(load("parallel/branch_fails_and_is_caught"), {"k": 1}, clock=asl.VirtualClock(T0))
    assert result.status == "SUCCEEDED"
    assert result.output == {"k": 1, "error": {"Error": "Broken.Branch", "Cause": "branch two gave up"}}


def test_map_tolerates_failures_up_to_the_count_and_reports_them_in_place() -> None:
    result = asl.run(load("map/tolerated_failures"), [1, 2, 3], clock=asl.VirtualClock(T0))
    assert result.status == "SUCCEEDED"
    assert result.output == [1, 2, {"Error": "TooBig", "Cause": "over two"}]


def test_map_fails_when_failures_exceed_the_tolerated_count() -> None:
    result = asl.run(load("map/tolerated_failures"), [3, 4, 1], clock=asl.VirtualClock(T0))
    assert result.status == "FAILED"
    assert result.error == "States.ExceedToleratedFailureThreshold"


def test_map_asks_for_its_max_concurrency() -> None:
    machine = asl.compile({"StartAt": "M", "States": {"M": {"Type": "Map", "MaxConcurrency": 2, "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}, "End": True}}})
    fork = asl.step(machine, asl.start(machine, [1, 2, 3], now=T0).cursor, now=T0)
    assert isinstance(fork, asl.Fork)
    assert fork.max_concurrency == 2
    assert [child["frame"] for child in fork.children] == [[["M", 0]], [["M", 1]], [["M", 2]]]


def test_a_machine_timeout_ends_the_run_as_timed_out() -> None:
    definition = {"TimeoutSeconds": 5, "StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 60, "End": True}}}
    clock = asl.VirtualClock(T0)
    result = asl.run(definition, {}, clock=clock)
    assert result.status == "TIMED_OUT"
    assert clock.now() == T0 + timedelta(seconds=5)
    assert result.events[-1].type == "ExecutionTimedOut"


def test_an_output_over_256_kib_fails_with_data_limit_exceeded() -> None:
    definition = {"StartAt": "Big", "States": {"Big": {"Type": "Pass", "Parameters": {"copy.$": "$.blob", "again.$": "$.blob"}, "End": True}}}
    result = asl.run(definition, {"blob": "x" * 140_000}, clock=asl.VirtualClock(T0))
    assert result.status == "FAILED"
    assert result.error == "States.DataLimitExceeded"
    assert "'Big'" in result.cause


def test_states_all_does_not_catch_a_runtime_error() -> None:
    definition = {
        "StartAt": "T",
        "States": {
            "T": {"Type": "Task", "Resource": "fn:x", "Parameters": {"v.$": "$.missing"}, "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "H"}], "End": True},
            "H": {"Type": "Pass", "End": True},
        },
    }
    result = asl.run(definition, {}, invoke=echo, clock=asl.VirtualClock(T0))
    assert result.status == "FAILED"
    assert result.error == "States.Runtime"
    assert result.cause.startswith("An error occurred while executing the state 'T' (entered at the event id #2).")


def test_task_failed_matches_every_error_but_a_timeout_and_nothing_matches_a_runtime_error() -> None:
    from stepflow.asl.interpreter import error_matches

    assert error_matches(["States.TaskFailed"], "MyError")
    assert not error_matches(["States.TaskFailed"], "States.Timeout")
    assert error_matches(["States.ALL"], "States.Timeout")
    assert error_matches(["Other", "MyError"], "MyError")
    assert not error_matches(["States.ALL"], "States.Runtime")
    assert not error_matches(["States.Runtime"], "States.Runtime")
    assert not error_matches(["States.ALL"], "States.DataLimitExceeded")


def test_a_callback_task_gets_a_token_that_parameters_can_pass_on() -> None:
    machine = asl.compile({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "fn:demo/callback.waitForTaskToken", "HeartbeatSeconds": 10, "Parameters": {"token.$": "$$.Task.Token"}, "End": True}}})
    invoke = asl.step(machine, asl.start(machine, {}, now=T0).cursor, now=T0)
    assert isinstance(invoke, asl.Invoke)
    assert invoke.task_token and invoke.payload == {"token": invoke.task_token}
    assert invoke.heartbeat_seconds == 10


def test_run_reports_an_invalid_definition_with_every_problem() -> None:
    with pytest.raises(asl.DefinitionError) as raised:
        asl.run({"StartAt": "Nope", "States": {"A": {"Type": "Pass", "Next": "Gone"}}}, {})
    assert len(raised.value.problems) >= 2
