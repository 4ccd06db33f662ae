"""The audit trail's share of retention: records older than the global window are shipped
through the same exporter, recorded in the run's manifest, and only then deleted.

Each batch is a ``RetentionBatch`` of the run with ``executions=0`` and ids
``audit-<pk>`` (a record's line says ``"kind": "stepflow.audit"``), after the run's
execution batches. A failing exporter deletes nothing of its batch and fails the run,
like an execution batch; the next run ships the same records again under the same ids.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from stepflow.access.audit import as_json_line
from stepflow.access.models import AuditRecord
from executions.retention.exporters import Exporter, ExportFailed
from executions.retention.models import RetentionBatch, RetentionRun, RunStatus
from executions.retention.records import Record

__all__ = ["ship_audit_records"]

log = logging.getLogger("stepflow.retention")


def ship_audit_records(*, run: RetentionRun, exporter: Exporter, now: datetime) -> int:
    """Export, then delete, audit records older than ``STEPFLOW_RETENTION_DAYS``; returns
    how many went. On an export failure the run is marked FAILED with the reason."""
    cutoff = now - timedelta(days=settings.STEPFLOW_RETENTION_DAYS)
    due = AuditRecord.objects.filter(at__lt=cutoff).order_by("pk")
    number = RetentionBatch.objects.filter(run=run).count()
    shipped = last = 0
    while rows := list(due.filter(pk__gt=last)[: settings.STEPFLOW_RETENTION_BATCH_SIZE]):
        last = rows[-1].pk
        records = [Record(id=f"audit-{row.pk}", pk=row.pk, steps=0, line=as_json_line(row)) for row in rows]
        exported_at = timezone.now()
        try:
            exporter.export(records, now=exported_at)
        except Exception as exc:
            message = exc.message if isinstance(exc, ExportFailed) else f"{exporter.name} raised {type(exc).__name__}: {exc}"
            RetentionRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, error=f"audit trail: {message}")
            run.refresh_from_db()
            log.error("retention run %s failed shipping the audit trail: %s; nothing of that batch was deleted",
                      run.uuid, message)
            return shipped
        data = b"".join(record.line + b"\n" for record in records)
        number += 1
        batch = RetentionBatch.objects.create(
            run=run, number=number, execution_ids=[r.id for r in records], executions=0, steps=0,
            bytes=len(data), sha256=hashlib.sha256(data).hexdigest(), exported_at=exported_at,
        )
        AuditRecord.objects.filter(pk__in=[r.pk for r in records]).delete()
        RetentionBatch.objects.filter(pk=batch.pk).update(deleted_at=timezone.now())
        shipped += len(records)
    if shipped:
        log.info("retention run %s: exported and deleted %d audit records", run.uuid, shipped)
    return shipped
