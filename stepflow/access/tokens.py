"""API tokens: several named keys per person, stored hashed, shown once, revocable.

A key looks like ``sf_<prefix>_<secret>``: the prefix (10 hex digits) finds the
row and is shown in lists; the whole key's SHA-256 is compared in constant time. The
plain key exists only in ``create_token``'s return value. Errors: ``access/exceptions.py``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from stepflow.access import audit
from stepflow.access.exceptions import InvalidTokenName, TokenError, TokenNotFound
from stepflow.access.models import ApiToken, AuditAction

__all__ = [
    "InvalidTokenName",
    "TokenError",
    "TokenNotFound",
    "authenticate_key",
    "create_token",
    "live_tokens",
    "revoke_token",
]

PREFIX = "sf_"
NAME_MAX = 80
# last_used_at is a hint for people, not a log: writing it on every request would turn
# each API read into a write.
TOUCH_EVERY = timedelta(minutes=5)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def live_tokens(*, user: AbstractBaseUser) -> list[ApiToken]:
    """The person's tokens that still work, newest first."""
    return list(ApiToken.objects.filter(user=user, revoked_at__isnull=True).order_by("-created_at", "-id"))


def create_token(*, user: AbstractBaseUser, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the row and the key, which is never shown again."""
    name = (name or "").strip()
    if not name or len(name) > NAME_MAX:
        raise InvalidTokenName(f"A token name is 1-{NAME_MAX} characters.")
    prefix = secrets.token_hex(5)  # hex: never contains the "_" that ends it
    key = f"{PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    try:
        with transaction.atomic():
            token = ApiToken.objects.create(user=user, name=name, prefix=prefix, key_sha256=_digest(key))
            audit.record(action=AuditAction.TOKEN_CREATED, target=token, by=user, detail={"name": name})
    except IntegrityError:
        raise InvalidTokenName(f"You already have a token named {name!r}; revoke it or pick another name.") from None
    return token, key


def revoke_token(*, user: AbstractBaseUser, token_id: int, by: AbstractBaseUser | None = None) -> ApiToken:
    """Revoke one of ``user``'s live tokens (``by`` an admin acting for them, else the user)."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(pk=token_id, user=user, revoked_at__isnull=True).first()
        if token is None:
            raise TokenNotFound(f"There is no live token with id {token_id}.")
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(action=AuditAction.TOKEN_REVOKED, target=token, by=by or user, detail={"owner": user.get_username()})
    return token


def authenticate_key(key: str) -> ApiToken | None:
    """The live token whose key this is (with its user loaded), or None."""
    if not key.startswith(PREFIX):
        return None
    prefix, _, secret = key[len(PREFIX) :].partition("_")
    if not prefix or not secret:
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=prefix, revoked_at__isnull=True).first()
    if token is None or not hmac.compare_digest(token.key_sha256, _digest(key)):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
