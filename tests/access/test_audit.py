"""Every change someone makes leaves an audit record: who, when, what, from where."""

from __future__ import annotations

import pytest
from django.test import Client

from stepflow.access import tokens
from stepflow.access.models import AuditAction, AuditRecord
from executions import services
from executions.models import Execution
from tests.machines import load

pytestmark = pytest.mark.django_db

BROWSER = {"HTTP_USER_AGENT": "audit-test/1.0", "REMOTE_ADDR": "203.0.113.7"}


def _actions() -> list[tuple[str, str, str]]:
    return [(r.actor_name, r.action, r.target_repr) for r in AuditRecord.objects.order_by("pk")]


def test_machine_changes_through_the_api_are_recorded_with_who_and_from_where(alice_api):
    definition = load("api/hello")
    alice_api.post("/api/machines/", {"name": "hello", "definition": definition}, format="json", **BROWSER)
    alice_api.put("/api/machines/hello/", {"definition": definition}, format="json", **BROWSER)
    alice_api.patch("/api/machines/hello/", {"description": "greets"}, format="json", **BROWSER)
    alice_api.delete("/api/machines/hello/", **BROWSER)
    records = list(AuditRecord.objects.filter(target_type="workflows.statemachine").order_by("pk"))
    assert [r.action for r in records] == [
        AuditAction.MACHINE_CREATED, AuditAction.MACHINE_UPDATED, AuditAction.MACHINE_CONFIGURED,
        AuditAction.MACHINE_DELETED,
    ]
    assert {(r.actor_name, r.ip, r.user_agent, r.via) for r in records} == {
        ("alice", "203.0.113.7", "audit-test/1.0", "api")
    }
    assert records[1].detail == {"version": 2} and records[2].detail == {"description": "greets"}


def test_starting_and_stopping_an_execution_is_recorded(olivia_api, make_machine, work):
    make_machine("states", "wait", machine_name="waits")
    with work():
        run = olivia_api.post("/api/machines/waits/executions/", {"input": {"n": 1}}, format="json").json()
    olivia_api.post(f"/api/executions/{run['id']}/stop/", {}, format="json")
    started, stopped = AuditRecord.objects.filter(target_type="executions.execution").order_by("pk")
    assert (started.action, started.actor_name, started.target_id) == (AuditAction.EXECUTION_STARTED, "olivia", run["id"])
    assert (stopped.action, stopped.actor_name, stopped.target_id) == (AuditAction.EXECUTION_STOPPED, "olivia", run["id"])


def test_a_failed_change_leaves_no_record(bob_api, alice_api):
    bob_api.post("/api/machines/", {"name": "x", "definition": load("api/hello")}, format="json")
    alice_api.post("/api/machines/", {"name": "bad", "definition": {"StartAt": "Nowhere"}}, format="json")
    assert AuditRecord.objects.filter(action=AuditAction.MACHINE_CREATED).count() == 0


def _admin_client(amir) -> Client:
    client = Client(**BROWSER)
    client.force_login(amir)
    return client


def test_admin_actions_rerun_hold_and_export_are_recorded(amir, make_machine, start, work, settings, tmp_path):
    settings.STEPFLOW_RETENTION_DIR = tmp_path
    make_machine("api", "hello", machine_name="hello")
    run = start("hello", {})
    pk = Execution.objects.get(uuid=run["id"]).pk
    client = _admin_client(amir)
    changelist = "/admin/executions/execution/"
    for action in ("hold", "lift_hold", "export_now"):
        client.post(changelist, {"action": action, "_selected_action": [pk]})
    with work():
        client.post(changelist, {"action": "rerun", "_selected_action": [pk]})
    actions = list(AuditRecord.objects.filter(actor_name="amir").exclude(action=AuditAction.TOKEN_CREATED)
                   .order_by("pk").values_list("action", flat=True))
    assert actions == [
        AuditAction.LEGAL_HOLD_SET, AuditAction.LEGAL_HOLD_LIFTED, AuditAction.RETENTION_EXPORTED,
        AuditAction.EXECUTION_RERUN,
    ]
    rerun = AuditRecord.objects.get(action=AuditAction.EXECUTION_RERUN)
    assert rerun.detail["rerun_of"] == run["id"] and rerun.via == "admin" and rerun.ip == "203.0.113.7"


def test_a_machine_legal_hold_is_recorded_as_such(amir_api, make_machine):
    make_machine("api", "hello", machine_name="hello")
    amir_api.patch("/api/machines/hello/", {"legal_hold": True}, format="json")
    amir_api.patch("/api/machines/hello/", {"legal_hold": True}, format="json")  # no change: no record
    holds = AuditRecord.objects.filter(actor_name="amir", target_type="workflows.statemachine")
    assert list(holds.values_list("action", flat=True)) == [AuditAction.LEGAL_HOLD_SET]


def test_tokens_created_and_revoked_are_recorded(bob):
    token, _ = tokens.create_token(user=bob, name="laptop")
    tokens.revoke_token(user=bob, token_id=token.pk)
    assert [(who, action) for who, action, _ in _actions()] == [
        ("bob", AuditAction.TOKEN_CREATED), ("bob", AuditAction.TOKEN_REVOKED)
    ]


def test_a_change_outside_a_request_says_it_came_from_the_system(alice, make_machine):
    machine = make_machine("api", "hello", machine_name="hello")
    services.delete_machine(machine=machine, by=None)
    record = AuditRecord.objects.get(action=AuditAction.MACHINE_DELETED)
    assert (record.actor_name, record.via, record.ip) == ("", "system", None)


def test_admins_read_the_trail_in_the_admin_and_nobody_edits_it(amir, bob, alice_api, make_machine):
    make_machine("api", "hello", machine_name="hello")
    record = AuditRecord.objects.get(action=AuditAction.MACHINE_CREATED)
    client = _admin_client(amir)
    assert client.get("/admin/access/auditrecord/").status_code == 200
    assert client.get(f"/admin/access/auditrecord/{record.pk}/change/").status_code == 200
    assert client.post(f"/admin/access/auditrecord/{record.pk}/change/", {"action": "x"}).status_code == 403
    assert client.post(f"/admin/access/auditrecord/{record.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/access/auditrecord/add/").status_code == 403
    bob.is_staff = True  # staff, but a viewer: no audit permission
    bob.save()
    viewer = Client()
    viewer.force_login(bob)
    assert viewer.get("/admin/access/auditrecord/").status_code == 403
    assert AuditRecord.objects.filter(pk=record.pk, action=AuditAction.MACHINE_CREATED).exists()
