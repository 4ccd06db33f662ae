"""Turning interpreter events into stored history: ``Event`` rows and ``Step`` rows.

Called inside a transition's transaction. Events are stored as they come; Steps are
derived from them, one per state visited in a frame:

- ``<Type>StateEntered`` opens a step (its id is the step's ``sequence``);
- ``TaskScheduled`` records the attempt; ``TaskFailed``, ``TaskTimedOut``,
  ``ParallelStateFailed``, ``MapStateFailed`` record an error; ``TaskSucceeded`` clears it;
- ``<Type>StateExited`` closes it (``FAILED`` when it left through a Catch) and records the
  workflow variables the state assigned (``assignedVariables``, JSON text by name in the
  event, stored parsed: ``{name: value}``);
- a frame's terminal decision closes whatever is still open.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import stepflow.asl as asl
from executions.models import Event, Frame, Step, StepStatus

__all__ = ["StepBook", "assigned_variables", "close_open_steps", "record", "record_events", "save_fresh"]

_ENTERED = "StateEntered"
_EXITED = "StateExited"
_SCHEDULED = frozenset({"TaskScheduled", "LambdaFunctionScheduled"})
_SUCCEEDED = frozenset({"TaskSucceeded", "LambdaFunctionSucceeded"})
_FAILED = frozenset(
    {"TaskFailed", "TaskTimedOut", "LambdaFunctionFailed", "LambdaFunctionTimedOut", "ParallelStateFailed", "MapStateFailed"}
)


def record(
    *,
    execution_id: int,
    frame: Frame | None,
    branch: list[Any],
    events: Sequence[asl.Event],
    decision: asl.Decision | None = None,
) -> None:
    """Store ``events`` and bring the frame's steps up to date with them and ``decision``."""
    record_events(execution_id=execution_id, events=events)
    book = StepBook(execution_id, frame, branch)
    book.apply(events, decision)
    book.save()


def record_events(*, execution_id: int, events: Sequence[asl.Event]) -> None:
    """Append ``events`` to the execution's history."""
    if events:
        Event.objects.bulk_create(
            Event(
                execution_id=execution_id,
                event_id=event.id,
                previous_event_id=event.previous_id,
                type=event.type,
                timestamp=event.timestamp,
                details=event.details or None,
            )
            for event in events
        )


def _touches_steps(kind: str) -> bool:
    return kind.endswith(_ENTERED) or kind.endswith(_EXITED) or kind in _SCHEDULED or kind in _SUCCEEDED or kind in _FAILED


def _last_time(events: Sequence[asl.Event]) -> datetime | None:
    return events[-1].timestamp if events else None


def assigned_variables(details: Mapping[str, Any]) -> dict[str, Any] | None:
    """The variables an Exited event's ``assignedVariables`` names, each value parsed back
    from the compact JSON text AWS's history uses; ``None`` when it assigned none."""
    described = details.get("assignedVariables")
    if not isinstance(described, Mapping) or not described:
        return None
    out: dict[str, Any] = {}
    for name, text in described.items():
        try:
            out[str(name)] = json.loads(text) if isinstance(text, str) else text
        except ValueError:  # not JSON text: keep it as the event had it
            out[str(name)] = text
    return out


