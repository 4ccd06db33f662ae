"""Ending an execution from outside its run: a stop, or its machine-level timeout.

Either takes effect at once, even while a worker holds a claim and is inside a Task call:
it bumps the execution's ``revision`` (and every live frame's), so that worker's next
compare-and-set fails and it drops what it was doing. Nothing waits for the worker.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from executions import live
from executions.history import close_open_steps
from executions.models import Event, Execution, ExecutionStatus, Frame, FrameStatus, StepStatus

__all__ = ["end_execution", "time_out_if_due"]

_EVENT = {ExecutionStatus.ABORTED: "ExecutionAborted", ExecutionStatus.TIMED_OUT: "ExecutionTimedOut"}


def end_execution(
    *, execution_id: int, status: ExecutionStatus, error: str | None, cause: str | None, now: datetime | None = None
) -> bool:
    """End a running execution as ABORTED or TIMED_OUT; False when it had already ended.

    Records the ``ExecutionAborted`` / ``ExecutionTimedOut`` event, aborts its frames and
    closes its open steps, all in one transaction.
    """
    now = now or timezone.now()
    with transaction.atomic():
        row = (
            Execution.objects.select_for_update()
            .filter(pk=execution_id, status=ExecutionStatus.RUNNING)
            .values_list("event_count", flat=True)
            .first()
        )
        if row is None:
            return False
        event_id = row + 1
        details = {key: value for key, value in (("error", error), ("cause", cause)) if value is not None}
        Event.objects.create(
            execution_id=execution_id,
            event_id=event_id,
            previous_event_id=row,
            type=_EVENT[status],
            timestamp=now,
            details=details or None,
        )
        Execution.objects.filter(pk=execution_id).update(
            status=status,
            error=(error or "")[:256],
            cause=cause or "",
            stopped_at=now,
            event_count=event_id,
            revision=F("revision") + 1,
            claimed_until=None,
            wake_at=None,
            waiting_for="",
            pending=None,
        )
        Frame.objects.filter(
            execution_id=execution_id, status__in=[FrameStatus.PENDING, FrameStatus.RUNNING]
        ).update(
            status=FrameStatus.ABORTED, revision=F("revision") + 1, claimed_until=None, wake_at=None, finished_at=now
        )
        close_open_steps(execution_id=execution_id, status=StepStatus.ABORTED, at=now)
        live.publish_status(execution_id=execution_id)
    return True


def time_out_if_due(*, execution_id: int, now: datetime | None = None) -> bool:
    """End the execution as TIMED_OUT (``States.Timeout``) if its deadline has passed."""
    now = now or timezone.now()
    execution = (
        Execution.objects.filter(pk=execution_id, status=ExecutionStatus.RUNNING, deadline_at__lte=now)
        .only("pk", "started_at", "deadline_at")
        .first()
    )
    if execution is None or execution.deadline_at is None:
        return False
    seconds = round((execution.deadline_at - execution.started_at).total_seconds())
    return end_execution(
        execution_id=execution_id,
        status=ExecutionStatus.TIMED_OUT,
        error="States.Timeout",
        cause=f"The execution ran longer than its TimeoutSeconds ({seconds} s).",
        now=now,
    )
