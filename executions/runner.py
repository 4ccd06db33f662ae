"""The durable runner: advances executions and their frames on django-q2 workers.

A *unit of work* is one call of ``advance_execution`` or ``advance_frame`` (a Parallel
branch or Map iteration). It:

1. **claims** the row with a compare-and-set on ``revision`` (and only when no live lease
   is held), taking a lease in ``claimed_until``;
2. **advances** it through as many transitions as it can in commits: each commit is one
   database transaction that locks the execution row (event ids are one execution-wide
   sequence), steps the interpreter (through a group of transitions when they only move
   on: see ``_transition``), writes the row with a compare-and-set on the revision it
   holds, and appends the history; a failed compare-and-set means a stop, a timeout or
   another worker won, and the unit ends without writing anything;
3. **hands off** at a Wait or retry back-off (``wake_at``, for the timer loop), a fork
   (children rows, enqueued after commit), the end of its frame (the parent's pending count
   drops; the last child enqueues the join), or when its time slice is used up (it enqueues
   itself). A Task call happens between two transactions, holding no lock: the Invoke
   decision is committed first with a lease covering the call's timeout, so a worker that
   dies mid-call is replaced once the lease ends and repeats the call with the same
   idempotency key.

Every row a unit parks carries a ``wake_at`` (its lease, its timer, its deadline), so lost
queue messages and dead workers are recovered by the timer loop, never by hope.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

import stepflow.asl as asl
from executions import callbacks, frames, history, inline, invoke, live, plans
from executions.machines import compiled
from executions.models import Execution, ExecutionStatus, Frame, FrameStatus, WaitingFor
from executions.queue import ADVANCE_EXECUTION, ADVANCE_FRAME
from executions.terminate import time_out_if_due

__all__ = ["Unit", "advance_execution", "advance_frame", "claim"]

log = logging.getLogger(__name__)

Compute = Callable[[dict[str, Any], datetime], asl.Decision]


def advance_execution(*, execution_id: int) -> bool:
    """Advance an execution's top level; True when this call did work."""
    unit = Unit.load_execution(execution_id)
    if unit is None:
        return False
    deadline = unit.execution.deadline_at
    if deadline is not None and deadline <= timezone.now():
        return time_out_if_due(execution_id=execution_id)
    return _advance(unit)


def advance_frame(*, frame_id: int) -> bool:
    """Advance one Parallel branch or Map iteration; True when this call did work."""
    unit = Unit.load_frame(frame_id)
    return unit is not None and _advance(unit)


@dataclass
class Unit:
    """The row being advanced and what the worker knows of it."""

    model: type[Execution] | type[Frame]
    pk: int
    execution: Execution
    frame: Frame | None
    revision: int
    cursor: dict[str, Any]
    waiting_for: str
    pending: Any
    fork_seq: int
    claimed_until: datetime | None
    pending_children: int
    steps: history.StepBook

    @classmethod
    def of(cls, row: Execution | Frame, execution: Execution, frame: Frame | None) -> Unit:
        branch = (frame.path or []) if frame is not None else []
        return cls(
            model=type(row),
            pk=row.pk,
            execution=execution,
            frame=frame,
            revision=row.revision,
            cursor=frames.unpack(row.cursor, execution.context),
            waiting_for=row.waiting_for,
            pending=row.pending,
            fork_seq=row.fork_seq,
            claimed_until=row.claimed_until,
            pending_children=row.pending_children,
            # A row never claimed (revision 0) has written no step yet: nothing to read back.
            steps=history.StepBook(execution.pk, frame, branch, fresh=row.revision == 0),
        )

    @classmethod
    def load_execution(cls, execution_id: int) -> Unit | None:
        """The running execution's top level as a worker sees it now, or None."""
        execution = Execution.objects.select_related("version", "machine").filter(pk=execution_id).first()
        if execution is None or execution.status != ExecutionStatus.RUNNING:
            return None
        return cls.of(execution, execution, None)

    @classmethod
    def load_frame(cls, frame_id: int) -> Unit | None:
        """The running frame as a worker sees it now, or None."""
        # A frame's work reads its execution's context (which holds $$.Execution.Input), never
        # the top level's own input, output or cursor: a Map's iterations would each load a
        # large input three times over.
        frame = (
            Frame.objects.select_related("execution__version")
            .defer("execution__input", "execution__output", "execution__cursor")
            .filter(pk=frame_id)
            .first()
        )
        if frame is None or frame.status != FrameStatus.RUNNING:
            return None
        return cls.of(frame, frame.execution, frame)

    @property
    def is_root(self) -> bool:
        return self.frame is None

    @property
    def task(self) -> str:
        return ADVANCE_EXECUTION if self.is_root else ADVANCE_FRAME

    def wake(self, at: datetime) -> datetime:
        """``at``, or the execution's deadline if sooner (only the top level carries it)."""
        deadline = self.execution.deadline_at
        return min(at, deadline) if self.is_root and deadline is not None else at


