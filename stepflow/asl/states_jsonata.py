"""The work of each state type in a JSONata state: the JSONata fillers of the lifecycle.

A JSONata state has no InputPath, Parameters, ResultSelector, ResultPath or OutputPath.
Its expressions read ``$states`` (``input``: the raw state input; ``context``: the context
object; ``result``: the Task, Parallel or Map result, in Output and Assign only;
``errorOutput``: in a Catcher only) and the workflow variables. Per type:

* ``Arguments`` (Task, Parallel) is the payload or the branches' input; by default the
  state input. ``Items`` (Map) is the array to iterate; by default the state input.
  ``ItemSelector`` shapes each item, with ``$states.context.Map.Item``.
* ``Output`` is the state's output; by default the result for Task, Parallel and Map,
  the state input for the others. ``Assign`` sets variables. Both are evaluated after the
  work (Assign first) and both see the variables from before the state.
* Choice: the first rule whose ``Condition`` is true wins, with its own ``Output`` and
  ``Assign``; the state's own apply only when ``Default`` is taken.
* Fields that take a number, a string or a timestamp (``Seconds``, ``Timestamp``,
  ``TimeoutSeconds``, ``HeartbeatSeconds``, ``MaxConcurrency``,
  ``ToleratedFailureCount``/``Percentage``, ``Error``, ``Cause``) may be expressions; a
  result of the wrong type fails the state with ``States.QueryEvaluationError``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from . import interpreter as lifecycle
from . import recovery, variables
from . import states as jsonpath
from .decisions import Decision, Fork, WaitUntil
from .errors import ErrorName, StatesError
from .jsonata import ABSENT, Bindings, json_type, query_error, to_json_text
from .model import (
    ChoiceState,
    FailState,
    MapState,
    ParallelState,
    PassState,
    State,
    SucceedState,
    TaskState,
    WaitState,
)
from .timestamps import parse_timestamp

if TYPE_CHECKING:
    from .interpreter import _Run
    from .jsonata_templates import ValueTemplate

__all__ = ["begin", "bindings_for", "finish", "finish_wait"]

MAX_SECONDS = 99_999_999


def bindings_for(run: _Run, *, result: Any = ABSENT, error_output: Any = ABSENT, context: dict[str, Any] | None = None) -> Bindings:
    """What the state's expressions see; ``context`` adds to the context object."""
    return Bindings(
        input=run.cursor["input"],
        context=lambda: run.context(context),
        variables=variables.visible(run.cursor),
        result=result,
        error_output=error_output,
    )


def begin(run: _Run, state: State) -> Decision:
    """Do the entered JSONata state's work (again, after a Retry back-off)."""
    return _FILLERS[type(state)](run, state)  # type: ignore[no-any-return]


def _close(run: _Run, bindings: Bindings, default: Any) -> tuple[Any, dict[str, Any] | None, bool]:
    """Assign, then Output: ``(output, assigned, output_is_default)``."""
    state = run.state
    assigned = state.assign.evaluate(bindings) if state.assign is not None else None
    template = state.exprs.get("Output")
    if template is None:
        return default, assigned, True
    return template.evaluate(bindings), assigned, False


def _exit(run: _Run, bindings: Bindings, next_state: str | None = None) -> Decision:
    """Leave a state whose output defaults to its input."""
    output, assigned, unchanged = _close(run, bindings, run.cursor["input"])
    size = run.cursor.get("size") if unchanged else None
    return lifecycle.exit_state(run, output, next_state=next_state, size=size, assigned=assigned)


def finish(run: _Run, result: Any) -> Decision:
    """A Task, Parallel or Map state's result: Assign and Output, then the transition."""
    output, assigned, _ = _close(run, bindings_for(run, result=result), result)
    return lifecycle.exit_state(run, output, assigned=assigned)


# ---------------------------------------------------------------- typed fields


