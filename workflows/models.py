"""State machines and their immutable versions.

A ``StateMachine`` is a name (never renamed) pointing at its current
``StateMachineVersion``. Every change of the definition makes a new version; executions
keep the version they started on. Deleting a machine that has executions only retires it
(``deleted_at``): its runs leave through the retention path, never silently, and the name
becomes free for a new machine.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone

__all__ = ["MACHINE_NAME_PATTERN", "RETENTION_DAYS_MAX", "RETENTION_DAYS_MIN", "StateMachine", "StateMachineVersion"]

MACHINE_NAME_PATTERN = r"^[A-Za-z0-9_-]{1,80}$"
RETENTION_DAYS_MIN = 1
RETENTION_DAYS_MAX = 30


class StateMachineQuerySet(models.QuerySet["StateMachine"]):
    def live(self) -> StateMachineQuerySet:
        """Machines not retired by a delete."""
        return self.filter(deleted_at__isnull=True)

    def named(self, name: str) -> StateMachineQuerySet:
        return self.live().filter(name=name)


class StateMachine(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(
        max_length=80,
        validators=[RegexValidator(MACHINE_NAME_PATTERN, "1-80 letters, digits, '-' or '_'")],
    )
    description = models.TextField(blank=True, default="", max_length=1024)
    current_version = models.ForeignKey(
        "StateMachineVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # How long this machine's finished runs stay before export-then-delete; None means the
    # global STEPFLOW_RETENTION_DAYS.
    retention_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(RETENTION_DAYS_MIN), MaxValueValidator(RETENTION_DAYS_MAX)],
        help_text="1-30 days; empty for the global default",
    )
    # A legal hold keeps every run of the machine out of retention until it is lifted.
    legal_hold = models.BooleanField(default=False)

    objects = StateMachineQuerySet.as_manager()

    class Meta:
        constraints = [
            # Retired machines keep their name for history; live names are unique.
            models.UniqueConstraint(
                fields=["name"], condition=models.Q(deleted_at__isnull=True), name="machine_live_name_unique"
            )
        ]
        indexes = [models.Index(fields=["-created_at", "-id"], name="machine_newest")]
        # The admin role's: retention windows and legal holds (stepflow/access/roles.py).
        permissions = [("manage_retention", "Can change retention windows and legal holds")]

    def __str__(self) -> str:
        return self.name


class StateMachineVersion(models.Model):
    machine = models.ForeignKey(StateMachine, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    # The definition as the author wrote it (text keeps their key order and layout).
    definition = models.TextField()
    definition_sha256 = models.CharField(max_length=64)
    comment = models.CharField(max_length=256, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["machine", "number"], name="version_number_unique")]

    def __str__(self) -> str:
        return f"{self.machine_id} v{self.number}"
