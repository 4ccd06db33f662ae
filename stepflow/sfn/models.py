"""What the Step Functions API keeps besides stepflow's own rows.

- ``AccessKey``: an access key id and secret that stepflow issues to one user, for SigV4.
- ``LambdaMapping``: an operator-editable row running ``arn:aws:lambda:...:function:NAME``
  on an Fn function (see ``lambda_map``).
- ``MachineProfile``: the AWS-only fields of a machine created through the API (type, role).
- ``Tag``: AWS resource tags on a machine.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from workflows.models import StateMachine

__all__ = ["AccessKey", "LambdaMapping", "MachineProfile", "MachineType", "Tag"]


class AccessKeyQuerySet(models.QuerySet["AccessKey"]):
    def active(self) -> AccessKeyQuerySet:
        """Keys not revoked, of users still active."""
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class AccessKey(models.Model):
    """One SigV4 credential of one user; requests signed with it act as that user.

    The secret is kept encrypted (``sealed_secret``, see ``sealing``), not hashed: SigV4's
    signature is an HMAC keyed by a key derived from the secret and the request's date,
    region and service, so verifying it needs the secret itself. It is shown once when
    issued, never again; a revoked key keeps its row (``revoked_at``) for the record.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sfn_access_keys")
    access_key_id = models.CharField(max_length=20, unique=True, editable=False)
    sealed_secret = models.TextField(editable=False)
    description = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = AccessKeyQuerySet.as_manager()

    class Meta:
        verbose_name = "access key"

    def __str__(self) -> str:
        return self.access_key_id


class LambdaMapping(models.Model):
    """Runs a Lambda function ARN named in an imported definition on an Fn function.

    Matches ``arn:aws:lambda:<region>:<account>:function:<function_name>[:<qualifier>]``
    (also as ``FunctionName`` of ``arn:aws:states:::lambda:invoke``); an empty qualifier,
    region or account matches any, and the most specific row wins.
    """

    function_name = models.CharField(max_length=140, help_text="the NAME in arn:aws:lambda:...:function:NAME")
    qualifier = models.CharField(max_length=128, blank=True, default="", help_text="a version or alias; empty for any")
    region = models.CharField(max_length=32, blank=True, default="", help_text="empty for any region")
    account = models.CharField(max_length=12, blank=True, default="", help_text="empty for any account")
    target = models.CharField(
        max_length=512, help_text="the Fn function: fn:<app>/<function>, fn:<id> or an http(s) invoke URL"
    )
    description = models.CharField(max_length=200, blank=True, default="")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "Lambda mapping"
        constraints = [
            models.UniqueConstraint(fields=["function_name", "qualifier", "region", "account"], name="lambda_mapping_unique")
        ]

    def __str__(self) -> str:
        qualifier = f":{self.qualifier}" if self.qualifier else ""
        return f"{self.function_name}{qualifier} -> {self.target}"


class MachineType(models.TextChoices):
    STANDARD = "STANDARD"
    EXPRESS = "EXPRESS"


class MachineProfile(models.Model):
    """The fields AWS keeps on a state machine that stepflow itself has no use for."""

    machine = models.OneToOneField(StateMachine, on_delete=models.CASCADE, related_name="sfn_profile")
    type = models.CharField(max_length=8, choices=MachineType.choices, default=MachineType.STANDARD)
    role_arn = models.CharField(max_length=256, blank=True, default="")

    def __str__(self) -> str:
        return f"{self.machine_id} {self.type}"


class Tag(models.Model):
    """One AWS resource tag on a machine."""

    machine = models.ForeignKey(StateMachine, on_delete=models.CASCADE, related_name="sfn_tags")
    key = models.CharField(max_length=128)
    value = models.CharField(max_length=256, blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["machine", "key"], name="sfn_tag_key_unique")]

    def __str__(self) -> str:
        return f"{self.key}={self.value}"
