"""Starting, stopping and finding executions; deleting machines with their runs in mind.

Every function takes keyword-only arguments and raises only ``executions.exceptions`` or
``workflows.exceptions``. The runner (``executions/runner.py``) does the rest of a run's
life on the workers.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

import stepflow.asl as asl
from executions import frames, history, live
from executions.exceptions import (
    ExecutionAlreadyExists,
    ExecutionNotFound,
    ExecutionNotRunning,
    InputTooLarge,
    InvalidExecutionName,
    MachineHasRunningExecutions,
)
from executions.machines import compiled
from executions.models import Execution, ExecutionStatus
from executions.queue import ADVANCE_EXECUTION, EXPORT_MACHINE_RUNS, enqueue
from executions.terminate import end_execution
from stepflow.access import audit
from stepflow.access.models import AuditAction
from stepflow import limits
from stepflow.fields import dumps
from workflows import services as workflows
from workflows.models import StateMachine

__all__ = ["delete_machine", "get_execution", "set_legal_hold", "start_execution", "stop_execution"]

User = AbstractBaseUser | AnonymousUser | None


def _user(by: User) -> AbstractBaseUser | None:
    return by if by is not None and by.is_authenticated else None  # type: ignore[return-value]


def get_execution(*, execution_id: uuid.UUID | str) -> Execution:
    """The execution with public id ``execution_id``; raises ``ExecutionNotFound``."""
    try:
        execution = Execution.objects.select_related("machine", "version").filter(uuid=execution_id).first()
    except ValidationError:  # not a UUID at all
        execution = None
    if execution is None:
        raise ExecutionNotFound(f"There is no execution with id {execution_id}.")
    return execution


def start_execution(
    *, machine: StateMachine, input: Any = None, name: str | None = None, by: User, rerun_of: Execution | None = None
) -> tuple[Execution, bool]:
    """Start a run of the machine's current version; returns (execution, created).

    ``rerun_of`` names the run this one repeats (audited as a re-run).

    Starting again with the same ``name`` and input returns the existing execution with
    ``created=False``; the same name with another input raises ``ExecutionAlreadyExists``.
    Raises ``InputTooLarge`` past 256 KiB and ``InvalidExecutionName``.
    """
    input = {} if input is None else input
    size = len(dumps(input).encode("utf-8"))
    if size > settings.STEPFLOW_MAX_PAYLOAD_BYTES:
        raise InputTooLarge(
            f"The input is {size} bytes; the limit is {settings.STEPFLOW_MAX_PAYLOAD_BYTES} bytes (256 KiB).",
            [asl.Problem("/input", f"larger than {settings.STEPFLOW_MAX_PAYLOAD_BYTES} bytes")],
        )
    depth, deepest = limits.json_depth(input, settings.STEPFLOW_MAX_JSON_DEPTH), settings.STEPFLOW_MAX_JSON_DEPTH
    if depth > deepest:
        raise InputTooLarge(
            f"The input nests deeper than {deepest} levels.", [asl.Problem("/input", f"nested deeper than {deepest} levels")]
        )
    problem = None if name is None else limits.execution_name_problem(name)
    if problem is not None:
        raise InvalidExecutionName(f"An execution name {problem}.", [asl.Problem("/name", problem)])
    if name is not None:
        existing = _same_name(machine, name, input)
        if existing is not None:
            return existing, False
    version = machine.current_version
    assert version is not None, "a live machine always has a current version"
    program = compiled(version)
    public_id = uuid.uuid4()
    name = name or str(public_id)
    now = timezone.now()
    context = {
        "Execution": {"Id": str(public_id), "Name": name, "RoleArn": ""},
        "StateMachine": {"Id": str(machine.uuid), "Name": machine.name},
    }
    first = asl.start(program, input, now=now, context=context)
    context = first.cursor["ctx"]
    deadline = now + timedelta(seconds=program.timeout_seconds) if program.timeout_seconds else None
    safety = now + timedelta(seconds=settings.STEPFLOW_CLAIM_LEASE_SECONDS)
    try:
        with transaction.atomic():
            execution = Execution.objects.create(
                uuid=public_id,
                machine=machine,
                version=version,
                name=name,
                input=input,
                context=context,
                cursor=frames.pack(first.cursor, context),
                started_by=_user(by),
                started_at=now,
                deadline_at=deadline,
                event_count=first.events[-1].id if first.events else 0,
                # If the queue message is lost, the timer loop starts the run anyway.
                wake_at=min(safety, deadline) if deadline else safety,
            )
            history.record(execution_id=execution.pk, frame=None, branch=[], events=first.events)
            audit.record(
                action=AuditAction.EXECUTION_RERUN if rerun_of else AuditAction.EXECUTION_STARTED,
                target=execution, by=by, detail={"machine": machine.name, "rerun_of": str(rerun_of.uuid)}
                if rerun_of else {"machine": machine.name},
            )
            enqueue(ADVANCE_EXECUTION, execution.pk)
            live.publish_status(execution=execution)
    except IntegrityError:
        # A concurrent start with the same name won the unique constraint.
        existing = _same_name(machine, name, input)
        if existing is None:
            raise
        return existing, False
    return execution, True


def _same_name(machine: StateMachine, name: str, input: Any) -> Execution | None:
    existing = Execution.objects.select_related("machine", "version").filter(machine=machine, name=name).first()
    if existing is None:
        return None
    if existing.input != input:
        raise ExecutionAlreadyExists(
            f"An execution named {name!r} already exists for {machine.name!r} with another input.",
            [asl.Problem("/name", "already used with another input")],
        )
    return existing


def stop_execution(
    *, execution: Execution, error: str | None = None, cause: str | None = None, by: User
) -> Execution:
    """Abort a running execution at once, whether it is running a task or waiting.

    Raises ``ExecutionNotRunning`` if it has already ended.
    """
    ended = end_execution(execution_id=execution.pk, status=ExecutionStatus.ABORTED, error=error, cause=cause)
    execution.refresh_from_db()
    if not ended:
        raise ExecutionNotRunning(f"Execution {execution.uuid} has already ended ({execution.status}).")
    audit.record(action=AuditAction.EXECUTION_STOPPED, target=execution, by=by, detail={"error": error, "cause": cause})
    return execution


def delete_machine(*, machine: StateMachine, stop_running: bool = False, by: User) -> None:
    """Delete a machine.

    With running executions this raises ``MachineHasRunningExecutions`` unless
    ``stop_running``, which aborts them first. A machine that has executions is retired
    (hidden, its name freed) rather than deleted, so its finished runs leave through the
    retention path, never silently; one that never ran is deleted outright.
    """
    running = list(Execution.objects.filter(machine=machine).running().values_list("pk", flat=True))
    if running and not stop_running:
        raise MachineHasRunningExecutions(
            f"State machine {machine.name!r} has {len(running)} running execution(s); "
            "stop them first or pass stop_running=true.",
        )
    audit.record(
        action=AuditAction.MACHINE_DELETED, target=machine, by=by, detail={"stopped_running": len(running)}
    )
    for pk in running:
        end_execution(
            execution_id=pk, status=ExecutionStatus.ABORTED, error="MachineDeleted",
            cause=f"The state machine {machine.name!r} was deleted.",
        )
    if Execution.objects.filter(machine=machine).exists():
        workflows.retire_machine(machine=machine)
        enqueue(EXPORT_MACHINE_RUNS, machine.pk)
    else:
        workflows.destroy_machine(machine=machine)


def set_legal_hold(*, executions: Any, hold: bool, by: User = None) -> int:
    """Put the executions (a queryset) on legal hold or lift it; returns how many changed.

    Each changed execution gets an audit record."""
    action = AuditAction.LEGAL_HOLD_SET if hold else AuditAction.LEGAL_HOLD_LIFTED
    with transaction.atomic():
        pks = list(executions.exclude(legal_hold=hold).values_list("pk", flat=True))
        changing = list(Execution.objects.filter(pk__in=pks).only("pk", "uuid", "name", "status"))
        Execution.objects.filter(pk__in=[e.pk for e in changing]).update(legal_hold=hold)
        for execution in changing:
            audit.record(action=action, target=execution, by=by)
    return len(changing)
