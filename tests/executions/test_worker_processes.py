"""Real processes: a django-q2 cluster and the timer loop advance runs on their own."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from executions.models import Execution, ExecutionStatus, Step
from tests.support import processes
from tests.machines import load
from workflows import services as workflows

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def real_workers(service_settings, tmp_path):
    """A qcluster and a timer process on the test database; queued work goes to the broker."""
    service_settings.STEPFLOW_TASKS_SYNC = False
    cluster = processes.start(["qcluster"], tmp_path / "qcluster.log", STEPFLOW_WORKERS="2", STEPFLOW_QUEUE_LOG_LEVEL="INFO")
    timer = processes.start(["timer", "--interval", "0.1"], tmp_path / "timer.log")
    # Both must be up before a test's clock starts: booting Django takes a moment.
    processes.wait_for(lambda: "scanning every" in (tmp_path / "timer.log").read_text(), 30, "the timer to start")
    processes.wait_for(lambda: "running." in (tmp_path / "qcluster.log").read_text(), 30, "the cluster to start")
    yield
    codes = [processes.stop(cluster), processes.stop(timer)]
    logs = {name: (tmp_path / f"{name}.log").read_text()[-3000:] for name in ("qcluster", "timer")}
    assert "Traceback" not in logs["timer"], logs["timer"]
    assert codes[1] == 0, logs


def _wait_until_done(execution: Execution, timeout: float = 40.0) -> Execution:
    def done() -> bool:
        execution.refresh_from_db()
        return execution.status != ExecutionStatus.RUNNING

    processes.wait_for(done, timeout, f"execution {execution.uuid} to end")
    return execution


def test_a_real_cluster_and_timer_run_a_map_of_parallels_with_tasks_and_waits(real_workers, alice_api):
    workflows.create_machine(name="nested", definition=load("states/nested"), by=None)
    response = alice_api.post("/api/machines/nested/executions/", {"input": {"groups": [{"g": 1}, {"g": 2}, {"g": 3}]}}, format="json")
    assert response.status_code == 201
    execution = _wait_until_done(Execution.objects.get(uuid=response.json()["id"]))
    assert execution.status == ExecutionStatus.SUCCEEDED, (execution.error, execution.cause)
    assert execution.output == [[{"g": n}, {"g": n}] for n in (1, 2, 3)]
    # Each 1 s Wait was woken by the timer process well within a second of its due time.
    waits = Step.objects.filter(execution=execution, state_type="Wait")
    assert waits.count() == 3
    for wait in waits:
        assert timedelta(seconds=1) <= wait.exited_at - wait.entered_at < timedelta(seconds=2)
    assert Step.objects.filter(execution=execution, state_name="Echo").count() == 3


def test_a_stop_takes_effect_at_once_while_a_real_worker_is_inside_a_task_call(real_workers, alice_api):
    workflows.create_machine(name="sleepy", definition=load("timeout/task_past_deadline") | {"TimeoutSeconds": 60}, by=None)
    response = alice_api.post("/api/machines/sleepy/executions/", {"input": {"seconds": 3}}, format="json")
    execution = Execution.objects.get(uuid=response.json()["id"])

    def calling() -> bool:
        execution.refresh_from_db()
        return execution.waiting_for == "task"

    processes.wait_for(calling, 20, "the worker to start the task call")
    stopped = alice_api.post(f"/api/executions/{execution.uuid}/stop/", {"cause": "enough"}, format="json")
    assert stopped.status_code == 200
    assert stopped.json()["status"] == "ABORTED"
    time.sleep(4)  # the call returns after 3 s; its result must be discarded
    execution.refresh_from_db()
    assert execution.status == ExecutionStatus.ABORTED
    assert list(Step.objects.filter(execution=execution).values_list("status", flat=True)) == ["ABORTED"]


def test_a_machine_timeout_ends_a_run_whose_worker_is_inside_a_task_call(real_workers, alice_api):
    workflows.create_machine(name="slow", definition=load("timeout/task_past_deadline"), by=None)
    response = alice_api.post("/api/machines/slow/executions/", {"input": {"seconds": 4}}, format="json")
    execution = _wait_until_done(Execution.objects.get(uuid=response.json()["id"]), timeout=10)
    assert execution.status == ExecutionStatus.TIMED_OUT
    assert (execution.stopped_at - execution.started_at) < timedelta(seconds=2)
