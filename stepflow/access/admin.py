"""Admin: the audit trail (read-only), people's API tokens (revoke only), sign-in failures.

Who sees what follows model permissions: the admin role holds them all; no other role
holds any ``access`` permission.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from stepflow.access import tokens
from stepflow.access.models import ApiToken, AuditRecord, LoginFailure


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditRecord)
class AuditRecordAdmin(ReadOnly):
    list_display = ("at", "actor_name", "action", "target_repr", "ip", "via")
    list_filter = ("action", "via", "at")
    search_fields = ("=actor_name", "=target_id", "target_repr")
    date_hierarchy = "at"
    show_full_result_count = False
    fields = (
        "at", "actor", "actor_name", "action", "target_type", "target_id", "target_repr", "detail", "ip",
        "user_agent", "via",
    )
    readonly_fields = fields

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # records leave only through retention's export-then-delete


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnly):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    list_select_related = ("user",)
    search_fields = ("=user__username", "=prefix", "name")
    fields = ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    actions = ["revoke"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoke instead: the row is what the audit trail points at

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("access.change_apitoken")

    @admin.action(description="Revoke the selected tokens", permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = 0
        for token in queryset.filter(revoked_at__isnull=True).select_related("user"):
            tokens.revoke_token(user=token.user, token_id=token.pk, by=request.user)
            count += 1
        self.message_user(request, f"Revoked {count} token(s).")


@admin.register(LoginFailure)
class LoginFailureAdmin(ReadOnly):
    """Deleting a username's rows lifts its lockout early."""

    list_display = ("at", "username", "ip")
    search_fields = ("=username", "=ip")
