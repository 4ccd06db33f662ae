"""Calling a Task state's function, between two transitions and holding no lock.

The ``Invoke`` decision is committed first, with what the call needs (``pending``), so a
worker that dies mid-call is replaced by one that repeats the call from the row with the
same idempotency key. The outcome is then fed back to the interpreter with ``resume``.

``call`` writes nothing: Fn's call id comes back in the ``Outcome`` and the runner stores
it on the Step in the transaction that records the outcome (or the park, for a callback),
so a Task costs no database round trip of its own between its two transitions.
"""

from __future__ import annotations

import logging
import time
from typing import Any, NamedTuple

from django.conf import settings

import stepflow.asl as asl
from executions.fn import Invoked, TaskCall, TaskError, get_client
from executions.models import Execution
from stepflow.fields import dumps

__all__ = ["Outcome", "call", "pending"]

log = logging.getLogger(__name__)

_SCHEDULED = ("TaskScheduled", "LambdaFunctionScheduled")


def pending(*, execution: Execution, decision: asl.Invoke) -> dict[str, Any]:
    """What the row keeps about an Invoke so that any worker can make (or repeat) the call."""
    scheduled = next((e.id for e in decision.events if e.type in _SCHEDULED), decision.cursor.get("event_id", 0))
    return {
        "resource": decision.resource,
        "payload": decision.payload,
        "timeout_seconds": decision.timeout_seconds,
        "heartbeat_seconds": decision.heartbeat_seconds,
        "task_token": decision.task_token,
        "attempt": decision.attempt,
        # Stable across a crash: it names the committed TaskScheduled event.
        "key": f"{execution.uuid}:{scheduled}",
    }


class Outcome(NamedTuple):
    """What a call gave: ``output``, or ``error`` and ``cause``; Fn's ``call_id`` when known."""

    output: Any
    error: str | None
    cause: str | None
    call_id: str = ""


def call(*, pending: dict[str, Any], execution: Execution, state_name: str) -> Outcome:
    """Make the call; an ``Outcome`` with the output or the error. Never raises, writes nothing."""
    timeout = pending.get("timeout_seconds") or settings.STEPFLOW_TASK_TIMEOUT_SECONDS
    task = TaskCall(
        resource=pending["resource"],
        payload=pending["payload"],
        timeout_seconds=float(timeout),
        idempotency_key=pending["key"],
        execution_id=str(execution.uuid),
        state_name=state_name,
        attempt=pending.get("attempt", 0),
        heartbeat_seconds=pending.get("heartbeat_seconds"),
        task_token=pending.get("task_token"),
    )
    began = time.monotonic()
    try:
        output = get_client().invoke(task)
    except TaskError as failure:
        return Outcome(None, failure.error, failure.cause, (failure.call_id or "")[:64])
    except Exception as exc:  # a client bug must fail the task, not wedge the run
        log.exception("Fn client failed on %s", task.resource)
        return Outcome(None, asl.ErrorName.TASK_FAILED, f"The Fn client raised {type(exc).__name__}: {exc}")
    call_id = ""
    if isinstance(output, Invoked):
        output, call_id = output.output, (output.call_id or "")[:64]
    if pending.get("timeout_seconds") and time.monotonic() - began > float(timeout):
        return Outcome(None, asl.ErrorName.TIMEOUT, f"The task did not finish within {timeout} seconds.", call_id)
    try:
        size = len(dumps(output).encode("utf-8"))
    except (TypeError, ValueError):
        return Outcome(None, asl.ErrorName.RUNTIME, "The task returned a value that is not JSON.", call_id)
    if size > settings.STEPFLOW_MAX_PAYLOAD_BYTES:
        return Outcome(None, asl.ErrorName.DATA_LIMIT_EXCEEDED, (
            f"The task '{state_name}' returned a result of {size} bytes, over the "
            f"{settings.STEPFLOW_MAX_PAYLOAD_BYTES}-byte limit."
        ), call_id)
    return Outcome(output, None, None, call_id)