def _worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def _advance(unit: Unit) -> bool:
    if not claim(unit, now=timezone.now()):
        return False
    claimed = unit.revision
    _run(unit)
    # The revisions this unit held, for tracing (and for the tests that prove no two
    # workers ever hold the same row at once: their ranges never overlap).
    log.debug("advanced %s %s revisions %d-%d", unit.model.__name__, unit.pk, claimed, unit.revision)
    return True


def claim(unit: Unit, *, now: datetime) -> bool:
    """Take the unit for this worker; True when it is ours to advance.

    False when there is nothing to do yet (its children are still running, it waits for a
    callback), when a live lease is held by another worker, or when the row changed since
    the unit was read (another worker or a stop got there first).
    """
    if unit.claimed_until is not None and unit.claimed_until > now:
        return False  # a live worker holds it; it hands off or its lease ends
    if unit.waiting_for == WaitingFor.CALLBACK and not callbacks.due(unit.pending, now):
        return False  # parked until the task API (or its timeout) has an outcome
    if unit.waiting_for == WaitingFor.CHILDREN and unit.pending_children > 0:
        return False
    lease = frames.lease(now)
    # Compare-and-set on the revision we read: of two workers that read the same row,
    # exactly one moves it on; the other's UPDATE matches no row.
    claimed = (
        unit.model.objects.filter(pk=unit.pk, revision=unit.revision, status=ExecutionStatus.RUNNING)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
        .update(
            revision=unit.revision + 1, claimed_until=lease, claimed_by=_worker_id(), wake_at=unit.wake(lease),
            timer_fires=0,  # its queued message arrived: the timer's next refire need not back off
        )
    )
    if claimed != 1:
        return False
    unit.revision += 1
    unit.claimed_until = lease
    return True


def _run(unit: Unit) -> None:
    """Advance a claimed unit until it parks, ends, loses its claim or uses its slice."""
    try:
        machine = compiled(unit.execution.version)
    except Exception as exc:  # a stored version that no longer compiles fails its runs
        _transition(unit, _raiser(exc), None, handoff=False)
        return
    proceed: Compute = lambda cursor, now: asl.step(machine, cursor, now=now)  # noqa: E731
    slice_ends = time.monotonic() + settings.STEPFLOW_TIME_SLICE_SECONDS
    if unit.waiting_for == WaitingFor.CALLBACK:
        action = "callback"
    elif unit.waiting_for == WaitingFor.TASK:
        action = "invoke"  # a worker died during this call: repeat it, same idempotency key
    elif unit.waiting_for == WaitingFor.CHILDREN:
        action = "join"
    else:
        action = "step"
    while True:
        compute: Compute
        if action == "invoke":
            result = invoke.call(pending=unit.pending, execution=unit.execution, state_name=unit.cursor["state"])
            if result.error is None and unit.pending.get("task_token"):
                # Detached call made: wait for the task API, holding no worker.
                callbacks.park(
                    model=unit.model, pk=unit.pk, revision=unit.revision, pending=unit.pending, now=timezone.now(),
                    execution_deadline=unit.execution.deadline_at if unit.is_root else None, call_id=result.call_id,
                )
                return
            unit.steps.call_id = result.call_id  # recorded on the Step with the outcome, in one transaction
            compute = _resumer(machine, result.output, result.error, result.cause)
        elif action == "callback":
            outcome = callbacks.outcome(unit.pending, timezone.now())
            if outcome is None:
                return
            compute = _resumer(machine, *outcome)
        elif action == "join":
            results = frames.results(unit.execution.pk, unit.frame, unit.fork_seq)
            compute = lambda cursor, now: asl.join(machine, cursor, now=now, results=results)  # noqa: E731
        else:
            compute = proceed
        handoff = time.monotonic() >= slice_ends
        decision = _transition(unit, compute, proceed, handoff, machine)
        match decision:
            case None:
                return
            case asl.Next():
                if handoff:
                    return
                action = "step"
            case asl.Invoke():
                action = "invoke"
            case asl.WaitUntil() if unit.waiting_for != WaitingFor.TIMER:
                action = "step"  # a zero-length wait: no reason to leave
            case _:
                return


def _raiser(exc: Exception) -> Compute:
    def compute(cursor: dict[str, Any], now: datetime) -> asl.Decision:
        raise exc

    return compute


def _resumer(machine: asl.Machine, output: Any, error: str | None, cause: str | None) -> Compute:
    if error is not None:
        return lambda cursor, now: asl.resume(machine, cursor, now=now, error=error, cause=cause)
    return lambda cursor, now: asl.resume(machine, cursor, now=now, output=output)