def _wrong_type(template: ValueTemplate, value: Any, expected: str) -> StatesError:
    text = template.expression.text if template.expression is not None else to_json_text(template.literal)
    problem = f"returned an unexpected result type. Expected '{expected}', but was '{json_type(value)}' for value: {to_json_text(value)}"
    return query_error(text, template.field, problem)


def _out_of_range(template: ValueTemplate, value: Any, expected: str) -> StatesError:
    text = template.expression.text if template.expression is not None else to_json_text(template.literal)
    return query_error(text, template.field, f"returned a value out of range. Expected {expected}, but was: {to_json_text(value)}")


def _number(run: _Run, bindings: Bindings, field: str, low: float, high: float | None = None, *, integer: bool = True) -> Any:
    """A numeric field's value in ``[low, high]`` (``None`` when the state does not set it)."""
    template = run.state.exprs.get(field)
    if template is None:
        return None
    value = template.evaluate(bindings)
    is_number = type(value) is int or (type(value) is float and (not integer or value.is_integer()))
    if not is_number:
        raise _wrong_type(template, value, "integer" if integer else "number")
    if value < low or (high is not None and value > high):
        bounds = f"from {low:g} to {high:g}" if high is not None else f"of at least {low:g}"
        raise _out_of_range(template, value, f"{'an integer' if integer else 'a number'} {bounds}")
    return int(value) if integer else value


def _text(run: _Run, bindings: Bindings, field: str) -> str | None:
    template = run.state.exprs.get(field)
    if template is None:
        return None
    value = template.evaluate(bindings)
    if type(value) is not str:
        raise _wrong_type(template, value, "string")
    return value


# ---------------------------------------------------------------- the fillers


def _pass(run: _Run, state: PassState | SucceedState) -> Decision:
    return _exit(run, bindings_for(run))


def _choice(run: _Run, state: ChoiceState) -> Decision:
    bindings = bindings_for(run)
    for branch in state.choices:
        matched = branch.rule.evaluate(bindings)
        if type(matched) is not bool:
            raise _wrong_type(branch.rule, matched, "boolean")
        if matched:
            assigned = branch.assign.evaluate(bindings) if branch.assign is not None else None
            if branch.output is None:
                raw = run.cursor["input"]
                return lifecycle.exit_state(run, raw, next_state=branch.next, size=run.cursor.get("size"), assigned=assigned)
            return lifecycle.exit_state(run, branch.output.evaluate(bindings), next_state=branch.next, assigned=assigned)
    if state.default is None:
        raise StatesError(ErrorName.NO_CHOICE_MATCHED, f"No Choice Rule matched the input in the Choice state '{state.name}', and it has no Default.")
    return _exit(run, bindings, next_state=state.default)


def _fail(run: _Run, state: FailState) -> Decision:
    bindings = bindings_for(run)
    return lifecycle.fail_frame(run, _text(run, bindings, "Error"), _text(run, bindings, "Cause"))


def _task(run: _Run, state: TaskState) -> Decision:
    token = jsonpath.task_token(run, state)
    bindings = bindings_for(run, context={"Task": {"Token": token}} if token else None)
    arguments = state.exprs.get("Arguments")
    payload = arguments.evaluate(bindings) if arguments is not None else run.cursor["input"]
    timeout = _number(run, bindings, "TimeoutSeconds", 1, MAX_SECONDS)
    heartbeat = _number(run, bindings, "HeartbeatSeconds", 1, MAX_SECONDS)
    return jsonpath.schedule_task(run, state, payload, timeout, heartbeat, token)


