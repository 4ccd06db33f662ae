"""The work of each state type: eight small fillers of the lifecycle in ``interpreter``.

``begin_work(run, cursor)`` starts a state that has been entered (or re-runs it after a
Retry back-off) and returns the decision; ``finish_wait`` ends a Wait; ``join_children``
finishes a Parallel or Map once its children are done. Errors are raised as
``StatesError``; the interpreter turns them into Retry, Catch or a failed frame.

These are the JSONPath fillers; a JSONata state is handed to ``states_jsonata``, which
shares the Task scheduling and the joining of children with them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from . import interpreter as lifecycle
from . import states_jsonata, variables
from .decisions import Cursor, Decision, Failed, Fork, Invoke, Succeeded, WaitUntil
from .errors import ErrorName, StatesError
from .model import (
    ChoiceState,
    FailState,
    MapState,
    ParallelState,
    PassState,
    SucceedState,
    TaskState,
    WaitState,
)
from .paths import Path, PathNoMatch, Scope
from .templates import to_json

if TYPE_CHECKING:
    from .interpreter import _Run
    from .machine import Machine

__all__ = [
    "begin_work",
    "child_cursor",
    "finish_jsonata",
    "finish_wait",
    "fork_map",
    "is_legacy_lambda",
    "is_map_iteration",
    "join_children",
    "schedule_task",
    "task_token",
]

MAX_WAIT_SECONDS = 99_999_999


def is_legacy_lambda(state: Any) -> bool:
    """A Task whose Resource is a bare Lambda ARN: AWS names its events LambdaFunction*."""
    return isinstance(state, TaskState) and state.resource.startswith("arn:aws:lambda:")


def is_map_iteration(machine: Machine, frame: list[list[Any]]) -> bool:
    """Whether the innermost frame is a Map iteration (not a Parallel branch)."""
    parent = machine.frame(frame[:-1])
    return isinstance(parent.states[frame[-1][0]], MapState)


def begin_work(run: _Run, cursor: Cursor) -> Decision:
    """Do the entered state's work (again, after a Retry back-off)."""
    state = run.state
    if state.jsonata:
        return states_jsonata.begin(run, state)
    return _FILLERS[type(state)](run, state)  # type: ignore[no-any-return]


def finish_jsonata(run: _Run, result: Any) -> Decision:
    """A JSONata Task, Parallel or Map state's Assign and Output on its result."""
    return states_jsonata.finish(run, result)


def child_cursor(run: _Run, name: str, index: int, start_at: str, phase: str, input: Any, outer: dict[str, Any] | None) -> Cursor:
    """The first cursor of a Parallel branch or Map iteration; ``outer`` is the variables
    it may read (and not assign)."""
    cursor = run.cursor
    child: Cursor = {"frame": [*cursor["frame"], [name, index]], "state": start_at, "phase": phase, "input": input, "event_id": run.last_id, "ctx": cursor["ctx"]}
    if outer:
        child[variables.OUTER] = outer
    return child


def _succeed(run: _Run, state: SucceedState) -> Decision:
    return lifecycle.exit_state(run, lifecycle.effective_input(run, run.cursor["input"]), size=run.cursor.get("size"))


# ---------------------------------------------------------------- Pass, Choice, Fail


def _pass(run: _Run, state: PassState) -> Decision:
    effective = lifecycle.effective_input(run, run.cursor["input"])
    if state.parameters is not None:
        effective = state.parameters.evaluate(run.scope(effective))
    return lifecycle.finish(run, state.result if state.has_result else effective)


def _choice(run: _Run, state: ChoiceState) -> Decision:
    effective = lifecycle.effective_input(run, run.cursor["input"])
    scope = run.scope(effective)
    for branch in state.choices:
        if branch.rule.matches(scope):
            # The matching rule's Assign applies; the state's own Assign only with Default.
            assigned = branch.assign.evaluate(run.scope(effective)) if branch.assign is not None else None
            return lifecycle.exit_state(run, effective, next_state=branch.next, size=run.cursor.get("size"), assigned=assigned)
    if state.default is None:
        raise StatesError(ErrorName.NO_CHOICE_MATCHED, f"No Choice Rule matched the input in the Choice state '{state.name}', and it has no Default.")
    assigned = state.assign.evaluate(run.scope(effective)) if state.assign is not None else None
    return lifecycle.exit_state(run, effective, next_state=state.default, size=run.cursor.get("size"), assigned=assigned)


