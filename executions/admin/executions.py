"""Admin for executions and steps: filters, bounded counts, read-only JSON, service actions."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils import timezone

from executions import services
from executions.admin.common import CappedPaginator, MachineFilter, pretty_json
from executions.exceptions import ExecutionError
from executions.models import Execution, Step
from executions.retention import services as retention
from executions.retention.models import RunStatus, RunTrigger

INLINE_STEPS = 50


class StoppedFilter(admin.SimpleListFilter):
    title = "stopped"
    parameter_name = "stopped"
    WINDOWS = {"1h": timedelta(hours=1), "1d": timedelta(days=1), "7d": timedelta(days=7), "30d": timedelta(days=30)}

    def lookups(self, request: Any, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("1h", "in the last hour"), ("1d", "in the last day"), ("7d", "in the last 7 days"),
            ("older7d", "more than 7 days ago"), ("older30d", "more than 30 days ago"),
        ]

    def queryset(self, request: Any, queryset: Any) -> Any:
        value = self.value()
        now = timezone.now()
        if value in self.WINDOWS:
            return queryset.filter(stopped_at__gte=now - self.WINDOWS[value])
        if value in ("older7d", "older30d"):
            return queryset.filter(stopped_at__lt=now - self.WINDOWS[value.removeprefix("older")])
        return queryset


class UuidOrNameSearch:
    """Search a UUID exactly (an index hit) and anything else as a name prefix."""

    def get_search_results(self, request: HttpRequest, queryset: Any, search_term: str) -> tuple[Any, bool]:
        term = search_term.strip()
        if not term:
            return queryset, False
        try:
            return queryset.filter(**{self.uuid_lookup: uuid.UUID(term)}), False  # type: ignore[attr-defined]
        except ValueError:
            return queryset.filter(**{self.name_lookup: term}), False  # type: ignore[attr-defined]


class LimitedSteps(BaseInlineFormSet):
    """The first ``INLINE_STEPS`` steps, fetched once (the formset asks for them per form)."""

    def get_queryset(self) -> Any:
        if not hasattr(self, "_limited"):
            self._limited = list(super().get_queryset().order_by("sequence")[:INLINE_STEPS])
        return self._limited


class StepInline(admin.TabularInline):
    model = Step
    formset = LimitedSteps
    fields = ("sequence", "state_name", "state_type", "status", "error", "attempt", "entered_at", "exited_at")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = f"steps (the first {INLINE_STEPS}; all of them under Steps)"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Execution)
class ExecutionAdmin(UuidOrNameSearch, admin.ModelAdmin):
    uuid_lookup = "uuid"
    name_lookup = "name__startswith"
    list_display = ("name", "machine", "version_number", "status", "legal_hold", "started_at", "stopped_at")
    list_filter = ("status", MachineFilter, StoppedFilter, "legal_hold")
    list_select_related = ("machine", "version")
    search_fields = ("name", "uuid")
    search_help_text = "an execution id (exact) or the start of a name"
    show_full_result_count = False
    paginator = CappedPaginator
    ordering = ("-started_at", "-id")
    inlines = [StepInline]
    fields = (
        "uuid", "name", "machine", "version", "status", "legal_hold", "started_by", "started_at", "stopped_at",
        "error", "cause", "pretty_input", "pretty_output",
    )
    readonly_fields = fields
    actions = ["stop", "export_now", "export_and_delete", "rerun", "hold", "lift_hold"]

    @admin.display(description="version")
    def version_number(self, execution: Execution) -> int:
        return execution.version.number

    @admin.display(description="input")
    def pretty_input(self, execution: Execution) -> str:
        return pretty_json(execution.input)

    @admin.display(description="output")
    def pretty_output(self, execution: Execution) -> str:
        return pretty_json(execution.output)

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("machine", "version", "started_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # executions start through the API or the re-run action

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # rows leave through export-then-delete only

    # The actions need the same permissions as the API (stepflow/access/roles.py).
    def has_stop_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("executions.stop_execution")

    def has_rerun_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("executions.rerun_execution")

    def has_retention_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("workflows.manage_retention")

    def _log_each(self, request: HttpRequest, rows: Any, message: str) -> None:
        for row in rows:
            self.log_change(request, row, message)

    @admin.action(description="Stop the selected running executions", permissions=["stop"])
    def stop(self, request: HttpRequest, queryset: QuerySet[Execution]) -> None:
        stopped = 0
        for execution in queryset.running().select_related("machine", "version"):
            try:
                services.stop_execution(
                    execution=execution, error="Stopped", cause=f"stopped in the admin by {request.user}", by=request.user
                )
            except ExecutionError:
                continue  # it ended meanwhile
            self.log_change(request, execution, "Stopped")
            stopped += 1
        self.message_user(request, f"Stopped {stopped} execution(s).")

    def _export(self, request: HttpRequest, queryset: QuerySet[Execution], *, delete: bool) -> None:
        rows = list(queryset.exportable().select_related("machine", "version"))
        run = retention.export_executions(
            executions=queryset, delete=delete, trigger=RunTrigger.ADMIN, by=request.user.get_username()
        )
        verb = "Exported and deleted" if delete else "Exported"
        if run.status == RunStatus.FAILED:
            self.message_user(request, f"Export failed, nothing deleted: {run.error}", messages.ERROR)
            return
        self._log_each(request, rows, f"{verb} (retention run {run.uuid}, sha256 {run.sha256})")
        self.message_user(
            request, f"{verb} {run.executions_exported} execution(s); retention run {run.uuid}.", messages.SUCCESS
        )

    @admin.action(description="Export the selected finished executions now", permissions=["retention"])
    def export_now(self, request: HttpRequest, queryset: QuerySet[Execution]) -> None:
        self._export(request, queryset, delete=False)

    @admin.action(description="Export, then delete, the selected finished executions", permissions=["retention"])
    def export_and_delete(self, request: HttpRequest, queryset: QuerySet[Execution]) -> None:
        self._export(request, queryset, delete=True)

    @admin.action(description="Re-run with the same input (current version)", permissions=["rerun"])
    def rerun(self, request: HttpRequest, queryset: QuerySet[Execution]) -> None:
        started = 0
        for execution in queryset.select_related("machine__current_version"):
            if execution.machine.deleted_at is not None:
                continue
            new, _ = services.start_execution(
                machine=execution.machine, input=execution.input, by=request.user, rerun_of=execution
            )
            self.log_change(request, execution, f"Re-run as {new.uuid}")
            self.log_addition(request, new, f"Re-run of {execution.uuid}")
            started += 1
        self.message_user(request, f"Started {started} execution(s).")

    @admin.action(description="Put on legal hold", permissions=["retention"])
    def hold(self, request: HttpRequest, queryset: QuerySet[Execution]) -> None:
        rows = list(queryset.filter(legal_hold=False))
        services.set_legal_hold(executions=queryset, hold=True, by=request.user)
        self._log_each(request, rows, "Put on legal hold")
        self.message_user(request, f"{len(rows)} execution(s) put on legal hold.")

    @admin.action(description="Lift legal hold", permissions=["retention"])
    def lift_hold(self, request: HttpRequest, queryset: QuerySet[Execution]) -> None:
        rows = list(queryset.filter(legal_hold=True))
        services.set_legal_hold(executions=queryset, hold=False, by=request.user)
        self._log_each(request, rows, "Lifted legal hold")
        self.message_user(request, f"{len(rows)} execution(s) taken off legal hold.")


@admin.register(Step)
class StepAdmin(UuidOrNameSearch, admin.ModelAdmin):
    uuid_lookup = "execution__uuid"
    name_lookup = "state_name__startswith"
    list_display = ("execution", "sequence", "state_name", "state_type", "status", "entered_at", "exited_at")
    list_filter = ("status", "state_type")
    list_select_related = ("execution",)
    search_fields = ("state_name", "execution__uuid")
    search_help_text = "an execution id (exact) or the start of a state name"
    show_full_result_count = False
    paginator = CappedPaginator
    ordering = ("-id",)
    fields = (
        "execution", "sequence", "state_name", "state_type", "branch", "status", "attempt", "entered_at",
        "exited_at", "error", "cause", "pretty_input", "pretty_output",
    )
    readonly_fields = fields

    @admin.display(description="input")
    def pretty_input(self, step: Step) -> str:
        return pretty_json(step.input)

    @admin.display(description="output")
    def pretty_output(self, step: Step) -> str:
        return pretty_json(step.output)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
