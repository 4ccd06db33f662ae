"""The seam through which Task states call functions.

The runner hands every ``Invoke`` decision to an ``FnClient``; the client returns the
function's output or raises ``TaskError`` with an ASL error name and cause, which Retry and
Catch then match. ``STEPFLOW_FN_CLIENT`` names a zero-argument callable that returns the
client, so each process (web, worker) builds its own.

::

    TaskError                the task failed with (error, cause); never escapes the runner

A client may return ``Invoked(output, call_id)`` instead of the bare output, and set
``call_id`` on a ``TaskError``, so the runner records Fn's call id on the Step.

Clients shipped here:

- ``unconfigured_client()``: the default until an Fn server is configured; every call
  fails with ``States.TaskFailed`` / "no Fn client configured".
- ``FunctionTable``: resources mapped to plain Python callables, for tests and demos.

The real Fn Project client is ``executions.fn_client`` (the default when ``FN_API_URL``
is set).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

__all__ = [
    "FnClient", "FunctionTable", "Invoked", "TaskCall", "TaskError", "Unconfigured", "get_client", "unconfigured_client",
]


class TaskError(Exception):
    """A task failed with an ASL error name (``States.TaskFailed``, ``MyError``) and cause."""

    def __init__(self, error: str, cause: str | None = None, *, call_id: str | None = None) -> None:
        super().__init__(f"{error}: {cause}" if cause else error)
        self.error = error
        self.cause = cause
        self.call_id = call_id


@dataclass(frozen=True, slots=True)
class Invoked:
    """A function's output with the id the Fn server gave the call (``Fn-Call-Id``)."""

    output: Any
    call_id: str | None = None


@dataclass(frozen=True, slots=True)
class TaskCall:
    """One call of a Task state's resource.

    ``idempotency_key`` is the same when a call is repeated after a worker crash, so a
    function can recognise a duplicate. ``timeout_seconds`` bounds the call.
    """

    resource: str
    payload: Any
    timeout_seconds: float
    idempotency_key: str
    execution_id: str
    state_name: str
    attempt: int
    heartbeat_seconds: float | None = None
    task_token: str | None = None


class FnClient(Protocol):
    def invoke(self, call: TaskCall) -> Any:
        """The function's output (any JSON value); raises ``TaskError`` when it failed."""
        ...


class Unconfigured:
    """Fails every call: no Fn server has been configured."""

    def invoke(self, call: TaskCall) -> Any:
        raise TaskError("States.TaskFailed", "no Fn client configured")


def unconfigured_client() -> FnClient:
    return Unconfigured()


class FunctionTable:
    """Calls Python functions by resource name: ``FunctionTable({"echo": lambda p: p})``.

    A function receives the payload (and the ``TaskCall`` when it takes two arguments) and
    raises ``TaskError`` to fail with a named error. An unknown resource fails with
    ``States.TaskFailed``.
    """

    def __init__(self, functions: Mapping[str, Callable[..., Any]]) -> None:
        self.functions = dict(functions)

    def invoke(self, call: TaskCall) -> Any:
        function = self.functions.get(call.resource)
        if function is None:
            raise TaskError("States.TaskFailed", f"no function named {call.resource!r}")
        if getattr(function, "__code__", None) is not None and function.__code__.co_argcount >= 2:
            return function(call.payload, call)
        return function(call.payload)


_clients: dict[str, FnClient] = {}


def get_client() -> FnClient:
    """The client ``STEPFLOW_FN_CLIENT`` names, built once per process and setting."""
    path = settings.STEPFLOW_FN_CLIENT
    client = _clients.get(path)
    if client is None:
        client = _clients[path] = import_string(path)()
    return client
