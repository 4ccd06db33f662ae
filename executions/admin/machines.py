"""Admin for machines and versions: definitions validated and versioned through the services."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from executions import services as execution_services
from executions.admin.common import CappedPaginator, pretty_json
from workflows import services
from workflows.exceptions import WorkflowError
from workflows.models import StateMachine, StateMachineVersion


class MachineForm(forms.ModelForm):
    definition = forms.CharField(widget=forms.Textarea(attrs={"rows": 24, "cols": 100, "class": "vLargeTextField"}))
    comment = forms.CharField(required=False, max_length=256, help_text="why this version (on change)")

    class Meta:
        model = StateMachine
        fields = ["name", "description", "retention_days", "legal_hold"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        version = self.instance.current_version if self.instance.pk else None
        if version is not None:
            self.fields["definition"].initial = version.definition

    def clean_definition(self) -> str:
        text = self.cleaned_data["definition"]
        try:
            services.check_definition(definition=text)
        except WorkflowError as exc:
            raise forms.ValidationError([f"{p.path or '/'}: {p.message}" for p in exc.problems] or [exc.message])
        return text


@admin.register(StateMachine)
class StateMachineAdmin(admin.ModelAdmin):
    form = MachineForm
    list_display = ("name", "version_number", "retention_days", "legal_hold", "deleted_at", "updated_at")
    list_filter = ("legal_hold", ("deleted_at", admin.EmptyFieldListFilter), "created_at")
    list_select_related = ("current_version",)
    search_fields = ("name", "=uuid")
    show_full_result_count = False
    paginator = CappedPaginator
    readonly_fields = ("uuid", "current_version", "created_at", "updated_at", "deleted_at")
    actions = ["hold", "lift_hold", "delete_exporting_runs"]

    @admin.display(description="version", ordering="current_version__number")
    def version_number(self, machine: StateMachine) -> int | None:
        return machine.current_version.number if machine.current_version else None

    def get_readonly_fields(self, request: HttpRequest, obj: StateMachine | None = None) -> tuple[str, ...]:
        return self.readonly_fields + (("name",) if obj else ())

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deleting goes through the action, which exports the runs first

    def save_model(self, request: HttpRequest, obj: StateMachine, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if not change:
            machine = services.create_machine(
                name=data["name"], definition=data["definition"], description=data.get("description", ""),
                retention_days=data.get("retention_days"), by=request.user,
            )
        else:
            machine = StateMachine.objects.get(pk=obj.pk)
            if machine.current_version is None or data["definition"] != machine.current_version.definition:
                services.update_machine(
                    machine=machine, definition=data["definition"], comment=data.get("comment", ""), by=request.user
                )
        services.configure_machine(
            machine=machine, retention_days=data.get("retention_days"), legal_hold=data.get("legal_hold", False),
            description=data.get("description", ""), by=request.user,
        )
        obj.pk = machine.pk  # for the admin's LogEntry and redirect
        obj.refresh_from_db()

    def has_retention_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("workflows.manage_retention")

    def has_remove_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("workflows.delete_statemachine")

    @admin.action(description="Put on legal hold", permissions=["retention"])
    def hold(self, request: HttpRequest, queryset: QuerySet[StateMachine]) -> None:
        for machine in queryset:
            services.configure_machine(machine=machine, legal_hold=True, by=request.user)
            self.log_change(request, machine, "Put on legal hold")
        self.message_user(request, f"{len(queryset)} machine(s) put on legal hold.")

    @admin.action(description="Lift legal hold", permissions=["retention"])
    def lift_hold(self, request: HttpRequest, queryset: QuerySet[StateMachine]) -> None:
        for machine in queryset:
            services.configure_machine(machine=machine, legal_hold=False, by=request.user)
            self.log_change(request, machine, "Lifted legal hold")
        self.message_user(request, f"{len(queryset)} machine(s) taken off legal hold.")

    @admin.action(description="Delete (stop runs, export them, then delete)", permissions=["remove"])
    def delete_exporting_runs(self, request: HttpRequest, queryset: QuerySet[StateMachine]) -> None:
        for machine in queryset.filter(deleted_at__isnull=True):
            self.log_change(request, machine, "Deleted: running executions stopped, finished ones sent to export")
            execution_services.delete_machine(machine=machine, stop_running=True, by=request.user)
        self.message_user(request, "Deleted; their runs are being exported.", messages.SUCCESS)


@admin.register(StateMachineVersion)
class StateMachineVersionAdmin(admin.ModelAdmin):
    list_display = ("machine", "number", "definition_sha256", "comment", "created_by", "created_at")
    list_select_related = ("machine", "created_by")
    list_filter = ("created_at",)
    search_fields = ("machine__name", "=definition_sha256")
    show_full_result_count = False
    paginator = CappedPaginator
    fields = ("machine", "number", "definition_sha256", "comment", "created_by", "created_at", "pretty_definition")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # versions come from saving a machine

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="definition")
    def pretty_definition(self, version: StateMachineVersion) -> str:
        try:
            return pretty_json(json.loads(version.definition))
        except ValueError:
            return version.definition
