"""Admin for access keys (issue, revoke) and Lambda mappings (operator-editable).

Issuing a key shows its secret on the page that answers the form, once; it is never in
a message, a cookie or a later page. Revoking keeps the row. Both go through
``stepflow.sfn.services`` and are written to the admin log.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from stepflow.sfn import services
from stepflow.sfn.models import AccessKey, LambdaMapping

_FN_FORMS = ("fn:", "http://", "https://")


class AccessKeyForm(forms.ModelForm):
    class Meta:
        model = AccessKey
        fields = ["user", "description"]


@admin.register(AccessKey)
class AccessKeyAdmin(admin.ModelAdmin):
    form = AccessKeyForm
    list_display = ("access_key_id", "user", "description", "created_at", "last_used_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    list_select_related = ("user",)
    search_fields = ("=access_key_id", "user__username")
    readonly_fields = ("access_key_id", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    def get_fields(self, request: HttpRequest, obj: AccessKey | None = None) -> list[str]:
        return ["user", "description"] if obj is None else ["user", "description", *self.readonly_fields]

    def get_readonly_fields(self, request: HttpRequest, obj: AccessKey | None = None) -> tuple[str, ...]:
        return self.readonly_fields + (("user",) if obj else ())

    def save_model(self, request: HttpRequest, obj: AccessKey, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        issued = services.issue_access_key(user=form.cleaned_data["user"], description=obj.description)
        obj.pk, obj.access_key_id, obj.created_at = issued.pk, issued.access_key_id, issued.created_at
        obj.secret = issued.secret  # type: ignore[attr-defined]  # shown once by response_add

    def response_add(self, request: HttpRequest, obj: AccessKey, post_url_continue: str | None = None) -> HttpResponse:
        context = {**self.admin_site.each_context(request), "key": obj, "title": "Access key issued", "opts": self.opts}
        return TemplateResponse(request, "sfn/access_key_issued.html", context)

    @admin.action(description="Revoke selected access keys")
    def revoke(self, request: HttpRequest, queryset: QuerySet[AccessKey]) -> None:
        active = list(queryset.filter(revoked_at__isnull=True))
        count = services.revoke_access_keys(keys=queryset.filter(pk__in=[k.pk for k in active]))
        for key in active:
            self.log_change(request, key, "Revoked")
        self.message_user(request, f"Revoked {count} access key(s).", messages.SUCCESS)


class LambdaMappingForm(forms.ModelForm):
    class Meta:
        model = LambdaMapping
        fields = ["function_name", "qualifier", "region", "account", "target", "description"]

    def clean_target(self) -> str:
        target = self.cleaned_data["target"].strip()
        if not target.startswith(_FN_FORMS) or target in _FN_FORMS:
            raise forms.ValidationError("Name an Fn function: fn:<app>/<function>, fn:<id> or an http(s) invoke URL.")
        return target


@admin.register(LambdaMapping)
class LambdaMappingAdmin(admin.ModelAdmin):
    form = LambdaMappingForm
    list_display = ("function_name", "qualifier", "region", "account", "target", "updated_at")
    search_fields = ("function_name", "target")
    ordering = ("function_name", "qualifier")
