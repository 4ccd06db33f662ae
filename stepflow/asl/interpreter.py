"""The step-wise interpreter: ``start``, ``step``, ``resume`` and ``join``.

Each call takes a compiled ``Machine`` and a cursor and returns one decision
(see ``decisions``). Every state runs the same lifecycle::

    entered -> InputPath -> the state's own work -> ResultSelector / ResultPath
            -> OutputPath -> exited -> Next, or the end of its frame

The state's own work lives in ``states.py`` (one small filler per type); this module owns
the lifecycle around it: the cursor, history events, errors, Retry and Catch.

A JSONata state runs the same lifecycle with its own fields (``states_jsonata``):
Arguments instead of InputPath/Parameters, Output instead of ResultSelector/ResultPath/
OutputPath. Retry and Catch live in ``recovery``; variables (``Assign``) in ``variables``.

Cursor keys (plain JSON): ``frame``, ``state``, ``phase`` (``enter``, ``begin``, ``task``,
``wait``, ``retry``, ``fork``), ``input`` (the state's raw input), ``event_id``,
``entered_event_id``, ``entered_at``, ``retries`` (attempts per Retrier), ``ctx`` (the
execution part of the context object), ``attempt`` (task attempts in this state),
``vars`` and ``outer_vars`` (workflow variables, see ``variables``; only when there are
any), and phase-specific keys (``wake_at``, ``pending``, ``map``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from . import recovery, variables
from . import states as fillers
from .decisions import Cursor, Decision, Event, Failed, Next, Succeeded, WaitUntil
from .errors import ErrorName, StatesError
from .machine import Machine
from .model import ROOT, State
from .paths import PathNoMatch, Scope, set_at
from .recovery import error_matches, retry_delay
from .sizes import MAX_PAYLOAD_BYTES, payload_size
from .variables import OUTER, VARS

__all__ = ["error_matches", "format_time", "join", "resume", "retry_delay", "start", "step"]

ENTER = "enter"
BEGIN = "begin"
TASK = "task"
WAIT = "wait"
RETRY = "retry"
FORK = "fork"


def format_time(moment: datetime) -> str:
    """AWS's timestamp text in the context object: ``2024-01-01T00:00:00.000Z``."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class _Run:
    """The working set of one interpreter call.

    Events are appended with consecutive ids. What a state learns on entry (its Entered
    event id and time, retry counters) lives here and is written into the cursor only
    when the state suspends (``suspend``): most states finish within one call.
    """

    __slots__ = ("attempt", "cursor", "entered_at", "entered_id", "events", "last_id", "machine", "now", "retries", "state")

    def __init__(self, machine: Machine, cursor: Cursor, now: datetime) -> None:
        frame = cursor["frame"]
        self.machine = machine
        self.cursor = cursor
        self.state: State = (machine.frame(frame) if frame else machine.root).states[cursor["state"]]
        self.now = now
        self.events: list[Event] = []
        self.last_id: int = cursor["event_id"]
        # Entry facts: set by _enter for a fresh state, or read back from a suspended one.
        self.entered_id: int | None = None
        self.entered_at: str | None = None
        self.retries: list[int] | None = None
        self.attempt: int = 0

    def load_suspended(self) -> None:
        """Read back what ``suspend`` stored, for a state resumed in a later call."""
        cursor = self.cursor
        self.entered_id = cursor.get("entered_event_id")
        self.entered_at = cursor.get("entered_at")
        self.retries = cursor.get("retries")
        self.attempt = cursor.get("attempt", 0)

    def emit(self, type_: str, details: dict[str, Any]) -> int:
        last = self.last_id
        self.last_id = last + 1
        self.events.append(Event(last + 1, last, type_, self.now, details))
        return last + 1

    def suspend(self, phase: str, **extra: Any) -> Cursor:
        """The cursor of this state waiting in ``phase`` (for a task, a timer or children)."""
        return {
            **self.cursor,
            "phase": phase,
            "entered_event_id": self.entered_id,
            "entered_at": self.entered_at,
            "retries": self.retries,
            "attempt": self.attempt,
            "event_id": self.last_id,
            **extra,
        }

    def scope(self, value: Any) -> Scope:
        """What the state's paths and templates read: ``value``, and the context object and
        variables only for a state that reads them (``State.scoped``)."""
        state = self.state
        if state.scoped:
            return Scope(
                value,
                self.context() if state.needs_context else None,
                variables.visible(self.cursor) if state.reads_variables else None,
            )
        return Scope(value)

    def context(self, extra: dict[str, Any] | None = None) -> dict[str, Any]:
        state_ctx: dict[str, Any] = {"Name": self.state.name, "EnteredTime": self.entered_at or format_time(self.now)}
        if getattr(self.state, "retry", None):
            state_ctx["RetryCount"] = self.attempt
        ctx = {**self.cursor["ctx"], "State": state_ctx}
        if extra:
            ctx.update(extra)
        return ctx

    def runtime_error(self, exc: StatesError) -> StatesError:
        """Prefix an evaluation failure the way AWS words it."""
        if exc.error in (ErrorName.RUNTIME, ErrorName.QUERY_EVALUATION_ERROR) and exc.cause and not exc.cause.startswith("An error occurred"):
            return StatesError(
                exc.error,
                f"An error occurred while executing the state '{self.state.name}' "
                f"(entered at the event id #{self.entered_id}). {exc.cause}",
                location=exc.location,
            )
        return exc


