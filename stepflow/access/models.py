"""API tokens, the audit trail and failed sign-ins.

- ``ApiToken``: one of a person's named API keys. Only a SHA-256 of the key is stored (keys
  are 256-bit random, so a fast hash is enough); ``prefix`` (the key's first characters,
  shown in lists) finds the row without scanning.
- ``AuditRecord``: one change someone made - who, when, what (action and object), from
  where. Rows are written by ``stepflow/access/audit.py`` only, never edited, and leave only
  through retention's export-then-delete.
- ``LoginFailure``: one refused sign-in, counted by ``stepflow/access/login.py`` to throttle.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from stepflow.fields import JSONTextField

__all__ = ["ApiToken", "AuditAction", "AuditRecord", "LoginFailure"]


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=16, unique=True)
    key_sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # A person's live tokens have distinct names, so a list and a revoke are unambiguous.
            models.UniqueConstraint(
                fields=["user", "name"], condition=models.Q(revoked_at__isnull=True), name="token_live_name_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}...)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class AuditAction(models.TextChoices):
    MACHINE_CREATED = "machine.created"
    MACHINE_UPDATED = "machine.updated"
    MACHINE_CONFIGURED = "machine.configured"  # description, retention window, legal hold
    MACHINE_DELETED = "machine.deleted"
    EXECUTION_STARTED = "execution.started"
    EXECUTION_STOPPED = "execution.stopped"
    EXECUTION_RERUN = "execution.rerun"
    LEGAL_HOLD_SET = "legal_hold.set"
    LEGAL_HOLD_LIFTED = "legal_hold.lifted"
    RETENTION_EXPORTED = "retention.exported"
    TOKEN_CREATED = "token.created"
    TOKEN_REVOKED = "token.revoked"


class AuditRecord(models.Model):
    at = models.DateTimeField(default=timezone.now, db_index=True)
    # The person, and their name at the time: the record outlives the account.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True, default="")
    action = models.CharField(max_length=32, choices=AuditAction.choices)
    target_type = models.CharField(max_length=100, blank=True, default="")  # "workflows.statemachine"
    target_id = models.CharField(max_length=64, blank=True, default="")  # public id (UUID) or primary key
    target_repr = models.CharField(max_length=200, blank=True, default="")
    detail = JSONTextField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=256, blank=True, default="")
    via = models.CharField(max_length=16, blank=True, default="")  # api, page, admin, command

    class Meta:
        indexes = [models.Index(fields=["-at", "-id"], name="audit_newest")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name or 'system'} {self.action} {self.target_repr}"


class LoginFailure(models.Model):
    username = models.CharField(max_length=150, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
