"""A run of each of the eight state types, seen step by step through the API."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import steps_of

pytestmark = pytest.mark.django_db


def _brief(steps: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [(s["state_name"], s["state_type"], s["status"]) for s in steps]


def test_a_pass_machine_shows_each_pass_state_as_a_step(make_machine, start, alice_api):
    execution = start(make_machine("states", "pass"), {"who": "alice"})
    described = alice_api.get(f"/api/executions/{execution['id']}/").json()
    assert described["status"] == "SUCCEEDED"
    assert described["output"] == {"who": "alice", "said": "hello"}
    steps = steps_of(alice_api, execution["id"])
    assert _brief(steps) == [("Greet", "Pass", "SUCCEEDED"), ("Shape", "Pass", "SUCCEEDED")]
    assert steps[0]["input"] == {"who": "alice"}
    assert steps[0]["output"] == {"who": "alice", "said": {"greeting": "hello"}}
    assert steps[1]["sequence"] > steps[0]["sequence"]


def test_a_task_state_calls_the_function_and_records_its_result(make_machine, start, alice_api):
    execution = start(make_machine("states", "task"), {"value": 42})
    described = alice_api.get(f"/api/executions/{execution['id']}/").json()
    assert described["status"] == "SUCCEEDED", (described["error"], described["cause"])
    assert described["output"] == {"value": 42, "echoed": {"value": 42}}
    steps = steps_of(alice_api, execution["id"])
    assert _brief(steps) == [("Echo", "Task", "SUCCEEDED")]
    assert steps[0]["attempt"] == 0


def test_a_choice_state_takes_the_matching_branch(make_machine, start, alice_api):
    machine = make_machine("states", "choice")
    big = start(machine, {"n": 11})
    small = start(machine, {"n": 1})
    assert _brief(steps_of(alice_api, big["id"])) == [("Size", "Choice", "SUCCEEDED"), ("Big", "Pass", "SUCCEEDED")]
    assert _brief(steps_of(alice_api, small["id"])) == [("Size", "Choice", "SUCCEEDED"), ("Small", "Pass", "SUCCEEDED")]
    assert alice_api.get(f"/api/executions/{big['id']}/").json()["output"] == "big"


def test_a_wait_state_parks_the_run_until_the_timer_wakes_it(make_machine, start, alice_api, work):
    execution = start(make_machine("states", "wait"), {"x": 1})
    waiting = alice_api.get(f"/api/executions/{execution['id']}/").json()
    assert waiting["status"] == "RUNNING"
    assert waiting["waiting_for"] == "timer"
    assert waiting["wake_at"] is not None
    assert _brief(steps_of(alice_api, execution["id"])) == [("Pause", "Wait", "RUNNING")]
    done = work.until_done(execution["id"])
    assert done.status == "SUCCEEDED"
    assert (done.stopped_at - done.started_at).total_seconds() >= 1
    assert _brief(steps_of(alice_api, execution["id"])) == [("Pause", "Wait", "SUCCEEDED"), ("After", "Pass", "SUCCEEDED")]


def test_a_succeed_state_ends_the_run_with_its_output(make_machine, start, alice_api):
    execution = start(make_machine("states", "succeed"), {"keep": [1, 2], "drop": True})
    described = alice_api.get(f"/api/executions/{execution['id']}/").json()
    assert described["status"] == "SUCCEEDED"
    assert described["output"] == [1, 2]
    assert _brief(steps_of(alice_api, execution["id"])) == [("Done", "Succeed", "SUCCEEDED")]


def test_a_fail_state_fails_the_run_with_its_error_and_cause(make_machine, start, alice_api):
    execution = start(make_machine("states", "fail"), {})
    described = alice_api.get(f"/api/executions/{execution['id']}/").json()
    assert described["status"] == "FAILED"
    assert (described["error"], described["cause"]) == ("Custom.Problem", "the machine chose to fail")
    steps = steps_of(alice_api, execution["id"])
    assert _brief(steps) == [("Prepare", "Pass", "SUCCEEDED"), ("Stop here", "Fail", "FAILED")]
    assert steps[1]["error"] == "Custom.Problem"


def test_a_parallel_state_runs_each_branch_as_its_own_frame(make_machine, start, alice_api):
    execution = start(make_machine("states", "parallel"), {"in": 1})
    described = alice_api.get(f"/api/executions/{execution['id']}/").json()
    assert described["status"] == "SUCCEEDED"
    assert described["output"] == ["left", "right"]
    steps = steps_of(alice_api, execution["id"])
    assert sorted(_brief(steps)) == sorted(
        [
            ("Both", "Parallel", "SUCCEEDED"),
            ("Left", "Pass", "SUCCEEDED"),
            ("Right", "Pass", "SUCCEEDED"),
            ("Right again", "Pass", "SUCCEEDED"),
            ("After", "Pass", "SUCCEEDED"),
        ]
    )
    branches = {s["state_name"]: s["branch"] for s in steps}
    assert branches["Both"] == []
    assert branches["Left"] == [["Both", 0]]
    assert branches["Right again"] == [["Both", 1]]


def test_a_map_state_runs_each_iteration_as_its_own_frame(make_machine, start, alice_api):
    execution = start(make_machine("states", "map"), {"items": [1, 2, 3, 4, 5]})
    described = alice_api.get(f"/api/executions/{execution['id']}/").json()
    assert described["status"] == "SUCCEEDED", (described["error"], described["cause"])
    assert described["output"] == [{"value": 2}, {"value": 4}, {"value": 6}, {"value": 8}, {"value": 10}]
    steps = steps_of(alice_api, execution["id"])
    iterations = sorted(s["branch"][0][1] for s in steps if s["state_name"] == "Double")
    assert iterations == [0, 1, 2, 3, 4]
    assert [s["state_name"] for s in steps if not s["branch"]] == ["Each"]


def test_the_history_lists_aws_style_events_in_one_sequence(make_machine, start, alice_api):
    execution = start(make_machine("states", "parallel"), {})
    events = alice_api.get(f"/api/executions/{execution['id']}/history/?order=asc&page_size=100").json()["results"]
    ids = [e["id"] for e in events]
    assert ids == list(range(1, len(ids) + 1))
    assert events[0]["type"] == "ExecutionStarted"
    assert events[-1]["type"] == "ExecutionSucceeded"
    assert events[-1]["executionSucceededEventDetails"] == {"output": ["left", "right"]}
    assert {"ParallelStateEntered", "ParallelStateStarted", "ParallelStateExited"} <= {e["type"] for e in events}
