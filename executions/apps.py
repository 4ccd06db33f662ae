from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _install_schedules(**kwargs: Any) -> None:
    # Declared in code, installed after every migrate; idempotent (see retention/schedule.py).
    from executions.retention.schedule import install_schedule

    install_schedule()


class ExecutionsConfig(AppConfig):
    """Executions, their history, and the runner that django-q2 workers call."""

    name = "executions"
    verbose_name = "Executions"

    def ready(self) -> None:
        post_migrate.connect(_install_schedules, sender=self, dispatch_uid="stepflow.retention.schedule")
