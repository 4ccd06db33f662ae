"""The API keeps the promises of its own OpenAPI schema: schemathesis sends generated
requests to every operation, signed in as a superuser (so permission checks do not hide
the code behind them), through the WSGI app in-process. No answer may be a 5xx, and every
answer (status code, content type, body) must be one the schema documents.

The number of examples per operation is bounded (``STEPFLOW_SCHEMA_EXAMPLES``, default 25)
and the run is derandomised under CI so that a CI run is repeatable.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance, status_code_conformance

from stepflow.access import tokens
from tests.machines import load
from workflows import services as workflows

schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
_EXAMPLES = int(os.environ.get("STEPFLOW_SCHEMA_EXAMPLES", "25"))
_CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def root_token(db: None, django_user_model: Any, service_settings: Any) -> str:
    """A superuser's token, and a machine named ``hello`` for the paths that name one."""
    root = django_user_model.objects.create_superuser(username="root", password="root-password-1")
    workflows.create_machine(name="hello", definition=load("api/hello"), by=root)
    return tokens.create_token(user=root, name="schemathesis")[1]


@pytest.fixture
def app() -> Iterator[WSGIHandler]:
    """The WSGI app, keeping the test's database connection open between requests (as
    Django's test client does): each request would otherwise close it when it ends."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=_EXAMPLES,
    deadline=None,
    database=None,
    derandomize=os.environ.get("CI", "").lower() in ("1", "true", "yes"),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_operation_answers_within_its_schema(case: Any, root_token: str, app: WSGIHandler) -> None:
    case.call_and_validate(app=app, headers={"Authorization": f"Token {root_token}"}, checks=_CHECKS)