def _fail(run: _Run, state: FailState) -> Decision:
    raw = run.cursor["input"]
    error = _dynamic_text(run, raw, state.error_path, "ErrorPath") if state.error_path is not None else state.error
    cause = _dynamic_text(run, raw, state.cause_path, "CausePath") if state.cause_path is not None else state.cause
    return lifecycle.fail_frame(run, error, cause)


def _dynamic_text(run: _Run, raw: Any, spec: Any, field: str) -> Any:
    scope = Scope(raw, run.context(), variables.visible(run.cursor))
    if isinstance(spec, Path):
        try:
            return spec.get(scope)
        except PathNoMatch:
            raise StatesError(
                ErrorName.RUNTIME,
                f"The JSONPath '{spec.text}' specified for the field '{field}' could not be found in the input '{to_json(raw)}'",
            ) from None
    return spec.evaluate(scope)


# ---------------------------------------------------------------- Task


def task_token(run: _Run, state: TaskState) -> str | None:
    """The ``.waitForTaskToken`` callback token: stable across a worker crash."""
    if not state.resource.endswith(".waitForTaskToken"):
        return None
    cursor = run.cursor
    seed = f"{cursor['ctx'].get('Execution', {}).get('Id', '')}|{cursor['frame']}|{state.name}|{run.attempt}|{run.entered_id}"
    return hashlib.sha256(seed.encode()).hexdigest()


def _task(run: _Run, state: TaskState) -> Decision:
    cursor = run.cursor
    effective = lifecycle.effective_input(run, cursor["input"])
    token = task_token(run, state)
    if state.parameters is not None:
        extra = {"Task": {"Token": token}} if token else None
        context = run.context(extra) if state.parameters.reads_context else None
        variables_ = variables.visible(cursor) if state.reads_variables else None
        payload = state.parameters.evaluate(Scope(effective, context, variables_))
    else:
        payload = effective
    timeout = _positive_number(run, effective, state.timeout_seconds, state.timeout_seconds_path, "TimeoutSecondsPath")
    heartbeat = _positive_number(run, effective, state.heartbeat_seconds, state.heartbeat_seconds_path, "HeartbeatSecondsPath")
    return schedule_task(run, state, payload, timeout, heartbeat, token)


def schedule_task(run: _Run, state: TaskState, payload: Any, timeout: float | None, heartbeat: float | None, token: str | None) -> Decision:
    """The Scheduled and Started events, and the ``Invoke`` decision."""
    if is_legacy_lambda(state):
        run.emit("LambdaFunctionScheduled", {"resource": state.resource, "input": payload, "timeoutInSeconds": timeout})
        run.emit("LambdaFunctionStarted", {})
    else:
        run.emit("TaskScheduled", {"resource": state.resource, "parameters": payload, "timeoutInSeconds": timeout, "heartbeatInSeconds": heartbeat})
        run.emit("TaskStarted", {"resource": state.resource})
    waiting = run.suspend(lifecycle.TASK, task_token=token)
    return Invoke(waiting, state.resource, payload, timeout, heartbeat, token, run.attempt, tuple(run.events))


def _positive_number(run: _Run, effective: Any, fixed: float | None, path: Path | None, field: str) -> float | None:
    if path is None:
        return fixed
    try:
        value = path.get(run.scope(effective))
    except PathNoMatch:
        raise StatesError(ErrorName.RUNTIME, f"Invalid path '{path.text}' : No results for path: $") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise StatesError(ErrorName.RUNTIME, f"The {field} parameter references an invalid value: {path.text} == {to_json(value)}")
    return value


# ---------------------------------------------------------------- Wait


