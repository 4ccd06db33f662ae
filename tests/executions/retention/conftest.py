"""Fixtures for retention: finished runs made directly as rows (with steps), aged at will."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from executions.models import Execution, ExecutionStatus, Step, StepStatus
from workflows.models import StateMachine


@pytest.fixture
def retention_dir(tmp_path: Any, service_settings: Any) -> Any:
    service_settings.STEPFLOW_RETENTION_DIR = tmp_path / "retention"
    service_settings.STEPFLOW_RETENTION_EXPORTER = "jsonl"
    service_settings.STEPFLOW_RETENTION_DAYS = 7
    service_settings.STEPFLOW_RETENTION_BATCH_SIZE = 3  # several batches from a handful of runs
    service_settings.STEPFLOW_RETENTION_DELETE_CHUNK = 2
    return tmp_path / "retention"


@pytest.fixture
def hello(make_machine: Callable[..., StateMachine]) -> StateMachine:
    return make_machine("api", "hello")


_counter = iter(range(1, 10**9))


@pytest.fixture
def finished_run() -> Callable[..., Execution]:
    """``finished_run(machine, days_ago=8, steps=2)``: a finished execution stopped that long ago."""

    def make(
        machine: StateMachine,
        *,
        days_ago: float = 8,
        steps: int = 2,
        status: str = ExecutionStatus.SUCCEEDED,
        legal_hold: bool = False,
    ) -> Execution:
        stopped = timezone.now() - timedelta(days=days_ago)
        n = next(_counter)
        running = status == ExecutionStatus.RUNNING
        execution = Execution.objects.create(
            machine=machine,
            version=machine.current_version,
            name=f"run-{n}",
            status=status,
            input={"n": n, "text": "héllo"},
            output=None if running else {"ok": n},
            error="States.TaskFailed" if status == ExecutionStatus.FAILED else "",
            cause="boom" if status == ExecutionStatus.FAILED else "",
            started_at=stopped - timedelta(seconds=5),
            stopped_at=None if running else stopped,
            legal_hold=legal_hold,
        )
        Step.objects.bulk_create(
            Step(
                execution=execution, sequence=i * 2 + 1, state_name=f"S{i}", state_type="Pass",
                status=StepStatus.SUCCEEDED, input={"i": i}, output={"i": i + 1},
                entered_at=stopped - timedelta(seconds=4 - i * 0.01), exited_at=stopped,
            )
            for i in range(steps)
        )
        return execution

    return make
