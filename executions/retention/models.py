"""What each retention run did: the manifest operators read in the admin and the dashboard.

A ``RetentionRun`` is one pass (scheduled, from the command, an admin action or a machine
delete). Each export batch that a receiver accepted gets a ``RetentionBatch`` *before*
its rows are deleted: the public ids shipped, the counts and the SHA-256 of the exact
bytes sent. A batch with ``deleted_at`` empty was shipped but not (yet) deleted, e.g. after
a crash; the next run ships those executions again under the same ids.

Only one sweep (scheduled or ``manage.py retention``) runs at a time: a partial unique
constraint admits one RUNNING sweep row. A run renews ``heartbeat_at`` at every batch; a
RUNNING row whose heartbeat is older than the lease belongs to a process that died, and
the next run marks it FAILED (abandoned) before starting, so a crash never leaves a run
that looks alive or blocks the schedule for good.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

from stepflow.fields import JSONTextField

__all__ = ["SWEEPS", "RetentionBatch", "RetentionRun", "RunStatus", "RunTrigger"]


class RunStatus(models.TextChoices):
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"  # the exporter refused a batch; nothing of that batch was deleted


class RunTrigger(models.TextChoices):
    SCHEDULE = "schedule"
    COMMAND = "command"
    ADMIN = "admin"
    MACHINE_DELETED = "machine_deleted"


# The whole-database passes, of which only one may run at a time.
SWEEPS = (RunTrigger.SCHEDULE, RunTrigger.COMMAND)


class RetentionRun(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    trigger = models.CharField(max_length=16, choices=RunTrigger.choices)
    exporter = models.CharField(max_length=200)
    delete = models.BooleanField(default=True)  # False for "export selected now"
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.RUNNING)
    started_by = models.CharField(max_length=150, blank=True, default="")
    started_at = models.DateTimeField(default=timezone.now)
    heartbeat_at = models.DateTimeField(default=timezone.now)  # renewed at every batch
    finished_at = models.DateTimeField(null=True, blank=True)
    executions_exported = models.PositiveBigIntegerField(default=0)
    steps_exported = models.PositiveBigIntegerField(default=0)
    executions_deleted = models.PositiveBigIntegerField(default=0)
    bytes_shipped = models.PositiveBigIntegerField(default=0)
    # SHA-256 over every byte shipped in this run, batch after batch.
    sha256 = models.CharField(max_length=64, blank=True, default="")
    error = models.TextField(blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["-started_at", "-id"], name="retention_run_newest")]
        constraints = [
            models.UniqueConstraint(
                fields=["status"],
                condition=Q(status=RunStatus.RUNNING, trigger__in=SWEEPS),
                name="retention_one_running_sweep",
            )
        ]

    def __str__(self) -> str:
        return f"retention {self.started_at:%Y-%m-%d %H:%M} {self.status}"


class RetentionBatch(models.Model):
    run = models.ForeignKey(RetentionRun, on_delete=models.CASCADE, related_name="batches")
    number = models.PositiveIntegerField()
    execution_ids = JSONTextField()  # the public ids (UUIDs) shipped, the stores' dedupe keys
    executions = models.PositiveIntegerField()
    steps = models.PositiveIntegerField()
    bytes = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    exported_at = models.DateTimeField()
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "number"], name="retention_batch_number_unique")]

    def __str__(self) -> str:
        return f"batch {self.number} of {self.run_id}"
