"""A tiny helper for Fn functions that stepflow's Task states call (copy it next to func.py).

stepflow reads a named error from a function's response: the ``Stepflow-Error`` header
names the error (what Retry's and Catch's ``ErrorEquals`` match) and the body is the
cause. Raise ``StepflowError`` in a handler wrapped with ``@task``, or return
``error_response(ctx, name, cause)`` from a plain fdk handler::

    import fdk
    from stepflow_fdk import StepflowError, task

    @task
    def handler(payload, ctx):
        if "order" not in payload:
            raise StepflowError("MissingOrder", "the input has no order")
        return {"ok": True}

``@task`` parses the JSON input (``None`` when empty), returns the result as JSON, and
turns any other exception into ``States.TaskFailed`` with the exception as the cause.
``call_info(ctx)`` gives stepflow's headers: execution id, state name, attempt, the
idempotency key (the same when stepflow repeats a call after a crash) and task token.
"""

from __future__ import annotations

import functools
import json
from typing import Any, Callable

from fdk import response

ERROR_HEADER = "Stepflow-Error"

__all__ = ["ERROR_HEADER", "StepflowError", "call_info", "error_response", "task"]


class StepflowError(Exception):
    """Fail the task with ``error`` (an ASL error name) and ``cause``."""

    def __init__(self, error: str, cause: str = "") -> None:
        super().__init__(f"{error}: {cause}")
        self.error = error
        self.cause = cause


def error_response(ctx: Any, error: str, cause: str = "") -> response.Response:
    """The response that fails the Task state with ``error`` and ``cause``."""
    return response.Response(
        ctx, response_data=cause, headers={ERROR_HEADER: error, "Content-Type": "text/plain"}, status_code=502
    )


def call_info(ctx: Any) -> dict[str, str]:
    headers = {k.lower(): v for k, v in (ctx.Headers() or {}).items()}

    def get(name: str) -> str:
        value = headers.get(name.lower(), "")
        return value[0] if isinstance(value, list) else value

    return {
        "execution_id": get("Stepflow-Execution-Id"),
        "state_name": get("Stepflow-State-Name"),
        "attempt": get("Stepflow-Attempt"),
        "idempotency_key": get("Stepflow-Idempotency-Key"),
        "task_token": get("Stepflow-Task-Token"),
    }


def task(function: Callable[[Any, Any], Any]) -> Callable[..., Any]:
    """An fdk handler from ``function(payload, ctx) -> JSON value``."""

    @functools.wraps(function)
    def handler(ctx: Any, data: Any = None) -> Any:
        raw = data.getvalue() if hasattr(data, "getvalue") else (data or b"")
        try:
            payload = json.loads(raw) if raw and raw.strip() else None
        except ValueError:
            payload = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
        try:
            result = function(payload, ctx)
        except StepflowError as exc:
            return error_response(ctx, exc.error, exc.cause)
        except Exception as exc:  # noqa: BLE001 - any bug in the function is a TaskFailed
            return error_response(ctx, "States.TaskFailed", f"{type(exc).__name__}: {exc}")
        if isinstance(result, response.Response):
            return result
        return response.Response(ctx, response_data=json.dumps(result), headers={"Content-Type": "application/json"})

    return handler
