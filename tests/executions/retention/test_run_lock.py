"""One sweep at a time, and a sweep whose process died is marked abandoned, never left RUNNING."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from executions.models import Execution
from executions.retention import services, tasks
from executions.retention.models import RetentionRun, RunStatus, RunTrigger
from executions.retention.status import retention_status

pytestmark = pytest.mark.django_db


class Crash(BaseException):
    """Stands for the process dying mid-run."""


def _crashed_run(hello, finished_run, *, silent_for: timedelta) -> RetentionRun:
    finished_run(hello, days_ago=9)

    def die(batch):
        raise Crash

    with pytest.raises(Crash):
        services.run_retention(trigger=RunTrigger.SCHEDULE, after_export=die)
    run = RetentionRun.objects.get()
    RetentionRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - silent_for)
    return run


def test_a_second_sweep_stands_aside_while_one_is_alive(retention_dir, hello, finished_run):
    running = _crashed_run(hello, finished_run, silent_for=timedelta(seconds=5))
    with pytest.raises(services.RetentionBusy) as busy:
        services.run_retention(trigger=RunTrigger.COMMAND)
    assert busy.value.run == running
    assert tasks.run_scheduled().startswith("skipped: retention run")
    with pytest.raises(CommandError, match="has been running since"):
        call_command("retention", stdout=StringIO())
    assert RetentionRun.objects.count() == 1


def test_a_sweep_whose_process_died_is_marked_abandoned_and_the_next_one_ships_its_rows(
    retention_dir, hello, finished_run, settings
):
    settings.STEPFLOW_RETENTION_LEASE_SECONDS = 900
    dead = _crashed_run(hello, finished_run, silent_for=timedelta(minutes=16))
    assert retention_status()["last_run"]["status"] == RunStatus.RUNNING

    run = services.run_retention(trigger=RunTrigger.SCHEDULE)
    dead.refresh_from_db()
    assert dead.status == RunStatus.FAILED and dead.error.startswith("abandoned")
    assert dead.finished_at is not None
    assert run.status == RunStatus.SUCCEEDED and run.executions_deleted == 1
    assert Execution.objects.count() == 0
    assert retention_status()["last_failure"]["id"] == str(dead.uuid)


def test_exports_chosen_by_hand_run_beside_a_sweep(retention_dir, hello, finished_run):
    _crashed_run(hello, finished_run, silent_for=timedelta(seconds=5))
    chosen = finished_run(hello, days_ago=1)
    run = services.export_executions(executions=Execution.objects.filter(pk=chosen.pk), delete=False)
    assert run.status == RunStatus.SUCCEEDED and run.executions_exported == 1


def test_every_batch_renews_the_heartbeat(retention_dir, hello, finished_run):
    for _ in range(4):
        finished_run(hello, days_ago=9)
    began = timezone.now()
    run = services.run_retention()
    assert run.batches.count() == 2
    assert run.heartbeat_at >= began
