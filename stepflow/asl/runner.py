"""``run()``: drive the step-wise interpreter to the end, synchronously.

For tests, the validator's dry-run and benchmarks. It uses exactly the ``start`` /
``step`` / ``resume`` / ``join`` calls the workers use; the only thing it adds is doing
what each decision asks right here: calling ``invoke``, letting a clock pass time, and
running Fork children one after another.

``run_inline()`` is the same driver for one effect-free ``Fork`` (``Fork.inline``): the
workers use it to run small Parallel and Map states in-process instead of as units of
their own.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from .decisions import Cursor, Decision, Event, Failed, Fork, Invoke, Next, Succeeded, WaitUntil
from .errors import ErrorName, StatesError
from .interpreter import join, resume, start, step
from .machine import Machine, compile

__all__ = ["Clock", "InlineRun", "Result", "SystemClock", "VirtualClock", "run", "run_inline"]

Invoker = Callable[[str, Any, dict[str, Any]], Any]


class Clock(Protocol):
    def now(self) -> datetime: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """Real time."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


class VirtualClock:
    """Time that passes only when asked: ``sleep`` advances ``now`` without sleeping."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime.now(UTC)

    def now(self) -> datetime:
        return self._now

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self._now += timedelta(seconds=seconds)


@dataclass
class Result:
    """How a run ended. ``status`` is ``SUCCEEDED``, ``FAILED`` or ``TIMED_OUT``."""

    status: str
    output: Any = None
    error: str | None = None
    cause: str | None = None
    events: list[Event] = field(default_factory=list)

    @property
    def transitions(self) -> int:
        """State transitions made: the number of states entered."""
        return sum(1 for event in self.events if event.type.endswith("StateEntered"))


@dataclass
class InlineRun:
    """A Fork's children run to their ends by ``run_inline``.

    ``results`` are their terminal decisions in child order, for ``join``; ``events`` all
    they recorded, in order, numbered on from the Fork's last event; ``frames`` the same
    decisions by frame, ``(frame, decision)`` in order (``frame`` as in ``cursor["frame"]``),
    so a caller can book each branch's or iteration's steps apart.
    """

    results: list[Succeeded | Failed]
    events: list[Event]
    frames: list[tuple[list[Any], Decision]]

    @property
    def last_id(self) -> int | None:
        return self.events[-1].id if self.events else None


class _TimedOut(Exception):
    pass


class _OverBudget(Exception):
    pass


class _Driver:
    def __init__(
        self,
        machine: Machine,
        invoke: Invoker | None,
        clock: Clock,
        deadline: datetime | None,
        *,
        max_steps: int | None = None,
        frames: list[tuple[list[Any], Decision]] | None = None,
    ) -> None:
        self.machine = machine
        self.invoke = invoke
        self.clock = clock
        self.deadline = deadline
        self.events: list[Event] = []
        self.last_id = 0
        self.steps_left = max_steps
        self.frames = frames

    def record(self, events: tuple[Event, ...], cursor: Cursor | None = None, decision: Decision | None = None) -> None:
        if events:
            self.events.extend(events)
            self.last_id = events[-1].id
        if self.frames is not None and decision is not None:
            self.frames.append((cursor.get("frame") or [] if cursor else [], decision))

    def drive(self, cursor: Cursor) -> Succeeded | Failed:
        """Run one frame (the execution, a branch or an iteration) to its end."""
        machine, clock = self.machine, self.clock
        while True:
            now = clock.now()
            if self.deadline is not None and now >= self.deadline:
                raise _TimedOut
            cursor["event_id"] = self.last_id
            if self.steps_left is not None:
                self.steps_left -= 1
                if self.steps_left < 0:
                    raise _OverBudget
            decision = step(machine, cursor, now=now)
            while True:
                self.record(decision.events, cursor, decision)
                if type(decision) is Next:
                    cursor = decision.cursor
                    break
                if type(decision) is Invoke:
                    decision = self._invoke(decision)
                    continue
                if type(decision) is WaitUntil:
                    self._sleep_until(decision.at)
                    cursor = decision.cursor
                    break
                if type(decision) is Fork:
                    results = [self.drive(dict(child)) for child in decision.children]
                    parent = {**decision.cursor, "event_id": self.last_id}
                    decision = join(machine, parent, now=clock.now(), results=results)
                    continue
                return decision  # type: ignore[return-value]

    def _invoke(self, decision: Invoke) -> Any:
        clock = self.clock
        began = clock.now()
        cursor = {**decision.cursor, "event_id": self.last_id}
        context = {
            "execution_id": cursor["ctx"].get("Execution", {}).get("Id"),
            "state": cursor["state"],
            "attempt": decision.attempt,
            "task_token": decision.task_token,
            "timeout_seconds": decision.timeout_seconds,
            "heartbeat_seconds": decision.heartbeat_seconds,
        }
        try:
            if self.invoke is None:
                raise StatesError(ErrorName.TASK_FAILED, f"No invoke callable was given to run(), so the Task resource {decision.resource!r} cannot be called.")
            output = self.invoke(decision.resource, decision.payload, context)
        except StatesError as failure:
            output, error, cause = None, failure.error, failure.cause
        else:
            error = cause = None
        elapsed = (clock.now() - began).total_seconds()
        if decision.timeout_seconds is not None and elapsed >= decision.timeout_seconds:
            if self.deadline is not None and began + timedelta(seconds=decision.timeout_seconds) >= self.deadline:
                raise _TimedOut
            output, error, cause = None, ErrorName.TIMEOUT, ""  # AWS records an empty cause
        if self.deadline is not None and clock.now() >= self.deadline:
            raise _TimedOut
        if error is not None or cause is not None:
            return resume(self.machine, cursor, now=clock.now(), error=error, cause=cause)
        return resume(self.machine, cursor, now=clock.now(), output=output)

    def _sleep_until(self, at: datetime) -> None:
        now = self.clock.now()
        if self.deadline is not None and at >= self.deadline:
            self.clock.sleep((self.deadline - now).total_seconds())
            raise _TimedOut
        self.clock.sleep((at - now).total_seconds())


def run(
    definition: dict[str, Any] | str | Machine,
    input: Any = None,
    *,
    invoke: Invoker | None = None,
    clock: Clock | None = None,
    context: dict[str, Any] | None = None,
) -> Result:
    """Run a state machine to its end and return how it ended.

    ``invoke(resource, payload, context)`` performs a Task and returns its result or raises
    ``TaskFailed(error, cause)``; a call that outlasts the state's TimeoutSeconds (as
    ``clock`` sees it) fails with ``States.Timeout``. ``clock`` defaults to real time;
    ``VirtualClock()`` makes Waits and back-offs instant. Raises ``DefinitionError`` for an
    invalid definition.
    """
    machine = compile(definition)
    clock = clock or SystemClock()
    input = {} if input is None else input
    began = clock.now()
    if context is None:
        name = str(uuid.uuid4())
        context = {
            "Execution": {"Id": f"arn:aws:states:local:000000000000:execution:stepflow:{name}", "Name": name, "RoleArn": ""},
            "StateMachine": {"Id": "arn:aws:states:local:000000000000:stateMachine:stepflow", "Name": "stepflow"},
        }
    deadline = began + timedelta(seconds=machine.timeout_seconds) if machine.timeout_seconds else None
    driver = _Driver(machine, invoke, clock, deadline)
    first = start(machine, input, now=began, context=context)
    driver.record(first.events)
    try:
        outcome = driver.drive(first.cursor)
    except _TimedOut:
        last = driver.last_id
        driver.events.append(Event(last + 1, last, "ExecutionTimedOut", clock.now(), {}))
        return Result("TIMED_OUT", events=driver.events)
    if isinstance(outcome, Succeeded):
        return Result("SUCCEEDED", output=outcome.output, events=driver.events)
    return Result("FAILED", error=outcome.error, cause=outcome.cause, events=driver.events)


def run_inline(machine: Machine, fork: Fork, *, last_id: int, max_steps: int, clock: Clock | None = None) -> InlineRun | None:
    """Run the children of ``fork`` to their ends, one after another, right here.

    Only for a Fork whose children can have no effect (``fork.inline``); their events are
    numbered on from ``last_id`` (the Fork's last event). Returns ``None``, having changed
    nothing, when they need more than ``max_steps`` interpreter steps in all: the caller
    then runs them as it runs any Fork. ``join`` takes ``results`` next.
    """
    if not fork.inline:
        raise ValueError("run_inline() needs a Fork whose children have no effect (Fork.inline)")
    frames: list[tuple[list[Any], Decision]] = []
    driver = _Driver(machine, None, clock or SystemClock(), None, max_steps=max_steps, frames=frames)
    driver.last_id = last_id
    try:
        results = [driver.drive(dict(child)) for child in fork.children]
    except _OverBudget:
        return None
    return InlineRun(results, driver.events, frames)
