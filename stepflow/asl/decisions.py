"""What the interpreter decides, as values.

The interpreter never sleeps, calls out or starts threads. Each call of ``step``,
``resume`` or ``join`` returns one decision, and the caller (``run()`` in tests and
benchmarks, the django-q2 workers in the service) carries it out:

::

    Decision
    ├── Next(cursor)                 a state finished; persist the cursor and step again
    ├── Invoke(cursor, resource, payload, timeout_seconds, heartbeat_seconds, task_token)
    │                                call the function, then ``resume`` with its result or error
    ├── WaitUntil(cursor, at)        a Wait state or a Retry back-off; ``step`` again at ``at``
    ├── Fork(cursor, children, max_concurrency, inline)
    │                                Parallel branches or Map iterations: run every child
    │                                cursor to its end (``step`` each), then ``join`` the results
    ├── Succeeded(output)            the frame (execution, branch or iteration) succeeded
    └── Failed(error, cause)         the frame failed

Every decision carries the history ``events`` it produced, already numbered. Decisions and
events are treated as immutable values; they are plain slotted classes (not frozen ones)
only because the interpreter makes one per transition and frozen ones cost more to build.

A **cursor** is a plain JSON-serialisable ``dict``: a run can stop on one worker and resume
on another from it. Its keys are the interpreter's business; callers may read
``cursor["state"]`` (the current state's name), ``cursor["frame"]`` (the list naming the
branch or Map iteration this cursor runs in, ``[]`` at the top), ``cursor["event_id"]``
(the id of the last history event) and ``cursor.get("vars")`` (the workflow variables
assigned in the cursor's own scope; ``cursor.get("outer_vars")`` holds those it reads
from enclosing scopes), and may set ``cursor["event_id"]`` before a step to renumber a
child frame's events into an execution-wide sequence.

A state that assigns variables shows them in its ``*StateExited`` event, as AWS does:
``assignedVariables`` maps each name to its value as compact JSON text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = [
    "Cursor",
    "Decision",
    "Event",
    "Failed",
    "Fork",
    "Invoke",
    "Next",
    "Succeeded",
    "WaitUntil",
]

Cursor = dict[str, Any]


@dataclass(slots=True)
class Event:
    """One AWS-style history event: ``PassStateEntered``, ``TaskScheduled``, ...

    ``details`` holds what AWS puts in ``<type>EventDetails`` (``name``, ``input``,
    ``output``, ``error``, ``cause``, ...); ``timestamp`` is an aware UTC datetime.
    """

    id: int
    previous_id: int
    type: str
    timestamp: datetime
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The event as AWS's GetExecutionHistory shows it."""
        out: dict[str, Any] = {
            "id": self.id,
            "previousEventId": self.previous_id,
            "timestamp": self.timestamp.isoformat(),
            "type": self.type,
        }
        if self.details:
            out[self.type[0].lower() + self.type[1:] + "EventDetails"] = self.details
        return out


@dataclass(slots=True)
class Next:
    """A state finished; continue from ``cursor``."""

    cursor: Cursor
    events: tuple[Event, ...] = ()


@dataclass(slots=True)
class Invoke:
    """Call ``resource`` with ``payload``; feed the outcome back with ``resume``.

    ``timeout_seconds`` bounds the call (``States.Timeout``); ``heartbeat_seconds`` bounds
    the gap between heartbeats (``States.HeartbeatTimeout``); ``task_token`` is set for the
    ``.waitForTaskToken`` callback pattern. ``attempt`` counts from 0 and, with the
    execution id, makes an idempotency key that is stable across a worker crash.
    """

    cursor: Cursor
    resource: str
    payload: Any
    timeout_seconds: float | None = None
    heartbeat_seconds: float | None = None
    task_token: str | None = None
    attempt: int = 0
    events: tuple[Event, ...] = ()


@dataclass(slots=True)
class WaitUntil:
    """Nothing to do before ``at`` (aware UTC); then ``step(cursor)`` again."""

    cursor: Cursor
    at: datetime
    events: tuple[Event, ...] = ()


@dataclass(slots=True)
class Fork:
    """Run each child cursor to its end, at most ``max_concurrency`` at once (0: no
    limit), then call ``join`` with their terminal decisions in the same order.

    ``inline`` is true when the children can have no effect: every state they may run is
    a Pass, Choice, Succeed or Fail, or a Parallel or inline Map made only of those (no
    Task, no Wait). Their steps are then pure computation, so a caller may run them
    in-process between two commits (``run_inline``) instead of as units of their own.
    """

    cursor: Cursor
    children: tuple[Cursor, ...]
    max_concurrency: int = 0
    events: tuple[Event, ...] = ()
    inline: bool = False


@dataclass(slots=True)
class Succeeded:
    """The frame succeeded with ``output``."""

    output: Any
    events: tuple[Event, ...] = ()
    cursor: Cursor | None = None


@dataclass(slots=True)
class Failed:
    """The frame failed with an ASL error name and cause (either may be ``None``)."""

    error: str | None
    cause: str | None
    events: tuple[Event, ...] = ()
    cursor: Cursor | None = None


Decision = Next | Invoke | WaitUntil | Fork | Succeeded | Failed
