"""The retention schedule, declared here and installed idempotently.

``install_schedule`` runs after every ``migrate`` (a ``post_migrate`` handler in
``executions/apps.py``): it keys the django-q2 ``Schedule`` row by name, updates it to the
configured interval and removes any duplicate, so any number of migrations or restarts
leaves exactly one.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django_q.models import Schedule

__all__ = ["SCHEDULE_NAME", "TASK", "install_schedule"]

SCHEDULE_NAME = "stepflow.retention"
TASK = "executions.retention.tasks.run_scheduled"


def install_schedule() -> Schedule:
    """Create or update the one retention schedule; returns it."""
    minutes = settings.STEPFLOW_RETENTION_INTERVAL_MINUTES
    with transaction.atomic():
        rows = list(Schedule.objects.select_for_update().filter(name=SCHEDULE_NAME).order_by("pk"))
        for extra in rows[1:]:
            extra.delete()
        schedule = rows[0] if rows else Schedule(name=SCHEDULE_NAME)
        changed = not rows or (schedule.func, schedule.schedule_type, schedule.minutes) != (
            TASK, Schedule.MINUTES, minutes
        )
        if changed:
            schedule.func = TASK
            schedule.schedule_type = Schedule.MINUTES
            schedule.minutes = minutes
            schedule.repeats = -1
            schedule.save()
    return schedule
