"""Admin for retention runs: the manifest of what was shipped, and failures, for operators."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from executions.admin.common import CappedPaginator, pretty_json
from executions.retention.models import RetentionBatch, RetentionRun


class BatchInline(admin.TabularInline):
    model = RetentionBatch
    fields = ("number", "executions", "steps", "bytes", "sha256", "exported_at", "deleted_at")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RetentionRun)
class RetentionRunAdmin(admin.ModelAdmin):
    list_display = (
        "started_at", "trigger", "status", "exporter", "executions_exported", "steps_exported",
        "executions_deleted", "short_error",
    )
    list_filter = ("status", "trigger", "started_at")
    search_fields = ("=uuid", "=sha256")
    show_full_result_count = False
    paginator = CappedPaginator
    ordering = ("-started_at", "-id")
    inlines = [BatchInline]
    readonly_fields = [f.name for f in RetentionRun._meta.fields if f.name != "id"]

    @admin.display(description="error")
    def short_error(self, run: RetentionRun) -> str:
        return run.error[:120]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RetentionBatch)
class RetentionBatchAdmin(admin.ModelAdmin):
    list_display = ("run", "number", "executions", "steps", "bytes", "sha256", "exported_at", "deleted_at")
    list_select_related = ("run",)
    search_fields = ("=sha256",)
    show_full_result_count = False
    paginator = CappedPaginator
    fields = ("run", "number", "executions", "steps", "bytes", "sha256", "exported_at", "deleted_at", "ids")
    readonly_fields = fields

    @admin.display(description="execution ids shipped")
    def ids(self, batch: RetentionBatch) -> str:
        return pretty_json(batch.execution_ids)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
