"""What a decision writes to the row being advanced, and what follows its commit.

``plan(unit, decision, now, handoff)`` gives the runner (``executions/runner.py``) the
row's new fields for the decision that ends a commit (a new cursor, a Task call's lease,
a timer, a fork, the end) and the action to take after they are written (enqueue the
rest, create the children, tell the parent a child finished).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings

import stepflow.asl as asl
from executions import frames, invoke
from executions.models import ExecutionStatus, FrameStatus, WaitingFor
from executions.queue import enqueue

if TYPE_CHECKING:
    from executions.runner import Unit

__all__ = ["ending_fields", "plan"]


def plan(unit: Unit, decision: asl.Decision, now: datetime, handoff: bool) -> tuple[dict[str, Any], Callable[[], None]]:
    """The row's new fields for ``decision`` and what to do after writing them."""
    context = unit.execution.context
    renewed = frames.lease(now)

    def nothing() -> None:
        return None

    def requeue() -> None:
        enqueue(unit.task, unit.pk)

    fields: dict[str, Any]
    after: Callable[[], None] = nothing
    match decision:
        case asl.Next(cursor=cursor):
            fields = {"cursor": frames.pack(cursor, context), "waiting_for": "", "pending": None}
            if handoff:  # out of time: release the claim and queue the rest behind other runs
                fields.update(claimed_until=None, wake_at=unit.wake(renewed))
                after = requeue
            else:
                fields.update(claimed_until=renewed, wake_at=unit.wake(renewed))
        case asl.Invoke():
            pending = invoke.pending(execution=unit.execution, decision=decision)
            # The lease covers the whole call, so nobody takes over a worker that is waiting on it.
            until = frames.lease(now, extra=pending["timeout_seconds"] or settings.STEPFLOW_TASK_TIMEOUT_SECONDS)
            fields = {
                "cursor": frames.pack(decision.cursor, context), "waiting_for": WaitingFor.TASK,
                "pending": pending, "claimed_until": until, "wake_at": unit.wake(until),
                "task_token": pending["task_token"] or "",
            }
        case asl.WaitUntil(cursor=cursor, at=at) if at > now:
            fields = {
                "cursor": frames.pack(cursor, context), "waiting_for": WaitingFor.TIMER,
                "pending": {"at": at.isoformat()}, "claimed_until": None, "wake_at": unit.wake(at),
            }
        case asl.WaitUntil(cursor=cursor):
            fields = {
                "cursor": frames.pack(cursor, context), "waiting_for": "", "pending": None,
                "claimed_until": renewed, "wake_at": unit.wake(renewed),
            }
        case asl.Fork(cursor=cursor, children=children, max_concurrency=limit):
            seq = unit.fork_seq + 1
            fields = {
                "cursor": frames.pack(cursor, context), "waiting_for": WaitingFor.CHILDREN,
                "pending": {"fork": seq, "children": len(children)}, "fork_seq": seq,
                "pending_children": len(children), "claimed_until": None,
                "wake_at": unit.execution.deadline_at if unit.is_root else None,
            }

            def after() -> None:
                frames.create_children(
                    execution=unit.execution, parent=unit.frame, fork_seq=seq, children=children,
                    max_concurrency=limit, now=now,
                )
                if not children:  # nothing to wait for: join at once
                    requeue()
        case asl.Succeeded() | asl.Failed():
            fields = ending_fields(unit, decision, now)
            if not unit.is_root:
                frame = unit.frame
                assert frame is not None

                def after() -> None:
                    frames.child_finished(frame=frame, now=now)
        case _:
            raise TypeError(f"unknown decision {decision!r}")
    unit.waiting_for = fields.get("waiting_for", unit.waiting_for)
    unit.pending = fields.get("pending", unit.pending)
    unit.fork_seq = fields.get("fork_seq", unit.fork_seq)
    if "cursor" in fields and fields["cursor"] is not None:
        unit.cursor = frames.unpack(fields["cursor"], context)
    return fields, after


def ending_fields(unit: Unit, decision: asl.Succeeded | asl.Failed, now: datetime) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "waiting_for": "", "pending": None, "claimed_until": None, "wake_at": None, "cursor": None,
    }
    if isinstance(decision, asl.Succeeded):
        if unit.is_root:
            fields.update(status=ExecutionStatus.SUCCEEDED, output=decision.output, stopped_at=now)
        else:
            fields.update(status=FrameStatus.SUCCEEDED, result={"output": decision.output}, finished_at=now)
    else:
        if unit.is_root:
            fields.update(
                status=ExecutionStatus.FAILED, error=(decision.error or "")[:256], cause=decision.cause or "",
                stopped_at=now,
            )
        else:
            fields.update(
                status=FrameStatus.FAILED, result={"error": decision.error, "cause": decision.cause}, finished_at=now
            )
    return fields
