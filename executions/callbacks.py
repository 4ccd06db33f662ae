"""The callback pattern: Task states whose Resource ends in ``.waitForTaskToken``.

The runner invokes such a function detached and then *parks* the row
(``waiting_for=callback``), holding no worker, with its deadlines in ``pending``:
``deadline_at`` (TimeoutSeconds) and ``heartbeat_at`` (HeartbeatSeconds, pushed on by
each heartbeat); ``wake_at`` is the sooner one, so the timer loop wakes the row to fail
it with ``States.Timeout`` or ``States.HeartbeatTimeout``. ``send_success`` and
``send_failure`` (AWS's SendTaskSuccess and SendTaskFailure) store the outcome in
``pending`` and enqueue the row; a worker then resumes the interpreter with it.

Every write is a compare-and-set on ``revision``, like the runner's: an outcome that
arrives while the worker is still making the detached call wins, and the worker's park
finds the row changed and leaves it alone.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from executions.exceptions import TaskNotFound
from executions.models import Execution, ExecutionStatus, Frame, Step, WaitingFor
from executions.queue import ADVANCE_EXECUTION, ADVANCE_FRAME, enqueue

__all__ = ["due", "outcome", "park", "send_failure", "send_heartbeat", "send_success"]

_WAITING = (WaitingFor.TASK, WaitingFor.CALLBACK)


def park(*, model: type[Execution] | type[Frame], pk: int, revision: int, pending: dict[str, Any], now: datetime,
         execution_deadline: datetime | None, call_id: str = "") -> bool:
    """Park a row after its detached call, recording Fn's ``call_id`` on the open Step in the
    same transaction; False (and nothing written) when the row changed meanwhile."""
    timeout, heartbeat = pending.get("timeout_seconds"), pending.get("heartbeat_seconds")
    parked = dict(pending)
    wakes = [execution_deadline] if execution_deadline is not None else []
    if timeout:
        parked["deadline_at"] = (now + timedelta(seconds=float(timeout))).isoformat()
        wakes.append(now + timedelta(seconds=float(timeout)))
    if heartbeat:
        parked["heartbeat_at"] = (now + timedelta(seconds=float(heartbeat))).isoformat()
        wakes.append(now + timedelta(seconds=float(heartbeat)))
    with transaction.atomic():
        parked_now = model.objects.filter(pk=pk, revision=revision).update(
            revision=revision + 1, waiting_for=WaitingFor.CALLBACK, pending=parked, claimed_until=None,
            wake_at=min(wakes) if wakes else None,
        ) == 1
        if parked_now and call_id:
            steps = Step.objects.filter(frame_id=pk) if model is Frame else Step.objects.filter(execution_id=pk, frame=None)
            steps.filter(exited_at__isnull=True).update(fn_call_id=call_id)
    return parked_now


def due(pending: dict[str, Any] | None, now: datetime) -> bool:
    """True when a parked row has something for a worker: an outcome or a passed deadline."""
    return outcome(pending, now) is not None


def outcome(pending: dict[str, Any] | None, now: datetime) -> tuple[Any, str | None, str | None] | None:
    """``(output, error, cause)`` for a parked row, or None while it should keep waiting."""
    pending = pending or {}
    if "outcome" in pending:
        got = pending["outcome"]
        return got.get("output"), got.get("error"), got.get("cause")
    if pending.get("deadline_at") and datetime.fromisoformat(pending["deadline_at"]) <= now:
        return None, "States.Timeout", f"No task success or failure within {pending.get('timeout_seconds'):g} seconds."
    if pending.get("heartbeat_at") and datetime.fromisoformat(pending["heartbeat_at"]) <= now:
        return None, "States.HeartbeatTimeout", f"No heartbeat within {pending.get('heartbeat_seconds'):g} seconds."
    return None


def send_success(*, token: str, output: Any) -> None:
    _complete(token, {"output": output})


def send_failure(*, token: str, error: str | None, cause: str | None) -> None:
    _complete(token, {"error": error or "States.TaskFailed", "cause": cause or ""})


def send_heartbeat(*, token: str) -> None:
    """Push the heartbeat deadline on; raises ``TaskNotFound`` for an unknown or ended task."""
    for _ in range(5):  # a compare-and-set lost to another writer is simply tried again
        model, row = _find(token)
        pending = dict(row.pending or {})
        if row.waiting_for != WaitingFor.CALLBACK or not pending.get("heartbeat_seconds"):
            return  # still being called, or no heartbeat to keep: nothing to push on
        now = timezone.now()
        beat = now + timedelta(seconds=float(pending["heartbeat_seconds"]))
        pending["heartbeat_at"] = beat.isoformat()
        wakes = [beat]
        if pending.get("deadline_at"):
            wakes.append(datetime.fromisoformat(pending["deadline_at"]))
        if model.objects.filter(pk=row.pk, revision=row.revision).update(
            revision=F("revision") + 1, pending=pending, wake_at=min(wakes)
        ) == 1:
            return


def _complete(token: str, result: dict[str, Any]) -> None:
    for _ in range(5):
        model, row = _find(token)
        pending = dict(row.pending or {}, outcome=result)
        with transaction.atomic():
            won = model.objects.filter(pk=row.pk, revision=row.revision).update(
                revision=row.revision + 1, waiting_for=WaitingFor.CALLBACK, pending=pending,
                claimed_until=None, wake_at=timezone.now(),
            )
            if won == 1:
                enqueue(ADVANCE_EXECUTION if model is Execution else ADVANCE_FRAME, row.pk)
                return
    raise TaskNotFound("The task changed while it was being completed; try again.")


def _find(token: str) -> tuple[type[Execution] | type[Frame], Any]:
    if token:
        for model in (Execution, Frame):
            row = (
                model.objects.filter(task_token=token, status=ExecutionStatus.RUNNING, waiting_for__in=_WAITING)
                .only("pk", "revision", "pending", "waiting_for")
                .first()
            )
            if row is not None and "outcome" not in (row.pending or {}):
                return model, row
    raise TaskNotFound("No running task has this token: it finished, timed out, or never existed.")
