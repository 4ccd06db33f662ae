"""Settings come from the environment; bad values stop the process naming the variable."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from stepflow import env

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def environ(monkeypatch):
    def set_(**values: str) -> None:
        for key, value in values.items():
            monkeypatch.setenv(key, value)

    return set_


def test_numbers_booleans_lists_and_choices_are_parsed(environ):
    environ(N="7", F="0.5", B="yes", L="a, b,,c", C="Production")
    assert env.env_int("N", 1) == 7
    assert env.env_float("F", 1.0) == 0.5
    assert env.env_bool("B", False) is True
    assert env.env_list("L", []) == ["a", "b", "c"]
    assert env.env_choice("C", ("development", "production"), "development") == "production"
    assert env.env_int("UNSET_FOR_SURE", 3) == 3


@pytest.mark.parametrize(
    ("name", "value", "call", "fragment"),
    [
        ("N", "seven", lambda: env.env_int("N", 1), "N must be an integer, not 'seven'"),
        ("N", "0", lambda: env.env_int("N", 1, minimum=1), "N must be at least 1"),
        ("F", "fast", lambda: env.env_float("F", 1.0), "F must be a number"),
        ("B", "maybe", lambda: env.env_bool("B", False), "B must be true or false, not 'maybe'"),
        ("C", "staging", lambda: env.env_choice("C", ("development", "production"), "development"), "C must be one of"),
        ("U", "mysql://db/x", lambda: env.env_url("U", ("sqlite", "postgres")), "U must be a URL starting with sqlite:// or postgres://"),
    ],
)
def test_a_bad_value_is_refused_naming_the_variable(environ, name, value, call, fragment):
    environ(**{name: value})
    with pytest.raises(ImproperlyConfigured, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        call()


def test_a_required_value_that_is_missing_is_named():
    with pytest.raises(ImproperlyConfigured, match="SURELY_NOT_SET must be set"):
        env.env_str("SURELY_NOT_SET", required=True)


def test_the_development_secret_is_generated_once_and_kept(tmp_path):
    first = env.persistent_secret(tmp_path / "secret")
    assert len(first) >= 50
    assert env.persistent_secret(tmp_path / "secret") == first


def _manage(*args: str, **variables: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "STEPFLOW_"))}
    environment.update(variables)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"DATABASE_URL": "mysql://root@localhost/x"}, "DATABASE_URL must be a URL starting with sqlite://"),
        ({"REDIS_URL": "http://localhost:6379"}, "REDIS_URL must be a URL starting with redis://"),
        ({"STEPFLOW_WORKERS": "many"}, "STEPFLOW_WORKERS must be an integer"),
        ({"STEPFLOW_ENV": "production"}, "DJANGO_SECRET_KEY must be set"),
        ({"STEPFLOW_ENV": "production", "DJANGO_SECRET_KEY": secrets.token_urlsafe(60)}, "DJANGO_ALLOWED_HOSTS must list"),
    ],
)
def test_the_process_will_not_start_with_a_bad_setting(variables, message):
    result = _manage("check", **variables)
    assert result.returncode != 0
    assert message in result.stderr


def test_check_deploy_with_production_settings_reports_nothing():
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING",
        STEPFLOW_ENV="production", DJANGO_SECRET_KEY=secrets.token_urlsafe(60), DJANGO_ALLOWED_HOSTS="stepflow.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_embedded_shape_uses_sqlite_in_wal_mode_with_immediate_transactions(settings):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("runs on the embedded shape")
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 5000


pytestmark = pytest.mark.django_db