# ---------------------------------------------------------------- public entry points


def start(machine: Machine, input: Any, *, now: datetime, context: dict[str, Any] | None = None) -> Next:
    """Begin an execution: the first cursor, with the ``ExecutionStarted`` event.

    ``context`` gives the execution part of the context object (``Execution`` and
    ``StateMachine``, as AWS shapes them); missing fields get local defaults, and a field
    given as ``None`` is left out (an EXPRESS execution has no ``RedriveCount``).
    """
    ctx = dict(context or {})
    execution = {"Id": "", "Input": input, "Name": "", "RoleArn": "", "StartTime": format_time(now), "RedriveCount": 0}
    execution.update(ctx.get("Execution") or {})
    execution = {key: value for key, value in execution.items() if value is not None}
    execution["Input"] = input
    ctx["Execution"] = execution
    ctx.setdefault("StateMachine", {"Id": "", "Name": ""})
    cursor: Cursor = {
        "frame": [],
        "state": machine.root.start_at,
        "phase": ENTER,
        "input": input,
        "event_id": 1,
        "ctx": ctx,
    }
    started = Event(1, 0, "ExecutionStarted", now, {"input": input, "roleArn": execution.get("RoleArn", "")})
    return Next(cursor, (started,))


def step(machine: Machine, cursor: Cursor, *, now: datetime) -> Decision:
    """Advance ``cursor`` by one state (or one phase of a Task, Wait, Parallel or Map)."""
    run = _Run(machine, cursor, now)
    phase = cursor["phase"]
    try:
        if phase == ENTER:
            return _enter(run)
        run.load_suspended()
        if phase == BEGIN:
            index = cursor["frame"][-1][1]
            run.emit("MapIterationStarted", {"index": index, "name": cursor["frame"][-1][0]})
            return _enter(run)
        if phase == WAIT:
            return fillers.finish_wait(run)
        if phase == RETRY:
            if run.now < datetime.fromisoformat(cursor["wake_at"]):
                return WaitUntil(cursor, datetime.fromisoformat(cursor["wake_at"]))
            return fillers.begin_work(run, cursor)
    except StatesError as exc:
        return recovery.handle_error(run, run.runtime_error(exc))
    raise ValueError(f"step() cannot advance a cursor in phase {phase!r}")


def resume(machine: Machine, cursor: Cursor, *, now: datetime, output: Any = None, error: str | None = None, cause: str | None = None) -> Decision:
    """Feed the outcome of an ``Invoke`` back: its ``output``, or its ``error`` and ``cause``."""
    run = _Run(machine, cursor, now)
    if cursor["phase"] != TASK:
        raise ValueError("resume() needs a cursor that is waiting for a task")
    run.load_suspended()
    prefix = "LambdaFunction" if fillers.is_legacy_lambda(run.state) else "Task"
    if error is not None or cause is not None:
        failure = StatesError(error, cause)
        details = {"error": error, "cause": cause} if prefix == "LambdaFunction" else {"error": error, "cause": cause, "resource": getattr(run.state, "resource", "")}
        if error == ErrorName.TIMEOUT:
            run.emit(f"{prefix}TimedOut", details)
        else:
            run.emit(f"{prefix}Failed", details)
        return recovery.handle_error(run, failure)
    run.emit(f"{prefix}Succeeded", {"output": output})
    try:
        return finish(run, output)
    except StatesError as exc:
        return recovery.handle_error(run, run.runtime_error(exc))


def join(machine: Machine, cursor: Cursor, *, now: datetime, results: Sequence[Succeeded | Failed]) -> Decision:
    """Combine the terminal decisions of a ``Fork``'s children, in order."""
    run = _Run(machine, cursor, now)
    if cursor["phase"] != FORK:
        raise ValueError("join() needs a cursor that is waiting for its children")
    run.load_suspended()
    try:
        return fillers.join_children(run, results)
    except StatesError as exc:
        return recovery.handle_error(run, run.runtime_error(exc))


# ---------------------------------------------------------------- the lifecycle


def _enter(run: _Run) -> Decision:
    state = run.state
    run.entered_id = run.emit(state.entered_event, {"name": state.name, "input": run.cursor["input"]})
    if state.needs_context or state.jsonata:
        run.entered_at = format_time(run.now)
    return fillers.begin_work(run, run.cursor)


def effective_input(run: _Run, raw: Any) -> Any:
    """InputPath applied to the raw state input."""
    path = run.state.input_path
    if path is None:
        return {}
    if path.is_root:
        return raw
    try:
        return path.get(run.scope(raw))
    except PathNoMatch as missing:
        raise StatesError(ErrorName.RUNTIME, f"Invalid path '{path.text}' : {missing.jayway_message}") from None


