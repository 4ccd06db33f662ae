"""Effect-free Parallel and Map states run in-process, joined in their fork's commit."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from executions import runner, services
from executions.models import Event, Execution, ExecutionStatus, Frame, Step
from tests.executions.test_runner import queue_hops

pytestmark = pytest.mark.django_db

NESTED_PURE = {
    "StartAt": "Each",
    "States": {
        "Each": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemProcessor": {
                "StartAt": "Split",
                "States": {
                    "Split": {
                        "Type": "Parallel",
                        "Branches": [
                            {"StartAt": "Double", "States": {"Double": {"Type": "Pass", "Parameters": {"v.$": "States.MathAdd($, $)"}, "End": True}}},
                            {"StartAt": "Big?", "States": {
                                "Big?": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericGreaterThan": 2, "Next": "Big"}], "Default": "Small"},
                                "Big": {"Type": "Pass", "Result": "big", "End": True},
                                "Small": {"Type": "Pass", "Result": "small", "End": True},
                            }},
                        ],
                        "End": True,
                    }
                },
            },
            "Next": "Done",
        },
        "Done": {"Type": "Pass", "End": True},
    },
}


def _advance_all(execution: Execution, capture: Any) -> list:
    """Run the execution's units of work until none is queued; the hops the first one made."""
    with capture(execute=False) as queued:
        assert runner.advance_execution(execution_id=execution.pk)
    first_hops = queue_hops(queued)
    pending = list(first_hops)
    while pending:
        with capture(execute=False) as queued:
            pending.pop(0)()
        pending.extend(queue_hops(queued))
    return first_hops


def _run(machine: Any, alice: Any, capture: Any, items: list[int]) -> tuple[Execution, list]:
    with capture(execute=False):
        execution, _ = services.start_execution(machine=machine, input={"items": items}, by=alice)
    hops = _advance_all(execution, capture)
    execution.refresh_from_db()
    return execution, hops


def _steps(execution: Execution) -> list[tuple]:
    rows = Step.objects.filter(execution=execution).values_list("state_name", "branch", "status", "input", "output")
    return sorted((name, repr(branch), status, repr(given), repr(made)) for name, branch, status, given, made in rows)


def _event_types(execution: Execution) -> Counter:
    return Counter(Event.objects.filter(execution=execution).values_list("type", flat=True))


def test_a_pure_map_runs_in_one_unit_of_work_with_the_history_it_has_as_rows(
    make_machine, alice, django_capture_on_commit_callbacks, settings
):
    settings.STEPFLOW_TIME_SLICE_SECONDS = 30.0
    machine = make_machine("states", "map")
    inline, hops = _run(machine, alice, django_capture_on_commit_callbacks, [1, 2, 3, 4, 5])
    assert inline.status == ExecutionStatus.SUCCEEDED
    assert inline.output == [{"value": 2}, {"value": 4}, {"value": 6}, {"value": 8}, {"value": 10}]
    assert hops == [] and not Frame.objects.filter(execution=inline).exists()

    settings.STEPFLOW_INLINE_FORK_CHILDREN = 0  # the same machine, its iterations as rows
    durable, _ = _run(machine, alice, django_capture_on_commit_callbacks, [1, 2, 3, 4, 5])
    assert Frame.objects.filter(execution=durable).count() == 5
    assert durable.output == inline.output
    assert _steps(inline) == _steps(durable)
    assert _event_types(inline) == _event_types(durable)
    ids = list(Event.objects.filter(execution=inline).order_by("event_id").values_list("event_id", "previous_event_id"))
    assert [i for i, _ in ids] == list(range(1, inline.event_count + 1))


def test_nested_pure_forks_book_each_branch_and_iteration_apart(make_machine, alice, django_capture_on_commit_callbacks, settings):
    from workflows import services as workflows

    machine = workflows.create_machine(name="nested-pure", definition=NESTED_PURE, by=alice)
    execution, hops = _run(machine, alice, django_capture_on_commit_callbacks, [1, 3])
    assert execution.status == ExecutionStatus.SUCCEEDED and hops == []
    assert execution.output == [[{"v": 2}, "small"], [{"v": 6}, "big"]]
    branches = {
        (name, repr(branch))
        for name, branch in Step.objects.filter(execution=execution).values_list("state_name", "branch")
    }
    assert ("Big", repr([["Each", 1], ["Split", 1]])) in branches
    assert ("Small", repr([["Each", 0], ["Split", 1]])) in branches
    assert ("Split", repr([["Each", 0]])) in branches
    assert not Step.objects.filter(execution=execution, exited_at__isnull=True).exists()
    assert set(Step.objects.filter(execution=execution).values_list("status", flat=True)) == {"SUCCEEDED"}


@pytest.mark.parametrize("limit", ["STEPFLOW_INLINE_FORK_CHILDREN", "STEPFLOW_INLINE_FORK_STEPS"])
def test_a_fork_over_either_limit_runs_as_rows_and_ends_the_same(make_machine, alice, django_capture_on_commit_callbacks, settings, limit):
    setattr(settings, limit, 4)  # five iterations need five children and ten steps
    execution, hops = _run(make_machine("states", "map"), alice, django_capture_on_commit_callbacks, [1, 2, 3, 4, 5])
    assert execution.status == ExecutionStatus.SUCCEEDED
    assert execution.output == [{"value": 2}, {"value": 4}, {"value": 6}, {"value": 8}, {"value": 10}]
    assert len(hops) == 2  # MaxConcurrency 2: two iterations queued as units of their own
    assert Frame.objects.filter(execution=execution).count() == 5
    assert Step.objects.filter(execution=execution, state_name="Double").count() == 5


def test_a_fork_with_a_task_inside_is_never_run_in_process(make_machine, start, alice_api, work):
    run = start(make_machine("states", "parallel_failure"), {})
    done = work.until_done(run["id"])
    assert done.status == ExecutionStatus.SUCCEEDED
    assert Frame.objects.filter(execution=done).count() == 2


def test_a_failing_pure_branch_is_caught_in_the_same_commit(alice, django_capture_on_commit_callbacks):
    from workflows import services as workflows

    definition = {
        "StartAt": "Both",
        "States": {
            "Both": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "Fine", "States": {"Fine": {"Type": "Pass", "End": True}}},
                    {"StartAt": "No", "States": {"No": {"Type": "Fail", "Error": "Nope", "Cause": "by design"}}},
                ],
                "Catch": [{"ErrorEquals": ["Nope"], "ResultPath": "$.error", "Next": "Handled"}],
                "End": True,
            },
            "Handled": {"Type": "Pass", "End": True},
        },
    }
    machine = workflows.create_machine(name="pure-catch", definition=definition, by=alice)
    execution, hops = _run(machine, alice, django_capture_on_commit_callbacks, [])
    assert execution.status == ExecutionStatus.SUCCEEDED and hops == []
    assert execution.output["error"] == {"Error": "Nope", "Cause": "by design"}
    failed = Step.objects.get(execution=execution, state_name="No")
    assert (failed.status, failed.error, failed.cause, failed.branch) == ("FAILED", "Nope", "by design", [["Both", 1]])