def _wait(run: _Run, state: WaitState) -> Decision:
    bindings = bindings_for(run)
    seconds = _number(run, bindings, "Seconds", 0, MAX_SECONDS)
    if seconds is not None:
        at = run.now + timedelta(seconds=seconds)
    else:
        template = state.exprs["Timestamp"]
        value = template.evaluate(bindings)
        parsed = parse_timestamp(value) if type(value) is str else None
        if parsed is None:
            shown = value if type(value) is str else to_json_text(value)
            raise StatesError(
                ErrorName.QUERY_EVALUATION_ERROR,
                f"The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: {shown}",
                location="Timestamp",
            )
        at = parsed
        if (at - run.now).total_seconds() > MAX_SECONDS:
            raise StatesError(ErrorName.RUNTIME, "Wait state delay is too long.")
    waiting = run.suspend(lifecycle.WAIT, wake_at=at.isoformat(), pending=run.cursor["input"])
    return WaitUntil(waiting, at, tuple(run.events))


def finish_wait(run: _Run) -> Decision:
    """A JSONata Wait whose time has come: Assign and Output on its input."""
    return _exit(run, bindings_for(run))


def _parallel(run: _Run, state: ParallelState) -> Decision:
    arguments = state.exprs.get("Arguments")
    branch_input = arguments.evaluate(bindings_for(run)) if arguments is not None else run.cursor["input"]
    run.emit("ParallelStateStarted", {})
    outer = variables.child_scope(run.cursor)
    children = tuple(
        jsonpath.child_cursor(run, state.name, index, branch.start_at, lifecycle.ENTER, branch_input, outer)
        for index, branch in enumerate(state.branches)
    )
    parent = run.suspend(lifecycle.FORK, fork={"kind": "Parallel"})
    return Fork(parent, children, 0, tuple(run.events), run.machine.effect_free(state))


def _map(run: _Run, state: MapState) -> Decision:
    try:
        bindings = bindings_for(run)
        items = _items(run, state, bindings)
        jsonpath.check_item_count(run, len(items))
        max_concurrency = _number(run, bindings, "MaxConcurrency", 0)
        count = _number(run, bindings, "ToleratedFailureCount", 0)
        percentage = _number(run, bindings, "ToleratedFailurePercentage", 0, 100, integer=False)
        selector = state.exprs.get("ItemSelector")
        if selector is not None:
            raw = run.cursor["input"]
            visible = variables.visible(run.cursor)
            items = [
                selector.evaluate(Bindings(input=raw, context=_item_context(run, index, item), variables=visible))
                for index, item in enumerate(items)
            ]
    except StatesError as exc:
        # AWS records the evaluation failure, then the Map's own failure.
        failure = recovery.report_evaluation_failure(run, run.runtime_error(exc))
        run.emit("MapStateFailed", {"error": failure.error, "cause": failure.cause})
        raise failure from None
    run.emit("MapStateStarted", {"length": len(items)})
    outer = variables.child_scope(run.cursor, distributed=state.mode == "DISTRIBUTED")
    start_at = state.processor.start_at
    children = [jsonpath.child_cursor(run, state.name, i, start_at, lifecycle.BEGIN, item, outer) for i, item in enumerate(items)]
    return jsonpath.fork_map(run, children, count, percentage, max_concurrency)


def _items(run: _Run, state: MapState, bindings: Bindings) -> list[Any]:
    template = state.exprs.get("Items")
    if template is None:
        items = run.cursor["input"]
        if type(items) is not list:
            raise StatesError(
                ErrorName.QUERY_EVALUATION_ERROR, f"Map state input must be an array but was: {to_json_text(items)}", location=""
            )
        return items
    value = template.evaluate(bindings)
    if type(value) is not list:
        raise _wrong_type(template, value, "array")
    return value


def _item_context(run: _Run, index: int, item: Any) -> Callable[[], dict[str, Any]]:
    return lambda: run.context({"Map": {"Item": {"Index": index, "Value": item}}})


_FILLERS: dict[type, Any] = {
    PassState: _pass,
    SucceedState: _pass,
    TaskState: _task,
    ChoiceState: _choice,
    WaitState: _wait,
    FailState: _fail,
    ParallelState: _parallel,
    MapState: _map,
}
