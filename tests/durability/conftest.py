"""Fixtures for the durability tests: a ``Stack`` of real processes that is always torn
down, and PostgreSQL and Redis always left running, whatever the test did to them."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django_q.conf import Conf

from executions import services
from executions.models import Execution
from tests.durability import harness
from tests.machines import load
from workflows import services as workflows


@pytest.fixture
def stack(service_settings: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[harness.Stack]:
    service_settings.STEPFLOW_TASKS_SYNC = False  # this process enqueues to the real broker
    service_settings.STEPFLOW_CLAIM_LEASE_SECONDS = float(harness.LEASE_SECONDS)
    # A queue of its own: other test runs on this machine may share the Redis server, and
    # a task of theirs names a row of their database, not ours.
    queue = f"durability-{uuid.uuid4().hex[:12]}"
    monkeypatch.setattr(Conf, "PREFIX", queue)
    monkeypatch.setattr(Conf, "CLUSTER_NAME", queue)
    processes = harness.Stack(tmp=tmp_path, env={"STEPFLOW_QUEUE_NAME": queue})
    try:
        yield processes
    finally:
        processes.stop_all()
        if harness.is_scaled_out():
            harness.ensure_services_running()


def start_many(machine_file: str, inputs: list[Any], *, name: str | None = None) -> list[Execution]:
    """Create the machine and start one execution per input, from this process."""
    machine = workflows.create_machine(name=name or machine_file.replace("/", "-"), definition=load(machine_file), by=None)
    return [services.start_execution(machine=machine, input=value, by=None)[0] for value in inputs]
