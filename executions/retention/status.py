"""The retention dashboard hook: one small dict the UI and monitoring can read."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from executions.retention.models import RetentionRun, RunStatus

__all__ = ["retention_status"]


def _run(run: RetentionRun | None) -> dict[str, Any] | None:
    if run is None:
        return None
    return {
        "id": str(run.uuid),
        "trigger": run.trigger,
        "exporter": run.exporter,
        "status": run.status,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "executions_exported": run.executions_exported,
        "steps_exported": run.steps_exported,
        "executions_deleted": run.executions_deleted,
        "bytes_shipped": run.bytes_shipped,
        "sha256": run.sha256,
        "error": run.error,
    }


def retention_status() -> dict[str, Any]:
    """The last run, the last failure, and whether the last finished run failed (``healthy``)."""
    runs = RetentionRun.objects.order_by("-started_at", "-id")
    last = runs.first()
    last_finished = runs.exclude(status=RunStatus.RUNNING).first()
    return {
        "exporter": settings.STEPFLOW_RETENTION_EXPORTER,
        "default_days": settings.STEPFLOW_RETENTION_DAYS,
        "interval_minutes": settings.STEPFLOW_RETENTION_INTERVAL_MINUTES,
        "healthy": last_finished is None or last_finished.status == RunStatus.SUCCEEDED,
        "last_run": _run(last),
        "last_failure": _run(runs.filter(status=RunStatus.FAILED).first()),
    }