class StepBook:
    """The steps of one frame, kept up to date as its decisions' events arrive.

    A worker holding a claim keeps one book across its transitions, so the open step is
    read from the database once per unit of work, not once per transition: nobody else
    writes this frame's steps while the claim holds (a stop also ends the claim).
    ``apply`` only changes the book; ``save`` writes what changed since the last save, so
    several transitions committed together write each step once.
    """

    def __init__(self, execution_id: int, frame: Frame | None, branch: list[Any], *, fresh: bool = False) -> None:
        """``fresh``: the frame has no steps yet (a branch run in-process), so none is read."""
        self.execution_id = execution_id
        self.frame = frame
        self.branch = branch
        self.loaded = fresh
        self.open: Step | None = None
        self.dirty: dict[int, Step] = {}
        self.new: list[Step] = []
        self.saved: list[Step] = []  # what the last ``save`` wrote, for live viewers
        # Fn's id of the call whose outcome the next ``apply`` records: stored on the open
        # step in that transition's transaction, not by a write of its own.
        self.call_id = ""

    def apply(self, events: Sequence[asl.Event], decision: asl.Decision | None) -> None:
        """Bring the steps up to date with ``events`` and ``decision``; ``save`` writes them."""
        terminal = isinstance(decision, (asl.Succeeded, asl.Failed))
        if not terminal and not self.call_id and not any(_touches_steps(event.type) for event in events):
            return
        if not self.loaded:
            self.open = (
                Step.objects.filter(execution_id=self.execution_id, frame=self.frame, exited_at__isnull=True)
                .order_by("-sequence")
                .first()
            )
            self.loaded = True
        if self.call_id and self.open is not None:
            self.open.fn_call_id = self.call_id
            self._touch(self.open)
        self.call_id = ""
        for event in events:
            self._apply(event, decision)
        if isinstance(decision, asl.Succeeded):
            self.close(StepStatus.SUCCEEDED, _last_time(events))
        elif isinstance(decision, asl.Failed):
            self.fail(decision.error, decision.cause)
            self.close(StepStatus.FAILED, _last_time(events))

    def _apply(self, event: asl.Event, decision: asl.Decision | None) -> None:
        kind, details = event.type, event.details or {}
        if kind.endswith(_ENTERED):
            self.close(None, event.timestamp)
            self.open = Step(
                execution_id=self.execution_id,
                frame=self.frame,
                sequence=event.id,
                state_name=str(details.get("name", "")),
                state_type=kind[: -len(_ENTERED)],
                branch=self.branch,
                status=StepStatus.RUNNING,
                input=details.get("input"),
                entered_at=event.timestamp,
            )
            self.new.append(self.open)
            return
        step = self.open
        if step is None:
            return
        if kind.endswith(_EXITED):
            step.output = details.get("output")
            step.assigned_variables = assigned_variables(details)
            self.close(None, event.timestamp)
        elif kind in _SCHEDULED:
            step.attempt = decision.attempt if isinstance(decision, asl.Invoke) else step.attempt
            step.status = StepStatus.RUNNING
            self._touch(step)
        elif kind in _SUCCEEDED:
            step.error, step.cause = "", ""
            self._touch(step)
        elif kind in _FAILED:
            step.error = str(details.get("error") or "")[:256]
            step.cause = str(details.get("cause") or "")
            step.status = StepStatus.FAILED
            self._touch(step)

    def fail(self, error: str | None, cause: str | None) -> None:
        if self.open is not None and not self.open.error:
            self.open.error = (error or "")[:256]
            self.open.cause = cause or ""
            self._touch(self.open)

    def close(self, status: StepStatus | None, at: datetime | None) -> None:
        """Close the open step; without ``status``, FAILED if it recorded an error."""
        step = self.open
        if step is None:
            return
        step.status = status or (StepStatus.FAILED if step.error else StepStatus.SUCCEEDED)
        step.exited_at = at
        self._touch(step)
        self.open = None

    def _touch(self, step: Step) -> None:
        if step.pk is not None:
            self.dirty[step.pk] = step

    def save(self) -> None:
        """Write the steps opened or changed since the last save (in the caller's transaction)."""
        self.saved = [*self.new, *self.dirty.values()]
        if self.new:
            Step.objects.bulk_create(self.new)
        for step in self.dirty.values():
            step.save(update_fields=["status", "output", "error", "cause", "attempt", "exited_at", "fn_call_id", "assigned_variables"])
        self.new, self.dirty = [], {}


def save_fresh(books: Sequence[StepBook]) -> list[Step]:
    """Write the steps of books made ``fresh`` (frames run in-process) in one bulk insert;
    returns them. Such books only hold new steps: nothing of theirs is in the database."""
    steps = [step for book in books for step in book.new]
    Step.objects.bulk_create(steps, batch_size=1000)
    for book in books:
        book.saved, book.new = book.new, []
    return steps


def close_open_steps(*, execution_id: int, status: StepStatus, at: datetime) -> None:
    """Mark every step still open in the execution (any frame) as ended with ``status``."""
    Step.objects.filter(execution_id=execution_id, exited_at__isnull=True).update(status=status, exited_at=at)
