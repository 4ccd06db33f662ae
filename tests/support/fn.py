"""Functions the tests' Task states call, through the shipped ``FunctionTable`` client.

``STEPFLOW_FN_CLIENT=tests.support.fn.client`` selects it (a real qcluster process gets
it through the environment). ``calls`` records every call made in this process.
"""

from __future__ import annotations

import time
from typing import Any

from executions.fn import FunctionTable, Invoked, TaskCall, TaskError

calls: list[TaskCall] = []
_flaky_failures: dict[str, int] = {}


def echo(payload: Any, call: TaskCall) -> Any:
    calls.append(call)
    return payload


def fail(payload: Any, call: TaskCall) -> Any:
    calls.append(call)
    message = payload.get("message", "it failed") if isinstance(payload, dict) else "it failed"
    raise TaskError("DemoError", message)


def flaky(payload: Any, call: TaskCall) -> Any:
    """Fails with ``Flaky`` ``payload["failures"]`` times per execution, then echoes."""
    calls.append(call)
    seen = _flaky_failures.get(call.execution_id, 0)
    if seen < int(payload.get("failures", 2)):
        _flaky_failures[call.execution_id] = seen + 1
        raise TaskError("Flaky", f"failure {seen + 1}")
    return payload


def sleep(payload: Any, call: TaskCall) -> Any:
    calls.append(call)
    time.sleep(float(payload.get("seconds", 1)))
    return payload


def huge(payload: Any, call: TaskCall) -> Any:
    calls.append(call)
    return {"blob": "x" * (300 * 1024)}


def broken(payload: Any, call: TaskCall) -> Any:
    calls.append(call)
    raise RuntimeError("the client itself broke")


FUNCTIONS = {"echo": echo, "fail": fail, "flaky": flaky, "sleep": sleep, "huge": huge, "broken": broken}


def client() -> FunctionTable:
    return FunctionTable(FUNCTIONS)


class WorkerDied(BaseException):
    """Stands for a worker process dying mid-call: nothing in the runner catches it."""


_crashed: set[str] = set()


def crash_once(payload: Any, call: TaskCall) -> Any:
    """Dies on the first call of each execution, echoes on the next."""
    calls.append(call)
    if call.execution_id not in _crashed:
        _crashed.add(call.execution_id)
        raise WorkerDied(call.idempotency_key)
    return payload


def stop_during_call(payload: Any, call: TaskCall) -> Any:
    """Someone stops the execution while this call is in flight."""
    from executions import services

    calls.append(call)
    services.stop_execution(execution=services.get_execution(execution_id=call.execution_id), cause="stopped mid-call", by=None)
    return payload


FUNCTIONS.update({"crash_once": crash_once, "stop_during_call": stop_during_call})


def with_call_id(payload: Any, call: TaskCall) -> Any:
    """Echoes, reporting a call id as Fn does (``Fn-Call-Id``)."""
    calls.append(call)
    return Invoked(payload, f"CALL-{call.attempt}")


def fails_with_call_id(payload: Any, call: TaskCall) -> Any:
    calls.append(call)
    raise TaskError("Declined", "no", call_id=f"FAILED-{call.attempt}")


FUNCTIONS.update({"with_call_id": with_call_id, "fails_with_call_id": fails_with_call_id})


def history_so_far(payload: Any, call: TaskCall) -> Any:
    """Answers with the event types its execution has committed when the call arrives."""
    from executions.models import Event

    calls.append(call)
    kinds = Event.objects.filter(execution__uuid=call.execution_id).order_by("event_id").values_list("type", flat=True)
    return {"committed": list(kinds)}


FUNCTIONS["history_so_far"] = history_so_far
