"""The step-wise interpreter: ``start``, ``step``, ``resume`` and ``join``.

Each call takes a compiled ``Machine`` and a cursor and returns one decision
(see ``decisions``). Every state runs the same lifecycle::

    entered -> InputPath -> the state's own work -> ResultSelector / ResultPath
            -> OutputPath -> exited -> Next, or the end of its frame

The state's own work lives in ``states.py`` (one small filler per type); this module owns
the lifecycle around it: the cursor, history events, errors, Retry and Catch.

Cursor keys (plain JSON): ``frame``, ``state``, ``phase`` (``enter``, ``begin``, ``task``,
``wait``, ``retry``, ``fork``), ``input`` (the state's raw input), ``event_id``,
``entered_event_id``, ``entered_at``, ``retries`` (attempts per Retrier), ``ctx`` (the
execution part of the context object), ``attempt`` (task attempts in this state), and
phase-specific keys (``wake_at``, ``pending``, ``map``).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any, Sequence

from . import states as fillers
from .decisions import Cursor, Decision, Event, Failed, Fork, Invoke, Next, Succeeded, WaitUntil
from .errors import ErrorName, StatesError
from .machine import Machine
from .model import ROOT, Catcher, Retrier, State, StateMachine
from .paths import PathNoMatch, Scope, set_at
from .sizes import MAX_PAYLOAD_BYTES, payload_size
from .templates import to_json

__all__ = ["join", "resume", "start", "step", "format_time"]

ENTER = "enter"
BEGIN = "begin"
TASK = "task"
WAIT = "wait"
RETRY = "retry"
FORK = "fork"

_TERMINAL = frozenset({ErrorName.RUNTIME, ErrorName.DATA_LIMIT_EXCEEDED})


def format_time(moment: datetime) -> str:
    """AWS's timestamp text in the context object: ``2024-01-01T00:00:00.000Z``."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class _Run:
    """The working set of one interpreter call.

    Events are appended with consecutive ids. What a state learns on entry (its Entered
    event id and time, retry counters) lives here and is written into the cursor only
    when the state suspends (``suspend``): most states finish within one call.
    """

    __slots__ = ("machine", "cursor", "state", "now", "events", "last_id", "entered_id", "entered_at", "retries", "attempt")

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
        if self.state.needs_context:
            return Scope(value, self.context())
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
            )
        return exc


# ---------------------------------------------------------------- public entry points


def start(machine: Machine, input: Any, *, now: datetime, context: dict[str, Any] | None = None) -> Next:
    """Begin an execution: the first cursor, with the ``ExecutionStarted`` event.

    ``context`` gives the execution part of the context object (``Execution`` and
    ``StateMachine``, as AWS shapes them); missing fields get local defaults.
    """
    ctx = dict(context or {})
    execution = {"Id": "", "Input": input, "Name": "", "RoleArn": "", "StartTime": format_time(now), "RedriveCount": 0}
    execution.update(ctx.get("Execution") or {})
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
            return _finish_wait(run)
        if phase == RETRY:
            if run.now < datetime.fromisoformat(cursor["wake_at"]):
                return WaitUntil(cursor, datetime.fromisoformat(cursor["wake_at"]))
            return fillers.begin_work(run, cursor)
    except StatesError as exc:
        return _handle_error(run, run.runtime_error(exc))
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
        details = {"error": error, "cause": cause} if prefix == "LambdaFunction" else {"error": error, "cause": cause, "resource": run.state.resource}
        if error == ErrorName.TIMEOUT:
            run.emit(f"{prefix}TimedOut", details)
        else:
            run.emit(f"{prefix}Failed", details)
        return _handle_error(run, failure)
    run.emit(f"{prefix}Succeeded", {"output": output})
    try:
        return finish(run, output)
    except StatesError as exc:
        return _handle_error(run, run.runtime_error(exc))


def join(machine: Machine, cursor: Cursor, *, now: datetime, results: Sequence[Succeeded | Failed]) -> Decision:
    """Combine the terminal decisions of a ``Fork``'s children, in order."""
    run = _Run(machine, cursor, now)
    if cursor["phase"] != FORK:
        raise ValueError("join() needs a cursor that is waiting for its children")
    run.load_suspended()
    try:
        return fillers.join_children(run, results)
    except StatesError as exc:
        return _handle_error(run, run.runtime_error(exc))


# ---------------------------------------------------------------- the lifecycle


def _enter(run: _Run) -> Decision:
    state = run.state
    run.entered_id = run.emit(state.entered_event, {"name": state.name, "input": run.cursor["input"]})
    if state.needs_context:
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
    """ResultSelector, ResultPath and OutputPath on a state's result; then exit the state."""
    state = run.state
    raw = run.cursor["input"]
    selector = getattr(state, "result_selector", None)
    if selector is not None:
        result = selector.evaluate(Scope(result, run.context() if selector.reads_context else None))
    result_path = getattr(state, "result_path", ROOT)
    if result_path is None:
        return exit_state(run, raw, size=input_size(run))
    if result_path.is_root:
        return exit_state(run, result)
    try:
        output = set_at(raw, result_path, result)
    except PathNoMatch as missing:
        raise StatesError(ErrorName.RUNTIME, f"Invalid path '{result_path.text}' : {missing.jayway_message}") from None
    return exit_state(run, output, size=input_size(run) + payload_size(result))


