"""The HTML pages about runs: dashboard, machine page, execution page."""

from __future__ import annotations

import json
import uuid

import pytest
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.db import connection

from executions.models import Execution, ExecutionStatus
from tests.machines import load
from workflows import services as workflows

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def machines(alice):
    made = []
    for n in range(3):
        made.append(workflows.create_machine(name=f"m{n}", definition=load("states/pass"), by=alice))
    return made


@pytest.fixture
def runs(machines, start, work):
    """Two runs per machine; one of m0's failed."""
    out = []
    for machine in machines:
        for k in range(2):
            out.append(start(machine, {"who": "ada", "k": k}, name=f"{machine.name}-run-{k}"))
    Execution.objects.filter(name="m0-run-1").update(status=ExecutionStatus.FAILED, error="Boom")
    return out


@pytest.mark.parametrize("url", ["/", "/machines/m0/", "/machines/new/", "/machines/m0/edit/"])
def test_every_page_needs_a_signed_in_user(machines, url):
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_execution_page_needs_a_signed_in_user(runs):
    response = Client().get(f"/executions/{runs[0]['id']}/")
    assert response.status_code == 302


def test_someone_without_access_is_refused(charlie, runs):
    client = signed_in(charlie)
    assert client.get("/").status_code == 403
    assert client.get(f"/executions/{runs[0]['id']}/").status_code == 403
    assert client.get("/machines/new/").status_code == 403


def test_the_dashboard_counts_each_machines_executions_by_status(bob, runs):
    response = signed_in(bob).get("/")
    assert response.status_code == 200
    rows = {m.name: m for m in response.context["machines"]}
    assert rows["m0"].n_succeeded == 1 and rows["m0"].n_failed == 1
    assert rows["m1"].n_succeeded == 2
    assert b"m0-run-1" in response.content


def test_the_dashboard_lists_failures_first(bob, runs):
    names = [e.name for e in signed_in(bob).get("/").context["executions"]]
    assert names[0] == "m0-run-1"
    assert len(names) == 6


def test_the_dashboard_filters_by_machine_status_and_time(bob, runs):
    client = signed_in(bob)
    assert {e.name for e in client.get("/?machine=m1").context["executions"]} == {"m1-run-0", "m1-run-1"}
    assert [e.name for e in client.get("/?status=FAILED").context["executions"]] == ["m0-run-1"]
    Execution.objects.filter(name="m2-run-0").update(started_at="2000-01-01T00:00:00Z")
    assert "m2-run-0" not in {e.name for e in client.get("/?window=7d").context["executions"]}
    assert "m2-run-0" in {e.name for e in client.get("/?window=all").context["executions"]}


def test_the_dashboard_searches_by_name_or_id(bob, runs):
    client = signed_in(bob)
    assert {e.name for e in client.get("/?q=run-1").context["executions"]} == {"m0-run-1", "m1-run-1", "m2-run-1"}
    by_id = client.get(f"/?q={runs[3]['id']}").context["executions"]
    assert [str(e.uuid) for e in by_id] == [runs[3]["id"]]
    assert list(client.get(f"/?q={uuid.uuid4()}").context["executions"]) == []


def test_the_dashboards_live_fragment_is_the_tables_alone(bob, runs):
    response = signed_in(bob).get("/?fragment=live")
    assert response.status_code == 200
    assert b"<html" not in response.content and b"m0-run-1" in response.content


def test_the_dashboard_makes_a_bounded_number_of_queries(bob, runs, alice, start):
    client = signed_in(bob)
    client.get("/")  # warm the session and permission caches
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    for n in range(5):
        machine = workflows.create_machine(name=f"more{n}", definition=load("states/pass"), by=alice)
        start(machine, {})
    with CaptureQueriesContext(connection) as many:
        client.get("/")
    assert len(many) == len(few) <= 12


def test_the_machine_page_shows_graph_versions_and_executions(alice, runs):
    workflows.update_machine(machine=workflows.get_machine(name="m0"), definition=load("states/choice"), comment="now a choice", by=alice)
    response = signed_in(alice).get("/machines/m0/")
    assert response.status_code == 200
    assert [v.number for v in response.context["versions"]] == [2, 1]
    assert b"now a choice" in response.content and b"alice" in response.content
    assert {e.name for e in response.context["executions"]} == {"m0-run-0", "m0-run-1"}
    assert response.context["counts"]["FAILED"] == 1
    assert response.context["diff"] is None
    assert b'id="definition"' in response.content


def test_the_machine_page_diffs_any_version_against_the_current_one(alice, machines):
    machine = machines[0]
    changed = load("states/pass")
    changed["Comment"] = "changed"
    workflows.update_machine(machine=machine, definition=changed, comment="comment", by=alice)
    response = signed_in(alice).get("/machines/m0/?compare=1")
    kinds = {row.kind for row in response.context["diff"]}
    assert "same" in kinds and kinds & {"added", "changed"}
    assert any('"Comment": "changed"' in row.right for row in response.context["diff"])
    assert signed_in(alice).get("/machines/m0/?compare=9").status_code == 404


def test_the_machine_page_makes_a_bounded_number_of_queries(alice, runs, start):
    client = signed_in(alice)
    client.get("/machines/m0/")
    with CaptureQueriesContext(connection) as few:
        client.get("/machines/m0/")
    for k in range(5):
        start("m0", {"more": k})
        workflows.update_machine(machine=workflows.get_machine(name="m0"), definition=load("states/pass"), comment=str(k), by=alice)
    with CaptureQueriesContext(connection) as many:
        client.get("/machines/m0/")
    assert len(many) == len(few) <= 12


def test_a_missing_machine_or_execution_is_404(bob, machines):
    client = signed_in(bob)
    assert client.get("/machines/nope/").status_code == 404
    assert client.get(f"/executions/{uuid.uuid4()}/").status_code == 404
    assert client.get("/executions/not-a-uuid/").status_code == 404


def test_the_execution_page_carries_definition_steps_and_history(bob, make_machine, start):
    machine = make_machine("states", "parallel")
    run = start(machine, {"x": 1})
    response = signed_in(bob).get(f"/executions/{run['id']}/")
    assert response.status_code == 200
    data = response.context["page_data"]
    assert data["execution"]["status"] == "SUCCEEDED"
    assert data["definition"]["StartAt"]
    assert {s["state_type"] for s in data["steps"]} >= {"Parallel"}
    assert any(s["branch"] for s in data["steps"])
    assert data["events"][0]["type"] == "ExecutionStarted"
    assert data["can_stop"] is False  # bob only views
    assert b'id="page-data"' in response.content
    json.loads(response.content.split(b'id="page-data" type="application/json">')[1].split(b"</script>")[0])


def test_the_execution_page_makes_a_bounded_number_of_queries(bob, make_machine, start):
    machine = make_machine("states", "map")
    small = start(machine, {"items": [1]}) if "items" in json.dumps(load("states/map")) else start(machine, {})
    client = signed_in(bob)
    client.get(f"/executions/{small['id']}/")
    with CaptureQueriesContext(connection) as queries:
        client.get(f"/executions/{small['id']}/")
    assert len(queries) <= 10
