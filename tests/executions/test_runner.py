"""The durable runner: claims, hand-offs, timers, crashes, retries, timeouts, limits."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from executions import runner
from executions.models import Execution, ExecutionStatus, Frame, FrameStatus, Step, WaitingFor
from tests.conftest import steps_of
from tests.support import fn

pytestmark = pytest.mark.django_db


def _described(client, run):
    return client.get(f"/api/executions/{run['id']}/").json()


def test_of_two_workers_that_read_the_same_execution_only_one_claims_it(make_machine, alice, django_capture_on_commit_callbacks):
    from executions import services

    machine = make_machine("states", "pass")
    with django_capture_on_commit_callbacks(execute=False):  # leave the queued start unrun
        execution, _ = services.start_execution(machine=machine, input={"who": "x"}, by=alice)
    first = runner.Unit.load_execution(execution.pk)
    second = runner.Unit.load_execution(execution.pk)
    now = timezone.now()
    assert runner.claim(first, now=now) is True
    assert runner.claim(second, now=now) is False
    # Even re-reading the row, the second worker cannot take a claim whose lease is live.
    assert runner.claim(runner.Unit.load_execution(execution.pk), now=now) is False


def test_a_claim_whose_lease_expired_is_taken_over_and_the_old_worker_cannot_commit(make_machine, alice, django_capture_on_commit_callbacks):
    from executions import services

    machine = make_machine("states", "pass")
    with django_capture_on_commit_callbacks(execute=False):
        execution, _ = services.start_execution(machine=machine, input={"who": "x"}, by=alice)
    slow = runner.Unit.load_execution(execution.pk)
    assert runner.claim(slow, now=timezone.now())
    later = timezone.now() + timedelta(hours=1)
    rescuer = runner.Unit.load_execution(execution.pk)
    assert runner.claim(rescuer, now=later)
    # The slow worker wakes up and tries to commit its transition: its revision is stale.
    proceed = lambda cursor, now: runner.asl.step(runner.compiled(execution.version), cursor, now=now)  # noqa: E731
    step = runner._transition(slow, proceed, proceed, False)
    assert step is None
    assert not Step.objects.filter(execution=execution).exists()


def test_a_worker_that_dies_mid_call_is_replaced_and_the_call_repeats_with_the_same_key(make_machine, alice_api, work):
    make_machine("retry", "crash_during_call", machine_name="crashy")
    with pytest.raises(fn.WorkerDied):
        with work():
            response = alice_api.post("/api/machines/crashy/executions/", {"input": {"v": 1}}, format="json")
    execution = Execution.objects.get(uuid=response.json()["id"])
    assert execution.waiting_for == WaitingFor.TASK
    assert execution.claimed_until > timezone.now()  # the dead worker's lease covers the call
    # Nobody takes over while the lease is live ...
    assert work.fire_due() == 0
    # ... and once it has run out, the timer hands the run to another worker.
    Execution.objects.filter(pk=execution.pk).update(
        claimed_until=timezone.now() - timedelta(seconds=1), wake_at=timezone.now() - timedelta(seconds=1)
    )
    done = work.until_done(execution)
    assert done.status == ExecutionStatus.SUCCEEDED
    assert done.output == {"v": 1}
    keys = [call.idempotency_key for call in fn.calls]
    assert len(keys) == 2 and keys[0] == keys[1]
    assert [s["status"] for s in steps_of(alice_api, str(execution.uuid))] == ["SUCCEEDED"]


def test_a_lost_queue_message_is_recovered_by_the_timer(make_machine, alice, work, django_capture_on_commit_callbacks):
    from executions import services

    with django_capture_on_commit_callbacks(execute=False):  # the enqueue never happens
        execution, _ = services.start_execution(machine=make_machine("states", "pass"), input={"who": "x"}, by=alice)
    assert work.fire_due() == 0  # not yet: the safety net is one lease away
    assert work.fire_due(now=execution.wake_at + timedelta(seconds=1)) == 1
    execution.refresh_from_db()
    assert execution.status == ExecutionStatus.SUCCEEDED


def test_a_long_run_hands_off_after_each_time_slice_and_still_finishes(make_machine, start, alice_api, settings, django_capture_on_commit_callbacks):
    settings.STEPFLOW_TIME_SLICE_SECONDS = 0.0
    run = start(make_machine("states", "long_chain"), {"n": 0})
    body = _described(alice_api, run)
    assert body["status"] == "SUCCEEDED"
    assert body["output"] == {"n": 50}
    assert Step.objects.filter(execution__uuid=run["id"]).count() == 101


def test_one_unit_of_work_advances_many_transitions_without_queue_hops(make_machine, alice, django_capture_on_commit_callbacks, settings):
    from executions import services

    settings.STEPFLOW_TIME_SLICE_SECONDS = 30.0

    with django_capture_on_commit_callbacks(execute=False):
        execution, _ = services.start_execution(machine=make_machine("states", "long_chain"), input={"n": 0}, by=alice)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert runner.advance_execution(execution_id=execution.pk)
    execution.refresh_from_db()
    assert execution.status == ExecutionStatus.SUCCEEDED
    assert queue_hops(queued) == []


@pytest.mark.parametrize(("per_commit", "commits"), [(1, 101), (64, 2), (500, 1)])
def test_transitions_that_only_move_on_commit_as_a_group(make_machine, alice, django_capture_on_commit_callbacks, settings, per_commit, commits):
    from executions import services
    from executions.models import Event

    settings.STEPFLOW_TIME_SLICE_SECONDS = 30.0
    settings.STEPFLOW_COMMIT_WINDOW_SECONDS = 30.0
    settings.STEPFLOW_TRANSITIONS_PER_COMMIT = per_commit
    with django_capture_on_commit_callbacks(execute=False):
        execution, _ = services.start_execution(machine=make_machine("states", "long_chain"), input={"n": 0}, by=alice)
    started_at = Execution.objects.get(pk=execution.pk).revision
    with django_capture_on_commit_callbacks(execute=False):
        assert runner.advance_execution(execution_id=execution.pk)
    execution.refresh_from_db()
    assert execution.status == ExecutionStatus.SUCCEEDED and execution.output == {"n": 50}
    # Each commit moves the revision on once, after the claim's own.
    assert execution.revision - started_at - 1 == commits
    # However they were grouped, the history is the same: every step, in order, and one
    # unbroken chain of events.
    steps = list(Step.objects.filter(execution=execution).order_by("sequence"))
    assert len(steps) == 101 and all(step.status == "SUCCEEDED" and step.exited_at for step in steps)
    assert steps[-1].output == {"n": 50}
    ids = list(Event.objects.filter(execution=execution).order_by("event_id").values_list("event_id", "previous_event_id"))
    assert [i for i, _ in ids] == list(range(1, len(ids) + 1)) == list(range(1, execution.event_count + 1))
    assert all(previous == i - 1 for i, previous in ids[1:])


def test_a_task_call_closes_the_group_so_it_is_durable_before_the_call(make_machine, start, alice_api, settings):
    """The Invoke decision is committed before the function runs, with what came before it."""
    settings.STEPFLOW_COMMIT_WINDOW_SECONDS = 30.0
    run = start(make_machine("fn", "history_after_passes"), {"x": 1})
    body = _described(alice_api, run)
    assert body["status"] == "SUCCEEDED", (body["error"], body["cause"])
    committed = body["output"]["committed"]
    assert committed[-3:] == ["TaskStateEntered", "TaskScheduled", "TaskStarted"]
    assert committed.count("PassStateExited") == 3


def test_a_retry_back_off_is_a_timer_row_not_a_sleeping_worker(make_machine, start, alice_api, work):
    run = start(make_machine("retry", "retry_then_succeed"), {"failures": 2})
    waiting = Execution.objects.get(uuid=run["id"])
    assert waiting.waiting_for == WaitingFor.TIMER
    assert waiting.claimed_until is None
    done = work.until_done(waiting)
    assert done.status == ExecutionStatus.SUCCEEDED
    step = steps_of(alice_api, run["id"])[0]
    assert (step["status"], step["attempt"], step["error"]) == ("SUCCEEDED", 2, "")
    assert [c.attempt for c in fn.calls] == [0, 1, 2]
    assert len({c.idempotency_key for c in fn.calls}) == 3


def test_it_retries_then_catches(make_machine, start, alice_api, work):
    run = start(make_machine("retry", "retry_then_catch"), {"failures": 5})
    done = work.until_done(run["id"])
    assert done.status == ExecutionStatus.SUCCEEDED
    assert done.output["caught"] == {"Error": "Flaky", "Cause": "failure 2"}
    steps = steps_of(alice_api, run["id"])
    assert [(s["state_name"], s["status"], s["error"]) for s in steps] == [
        ("Flaky", "FAILED", "Flaky"),
        ("Recovered", "SUCCEEDED", ""),
    ]


def test_a_task_that_outlasts_its_timeout_fails_with_states_timeout(make_machine, start, alice_api):
    run = start(make_machine("timeout", "task_timeout"), {"seconds": 1.2})
    body = _described(alice_api, run)
    assert body["status"] == "SUCCEEDED"
    assert body["output"]["error"]["Error"] == "States.Timeout"


def test_a_machine_timeout_ends_a_waiting_execution_within_a_second(make_machine, start, work):
    run = start(make_machine("timeout", "machine_timeout"), {})
    done = work.until_done(run["id"], timeout=5)
    assert done.status == ExecutionStatus.TIMED_OUT
    assert done.error == "States.Timeout"
    late = (done.stopped_at - done.started_at).total_seconds()
    assert 1.0 <= late < 2.0
    assert done.events.order_by("-event_id").first().type == "ExecutionTimedOut"


def test_a_machine_timeout_that_passes_during_a_task_call_ends_the_execution(make_machine, start):
    run = start(make_machine("timeout", "task_past_deadline"), {"seconds": 1.2})
    execution = Execution.objects.get(uuid=run["id"])
    assert execution.status == ExecutionStatus.TIMED_OUT


def test_a_task_result_over_256_kib_fails_the_run_with_data_limit_exceeded(make_machine, start, alice_api):
    run = start(make_machine("limits", "huge_task_result"), {})
    body = _described(alice_api, run)
    assert (body["status"], body["error"]) == ("FAILED", "States.DataLimitExceeded")


def test_a_state_output_over_256_kib_fails_the_run_with_data_limit_exceeded(make_machine, start, alice_api):
    run = start(make_machine("limits", "huge_pass_output"), {"blob": "x" * (200 * 1024)})
    body = _described(alice_api, run)
    assert (body["status"], body["error"]) == ("FAILED", "States.DataLimitExceeded")


def test_without_an_fn_client_a_task_fails_with_a_clear_cause(make_machine, start, alice_api, settings):
    settings.STEPFLOW_FN_CLIENT = "executions.fn.unconfigured_client"
    run = start(make_machine("limits", "unknown_function"), {})
    body = _described(alice_api, run)
    assert (body["status"], body["error"], body["cause"]) == ("FAILED", "States.TaskFailed", "no Fn client configured")


def test_a_client_that_raises_fails_the_task_instead_of_the_worker(make_machine, start, alice_api):
    run = start(make_machine("limits", "broken_client"), {})
    body = _described(alice_api, run)
    assert body["status"] == "FAILED"
    assert body["error"] == "States.TaskFailed"
    assert "RuntimeError" in body["cause"]


def test_a_map_starts_no_more_iterations_than_max_concurrency(make_machine, alice, django_capture_on_commit_callbacks, work, settings):
    from executions import services

    settings.STEPFLOW_INLINE_FORK_CHILDREN = 0  # iterations as rows, even of Pass states

    with django_capture_on_commit_callbacks(execute=False):
        execution, _ = services.start_execution(machine=make_machine("states", "map"), input={"items": [1, 2, 3, 4, 5]}, by=alice)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        runner.advance_execution(execution_id=execution.pk)
    statuses = list(Frame.objects.order_by("index").values_list("status", flat=True))
    assert statuses == ["RUNNING", "RUNNING", "PENDING", "PENDING", "PENDING"]
    assert len(queue_hops(queued)) == 2
    with work():
        for callback in queue_hops(queued):
            callback()
    execution.refresh_from_db()
    assert execution.status == ExecutionStatus.SUCCEEDED
    assert set(Frame.objects.values_list("status", flat=True)) == {FrameStatus.SUCCEEDED}


def test_nested_maps_and_parallels_with_tasks_and_waits_join_durably(make_machine, start, alice_api, work):
    run = start(make_machine("states", "nested"), {"groups": [{"g": 1}, {"g": 2}]})
    done = work.until_done(run["id"])
    assert done.status == ExecutionStatus.SUCCEEDED, (done.error, done.cause)
    assert done.output == [[{"g": 1}, {"g": 1}], [{"g": 2}, {"g": 2}]]
    steps = steps_of(alice_api, run["id"])
    echo_branches = sorted(s["branch"] for s in steps if s["state_name"] == "Echo")
    assert echo_branches == [[["Outer", 0], ["Inner", 0]], [["Outer", 1], ["Inner", 0]]]
    events = alice_api.get(f"/api/executions/{run['id']}/history/?order=asc&page_size=1000").json()["results"]
    assert [e["id"] for e in events] == list(range(1, len(events) + 1))


def test_a_failed_branch_fails_the_parallel_which_its_catch_handles(make_machine, start, alice_api):
    run = start(make_machine("states", "parallel_failure"), {"message": "boom"})
    body = _described(alice_api, run)
    assert body["status"] == "SUCCEEDED"
    assert body["output"]["error"] == {"Error": "DemoError", "Cause": "boom"}
    statuses = {s["state_name"]: s["status"] for s in steps_of(alice_api, run["id"])}
    assert statuses == {"Both": "FAILED", "Fine": "SUCCEEDED", "Boom": "FAILED", "Handled": "SUCCEEDED"}


def test_a_stored_version_that_no_longer_compiles_fails_its_runs_instead_of_looping(make_machine, alice, django_capture_on_commit_callbacks):
    from executions import services
    from workflows.models import StateMachineVersion

    with django_capture_on_commit_callbacks(execute=False):
        execution, _ = services.start_execution(machine=make_machine("states", "pass"), input={"who": "x"}, by=alice)
    StateMachineVersion.objects.filter(pk=execution.version_id).update(
        definition='{"StartAt": "Gone", "States": {}}', definition_sha256="0" * 64
    )
    assert runner.advance_execution(execution_id=execution.pk)
    execution.refresh_from_db()
    assert (execution.status, execution.error) == (ExecutionStatus.FAILED, "States.Runtime")
    assert "DefinitionError" in execution.cause
    assert execution.wake_at is None


def queue_hops(callbacks: list) -> list:
    """The after-commit callbacks that enqueue work, leaving out live-view publishing."""
    return [callback for callback in callbacks if "publish" not in getattr(callback, "__qualname__", "")]