def input_size(run: _Run) -> int:
    """An upper bound of the size of the state's raw input, carried in the cursor so that
    most states never measure the whole payload again."""
    size = run.cursor.get("size")
    return payload_size(run.cursor["input"]) if size is None else size


def exit_state(run: _Run, output: Any, *, next_state: str | None = None, size: int | None = None) -> Decision:
    """OutputPath, the size limit, the Exited event, and the transition.

    ``size`` is an upper bound of ``output``'s size when the caller knows one; the payload
    is measured exactly only when the bound is unknown or over the limit.
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
    run.emit(state.exited_event, {"name": state.name, "output": output})
    target = next_state if next_state is not None else state.next
    if target is None:
        return end_frame(run, output)
    cursor = run.cursor
    return Next(
        {"frame": cursor["frame"], "state": target, "phase": ENTER, "input": output, "event_id": run.last_id, "ctx": cursor["ctx"], "size": size},
        tuple(run.events),
    )


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


# ---------------------------------------------------------------- Wait


def _finish_wait(run: _Run) -> Decision:
    cursor = run.cursor
    at = datetime.fromisoformat(cursor["wake_at"])
    if run.now < at:
        return WaitUntil(cursor, at)
    return exit_state(run, cursor["pending"], size=cursor.get("size"))


# ---------------------------------------------------------------- errors, Retry, Catch


def error_matches(names: Sequence[str], error: str | None) -> bool:
    """Whether a Retrier's or Catcher's ErrorEquals matches ``error``.

    ``States.ALL`` matches every error, and ``States.TaskFailed`` every error but
    ``States.Timeout``. ``States.Runtime`` and ``States.DataLimitExceeded`` are terminal:
    AWS neither retries nor catches them, even when named (the corpus records a Catch on
    ``States.Runtime`` that does not fire).
    """
    if error in _TERMINAL:
        return False
    for name in names:
        if name == error or name == ErrorName.ALL or (name == ErrorName.TASK_FAILED and error != ErrorName.TIMEOUT):
            return True
    return False


def retry_delay(retrier: Retrier, attempt: int, seed: str) -> float:
    """Seconds to wait before retry number ``attempt + 1`` (``attempt`` counts from 0).

    ``IntervalSeconds * BackoffRate ** attempt``, capped by ``MaxDelaySeconds``; with
    ``JitterStrategy: FULL`` a uniform draw in ``[0, delay]``, seeded so a replay after a
    crash waits the same.
    """
    delay = retrier.interval_seconds * retrier.backoff_rate**attempt
    if retrier.max_delay_seconds is not None:
        delay = min(delay, retrier.max_delay_seconds)
    if retrier.jitter_strategy == "FULL":
        delay = random.Random(seed).uniform(0, delay)
    return delay


def _handle_error(run: _Run, exc: StatesError) -> Decision:
    state = run.state
    cursor = run.cursor
    error = exc.error
    retriers: tuple[Retrier, ...] = getattr(state, "retry", ())
    counts = run.retries
    for index, retrier in enumerate(retriers):
        if not error_matches(retrier.error_equals, error):
            continue
        done = counts[index] if counts else 0
        if done >= retrier.max_attempts:
            break
        seed = f"{cursor['ctx'].get('Execution', {}).get('Id', '')}:{cursor['frame']}:{state.name}:{run.attempt}"
        wake_at = run.now + timedelta(seconds=retry_delay(retrier, done, seed))
        new_counts = list(counts or [0] * len(retriers))
        new_counts[index] = done + 1
        run.retries = new_counts
        run.attempt += 1
        return WaitUntil(run.suspend(RETRY, wake_at=wake_at.isoformat()), wake_at, tuple(run.events))
    catchers: tuple[Catcher, ...] = getattr(state, "catch", ())
    for catcher in catchers:
        if error_matches(catcher.error_equals, error):
            error_output = exc.as_output()
            raw = cursor["input"]
            try:
                output = _place_error(raw, error_output, catcher.result_path)
            except StatesError as inner:
                return fail_frame(run, inner.error, run.runtime_error(inner).cause)
            run.emit(f"{state.type}StateExited", {"name": state.name, "output": output})
            return Next(
                {"frame": cursor["frame"], "state": catcher.next, "phase": ENTER, "input": output, "event_id": run.last_id, "ctx": cursor["ctx"]},
                tuple(run.events),
            )
    return fail_frame(run, error, exc.cause)


def _place_error(raw: Any, error_output: dict[str, Any], result_path: Any) -> Any:
    """A Catcher's ResultPath places the error output into the state's raw input."""
    if result_path is None:
        return raw
    if result_path.is_root:
        return error_output
    try:
        return set_at(raw, result_path, error_output)
    except PathNoMatch as missing:
        raise StatesError(ErrorName.RUNTIME, f"Invalid path '{result_path.text}' : {missing.jayway_message}") from None


def describe(value: Any) -> str:
    return to_json(value)