def _wait(run: _Run, state: WaitState) -> Decision:
    from .timestamps import parse_timestamp

    effective = lifecycle.effective_input(run, run.cursor["input"])
    at: datetime
    if state.seconds is not None:
        at = run.now + timedelta(seconds=state.seconds)
    elif state.timestamp is not None:
        parsed = parse_timestamp(state.timestamp)
        if parsed is None:
            raise StatesError(ErrorName.RUNTIME, f"The Timestamp field is not a valid ISO-8601 timestamp: {state.timestamp}")
        at = parsed
    elif state.seconds_path is not None:
        value = _read(run, state.seconds_path, effective)
        shown = f"{state.seconds_path.text} == {to_json(value)}"
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (isinstance(value, float) and not value.is_integer()):
            raise StatesError(ErrorName.RUNTIME, f"The SecondsPath parameter cannot be parsed as a long value: {shown}")
        if value < 0:
            raise StatesError(ErrorName.RUNTIME, f"The SecondsPath parameter references a negative value: {shown}")
        if value > MAX_WAIT_SECONDS:
            raise StatesError(ErrorName.RUNTIME, "Wait state delay is too long.")
        at = run.now + timedelta(seconds=int(value))
    else:
        assert state.timestamp_path is not None
        value = _read(run, state.timestamp_path, effective)
        parsed = parse_timestamp(value) if isinstance(value, str) else None
        if parsed is None:
            shown = value if isinstance(value, str) else to_json(value)
            raise StatesError(
                ErrorName.RUNTIME,
                f"The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: {state.timestamp_path.text} == {shown}",
            )
        at = parsed
    if (at - run.now).total_seconds() > MAX_WAIT_SECONDS:
        raise StatesError(ErrorName.RUNTIME, "Wait state delay is too long.")
    waiting = run.suspend(lifecycle.WAIT, wake_at=at.isoformat(), pending=effective)
    return WaitUntil(waiting, at, tuple(run.events))


def finish_wait(run: _Run) -> Decision:
    """A Wait whose time has come: Assign (on the effective input) and the transition."""
    cursor = run.cursor
    at = datetime.fromisoformat(cursor["wake_at"])
    if run.now < at:
        return WaitUntil(cursor, at)
    state = run.state
    if state.jsonata:
        return states_jsonata.finish_wait(run)
    pending = cursor["pending"]
    assigned = state.assign.evaluate(run.scope(pending)) if state.assign is not None else None
    return lifecycle.exit_state(run, pending, size=cursor.get("size"), assigned=assigned)


def _read(run: _Run, path: Path, effective: Any) -> Any:
    try:
        return path.get(run.scope(effective))
    except PathNoMatch as missing:
        raise StatesError(ErrorName.RUNTIME, f"Invalid path '{path.text}' : {missing.jayway_message}") from None


# ---------------------------------------------------------------- Parallel and Map


def _parallel(run: _Run, state: ParallelState) -> Decision:
    cursor = run.cursor
    effective = lifecycle.effective_input(run, cursor["input"])
    if state.parameters is not None:
        effective = state.parameters.evaluate(run.scope(effective))
    run.emit("ParallelStateStarted", {})
    outer = variables.child_scope(cursor)
    children = tuple(
        child_cursor(run, state.name, index, branch.start_at, lifecycle.ENTER, effective, outer)
        for index, branch in enumerate(state.branches)
    )
    parent = run.suspend(lifecycle.FORK, fork={"kind": "Parallel"})
    return Fork(parent, children, 0, tuple(run.events), run.machine.effect_free(state))


def _map(run: _Run, state: MapState) -> Decision:
    cursor = run.cursor
    effective = lifecycle.effective_input(run, cursor["input"])
    if state.items_path is None:
        items: Any = {}
    elif state.items_path.is_root:
        items = effective
    else:
        items = _read(run, state.items_path, effective)
    if not isinstance(items, list):
        raise StatesError(ErrorName.RUNTIME, f"Map state input must be an array but was: {to_json(items)}")
    check_item_count(run, len(items))
    max_concurrency = _map_integer(run, effective, state.max_concurrency, state.max_concurrency_path, "MaxConcurrencyPath", "integer")
    count = _map_integer(run, effective, state.tolerated_failure_count, state.tolerated_failure_count_path, "ToleratedFailureCountPath", "integer")
    percentage = _map_integer(run, effective, state.tolerated_failure_percentage, state.tolerated_failure_percentage_path, "ToleratedFailurePercentagePath", "float")
    if count is not None and count < 0:
        raise StatesError(ErrorName.RUNTIME, "ToleratedFailureCount cannot be negative.")
    if percentage is not None and not 0 <= percentage <= 100:
        raise StatesError(ErrorName.RUNTIME, "ToleratedFailurePercentage must be between 0 and 100.")
    run.emit("MapStateStarted", {"length": len(items)})
    selector = state.item_selector
    visible = variables.visible(cursor) if state.reads_variables else None
    outer = variables.child_scope(cursor, distributed=state.mode == "DISTRIBUTED")
    children = []
    for index, item in enumerate(items):
        if selector is not None:
            context = run.context({"Map": {"Item": {"Index": index, "Value": item}}}) if selector.reads_context else None
            item = selector.evaluate(Scope(effective, context, visible))
        children.append(child_cursor(run, state.name, index, state.processor.start_at, lifecycle.BEGIN, item, outer))
    return fork_map(run, children, count, percentage, max_concurrency)


