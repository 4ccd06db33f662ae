"""Which executions retention selects: finished, past their window, not on hold."""

from __future__ import annotations

import pytest
from django.utils import timezone

from executions.models import Execution, ExecutionStatus
from executions.retention.services import due_executions
from workflows import services as workflows
from workflows.exceptions import InvalidRetention

pytestmark = pytest.mark.django_db


def _due() -> set[str]:
    return set(due_executions(now=timezone.now()).values_list("name", flat=True))


def test_it_selects_only_finished_runs_older_than_the_default_window(retention_dir, hello, finished_run):
    old = [finished_run(hello, days_ago=8, status=s).name for s in
           (ExecutionStatus.SUCCEEDED, ExecutionStatus.FAILED, ExecutionStatus.TIMED_OUT, ExecutionStatus.ABORTED)]
    finished_run(hello, days_ago=6)
    finished_run(hello, days_ago=30, status=ExecutionStatus.RUNNING)
    assert _due() == set(old)


def test_a_machine_window_overrides_the_default(retention_dir, hello, make_machine, finished_run):
    short = make_machine("api", "goodbye")
    workflows.configure_machine(machine=short, retention_days=1)
    workflows.configure_machine(machine=hello, retention_days=30)
    quick = finished_run(short, days_ago=2)
    finished_run(hello, days_ago=20)
    assert _due() == {quick.name}


def test_a_legal_hold_on_the_run_or_its_machine_keeps_it(retention_dir, hello, make_machine, finished_run):
    finished_run(hello, days_ago=9, legal_hold=True)
    held_machine = make_machine("api", "goodbye")
    workflows.configure_machine(machine=held_machine, legal_hold=True)
    finished_run(held_machine, days_ago=9)
    free = finished_run(hello, days_ago=9)
    assert _due() == {free.name}


def test_a_retired_machines_finished_runs_go_whatever_the_window(retention_dir, hello, finished_run):
    recent = finished_run(hello, days_ago=0.1)
    workflows.retire_machine(machine=hello)
    assert _due() == {recent.name}


@pytest.mark.parametrize("days", [0, 31, -1, True, "7"])
def test_a_window_outside_one_to_thirty_days_is_refused(retention_dir, hello, days):
    with pytest.raises(InvalidRetention):
        workflows.configure_machine(machine=hello, retention_days=days)


def test_the_api_sets_and_validates_a_machines_window(retention_dir, hello, amir_api):
    response = amir_api.patch("/api/machines/api-hello/", {"retention_days": 3, "legal_hold": True}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["retention_days"], response.json()["legal_hold"]) == (3, True)
    response = amir_api.patch("/api/machines/api-hello/", {"retention_days": 31}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_retention"
    response = amir_api.patch("/api/machines/api-hello/", {"retention_days": None}, format="json")
    assert response.json()["retention_days"] is None


def test_a_viewer_cannot_change_the_window(retention_dir, hello, bob_api):
    assert bob_api.patch("/api/machines/api-hello/", {"retention_days": 3}, format="json").status_code == 403


def test_an_admin_creates_a_machine_with_a_window(retention_dir, amir_api):
    from tests.machines import load

    response = amir_api.post(
        "/api/machines/", {"name": "kept", "definition": load("api/hello"), "retention_days": 14}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["retention_days"] == 14
    bad = amir_api.post(
        "/api/machines/", {"name": "kept2", "definition": load("api/hello"), "retention_days": 0}, format="json"
    )
    assert bad.status_code == 400
    assert not Execution.objects.exists()


def test_an_admin_puts_one_execution_on_hold_through_the_api_and_lifts_it(retention_dir, hello, finished_run, amir_api):
    run = finished_run(hello, days_ago=9)
    url = f"/api/executions/{run.uuid}/"
    response = amir_api.patch(url, {"legal_hold": True}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["legal_hold"] is True
    assert _due() == set()

    assert amir_api.get(url).json()["legal_hold"] is True
    assert amir_api.patch(url, {"legal_hold": False}, format="json").json()["legal_hold"] is False
    assert _due() == {run.name}


def test_an_operator_cannot_put_an_execution_on_hold(retention_dir, hello, finished_run, olivia_api):
    run = finished_run(hello, days_ago=9)
    response = olivia_api.patch(f"/api/executions/{run.uuid}/", {"legal_hold": True}, format="json")
    assert response.status_code == 403
    assert _due() == {run.name}


def test_a_hold_without_a_boolean_is_refused(retention_dir, hello, finished_run, amir_api):
    run = finished_run(hello, days_ago=9)
    response = amir_api.patch(f"/api/executions/{run.uuid}/", {"legal_hold": "maybe"}, format="json")
    assert response.status_code == 400
    assert "legal_hold" in str(response.json()["error"]["problems"])
