"""Shared fixtures: the personas, their API clients, machines from data files, and a
synchronous worker.

- The roles (stepflow/access/roles.py): bob is a viewer (reads only), olivia an operator (also
  starts, stops and re-runs executions), alice an editor (also creates, changes and deletes
  machines), amir an admin (everything; staff, so the admin site too); charlie is signed in
  with no role, and anonymous is not signed in.
- API throttling is off unless a test turns it on (counts would leak between tests through
  the cache).
- Queued work runs inline (django-q2's per-task ``sync``), inside
  ``django_capture_on_commit_callbacks(execute=True)``: the runner still enqueues after
  commit and the test sees each hand-off happen. ``work.until_done`` plays the timer loop.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import pytest
from rest_framework.test import APIClient

from stepflow.access import tokens
from stepflow.access.roles import ADMIN, EDITOR, OPERATOR, VIEWER
from executions.management.commands.bootstrap import Command as Bootstrap
from executions.models import Execution, ExecutionStatus
from executions.timers import fire_due
from tests.support import fn
from tests.machines import load
from workflows import services as workflows
from workflows.models import StateMachine


@pytest.fixture
def service_settings(settings: Any) -> Any:
    """Settings for service tests: queued work runs inline, Tasks call tests/support/fn.py."""
    settings.STEPFLOW_TASKS_SYNC = True
    settings.STEPFLOW_FN_CLIENT = "tests.support.fn.client"
    # Real hashing costs a second per persona; these passwords protect nothing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    fn.calls.clear()
    return settings


@pytest.fixture(autouse=True)
def _no_api_throttling(settings: Any) -> None:
    settings.STEPFLOW_API_THROTTLE_USER = None
    settings.STEPFLOW_API_THROTTLE_ANON = None


@pytest.fixture
def groups(db: None, service_settings: Any) -> None:
    # The roles migration made them; a transactional test's flush may have removed them.
    Bootstrap().create_groups()


def _person(django_user_model: Any, username: str, group: str | None, *, staff: bool = False) -> Any:
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(
        username=username, password=f"{username}-password-1", is_staff=staff
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def alice(groups: None, django_user_model: Any) -> Any:
    """The editor."""
    return _person(django_user_model, "alice", EDITOR)


@pytest.fixture
def bob(groups: None, django_user_model: Any) -> Any:
    """The viewer."""
    return _person(django_user_model, "bob", VIEWER)


@pytest.fixture
def olivia(groups: None, django_user_model: Any) -> Any:
    """The operator."""
    return _person(django_user_model, "olivia", OPERATOR)


@pytest.fixture
def amir(groups: None, django_user_model: Any) -> Any:
    """The admin (staff, so the admin site lets him in)."""
    return _person(django_user_model, "amir", ADMIN, staff=True)


@pytest.fixture
def charlie(groups: None, django_user_model: Any) -> Any:
    """Signed in, with no access."""
    return _person(django_user_model, "charlie", None)


def _token_client(user: Any) -> APIClient:
    client = APIClient()
    _, key = tokens.create_token(user=user, name=f"tests-{uuid.uuid4().hex[:8]}")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def alice_api(alice: Any) -> APIClient:
    return _token_client(alice)


@pytest.fixture
def bob_api(bob: Any) -> APIClient:
    return _token_client(bob)


@pytest.fixture
def olivia_api(olivia: Any) -> APIClient:
    return _token_client(olivia)


@pytest.fixture
def amir_api(amir: Any) -> APIClient:
    return _token_client(amir)


@pytest.fixture
def charlie_api(charlie: Any) -> APIClient:
    return _token_client(charlie)


@pytest.fixture
def anonymous_api() -> APIClient:
    return APIClient()


@pytest.fixture
def make_machine(alice: Any) -> Callable[..., StateMachine]:
    """``make_machine("states", "pass")`` creates a machine from tests/machines/states/pass.json."""

    def make(feature: str, name: str, *, machine_name: str | None = None) -> StateMachine:
        return workflows.create_machine(
            name=machine_name or f"{feature}-{name}", definition=load(f"{feature}/{name}"), by=alice
        )

    return make


class Work:
    """Drives queued work synchronously, and plays the timer loop when asked."""

    def __init__(self, capture: Callable[..., Any]) -> None:
        self._capture = capture

    @contextmanager
    def __call__(self) -> Iterator[None]:
        """Everything enqueued inside (and by that work, transitively) runs at the end."""
        with self._capture(execute=True):
            yield

    def fire_due(self, *, now: datetime | None = None) -> int:
        with self():
            return fire_due(now=now)

    def until_done(self, execution: Execution | str, *, timeout: float = 15.0) -> Execution:
        """Fire due timers until the execution ends; returns it refreshed."""
        pk = execution if isinstance(execution, str) else str(execution.uuid)
        ends = time.monotonic() + timeout
        while True:
            row = Execution.objects.get(uuid=pk)
            if row.status != ExecutionStatus.RUNNING:
                return row
            if time.monotonic() > ends:
                raise AssertionError(f"execution {pk} still {row.status} ({row.waiting_for}) after {timeout} s")
            self.fire_due()
            time.sleep(0.05)


@pytest.fixture
def work(django_capture_on_commit_callbacks: Callable[..., Any], service_settings: Any) -> Work:
    return Work(django_capture_on_commit_callbacks)


@pytest.fixture
def start(alice_api: APIClient, work: Work) -> Callable[..., dict[str, Any]]:
    """Start an execution through the API as alice and run what it queued; the response body."""

    def start_it(machine: StateMachine | str, input: Any = None, **extra: Any) -> dict[str, Any]:
        name = machine if isinstance(machine, str) else machine.name
        body: dict[str, Any] = {"input": input} if input is not None else {}
        body.update(extra)
        with work():
            response = alice_api.post(f"/api/machines/{name}/executions/", body, format="json")
        assert response.status_code in (200, 201), response.json()
        return response.json()

    return start_it


def steps_of(client: APIClient, execution_id: str) -> list[dict[str, Any]]:
    """Every step of an execution, oldest first, following pages."""
    url: str | None = f"/api/executions/{execution_id}/steps/?order=asc&page_size=1000"
    out: list[dict[str, Any]] = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.json()
        out.extend(response.json()["results"])
        url = response.json()["next"]
    return out
