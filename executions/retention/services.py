"""Export-then-delete: the one path by which run data leaves the database.

``run_retention`` ships every execution due (finished, past its window, not on hold),
batch by batch: render the records, hand them to the exporter, write the batch's manifest
row, and only then delete exactly those executions (with their steps, events and frames)
in small transactions. So:

- a failing exporter deletes nothing of its batch; the run ends FAILED with the reason
  (admin, dashboard, logs) and the next run tries the same rows again;
- a crash after the export and before the delete leaves the rows in place: the next run
  ships them again under the same ids (stores dedupe on ``id``) and then deletes them.

``export_executions`` is the same machinery for chosen executions (admin actions, a
deleted machine), with or without the delete.

::

    RetentionBusy       another sweep is running (and alive); this one did not start
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from executions.models import Event, Execution, Frame, Step
from stepflow.access import audit
from stepflow.access.models import AuditAction
from executions.retention.audit_trail import ship_audit_records
from executions.retention.exporters import Exporter, ExportFailed, configured_exporter
from executions.retention.models import SWEEPS, RetentionBatch, RetentionRun, RunStatus, RunTrigger
from executions.retention.records import Record, id_batches, records_for
from workflows import services as workflows
from workflows.models import StateMachine

__all__ = [
    "DuePreview",
    "RetentionBusy",
    "abandon_stale_runs",
    "due_executions",
    "export_executions",
    "preview",
    "purge_retired_machines",
    "run_retention",
]

log = logging.getLogger("stepflow.retention")

AfterExport = Callable[[RetentionBatch], None]


class RetentionBusy(Exception):
    """A sweep is already running; ``run`` is that run."""

    def __init__(self, run: RetentionRun) -> None:
        super().__init__(f"retention run {run.uuid} has been running since {run.started_at:%Y-%m-%dT%H:%M:%SZ}")
        self.run = run


@dataclass
class Timings:
    """Each delete transaction's duration, for the benchmark and the logs."""

    writes: list[float] = field(default_factory=list)

    @property
    def longest_write_seconds(self) -> float:
        return max(self.writes, default=0.0)


def due_executions(*, now: datetime | None = None) -> QuerySet[Execution]:
    """Executions the next run would export and delete."""
    return Execution.objects.due_for_retention(
        now=now or timezone.now(), default_days=settings.STEPFLOW_RETENTION_DAYS
    )


@dataclass(frozen=True)
class DuePreview:
    uuid: str
    machine: str
    name: str
    status: str
    stopped_at: datetime


def preview(*, now: datetime | None = None, limit: int | None = None) -> Iterable[DuePreview]:
    """What a run would ship, oldest stop first (``--dry-run``), streamed."""
    rows = (
        due_executions(now=now)
        .order_by("stopped_at", "pk")
        .values_list("uuid", "machine__name", "name", "status", "stopped_at")
    )
    if limit is not None:
        rows = rows[:limit]
    for uuid, machine, name, status, stopped_at in rows.iterator(chunk_size=1000):
        yield DuePreview(str(uuid), machine, name, status, stopped_at)


def run_retention(
    *,
    trigger: RunTrigger = RunTrigger.SCHEDULE,
    by: str = "",
    now: datetime | None = None,
    exporter: Exporter | None = None,
    after_export: AfterExport | None = None,
    timings: Timings | None = None,
) -> RetentionRun:
    """Export and delete everything due now, the audit trail's old records included;
    returns the run (FAILED if a batch was refused)."""
    now = now or timezone.now()
    exporter = exporter or configured_exporter()  # one receiver for runs and audit records
    run = _ship(
        due_executions(now=now), trigger=trigger, by=by, delete=True, exporter=exporter,
        after_export=after_export, timings=timings,
    )
    if run.status == RunStatus.SUCCEEDED:
        purge_retired_machines()
        ship_audit_records(run=run, exporter=exporter, now=now)
    return run


def export_executions(
    *,
    executions: QuerySet[Execution],
    delete: bool,
    trigger: RunTrigger = RunTrigger.ADMIN,
    by: str = "",
    exporter: Exporter | None = None,
) -> RetentionRun:
    """Ship the given executions now (running ones and those on hold are skipped).

    With ``delete`` they are then deleted like any retention batch.
    """
    run = _ship(executions.exportable(), trigger=trigger, by=by, delete=delete, exporter=exporter)
    if trigger == RunTrigger.ADMIN:  # a person's action (a machine delete is audited as such)
        audit.record(
            action=AuditAction.RETENTION_EXPORTED, target=run, by=by,
            detail={"delete": delete, "executions": run.executions_exported, "status": run.status},
        )
    return run


def abandon_stale_runs(*, now: datetime | None = None) -> int:
    """Mark RUNNING runs whose heartbeat stopped (their process died) FAILED; returns how many."""
    now = now or timezone.now()
    stale = RetentionRun.objects.filter(
        status=RunStatus.RUNNING, heartbeat_at__lt=now - timedelta(seconds=settings.STEPFLOW_RETENTION_LEASE_SECONDS)
    )
    count = stale.update(
        status=RunStatus.FAILED,
        finished_at=now,
        error="abandoned: the process running it stopped before it finished (crash or kill); "
        "its batches without a delete time were shipped but not deleted, and ship again",
    )
    if count:
        log.warning("marked %d abandoned retention run(s) FAILED", count)
    return count


