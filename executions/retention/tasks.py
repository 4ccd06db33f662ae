"""django-q2 entry points for retention: ids in, one service call."""

from __future__ import annotations

from executions.models import Execution
from executions.retention import services
from executions.retention.models import RunTrigger


def run_scheduled() -> str:
    """The scheduled run; its outcome is the RetentionRun row (admin, dashboard, logs).

    While another sweep is alive this one stands aside: the next schedule catches up.
    """
    try:
        run = services.run_retention(trigger=RunTrigger.SCHEDULE, by="schedule")
    except services.RetentionBusy as busy:
        services.log.info("scheduled retention skipped: %s", busy)
        return f"skipped: {busy}"
    return f"{run.status}: exported {run.executions_exported}, deleted {run.executions_deleted}"


def export_machine_runs(machine_id: int) -> str:
    """Ship and delete every finished run of a deleted machine (not those on hold)."""
    run = services.export_executions(
        executions=Execution.objects.filter(machine_id=machine_id), delete=True, trigger=RunTrigger.MACHINE_DELETED
    )
    if run.status == "SUCCEEDED":
        services.purge_retired_machines()
    return f"{run.status}: exported {run.executions_exported}, deleted {run.executions_deleted}"
