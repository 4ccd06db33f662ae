"""The Fn functions the durability tests' real worker processes call.

``STEPFLOW_FN_CLIENT=tests.durability.functions.client`` selects them. Every call is
appended, as one JSON line written with a single ``write`` on an ``O_APPEND`` file, to
``$STEPFLOW_TEST_CALL_LOG`` *before* the function does its work, so a call that a
``kill -9`` interrupts is on record too, with the worker's pid and its idempotency key.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from executions.fn import FunctionTable, TaskCall, TaskError


def record(call: TaskCall) -> None:
    path = os.environ.get("STEPFLOW_TEST_CALL_LOG")
    if not path:
        return
    line = json.dumps({
        "key": call.idempotency_key, "execution": call.execution_id, "state": call.state_name,
        "attempt": call.attempt, "pid": os.getpid(), "at": time.time(),
    })
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (line + "\n").encode())
    finally:
        os.close(fd)


def read_calls(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def work(payload: Any, call: TaskCall) -> Any:
    """Doubles ``value`` after a short pause (a window for a kill to land mid-call)."""
    record(call)
    time.sleep(float(os.environ.get("STEPFLOW_TEST_WORK_SECONDS", "0.05")))
    return {"doubled": payload["value"] * 2}


def flaky(payload: Any, call: TaskCall) -> Any:
    """Fails with ``Flaky`` on the first ``failures`` attempts; stateless, so any worker
    gives the same answer to the same attempt."""
    record(call)
    if call.attempt < int(payload.get("failures", 2)):
        raise TaskError("Flaky", f"attempt {call.attempt}")
    return {"ok": payload["n"]}


def fail(payload: Any, call: TaskCall) -> Any:
    record(call)
    raise TaskError("DemoError", "it failed on purpose")


def sleep(payload: Any, call: TaskCall) -> Any:
    record(call)
    time.sleep(float(payload.get("seconds", 1)))
    return payload


def client() -> FunctionTable:
    return FunctionTable({"work": work, "flaky": flaky, "fail": fail, "sleep": sleep})