def purge_retired_machines() -> int:
    """Delete retired machines (and their versions) that no execution refers to any more."""
    retired = StateMachine.objects.filter(deleted_at__isnull=False, executions__isnull=True)
    count = 0
    for machine in retired.distinct():
        workflows.destroy_machine(machine=machine)
        count += 1
    return count


def _ship(
    queryset: QuerySet[Execution],
    *,
    trigger: RunTrigger,
    by: str,
    delete: bool,
    exporter: Exporter | None,
    after_export: AfterExport | None = None,
    timings: Timings | None = None,
) -> RetentionRun:
    exporter = exporter or configured_exporter()
    timings = timings or Timings()
    run = _begin(trigger=trigger, exporter=exporter, delete=delete, by=by)
    digest = hashlib.sha256()
    try:
        for number, pks in enumerate(id_batches(queryset, size=settings.STEPFLOW_RETENTION_BATCH_SIZE), 1):
            records = records_for(pks)
            if not records:
                continue
            exported_at = timezone.now()
            _export(exporter, records, exported_at)
            batch = _manifest(run, number, records, exported_at, digest)
            if after_export is not None:
                after_export(batch)  # tests inject a crash here
            if delete:
                run.executions_deleted += _delete(batch, [r.pk for r in records], timings)
    except ExportFailed as exc:
        run.status = RunStatus.FAILED
        run.error = exc.message
        log.error(
            "retention run %s failed: %s; nothing of that batch was deleted, the next run retries it",
            run.uuid, exc.message,
        )
    else:
        run.status = RunStatus.SUCCEEDED
        log.info(
            "retention run %s: exported %d executions (%d steps, %d bytes, sha256 %s), deleted %d",
            run.uuid, run.executions_exported, run.steps_exported, run.bytes_shipped, digest.hexdigest(),
            run.executions_deleted,
        )
    run.sha256 = digest.hexdigest() if run.bytes_shipped else ""
    run.finished_at = timezone.now()
    run.save()
    return run


def _begin(*, trigger: RunTrigger, exporter: Exporter, delete: bool, by: str) -> RetentionRun:
    """The new run's row; raises ``RetentionBusy`` when a live sweep holds the slot."""
    abandon_stale_runs()
    try:
        with transaction.atomic():
            return RetentionRun.objects.create(trigger=trigger, exporter=exporter.name, delete=delete, started_by=by)
    except IntegrityError:
        running = RetentionRun.objects.filter(status=RunStatus.RUNNING, trigger__in=SWEEPS).first()
        if running is None:  # it finished between our insert and this read: go again once
            return RetentionRun.objects.create(trigger=trigger, exporter=exporter.name, delete=delete, started_by=by)
        raise RetentionBusy(running) from None


def _export(exporter: Exporter, records: list[Record], now: datetime) -> None:
    """Any exporter error, even an unexpected one, fails the batch the same recorded way."""
    try:
        exporter.export(records, now=now)
    except ExportFailed:
        raise
    except Exception as exc:
        log.exception("exporter %s raised", exporter.name)
        raise ExportFailed(f"{exporter.name} raised {type(exc).__name__}: {exc}") from exc


def _manifest(
    run: RetentionRun, number: int, records: list[Record], exported_at: datetime, digest: Any
) -> RetentionBatch:
    batch_digest = hashlib.sha256()
    size = 0
    for record in records:
        for part in (record.line, b"\n"):
            batch_digest.update(part)
            digest.update(part)
            size += len(part)
    batch = RetentionBatch.objects.create(
        run=run,
        number=number,
        execution_ids=[r.id for r in records],
        executions=len(records),
        steps=sum(r.steps for r in records),
        bytes=size,
        sha256=batch_digest.hexdigest(),
        exported_at=exported_at,
    )
    run.executions_exported += batch.executions
    run.steps_exported += batch.steps
    run.bytes_shipped += size
    RetentionRun.objects.filter(pk=run.pk).update(
        executions_exported=run.executions_exported, steps_exported=run.steps_exported,
        bytes_shipped=run.bytes_shipped, heartbeat_at=timezone.now(),
    )
    return batch


def _delete(batch: RetentionBatch, pks: list[int], timings: Timings) -> int:
    """Delete exactly the shipped executions, a few per transaction; returns how many went."""
    deleted = 0
    chunk = settings.STEPFLOW_RETENTION_DELETE_CHUNK
    for start in range(0, len(pks), chunk):
        part = pks[start : start + chunk]
        began = time.perf_counter()
        with transaction.atomic():
            # Re-check in the transaction: a legal hold set since the export keeps the row.
            ids = list(Execution.objects.filter(pk__in=part).exportable().values_list("pk", flat=True))
            if ids:
                Step.objects.filter(execution_id__in=ids).delete()
                Event.objects.filter(execution_id__in=ids).delete()
                Frame.objects.filter(execution_id__in=ids).update(parent=None)
                Frame.objects.filter(execution_id__in=ids).only("pk").delete()
                # Through Django's collector (not a raw DELETE) so any other model that
                # refers to an execution is cascaded too; only() keeps it from loading
                # inputs and outputs just to throw them away.
                deleted += Execution.objects.filter(pk__in=ids).only("pk").delete()[1].get("executions.Execution", 0)
        timings.writes.append(time.perf_counter() - began)
    RetentionBatch.objects.filter(pk=batch.pk).update(deleted_at=timezone.now())
    RetentionRun.objects.filter(pk=batch.run_id).update(heartbeat_at=timezone.now())
    return deleted
