"""The API's per-person request rate comes from settings; past it, 429 with Retry-After."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

from stepflow.env import env_rate

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_a_minute(settings, bob):
    settings.STEPFLOW_API_THROTTLE_USER = "3/minute"
    cache.delete(f"throttle_user_{bob.pk}")  # the cache may outlive a test (Redis on the scaled-out shape)
    yield
    cache.delete(f"throttle_user_{bob.pk}")


def test_past_the_rate_a_person_gets_429_with_retry_after_in_the_error_shape(three_a_minute, bob_api):
    answers = [bob_api.get("/api/machines/").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    refused = bob_api.get("/api/machines/")
    assert refused.json()["error"]["code"] == "throttled"
    assert 0 < int(refused["Retry-After"]) <= 60


def test_the_rate_counts_each_person_apart(three_a_minute, bob_api, alice, alice_api):
    cache.delete(f"throttle_user_{alice.pk}")
    for _ in range(3):
        bob_api.get("/api/machines/")
    assert bob_api.get("/api/machines/").status_code == 429
    assert alice_api.get("/api/machines/").status_code == 200


def test_off_means_no_limit(settings, bob_api):
    settings.STEPFLOW_API_THROTTLE_USER = None
    assert {bob_api.get("/api/machines/").status_code for _ in range(5)} == {200}


@pytest.mark.parametrize(("text", "rate"), [("100/minute", "100/minute"), ("5/SECOND", "5/second"), ("off", None)])
def test_a_rate_is_read_from_the_environment(monkeypatch, text, rate):
    monkeypatch.setenv("X_RATE", text)
    assert env_rate("X_RATE", "1/day") == rate


@pytest.mark.parametrize("text", ["100", "fast", "0/minute", "10/fortnight", "-1/second"])
def test_a_bad_rate_stops_the_process_with_the_variable_named(monkeypatch, text):
    monkeypatch.setenv("X_RATE", text)
    with pytest.raises(ImproperlyConfigured, match="X_RATE"):
        env_rate("X_RATE", "1/day")
