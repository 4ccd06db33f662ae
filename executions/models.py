"""Executions, the child frames of their Parallel and Map states, and their history.

An ``Execution`` and each ``Frame`` (one Parallel branch or Map iteration) are *runnable*:
each holds an interpreter cursor and the fields the runner uses to advance it safely from
any worker (see ``executions/runner.py``):

- ``revision`` grows by one with every write a worker makes; a worker claims a row and
  commits each transition with a compare-and-set on it, so two workers can never advance
  the same row, and a stop or timeout (which also bumps it) wins over a worker mid-call.
- ``claimed_until`` is the claim's lease: past it, the worker is presumed dead.
- ``wake_at`` is when the timer loop must enqueue the row if nothing else does first: the
  end of a Wait, a retry back-off, a lease, the machine timeout. Timers are rows, not sleeps.
- ``waiting_for`` and ``pending`` say what a parked row waits on (a timer, an in-flight
  Task call with its idempotency key, its children).

``Step`` is one row per state visited, ``Event`` one row per AWS-style history event.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from stepflow.fields import JSONTextField
from workflows.models import StateMachine, StateMachineVersion

__all__ = [
    "FINISHED",
    "Event",
    "Execution",
    "ExecutionStatus",
    "Frame",
    "FrameStatus",
    "Step",
    "StepStatus",
    "WaitingFor",
]


class ExecutionStatus(models.TextChoices):
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    TIMED_OUT = "TIMED_OUT"
    ABORTED = "ABORTED"


class FrameStatus(models.TextChoices):
    PENDING = "PENDING"  # held back by MaxConcurrency or the fork window
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    ABORTED = "ABORTED"


class StepStatus(models.TextChoices):
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    ABORTED = "ABORTED"


FINISHED = (
    ExecutionStatus.SUCCEEDED,
    ExecutionStatus.FAILED,
    ExecutionStatus.TIMED_OUT,
    ExecutionStatus.ABORTED,
)


class WaitingFor(models.TextChoices):
    NOTHING = "", "runnable"
    TIMER = "timer"
    TASK = "task"
    CHILDREN = "children"
    CALLBACK = "callback"  # .waitForTaskToken (the Fn issue)


class Runnable(models.Model):
    """What the runner needs of any row it advances."""

    cursor = JSONTextField(null=True, blank=True)
    revision = models.PositiveBigIntegerField(default=0)
    claimed_until = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=120, blank=True, default="")
    wake_at = models.DateTimeField(null=True, blank=True)
    # How often the timer loop has queued this row since a worker last claimed it: each
    # refire waits twice as long (executions/timers.py), so a backlogged queue is not
    # flooded with copies of work that is still waiting in it.
    timer_fires = models.PositiveSmallIntegerField(default=0)
    waiting_for = models.CharField(max_length=16, choices=WaitingFor.choices, blank=True, default="")
    pending = JSONTextField(null=True, blank=True)
    fork_seq = models.PositiveIntegerField(default=0)
    pending_children = models.PositiveIntegerField(default=0)
    # The .waitForTaskToken token of the Task call in flight, for the task API to find the row.
    task_token = models.CharField(max_length=64, blank=True, default="", db_index=True)

    class Meta:
        abstract = True


class ExecutionQuerySet(models.QuerySet["Execution"]):
    def running(self) -> ExecutionQuerySet:
        return self.filter(status=ExecutionStatus.RUNNING)

    def finished(self) -> ExecutionQuerySet:
        return self.filter(status__in=FINISHED, stopped_at__isnull=False)

    def not_on_hold(self) -> ExecutionQuerySet:
        """Neither the execution nor its machine is under legal hold."""
        return self.filter(legal_hold=False, machine__legal_hold=False)

    def exportable(self) -> ExecutionQuerySet:
        """Finished and not on hold: what an export may ship and then delete."""
        return self.finished().not_on_hold()

    def due_for_retention(self, *, now: datetime, default_days: int) -> ExecutionQuerySet:
        """Exportable runs past their machine's window (by stop time), or of a retired machine.

        One cut-off per distinct window (at most 30) keeps the filter index-friendly
        (``status, stopped_at``) and free of database-specific date arithmetic.
        """
        windows = set(
            StateMachine.objects.filter(retention_days__isnull=False).values_list("retention_days", flat=True)
        )
        due = models.Q(machine__retention_days__isnull=True, stopped_at__lt=now - timedelta(days=default_days))
        for days in windows:
            due |= models.Q(machine__retention_days=days, stopped_at__lt=now - timedelta(days=days))
        # A retired (deleted) machine's runs go at once, whatever the window.
        due |= models.Q(machine__deleted_at__isnull=False)
        return self.exportable().filter(due)

    def counts_by_status(self) -> dict[str, int]:
        """Every status with its count (zeros included), in one query."""
        counts = dict.fromkeys(ExecutionStatus.values, 0)
        for row in self.order_by().values("status").annotate(n=models.Count("id")):
            counts[row["status"]] = row["n"]
        return counts


class Execution(Runnable):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    machine = models.ForeignKey(StateMachine, on_delete=models.PROTECT, related_name="executions")
    version = models.ForeignKey(StateMachineVersion, on_delete=models.PROTECT, related_name="executions")
    name = models.CharField(max_length=80)
    status = models.CharField(max_length=16, choices=ExecutionStatus.choices, default=ExecutionStatus.RUNNING)
    input = JSONTextField(null=True, blank=True)
    output = JSONTextField(null=True, blank=True)
    error = models.CharField(max_length=256, blank=True, default="")
    cause = models.TextField(blank=True, default="")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    stopped_at = models.DateTimeField(null=True, blank=True)
    deadline_at = models.DateTimeField(null=True, blank=True)  # machine-level TimeoutSeconds
    # The context object's execution part ($$.Execution, $$.StateMachine), kept once here
    # instead of in every stored cursor (a Map would copy the input into each iteration).
    context = JSONTextField(null=True, blank=True)
    event_count = models.PositiveBigIntegerField(default=0)  # last history event id
    # A legal hold keeps this run out of retention until it is lifted.
    legal_hold = models.BooleanField(default=False)

    objects = ExecutionQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["machine", "name"], name="execution_name_unique")]
        # The operator role's rights (stepflow/access/roles.py); "add"/"change" would not say which.
        permissions = [
            ("start_execution", "Can start executions"),
            ("stop_execution", "Can stop executions"),
            ("rerun_execution", "Can re-run executions"),
            ("send_task_result", "Can report task results (SendTaskSuccess, Failure, Heartbeat)"),
        ]
        indexes = [
            models.Index(fields=["machine", "-started_at", "-id"], name="execution_machine_newest"),
            models.Index(fields=["machine", "status", "-started_at", "-id"], name="execution_machine_status"),
            models.Index(fields=["status", "stopped_at"], name="execution_status_stopped"),
            models.Index(
                fields=["wake_at"], condition=models.Q(wake_at__isnull=False), name="execution_wake_at"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.status})"

    @property
    def is_running(self) -> bool:
        return self.status == ExecutionStatus.RUNNING


class Frame(Runnable):
    """One Parallel branch or Map iteration, run as its own unit of work and joined durably.

    ``parent`` is ``None`` when the fork was made by the execution's top level.
    ``parent_fork_seq`` ties the frame to the one fork of its parent that made it.
    """

    execution = models.ForeignKey(Execution, on_delete=models.CASCADE, related_name="frames")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    parent_fork_seq = models.PositiveIntegerField()
    index = models.PositiveIntegerField()
    path = JSONTextField(null=True, blank=True)  # the cursor's "frame": branch / iteration names
    status = models.CharField(max_length=16, choices=FrameStatus.choices, default=FrameStatus.PENDING)
    result = JSONTextField(null=True, blank=True)  # the terminal decision, for the join
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["execution", "parent", "parent_fork_seq", "status", "index"], name="frame_siblings"),
            models.Index(fields=["wake_at"], condition=models.Q(wake_at__isnull=False), name="frame_wake_at"),
        ]

    def __str__(self) -> str:
        return f"frame {self.pk} of execution {self.execution_id}"


class Step(models.Model):
    """One state visited; ``sequence`` is the id of its ``*StateEntered`` history event."""

    execution = models.ForeignKey(Execution, on_delete=models.CASCADE, related_name="steps")
    frame = models.ForeignKey(Frame, null=True, blank=True, on_delete=models.CASCADE, related_name="steps")
    sequence = models.PositiveBigIntegerField()
    state_name = models.CharField(max_length=128)
    state_type = models.CharField(max_length=16)
    branch = JSONTextField(null=True, blank=True)  # which Parallel branch / Map iteration
    status = models.CharField(max_length=16, choices=StepStatus.choices, default=StepStatus.RUNNING)
    input = JSONTextField(null=True, blank=True)
    output = JSONTextField(null=True, blank=True)
    error = models.CharField(max_length=256, blank=True, default="")
    cause = models.TextField(blank=True, default="")
    attempt = models.PositiveIntegerField(default=0)
    fn_call_id = models.CharField(max_length=64, blank=True, default="")  # Fn's Fn-Call-Id of the last call
    # The workflow variables the state assigned (Assign), by name, as they were on its exit.
    assigned_variables = JSONTextField(null=True, blank=True)
    entered_at = models.DateTimeField()
    exited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["execution", "sequence"], name="step_sequence_unique")]
        indexes = [
            models.Index(
                fields=["execution", "frame"], condition=models.Q(exited_at__isnull=True), name="step_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.state_name} #{self.sequence}"


class Event(models.Model):
    """One history event as AWS's GetExecutionHistory shows it."""

    execution = models.ForeignKey(Execution, on_delete=models.CASCADE, related_name="events")
    event_id = models.PositiveBigIntegerField()
    previous_event_id = models.PositiveBigIntegerField(default=0)
    type = models.CharField(max_length=64)
    timestamp = models.DateTimeField()
    details = JSONTextField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["execution", "event_id"], name="event_id_unique")]

    def __str__(self) -> str:
        return f"{self.event_id} {self.type}"

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "id": self.event_id,
            "previousEventId": self.previous_event_id,
            "timestamp": self.timestamp.isoformat(),
            "type": self.type,
        }
        if self.details:
            out[self.type[0].lower() + self.type[1:] + "EventDetails"] = self.details
        return out


# Retention's run records live in their own module; importing them here registers them.
from executions.retention.models import RetentionBatch, RetentionRun  # noqa: E402

__all__ += ["RetentionBatch", "RetentionRun"]