def _transition(
    unit: Unit, compute: Compute, proceed: Compute | None, handoff: bool, machine: asl.Machine | None = None
) -> asl.Decision | None:
    """One commit: ``compute``'s transition, and while it only moves on, more of them.

    Returns the last decision, or None when the claim was lost. A transition that only
    moves on (a Pass, a Choice, a zero-length Wait: ``asl.Next``) has no effect outside
    the database, so the ones that follow it are computed with ``proceed`` and committed
    in the same transaction, up to ``STEPFLOW_TRANSITIONS_PER_COMMIT`` of them or until
    ``STEPFLOW_COMMIT_WINDOW_SECONDS`` has passed (a group commit: a crash loses them all
    or none, and they are simply computed again). A fork whose children have no effect
    runs them here and joins in the same commit (``executions/inline.py``). A decision
    that acts (a Task call, a timer, a fork, the end) always ends the commit, so it is
    durable before its effect.
    """
    now = timezone.now()
    limit = 1 if handoff or proceed is None else settings.STEPFLOW_TRANSITIONS_PER_COMMIT
    window_ends = time.monotonic() + settings.STEPFLOW_COMMIT_WINDOW_SECONDS
    with transaction.atomic():
        # Lock the execution row: every frame of this execution commits in turn, so event
        # ids form one sequence. Only pure interpreter steps run under the lock.
        locked = (
            Execution.objects.select_for_update()
            .filter(pk=unit.execution.pk)
            .values_list("status", "event_count", "deadline_at")
            .first()
        )
        if locked is None or locked[0] != ExecutionStatus.RUNNING:
            return None
        status, first_id, deadline = locked
        if deadline is not None and deadline <= now:
            time_out_if_due(execution_id=unit.execution.pk, now=now)
            return None
        last_id, events, count = first_id, [], 0
        inlined: list[inline.Inlined] = []
        while True:
            try:
                decision = compute({**unit.cursor, "event_id": last_id}, now)
            except Exception as exc:  # an interpreter bug ends this frame, not the worker
                log.exception("interpreter failed on execution %s", unit.execution.pk)
                decision = _internal_failure(unit, last_id, now, exc)
            count += 1
            events.extend(decision.events)
            last_id = decision.events[-1].id if decision.events else last_id
            unit.steps.apply(decision.events, decision)
            if type(decision) is asl.Fork and machine is not None:
                done = inline.run_children(unit, machine, decision, last_id=last_id)
                if done is not None:  # joined in this commit, whatever the limits
                    inlined.append(done)
                    events.extend(done.run.events)
                    last_id = done.run.last_id or last_id
                    unit.cursor, compute, now = decision.cursor, done.joiner(machine), timezone.now()
                    continue
            if count >= limit or not _moves_on(decision, now) or time.monotonic() >= window_ends:
                break
            assert proceed is not None
            unit.cursor, compute, now = decision.cursor, proceed, timezone.now()
        fields, after = plans.plan(unit, decision, now, handoff)
        if unit.is_root and last_id != first_id:
            fields["event_count"] = last_id
        won = unit.model.objects.filter(pk=unit.pk, revision=unit.revision).update(
            revision=unit.revision + 1, **fields
        )
        if won != 1:
            return None  # a stop, a timeout or a worker with an expired-lease claim won
        unit.revision += 1
        if not unit.is_root and last_id != first_id:
            Execution.objects.filter(pk=unit.execution.pk).update(event_count=last_id)
        history.record_events(execution_id=unit.execution.pk, events=events)
        unit.steps.save()
        saved = list(unit.steps.saved)
        for done in inlined:
            saved.extend(done.save())
        live.publish_step(execution=unit.execution, steps=saved)
        if unit.is_root and "status" in fields:
            for name, value in fields.items():  # the row as this commit wrote it, for the message
                setattr(unit.execution, name, value)
            live.publish_status(execution=unit.execution)
        after()
    return decision


def _moves_on(decision: asl.Decision, now: datetime) -> bool:
    """True for a decision with no effect but a new cursor: the next one can share its commit."""
    if isinstance(decision, asl.Next):
        return True
    return isinstance(decision, asl.WaitUntil) and decision.at <= now


def _internal_failure(unit: Unit, counter: int, now: datetime, exc: Exception) -> asl.Failed:
    error, cause = asl.ErrorName.RUNTIME, f"stepflow could not advance this run: {type(exc).__name__}: {exc}"
    events: tuple[asl.Event, ...] = ()
    if unit.is_root:
        events = (asl.Event(counter + 1, counter, "ExecutionFailed", now, {"error": error, "cause": cause}),)
    return asl.Failed(error, cause, events)
