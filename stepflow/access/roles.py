"""The four roles, as Django groups holding model permissions.

============  ===================================================================
viewer        reads machines, versions, executions, steps, history, retention runs
operator      viewer + starts, stops and re-runs executions, reports task results
editor        operator + creates, updates and deletes machines
admin         every permission: retention windows, legal holds, audit, people
============  ===================================================================

Views check permissions (``has_perms``), never group names, so a deployment may also
grant single permissions to a person (or another group). ``sync_roles`` makes the four
groups hold exactly these permissions: the ``access`` data migration creates them, and every
later ``migrate`` (``post_migrate``) and ``manage.py bootstrap`` sync them again, so the
admin role also holds the permissions of models added since. Hand edits to these four
groups do not survive a migrate: grant extras to people or to other groups.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db.models import Q

__all__ = ["ADMIN", "EDITOR", "OPERATOR", "ROLES", "VIEWER", "role_permissions", "sync_roles"]

VIEWER, OPERATOR, EDITOR, ADMIN = "viewer", "operator", "editor", "admin"
ROLES = (VIEWER, OPERATOR, EDITOR, ADMIN)

# Apps whose every "view_*" permission the viewer role holds.
READABLE_APPS = ("workflows", "executions")
OPERATE = (
    "executions.start_execution",
    "executions.stop_execution",
    "executions.rerun_execution",
    "executions.send_task_result",
)
EDIT = ("workflows.add_statemachine", "workflows.change_statemachine", "workflows.delete_statemachine")
# Groups that `bootstrap` created before roles existed; renamed so their members keep access.
LEGACY_NAMES = {"viewers": VIEWER, "editors": EDITOR}


def role_permissions(role: str, *, apps: Any = global_apps) -> Any:
    """The ``Permission`` queryset a role holds."""
    Permission = apps.get_model("auth", "Permission")
    everything = Permission.objects.all()
    if role == ADMIN:
        return everything
    q = Q(content_type__app_label__in=READABLE_APPS, codename__startswith="view_")
    if role in (OPERATOR, EDITOR):
        q |= _exact(OPERATE)
    if role == EDITOR:
        q |= _exact(EDIT)
    return everything.filter(q)


def _exact(perms: tuple[str, ...]) -> Q:
    q = Q(pk__in=[])
    for perm in perms:
        label, codename = perm.split(".")
        q |= Q(content_type__app_label=label, codename=codename)
    return q


def sync_roles(*, apps: Any = global_apps, using: str = "default") -> None:
    """Create the role groups (renaming legacy ones) and give each exactly its permissions.

    Permissions are created first: in a fresh database ``migrate`` only creates them after
    the last migration, and this runs inside one.
    """
    for config in apps.get_app_configs():
        # A migration's historical apps are stubs without models_module, which
        # create_permissions needs set (the documented workaround).
        stub = getattr(config, "models_module", None) is None
        if stub:
            config.models_module = True
        create_permissions(config, verbosity=0, using=using, apps=apps)
        if stub:
            config.models_module = None
    Group = apps.get_model("auth", "Group")
    for old, new in LEGACY_NAMES.items():
        if not Group.objects.using(using).filter(name=new).exists():
            Group.objects.using(using).filter(name=old).update(name=new)
    for role in ROLES:
        group, _ = Group.objects.using(using).get_or_create(name=role)
        group.permissions.set(role_permissions(role, apps=apps).using(using))
