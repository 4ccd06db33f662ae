"""Sign-in throttling: repeated failures for a username or from an address lock it out.

``ThrottledModelBackend`` replaces Django's ``ModelBackend``, so every password form (the
sign-in page, the admin's, the browsable API's) goes through it. Failures are rows
(``LoginFailure``), so every web process on every machine sees the same counts. Within
``STEPFLOW_LOGIN_WINDOW_SECONDS``:

- ``STEPFLOW_LOGIN_FAILURE_LIMIT`` failures for one username lock that username;
- ``STEPFLOW_LOGIN_IP_FAILURE_LIMIT`` failures from one address lock that address.

While locked, even the right password is refused (and not counted, so the lock ends a
window after the failures that caused it). A success clears the username's failures.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone

from stepflow.access.models import LoginFailure
from stepflow.access.origin import client_ip

__all__ = ["LOCKED_MESSAGE", "ThrottledAuthenticationForm", "ThrottledModelBackend", "is_locked_out"]

LOCKED_MESSAGE = "Too many failed sign-ins. Wait a while and try again."


def _window_start() -> datetime:
    return timezone.now() - timedelta(seconds=settings.STEPFLOW_LOGIN_WINDOW_SECONDS)


def is_locked_out(*, username: str, ip: str | None) -> bool:
    """True while ``username`` or ``ip`` has reached its failure limit within the window."""
    recent = LoginFailure.objects.filter(at__gte=_window_start())
    if username and recent.filter(username=username).count() >= settings.STEPFLOW_LOGIN_FAILURE_LIMIT:
        return True
    return bool(ip) and recent.filter(ip=ip).count() >= settings.STEPFLOW_LOGIN_IP_FAILURE_LIMIT


def _note_failure(*, username: str, ip: str | None) -> None:
    LoginFailure.objects.filter(at__lt=_window_start()).delete()  # old rows: nothing counts them
    LoginFailure.objects.create(username=username[:150], ip=ip)


class ThrottledModelBackend(ModelBackend):
    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        ip = client_ip(request) if request is not None else None
        if is_locked_out(username=username, ip=ip):
            # Stops Django trying further backends; the form shows its usual refusal.
            raise PermissionDenied(LOCKED_MESSAGE)
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            _note_failure(username=username, ip=ip)
        else:
            LoginFailure.objects.filter(username=username).delete()
        return user


class ThrottledAuthenticationForm(AuthenticationForm):
    """The sign-in form, saying plainly when a lockout (not a typo) is the reason."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        ip = client_ip(self.request) if self.request is not None else None
        if username and is_locked_out(username=username, ip=ip):
            raise ValidationError(LOCKED_MESSAGE, code="locked_out")
        return super().clean()
