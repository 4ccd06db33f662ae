"""Who is calling, whether they may, and whether they are calling too often.

- ``authenticate``: verifies the request's SigV4 signature (``sigv4``) against the
  active ``AccessKey`` it names; the request then acts as the key's user.
- ``authorize``: the Django model permissions an action needs, the same ones the REST
  API's views list in ``required_permissions`` (so the same groups and roles apply);
  ``AccessDenied`` otherwise. Superusers hold every permission.
- ``throttle``: at most ``STEPFLOW_SFN_THROTTLE_RATE`` requests per access key
  (DRF's rate syntax, ``"100/second"``; empty for no limit), counted by DRF's
  ``SimpleRateThrottle`` in Django's cache; ``Throttling`` otherwise, which botocore
  backs off from and retries.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from rest_framework.throttling import SimpleRateThrottle

from stepflow.sfn import sigv4
from stepflow.sfn.errors import AccessDenied, Throttling
from stepflow.sfn.models import AccessKey
from stepflow.sfn.sealing import unseal

__all__ = ["authenticate", "authorize", "throttle"]

SERVICE = "states"
_TOUCH_EVERY = timedelta(minutes=1)  # last_used_at is for people: no write per request


def authenticate(request: HttpRequest, body: bytes) -> AccessKey:
    """The active access key that signed ``request``; raises the protocol's auth errors."""
    found: dict[str, AccessKey] = {}

    def secret_of(access_key_id: str) -> str | None:
        key = AccessKey.objects.active().select_related("user").filter(access_key_id=access_key_id).first()
        if key is None:
            return None
        found["key"] = key
        return unseal(key.sealed_secret)

    headers = {name.lower(): value for name, value in request.headers.items()}
    now = timezone.now()
    sigv4.verify(
        method=request.method or "POST", path=request.path, query=request.META.get("QUERY_STRING", ""),
        headers=headers, body=body, secret_of=secret_of, region=settings.STEPFLOW_SFN_REGION, service=SERVICE,
        now=now, max_skew=timedelta(seconds=settings.STEPFLOW_SFN_MAX_CLOCK_SKEW_SECONDS),
    )
    key = found["key"]
    if key.last_used_at is None or now - key.last_used_at > _TOUCH_EVERY:
        AccessKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key


def authorize(*, user: Any, action: str, needed: tuple[str, ...]) -> None:
    """Raises ``AccessDenied`` unless ``user`` holds every permission in ``needed``."""
    if not user.is_active or not user.has_perms(needed):
        raise AccessDenied(
            f"User: {user.get_username()} is not authorized to perform: states:{action} "
            f"(it needs {', '.join(needed) or 'an active account'})."
        )


class _PerKey(SimpleRateThrottle):
    scope = "sfn"

    def __init__(self, rate: str) -> None:
        self.rate = rate
        super().__init__()

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": request}


def throttle(*, key: AccessKey) -> None:
    """Counts one request against ``key``; raises ``Throttling`` past the rate."""
    rate = settings.STEPFLOW_SFN_THROTTLE_RATE
    if not rate:
        return
    # DRF's throttle only needs a cache key from the "request": the access key id is it.
    if not _PerKey(rate).allow_request(key.access_key_id, None):
        raise Throttling("Rate exceeded")
