from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles(using: str = "default", **kwargs: Any) -> None:
    # After every migrate, so the admin role also holds permissions of models added since
    # the roles migration ran (declared in code, installed idempotently, like schedules).
    from stepflow.access.roles import sync_roles

    sync_roles(using=using)


class AccessConfig(AppConfig):
    """Who may do what: roles, API tokens, login throttling and the audit trail.

    The lowest Django app: ``workflows`` and ``executions`` call into it (the audit trail),
    it imports neither.
    """

    name = "stepflow.access"
    label = "access"
    verbose_name = "Access"

    def ready(self) -> None:
        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="stepflow.access.roles")
