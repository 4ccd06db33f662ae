"""The four roles are groups made by a migration, each holding exactly its permissions."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission

from stepflow.access.roles import ADMIN, EDITOR, OPERATOR, ROLES, VIEWER, sync_roles

pytestmark = pytest.mark.django_db


def _perms(role: str) -> set[str]:
    group = Group.objects.get(name=role)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def test_the_migration_made_every_role():
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLES)


def test_a_viewer_reads_machines_and_runs_and_changes_nothing():
    perms = _perms(VIEWER)
    assert {"workflows.view_statemachine", "executions.view_execution", "executions.view_step"} <= perms
    assert all(".view_" in p for p in perms)
    assert not any(p.startswith(("auth.", "access.")) for p in perms)


def test_an_operator_also_starts_stops_and_reruns_but_edits_no_machine():
    perms = _perms(OPERATOR)
    assert _perms(VIEWER) < perms
    assert {"executions.start_execution", "executions.stop_execution", "executions.rerun_execution"} <= perms
    assert "workflows.change_statemachine" not in perms


def test_an_editor_also_creates_changes_and_deletes_machines_but_not_retention():
    perms = _perms(EDITOR)
    assert _perms(OPERATOR) < perms
    assert {"workflows.add_statemachine", "workflows.change_statemachine", "workflows.delete_statemachine"} <= perms
    assert "workflows.manage_retention" not in perms


def test_an_admin_holds_every_permission_including_retention_audit_and_people():
    assert _perms(ADMIN) == {f"{p.content_type.app_label}.{p.codename}" for p in Permission.objects.all()}
    assert {"workflows.manage_retention", "access.view_auditrecord", "auth.change_user"} <= _perms(ADMIN)


def test_syncing_again_renames_a_legacy_group_keeping_its_members(django_user_model):
    Group.objects.filter(name=EDITOR).delete()
    legacy = Group.objects.create(name="editors")
    dan = django_user_model.objects.create_user("dan")
    dan.groups.add(legacy)
    sync_roles()
    assert list(dan.groups.values_list("name", flat=True)) == [EDITOR]
    assert dan.has_perm("workflows.change_statemachine")
