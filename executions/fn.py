"""The seam through which Task states call functions.

The runner hands every ``Invoke`` decision to an ``FnClient``; the client returns the
function's output or raises ``TaskError`` with an ASL error name and cause, which Retry and
Catch then match. ``STEPFLOW_FN_CLIENT`` names a zero-argument callable that returns the
client, so each process (web, worker) builds its own.

::

    TaskError                the task failed with (error, cause); never escapes the runner
    ListError                the client could not list the functions (Fn unreachable or odd)

A client may return ``Invoked(output, call_id)`` instead of the bare output, and set
``call_id`` on a ``TaskError``, so the runner records Fn's call id on the Step.

``list_functions()`` (on every client, and this module's shortcut for the configured one)
gives the functions a Task state can call, as ``FnFunction`` dicts ``{app, name, id,
resource}``: ``resource`` is what to write in a Task's ``Resource``.

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
from typing import Any, Protocol, TypedDict

from django.conf import settings
from django.utils.module_loading import import_string

__all__ = [
    "FnClient", "FnFunction", "FunctionTable", "Invoked", "ListError", "TaskCall", "TaskError", "Unconfigured",
    "fn_function", "get_client", "list_functions", "unconfigured_client",
]


class TaskError(Exception):
    """A task failed with an ASL error name (``States.TaskFailed``, ``MyError``) and cause."""

    def __init__(self, error: str, cause: str | None = None, *, call_id: str | None = None) -> None:
        super().__init__(f"{error}: {cause}" if cause else error)
        self.error = error
        self.cause = cause
        self.call_id = call_id


class ListError(Exception):
    """The functions could not be listed: the Fn server is unreachable or answered oddly."""


class FnFunction(TypedDict):
    """A function a Task state can call: its app and name, Fn's id, and the ``Resource`` to write."""

    app: str
    name: str
    id: str
    resource: str


def fn_function(*, app: str, name: str, id: str) -> FnFunction:
    """The entry for a function of an Fn app (``resource`` is ``fn:<app>/<name>``)."""
    return FnFunction(app=app, name=name, id=id, resource=f"fn:{app}/{name}" if app else name)


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

    def list_functions(self) -> list[FnFunction]:
        """Every function this client can call, sorted by app and name; raises ``ListError``."""
        ...


class Unconfigured:
    """Fails every call: no Fn server has been configured."""

    def invoke(self, call: TaskCall) -> Any:
        raise TaskError("States.TaskFailed", "no Fn client configured")

    def list_functions(self) -> list[FnFunction]:
        return []


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

    def list_functions(self) -> list[FnFunction]:
        """One entry per resource name (no app: the name is the ``Resource``)."""
        return [fn_function(app="", name=name, id=name) for name in sorted(self.functions)]


_clients: dict[str, FnClient] = {}


def get_client() -> FnClient:
    """The client ``STEPFLOW_FN_CLIENT`` names, wrapped by each of
    ``STEPFLOW_FN_CLIENT_WRAPPERS`` (client -> client, e.g. the Step Functions API's Lambda
    mapping), built once per process and setting."""
    path = settings.STEPFLOW_FN_CLIENT
    wrappers = tuple(getattr(settings, "STEPFLOW_FN_CLIENT_WRAPPERS", ()))
    key = "|".join((path, *wrappers))
    client = _clients.get(key)
    if client is None:
        client = import_string(path)()
        for wrapper in wrappers:
            client = import_string(wrapper)(client)
        _clients[key] = client
    return client


def list_functions() -> list[FnFunction]:
    """The functions the configured client can call; raises ``ListError``."""
    return get_client().list_functions()
