"""Access keys, machine profiles and tags: the rows this API adds to stepflow's.

Keyword-only functions; the admin, the management command and the action handlers call
these and nothing else writes the rows.
"""

from __future__ import annotations

import secrets
import string
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from stepflow.sfn.models import AccessKey, MachineProfile, MachineType, Tag
from stepflow.sfn.sealing import seal
from workflows.models import StateMachine

__all__ = ["issue_access_key", "profile_of", "revoke_access_keys", "set_profile", "tag_machine", "tags_of", "untag_machine"]

_ID_ALPHABET = string.ascii_uppercase + "234567"
_SECRET_ALPHABET = string.ascii_letters + string.digits + "+/"
MAX_TAGS = 50  # AWS's limit per resource


def issue_access_key(*, user: Any, description: str = "") -> AccessKey:
    """A new active key for ``user``; its ``secret`` is readable on the returned object
    (show it once: nothing else displays it)."""
    # AWS's shape: 20 upper-case characters, 40-character secret.
    key_id = "AKSF" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(16))
    secret = "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(40))
    key = AccessKey.objects.create(user=user, access_key_id=key_id, sealed_secret=seal(secret), description=description)
    key.secret = secret  # type: ignore[attr-defined]  # only on this object, for showing once
    return key


def revoke_access_keys(*, keys: QuerySet[AccessKey]) -> int:
    """Revoke the keys (a queryset) at once; returns how many were active."""
    return keys.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


def profile_of(*, machine: StateMachine) -> MachineProfile:
    """The machine's AWS fields; a machine made outside this API is a STANDARD one."""
    profile = MachineProfile.objects.filter(machine=machine).first()
    return profile or MachineProfile(machine=machine, type=MachineType.STANDARD, role_arn="")


def set_profile(*, machine: StateMachine, type: str | None = None, role_arn: str | None = None) -> MachineProfile:
    """Store the machine's type and role ARN (``None`` leaves a field as it is)."""
    profile, _ = MachineProfile.objects.get_or_create(machine=machine)
    if type is not None:
        profile.type = type
    if role_arn is not None:
        profile.role_arn = role_arn
    profile.save()
    return profile


def tags_of(*, machine: StateMachine) -> list[dict[str, str]]:
    """The machine's tags as AWS lists them, by key."""
    return [{"key": t.key, "value": t.value} for t in Tag.objects.filter(machine=machine).order_by("key")]


def tag_machine(*, machine: StateMachine, tags: dict[str, str]) -> None:
    """Add or overwrite tags; raises ``ValueError`` past ``MAX_TAGS`` (nothing is written)."""
    with transaction.atomic():
        existing = set(Tag.objects.filter(machine=machine).values_list("key", flat=True))
        if len(existing | set(tags)) > MAX_TAGS:
            raise ValueError(f"a resource has at most {MAX_TAGS} tags")
        for key, value in tags.items():
            Tag.objects.update_or_create(machine=machine, key=key, defaults={"value": value})


def untag_machine(*, machine: StateMachine, keys: list[str]) -> None:
    """Remove the tags with these keys (missing ones are ignored, as on AWS)."""
    Tag.objects.filter(machine=machine, key__in=keys).delete()
