"""Audit records older than the retention window leave like runs do: exported, recorded in
the manifest, then deleted; a refused export deletes nothing."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from stepflow.access import audit
from stepflow.access.models import AuditAction, AuditRecord
from executions.retention import services
from executions.retention.models import RetentionBatch, RunStatus

pytestmark = pytest.mark.django_db


class Collecting:
    name = "collecting"

    def __init__(self) -> None:
        self.lines: list[dict] = []

    def export(self, records, *, now):
        self.lines.extend(json.loads(record.line) for record in records)


class Refusing:
    name = "refusing"

    def export(self, records, *, now):
        if any(r.id.startswith("audit-") for r in records):
            raise services.ExportFailed("the store said no")


def _aged(days: float, **fields) -> AuditRecord:
    row = audit.record(action=AuditAction.TOKEN_CREATED, **fields)
    AuditRecord.objects.filter(pk=row.pk).update(at=timezone.now() - timedelta(days=days))
    return row


def test_old_records_are_shipped_then_deleted_and_recent_ones_stay(retention_dir, bob):
    old = [_aged(9, by=bob, detail={"name": f"t{i}"}) for i in range(4)]
    recent = _aged(1, by=bob)
    exporter = Collecting()
    run = services.run_retention(exporter=exporter)
    assert run.status == RunStatus.SUCCEEDED
    assert [line["id"] for line in exporter.lines] == [f"audit-{r.pk}" for r in old]
    assert {(line["kind"], line["actor"], line["action"]) for line in exporter.lines} == {
        ("stepflow.audit", "bob", "token.created")
    }
    assert list(AuditRecord.objects.values_list("pk", flat=True)) == [recent.pk]
    batches = RetentionBatch.objects.filter(run=run).order_by("number")
    assert sum(len(b.execution_ids) for b in batches) == 4 and all(b.deleted_at for b in batches)


def test_a_refused_export_deletes_no_record_and_fails_the_run(retention_dir, bob):
    rows = [_aged(9, by=bob) for _ in range(2)]
    run = services.run_retention(exporter=Refusing())
    assert run.status == RunStatus.FAILED and "the store said no" in run.error
    assert AuditRecord.objects.filter(pk__in=[r.pk for r in rows]).count() == 2


def test_the_window_is_the_global_retention_setting(retention_dir, bob, settings):
    settings.STEPFLOW_RETENTION_DAYS = 30
    row = _aged(9, by=bob)
    services.run_retention(exporter=Collecting())
    assert AuditRecord.objects.filter(pk=row.pk).exists()
