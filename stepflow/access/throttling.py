"""DRF throttles whose rates come from settings at request time.

``STEPFLOW_API_THROTTLE_USER`` (per signed-in person) and ``STEPFLOW_API_THROTTLE_ANON``
(per client address, for requests without credentials); ``None`` turns one off. Counts
live in Django's cache: per process on the embedded shape, shared through Redis when
``REDIS_URL`` is set (see settings). Over the rate a request answers 429 with
``Retry-After``.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

__all__ = ["AnonThrottle", "UserThrottle"]


class UserThrottle(UserRateThrottle):
    def get_rate(self) -> str | None:
        return settings.STEPFLOW_API_THROTTLE_USER


class AnonThrottle(AnonRateThrottle):
    def get_rate(self) -> str | None:
        return settings.STEPFLOW_API_THROTTLE_ANON
