"""The housekeeping admin renders on bounded queries, and its actions go through the services
and into Django's admin log with who did them."""

from __future__ import annotations

import json

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from executions.models import Execution, ExecutionStatus
from executions.retention import services
from executions.retention.models import RetentionRun, RunStatus
from tests.machines import load
from workflows.models import StateMachine

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(django_user_model, service_settings):
    return django_user_model.objects.create_superuser(username="root", password="root-password-1")


@pytest.fixture
def site(root) -> Client:
    client = Client()
    client.force_login(root)
    return client


def _bounded(client: Client, url: str, limit: int) -> str:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    assert len(queries) <= limit, [q["sql"][:160] for q in queries]
    return response.content.decode()


def test_the_lists_render_on_a_bounded_number_of_queries(site, retention_dir, hello, finished_run):
    for i in range(3):
        finished_run(hello, days_ago=9, steps=3)
    urls = [
        "/admin/executions/execution/", "/admin/executions/step/", "/admin/workflows/statemachine/",
        "/admin/workflows/statemachineversion/", "/admin/executions/retentionrun/",
    ]
    first = {}
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            assert site.get(url).status_code == 200
        first[url] = len(queries)
    for i in range(20):
        finished_run(hello, days_ago=9, steps=3)
    for url in urls:
        _bounded(site, url, first[url])  # more rows, no more queries: no N+1
    page = _bounded(site, "/admin/executions/execution/?status__exact=SUCCEEDED&stopped=older7d", 15)
    assert "run-" in page


def test_search_by_id_and_by_name(site, retention_dir, hello, finished_run):
    one = finished_run(hello, days_ago=9)
    other = finished_run(hello, days_ago=9)
    page = _bounded(site, f"/admin/executions/execution/?q={one.uuid}", 15)
    assert one.name in page and other.name not in page
    page = _bounded(site, f"/admin/executions/execution/?q={other.name}", 15)
    assert other.name in page


def test_an_execution_shows_its_steps_and_pretty_json(site, retention_dir, hello, finished_run):
    execution = finished_run(hello, days_ago=9, steps=60)
    page = _bounded(site, f"/admin/executions/execution/{execution.pk}/change/", 30)
    assert "&quot;text&quot;: &quot;héllo&quot;" in page  # indented, escaped JSON
    assert page.count("S59") == 0 and "S49" in page  # the inline stops at 50 steps
    step = execution.steps.first()
    assert site.get(f"/admin/executions/step/{step.pk}/change/").status_code == 200
    assert site.get(f"/admin/workflows/statemachine/{hello.pk}/change/").status_code == 200
    assert site.get(f"/admin/workflows/statemachineversion/{hello.current_version.pk}/change/").status_code == 200


def _act(site: Client, action: str, rows: list[Execution]) -> None:
    response = site.post(
        "/admin/executions/execution/",
        {"action": action, "_selected_action": [str(r.pk) for r in rows], "index": 0},
    )
    assert response.status_code == 302, response.content[:500]


def _logged(user, obj) -> list[str]:
    return list(
        LogEntry.objects.filter(user=user, object_id=str(obj.pk)).order_by("pk").values_list("change_message", flat=True)
    )


def test_hold_and_lift_hold_are_logged_with_who(site, root, retention_dir, hello, finished_run):
    run = finished_run(hello, days_ago=9)
    _act(site, "hold", [run])
    assert Execution.objects.get(pk=run.pk).legal_hold
    _act(site, "lift_hold", [run])
    assert not Execution.objects.get(pk=run.pk).legal_hold
    assert _logged(root, run) == ["Put on legal hold", "Lifted legal hold"]


def test_export_now_keeps_the_rows_and_export_and_delete_removes_them(site, root, retention_dir, hello, finished_run):
    kept, gone = finished_run(hello, days_ago=1), finished_run(hello, days_ago=1)
    _act(site, "export_now", [kept])
    assert Execution.objects.filter(pk=kept.pk).exists()
    _act(site, "export_and_delete", [gone])
    assert not Execution.objects.filter(pk=gone.pk).exists()
    runs = list(RetentionRun.objects.order_by("pk").values_list("delete", "executions_exported", "started_by"))
    assert runs == [(False, 1, "root"), (True, 1, "root")]
    assert _logged(root, kept)[0].startswith("Exported (retention run")
    assert LogEntry.objects.filter(user=root, object_id=str(gone.pk), change_message__startswith="Exported and deleted").exists()


def test_stop_and_rerun(site, root, retention_dir, hello, finished_run, work):
    running = finished_run(hello, days_ago=0, status=ExecutionStatus.RUNNING)
    with work():
        _act(site, "stop", [running])
    assert Execution.objects.get(pk=running.pk).status == ExecutionStatus.ABORTED
    done = finished_run(hello, days_ago=1)
    with work():
        _act(site, "rerun", [done])
    again = Execution.objects.exclude(pk__in=[running.pk, done.pk]).get()
    assert again.input == done.input
    assert _logged(root, running) == ["Stopped"]
    assert _logged(root, done) == [f"Re-run as {again.uuid}"]


def test_every_action_page_answers_with_bounded_queries(site, retention_dir, hello, finished_run, work):
    rows = [finished_run(hello, days_ago=9) for _ in range(3)]
    for action in ("hold", "lift_hold", "export_now"):
        with CaptureQueriesContext(connection) as queries:
            _act(site, action, rows)
        assert len(queries) < 60, (action, len(queries))


def test_a_definition_saved_in_the_admin_is_validated_and_versioned(site, root, retention_dir, hello):
    url = f"/admin/workflows/statemachine/{hello.pk}/change/"
    form = {"description": "", "retention_days": "3", "definition": '{"StartAt": "Nope", "States": {}}', "comment": ""}
    response = site.post(url, form)
    assert response.status_code == 200 and "Nope" in response.content.decode()  # the problems, shown
    assert StateMachine.objects.get(pk=hello.pk).current_version.number == 1

    form["definition"] = json.dumps(load("api/goodbye"))
    response = site.post(url, form)
    assert response.status_code == 302
    machine = StateMachine.objects.get(pk=hello.pk)
    assert (machine.current_version.number, machine.retention_days) == (2, 3)
    assert LogEntry.objects.filter(user=root, object_id=str(hello.pk)).exists()

    form["retention_days"] = "45"
    assert site.post(url, form).status_code == 200  # 1-30 only
    assert StateMachine.objects.get(pk=hello.pk).retention_days == 3


def test_a_machine_created_in_the_admin_goes_through_the_service(site, root, retention_dir):
    response = site.post(
        "/admin/workflows/statemachine/add/",
        {"name": "from-admin", "description": "d", "retention_days": "", "definition": json.dumps(load("api/hello")), "comment": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    machine = StateMachine.objects.get(name="from-admin")
    assert machine.current_version.number == 1
    assert LogEntry.objects.filter(user=root, object_id=str(machine.pk)).exists()


def test_a_failed_export_is_shown_in_the_admin(site, retention_dir, hello, finished_run):
    finished_run(hello, days_ago=9)
    retention_dir.parent.mkdir(exist_ok=True)
    retention_dir.write_text("in the way")
    run = services.run_retention()
    assert run.status == RunStatus.FAILED
    page = _bounded(site, "/admin/executions/retentionrun/", 15)
    assert "could not write" in page
    assert site.get(f"/admin/executions/retentionrun/{run.pk}/change/").status_code == 200
