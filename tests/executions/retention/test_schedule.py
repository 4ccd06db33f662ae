"""The retention schedule is declared in code and installed once, however often it runs."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django_q.models import Schedule

from executions.models import Execution
from executions.retention import tasks
from executions.retention.schedule import SCHEDULE_NAME, TASK, install_schedule

pytestmark = pytest.mark.django_db


def test_migrate_installed_exactly_one_hourly_schedule():
    rows = list(Schedule.objects.filter(name=SCHEDULE_NAME))
    assert [(r.func, r.schedule_type, r.minutes) for r in rows] == [(TASK, Schedule.MINUTES, 60)]


def test_installing_again_and_again_never_duplicates_it(settings):
    for _ in range(3):
        install_schedule()
    call_command("migrate", verbosity=0)
    Schedule.objects.create(name=SCHEDULE_NAME, func=TASK, schedule_type=Schedule.MINUTES, minutes=60)
    install_schedule()
    assert Schedule.objects.filter(name=SCHEDULE_NAME).count() == 1


def test_the_interval_follows_the_settings(settings):
    settings.STEPFLOW_RETENTION_INTERVAL_MINUTES = 15
    install_schedule()
    assert Schedule.objects.get(name=SCHEDULE_NAME).minutes == 15


def test_the_scheduled_task_runs_retention(retention_dir, hello, finished_run):
    finished_run(hello, days_ago=9)
    assert tasks.run_scheduled().startswith("SUCCEEDED: exported 1")
    assert not Execution.objects.exists()