def check_item_count(run: _Run, count: int) -> None:
    """Refuse a Map over more items than the machine allows, before making any iteration."""
    limit = run.machine.max_map_items
    if limit is not None and count > limit:
        raise StatesError(
            ErrorName.RUNTIME,
            f"The Map state '{run.state.name}' was given {count} items; this server runs at most {limit} items in one Map state.",
        )


def fork_map(run: _Run, children: list[Cursor], count: Any, percentage: Any, max_concurrency: Any) -> Decision:
    """Suspend a Map for its iterations (or join at once when there are none)."""
    tolerance = {"kind": "Map", "count": count, "percentage": percentage}
    parent = run.suspend(lifecycle.FORK, fork=tolerance)
    if not children:
        run.cursor = parent
        return join_children(run, ())
    return Fork(parent, tuple(children), int(max_concurrency or 0), tuple(run.events), run.machine.effect_free(run.state))


def _map_integer(run: _Run, effective: Any, fixed: Any, path: Path | None, field: str, kind: str) -> Any:
    if path is None:
        return fixed
    value = _read(run, path, effective)
    if type(value) is str:
        # AWS reads the value the way Java parses text: "1" is a valid integer, "NoNumber" not
        # (the corpus records both, the former through a variable).
        value = _parse_number(value, kind)
    valid = not isinstance(value, bool) and (isinstance(value, int) or (kind == "float" and isinstance(value, float)))
    if not valid:
        shown = value if isinstance(value, str) else to_json(value)
        raise StatesError(ErrorName.RUNTIME, f'The {field} field refers to value "{shown}" which is not a valid {kind}: {path.text}')
    return value


def _parse_number(text: str, kind: str) -> Any:
    """``text`` as Java's ``Integer.parseInt`` (or ``Double.parseDouble`` for ``float``)
    reads it; the text itself when it is no such number."""
    try:
        if kind == "integer":
            return int(text) if text.lstrip("+-").isdigit() and text.isascii() else text
        return float(text.strip())
    except ValueError:
        return text


def join_children(run: _Run, results: Sequence[Succeeded | Failed]) -> Decision:
    state = run.state
    fork = run.cursor.get("fork") or {}
    failures = [r for r in results if isinstance(r, Failed)]
    if isinstance(state, ParallelState):
        if failures:
            first = failures[0]
            run.emit("ParallelStateFailed", {"error": first.error, "cause": first.cause})
            raise StatesError(first.error, first.cause)
        return lifecycle.finish(run, [r.output for r in results if isinstance(r, Succeeded)])
    if failures:
        count, percentage = fork.get("count"), fork.get("percentage")
        tolerated = count is not None or percentage is not None
        within = tolerated and (count is None or len(failures) <= count) and (percentage is None or len(failures) * 100 / len(results) <= percentage)
        if not within:
            error: str | None
            cause: str | None
            if tolerated:
                error, cause = ErrorName.EXCEED_TOLERATED_FAILURE_THRESHOLD, "The specified tolerance threshold was exceeded"
            else:
                error, cause = failures[0].error, failures[0].cause
            run.emit("MapStateFailed", {"error": error, "cause": cause})
            raise StatesError(error, cause)
    outputs = [r.output if isinstance(r, Succeeded) else StatesError(r.error, r.cause).as_output() for r in results]
    run.emit("MapStateSucceeded", {})
    return lifecycle.finish(run, outputs)


_FILLERS: dict[type, Any] = {
    PassState: _pass,
    TaskState: _task,
    ChoiceState: _choice,
    WaitState: _wait,
    SucceedState: _succeed,
    FailState: _fail,
    ParallelState: _parallel,
    MapState: _map,
}
