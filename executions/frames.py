"""Parallel branches and Map iterations as rows: forking, finishing, joining.

A ``Fork`` creates one ``Frame`` per child in the parent's transaction; at most
``MaxConcurrency`` (and ``STEPFLOW_FORK_WINDOW``) start ``RUNNING``, the rest wait
``PENDING``. When a child ends, in its own final transaction, the parent's
``pending_children`` drops by one, the next pending sibling starts, and the child that
brings the count to zero enqueues the parent, whose next unit of work ``join``s the
results read back from the rows. Every transition of an execution holds its row lock,
so these counts never race.

Cursors are stored without their ``ctx`` (the execution part of the context object,
which holds the whole execution input): it lives once on the ``Execution``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import F

import stepflow.asl as asl
from executions.models import Execution, ExecutionStatus, Frame, FrameStatus, WaitingFor
from executions.queue import ADVANCE_EXECUTION, ADVANCE_FRAME, enqueue

__all__ = ["child_finished", "create_children", "lease", "pack", "results", "unpack"]


def pack(cursor: dict[str, Any] | None, context: Any) -> dict[str, Any] | None:
    """The cursor as stored: without ``ctx`` when it is the execution's context."""
    if cursor is None:
        return None
    ctx = cursor.get("ctx")
    if ctx is context or (ctx is not None and ctx == context):
        return {key: value for key, value in cursor.items() if key != "ctx"}
    return cursor


def unpack(stored: dict[str, Any] | None, context: Any) -> dict[str, Any]:
    """The cursor the interpreter expects, ``ctx`` restored."""
    if stored is None:
        return {}
    if "ctx" in stored:
        return stored
    return {**stored, "ctx": context}


def lease(now: datetime, extra: float = 0.0) -> datetime:
    """A claim's end: the configured lease from ``now``, plus ``extra`` seconds (a call's timeout)."""
    return now + timedelta(seconds=settings.STEPFLOW_CLAIM_LEASE_SECONDS + extra)


def create_children(
    *,
    execution: Execution,
    parent: Frame | None,
    fork_seq: int,
    children: Sequence[dict[str, Any]],
    max_concurrency: int,
    now: datetime,
) -> None:
    """Create the frames of one fork and enqueue the ones allowed to start."""
    window = settings.STEPFLOW_FORK_WINDOW
    if max_concurrency:
        window = min(window, max_concurrency)
    # All forks of one execution share STEPFLOW_MAX_RUNNING_CHILDREN, so nested Maps cannot
    # start thousands times thousands of children; each fork still gets one, so none stalls.
    running = Frame.objects.filter(execution=execution, status=FrameStatus.RUNNING).count()
    window = max(1, min(window, settings.STEPFLOW_MAX_RUNNING_CHILDREN - running))
    rows = [
        Frame(
            execution=execution,
            parent=parent,
            parent_fork_seq=fork_seq,
            index=index,
            path=child.get("frame"),
            status=FrameStatus.RUNNING if index < window else FrameStatus.PENDING,
            cursor=pack(child, execution.context),
            # A running child carries a wake time in case its queue message is lost.
            wake_at=lease(now) if index < window else None,
            created_at=now,
        )
        for index, child in enumerate(children)
    ]
    Frame.objects.bulk_create(rows, batch_size=500)
    for row in rows[:window]:
        enqueue(ADVANCE_FRAME, row.pk)


def child_finished(*, frame: Frame, now: datetime) -> None:
    """Account for a child that just ended (inside its final transaction)."""
    parent_model: type[Execution] | type[Frame] = Frame if frame.parent_id else Execution
    parent_pk = frame.parent_id or frame.execution_id
    counted = parent_model.objects.filter(
        pk=parent_pk,
        status=ExecutionStatus.RUNNING,
        waiting_for=WaitingFor.CHILDREN,
        fork_seq=frame.parent_fork_seq,
    ).update(pending_children=F("pending_children") - 1)
    if counted != 1:
        return  # the parent was stopped or has moved on
    siblings = Frame.objects.filter(
        execution_id=frame.execution_id, parent_id=frame.parent_id, parent_fork_seq=frame.parent_fork_seq
    )
    waiting = siblings.filter(status=FrameStatus.PENDING).order_by("index").values_list("pk", flat=True).first()
    if waiting is not None:
        siblings.filter(pk=waiting, status=FrameStatus.PENDING).update(status=FrameStatus.RUNNING, wake_at=lease(now))
        enqueue(ADVANCE_FRAME, waiting)
    remaining = parent_model.objects.filter(pk=parent_pk).values_list("pending_children", flat=True).first()
    if remaining == 0:
        wake = lease(now)
        if parent_model is Execution:
            deadline = Execution.objects.filter(pk=parent_pk).values_list("deadline_at", flat=True).first()
            wake = min(wake, deadline) if deadline is not None else wake
        parent_model.objects.filter(pk=parent_pk).update(wake_at=wake)
        enqueue(ADVANCE_EXECUTION if parent_model is Execution else ADVANCE_FRAME, parent_pk)


def results(execution_id: int, parent: Frame | None, fork_seq: int) -> list[asl.Succeeded | asl.Failed]:
    """The terminal decisions of one fork's children, in child order, for ``join``."""
    rows = (
        Frame.objects.filter(execution_id=execution_id, parent=parent, parent_fork_seq=fork_seq)
        .order_by("index")
        .values_list("status", "result")
    )
    out: list[asl.Succeeded | asl.Failed] = []
    for status, result in rows.iterator(chunk_size=1000):
        result = result or {}
        if status == FrameStatus.SUCCEEDED:
            out.append(asl.Succeeded(result.get("output")))
        else:
            out.append(asl.Failed(result.get("error"), result.get("cause")))
    return out