def finish(run: _Run, result: Any) -> Decision:
    """ResultSelector, Assign, ResultPath and OutputPath on a state's result; then exit
    the state. (A JSONata state: Assign and Output, in ``states_jsonata``.)"""
    state = run.state
    if state.jsonata:
        return fillers.finish_jsonata(run, result)
    raw = run.cursor["input"]
    selector = getattr(state, "result_selector", None)
    if selector is not None:
        result = selector.evaluate(run.scope(result))
    # Assign reads the result after ResultSelector; its values exist from the next state on.
    assigned = state.assign.evaluate(run.scope(result)) if state.assign is not None else None
    result_path = getattr(state, "result_path", ROOT)
    if result_path is None:
        return exit_state(run, raw, size=input_size(run), assigned=assigned)
    if result_path.is_root:
        return exit_state(run, result, assigned=assigned)
    try:
        output = set_at(raw, result_path, result)
    except PathNoMatch as missing:
        raise StatesError(ErrorName.RUNTIME, f"Invalid path '{result_path.text}' : {missing.jayway_message}") from None
    return exit_state(run, output, size=input_size(run) + payload_size(result), assigned=assigned)


def input_size(run: _Run) -> int:
    """An upper bound of the size of the state's raw input, carried in the cursor so that
    most states never measure the whole payload again."""
    size = run.cursor.get("size")
    return payload_size(run.cursor["input"]) if size is None else size


def exit_state(
    run: _Run, output: Any, *, next_state: str | None = None, size: int | None = None, assigned: dict[str, Any] | None = None
) -> Decision:
    """OutputPath, the size limit, the Exited event, and the transition.

    ``size`` is an upper bound of ``output``'s size when the caller knows one; the payload
    is measured exactly only when the bound is unknown or over the limit. ``assigned`` is
    what the state's Assign evaluated to (``None``: it has none); it becomes the next
    cursor's variables and is shown in the Exited event.
    """
    state = run.state
    path = state.output_path
    if path is None:
        output, size = {}, 2
    elif not path.is_root:
        try:
            output = path.get(run.scope(output))
        except PathNoMatch as missing:
            raise StatesError(ErrorName.RUNTIME, f"Invalid path '{path.text}' : {missing.jayway_message}") from None
    if size is None or size > MAX_PAYLOAD_BYTES:
        size = payload_size(output)
        if size > MAX_PAYLOAD_BYTES:
            raise StatesError(
                ErrorName.DATA_LIMIT_EXCEEDED,
                f"The state/task '{state.name}' returned a result with a size exceeding the maximum number of bytes service limit.",
            )
    target = next_state if next_state is not None else state.next
    cursor = run.cursor
    if assigned is not None or VARS in cursor or OUTER in cursor:
        return transition(run, output, target, size, assigned)
    # No variables anywhere: the lean path that nearly every JSONPath transition takes.
    run.emit(state.exited_event, {"name": state.name, "output": output})
    if target is None:
        return end_frame(run, output)
    return Next(
        {"frame": cursor["frame"], "state": target, "phase": ENTER, "input": output, "event_id": run.last_id, "ctx": cursor["ctx"], "size": size},
        tuple(run.events),
    )


def transition(run: _Run, output: Any, target: str | None, size: int | None, assigned: dict[str, Any] | None) -> Decision:
    """Apply ``assigned`` to the variables, emit the Exited event, and go to ``target``
    (the end of the frame when ``None``)."""
    state = run.state
    cursor = run.cursor
    details: dict[str, Any] = {"name": state.name, "output": output}
    own = None
    if assigned is not None:
        own = variables.apply(cursor, assigned, state.name)
        details["assignedVariables"] = variables.describe(assigned)
        details["assignedVariablesDetails"] = {"truncated": False}
    run.emit(state.exited_event, details)
    if target is None:
        return end_frame(run, output)
    following: Cursor = {"frame": cursor["frame"], "state": target, "phase": ENTER, "input": output, "event_id": run.last_id, "ctx": cursor["ctx"]}
    if size is not None:
        following["size"] = size
    variables.carry(cursor, following, own)
    return Next(following, tuple(run.events))


def end_frame(run: _Run, output: Any) -> Succeeded:
    frame = run.cursor["frame"]
    if not frame:
        run.emit("ExecutionSucceeded", {"output": output})
    elif fillers.is_map_iteration(run.machine, frame):
        run.emit("MapIterationSucceeded", {"index": frame[-1][1], "name": frame[-1][0]})
    return Succeeded(output, tuple(run.events), {**run.cursor, "event_id": run.last_id})


def fail_frame(run: _Run, error: str | None, cause: str | None) -> Failed:
    frame = run.cursor["frame"]
    if not frame:
        run.emit("ExecutionFailed", {"error": error, "cause": cause})
    elif fillers.is_map_iteration(run.machine, frame):
        run.emit("MapIterationFailed", {"index": frame[-1][1], "name": frame[-1][0], "error": error, "cause": cause})
    return Failed(error, cause, tuple(run.events), {**run.cursor, "event_id": run.last_id})
