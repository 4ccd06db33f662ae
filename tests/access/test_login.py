"""Signing in: CSRF-protected forms, and repeated failures lock a username or an address."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from stepflow.access.models import LoginFailure

pytestmark = pytest.mark.django_db

WRONG = {"username": "bob", "password": "not-it"}
RIGHT = {"username": "bob", "password": "bob-password-1"}


def _sign_in(client: Client, form: dict[str, str], ip: str = "198.51.100.1") -> bool:
    response = client.post("/accounts/login/", form, REMOTE_ADDR=ip)
    return response.status_code == 302


def test_csrf_protection_is_on_for_every_request():
    assert "django.middleware.csrf.CsrfViewMiddleware" in settings.MIDDLEWARE


def test_the_sign_in_form_refuses_a_post_without_the_csrf_token(bob):
    client = Client(enforce_csrf_checks=True)
    assert client.post("/accounts/login/", RIGHT).status_code == 403
    page = client.get("/accounts/login/")
    token = page.cookies[settings.CSRF_COOKIE_NAME].value
    assert client.post("/accounts/login/", {**RIGHT, "csrfmiddlewaretoken": token}).status_code == 302


def test_repeated_failures_lock_the_username_even_for_the_right_password(bob, settings):
    settings.STEPFLOW_LOGIN_FAILURE_LIMIT = 3
    client = Client()
    assert [_sign_in(client, WRONG) for _ in range(3)] == [False] * 3
    refused = client.post("/accounts/login/", RIGHT, REMOTE_ADDR="198.51.100.1")
    assert refused.status_code == 200 and "Too many failed sign-ins" in refused.content.decode()
    assert not _sign_in(Client(), RIGHT, ip="198.51.100.99")  # from anywhere
    assert not Client().login(**RIGHT)  # and through every password form, not just this page


def test_the_lock_ends_when_the_window_has_passed(bob, settings):
    settings.STEPFLOW_LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        _sign_in(Client(), WRONG)
    LoginFailure.objects.update(at=timezone.now() - timedelta(seconds=settings.STEPFLOW_LOGIN_WINDOW_SECONDS + 1))
    assert _sign_in(Client(), RIGHT)


def test_a_success_clears_the_usernames_failures(bob, settings):
    settings.STEPFLOW_LOGIN_FAILURE_LIMIT = 3
    for _ in range(2):
        _sign_in(Client(), WRONG)
    assert _sign_in(Client(), RIGHT)
    assert [_sign_in(Client(), WRONG) for _ in range(2)] == [False, False]
    assert _sign_in(Client(), RIGHT)


def test_many_failures_from_one_address_lock_that_address_for_every_username(bob, alice, settings):
    settings.STEPFLOW_LOGIN_IP_FAILURE_LIMIT = 4
    for name in ("a", "b", "c", "d"):
        _sign_in(Client(), {"username": name, "password": "x"}, ip="192.0.2.9")
    assert not _sign_in(Client(), {"username": "alice", "password": "alice-password-1"}, ip="192.0.2.9")
    assert _sign_in(Client(), {"username": "alice", "password": "alice-password-1"}, ip="192.0.2.10")


def test_the_admin_sign_in_is_throttled_too(amir, settings):
    settings.STEPFLOW_LOGIN_FAILURE_LIMIT = 2
    for _ in range(2):
        Client().post("/admin/login/", {"username": "amir", "password": "x"})
    response = Client().post("/admin/login/?next=/admin/", {"username": "amir", "password": "amir-password-1"})
    assert response.status_code == 200  # the form again, not the redirect into the admin


def test_behind_a_proxy_the_forwarded_address_is_the_one_counted(bob, settings):
    settings.STEPFLOW_PROXY_COUNT = 1
    settings.STEPFLOW_LOGIN_IP_FAILURE_LIMIT = 2
    for _ in range(2):
        Client().post("/accounts/login/", {"username": "z", "password": "x"}, HTTP_X_FORWARDED_FOR="192.0.2.50")
    assert set(LoginFailure.objects.values_list("ip", flat=True)) == {"192.0.2.50"}
    locked = Client().post("/accounts/login/", RIGHT, HTTP_X_FORWARDED_FOR="192.0.2.50")
    assert locked.status_code == 200
