"""Retention settings come from the environment and refuse bad values at start."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from stepflow import env
from tests.test_settings import _manage


def test_headers_are_name_value_pairs(monkeypatch):
    monkeypatch.setenv("H", "Authorization: Bearer a:b;;X-Scope-OrgID: ops")
    assert env.env_headers("H") == {"Authorization": "Bearer a:b", "X-Scope-OrgID": "ops"}
    assert env.env_headers("SURELY_NOT_SET_H") == {}


def test_a_header_without_a_name_is_refused(monkeypatch):
    monkeypatch.setenv("H", "just a value")
    with pytest.raises(ImproperlyConfigured, match="H must hold 'Name: value' pairs"):
        env.env_headers("H")


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"STEPFLOW_RETENTION_DAYS": "31"}, "STEPFLOW_RETENTION_DAYS must be at most 30"),
        ({"STEPFLOW_RETENTION_DAYS": "0"}, "STEPFLOW_RETENTION_DAYS must be at least 1"),
        ({"STEPFLOW_RETENTION_EXPORTER": "kafka"}, "STEPFLOW_RETENTION_EXPORTER must be one of"),
        ({"STEPFLOW_RETENTION_EXPORTER": "http"}, "STEPFLOW_RETENTION_HTTP_URL must be set"),
        ({"STEPFLOW_RETENTION_SYSLOG_URL": "syslog://x"}, "STEPFLOW_RETENTION_SYSLOG_URL must be a URL starting with udp://"),
    ],
)
def test_the_process_will_not_start_with_a_bad_retention_setting(variables, message):
    result = _manage("check", **variables)
    assert result.returncode != 0
    assert message in result.stderr
