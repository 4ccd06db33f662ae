"""The Step Functions API under test: a live server and real boto3 clients per persona.

Each persona's client signs with an access key issued to that persona, for the region
in settings, with botocore's retries off (a test sees the first answer, throttling
included) and host-prefix injection off (StartSyncExecution would otherwise send to
``sync-127.0.0.1``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from django.conf import settings
from django.db import connections

from stepflow.sfn import arns, services
from tests.machines import load
from tests.sfn import fn as sfn_fn


@pytest.fixture
def sfn_settings(service_settings: Any) -> Any:
    service_settings.STEPFLOW_SFN_THROTTLE_RATE = None  # a test that wants it turns it on
    service_settings.STEPFLOW_FN_CLIENT = "tests.sfn.fn.client"
    sfn_fn.tokens.clear()
    return service_settings


@pytest.fixture
def endpoint(live_server: Any, sfn_settings: Any) -> Iterator[str]:
    # The live server answers each connection in a thread of its own; with persistent
    # database connections (PostgreSQL's CONN_MAX_AGE) a finished thread would leave its
    # session open and the test database could not be dropped at the end.
    database = connections.settings["default"]
    kept = database.get("CONN_MAX_AGE", 0)
    database["CONN_MAX_AGE"] = 0
    yield f"{live_server.url}/aws/"
    database["CONN_MAX_AGE"] = kept


_clients: list[Any] = []


@pytest.fixture(autouse=True)
def _close_clients() -> Iterator[None]:
    # A client keeps its HTTP connection alive, and with it the live server's request
    # thread and that thread's database connection: close them so the test database
    # can be dropped at the end.
    yield
    while _clients:
        _clients.pop().close()


def client_for(endpoint: str, user: Any, *, secret: str | None = None, region: str | None = None) -> Any:
    """A boto3 Step Functions client signing with a fresh key of ``user``."""
    key = services.issue_access_key(user=user, description="tests")
    client = boto3.client(
        "stepfunctions",
        endpoint_url=endpoint,
        region_name=region or settings.STEPFLOW_SFN_REGION,
        aws_access_key_id=key.access_key_id,
        aws_secret_access_key=secret or key.secret,
        config=Config(inject_host_prefix=False, retries={"total_max_attempts": 1}),
    )
    _clients.append(client)
    return client


@pytest.fixture
def alice_sfn(endpoint: str, alice: Any) -> Any:
    """The editor's client."""
    return client_for(endpoint, alice)


@pytest.fixture
def olivia_sfn(endpoint: str, olivia: Any) -> Any:
    """The operator's client."""
    return client_for(endpoint, olivia)


@pytest.fixture
def bob_sfn(endpoint: str, bob: Any) -> Any:
    """The viewer's client."""
    return client_for(endpoint, bob)


@pytest.fixture
def charlie_sfn(endpoint: str, charlie: Any) -> Any:
    """Signed in, with no role."""
    return client_for(endpoint, charlie)


def definition(name: str) -> str:
    """The text of a test machine, as a client sends it."""
    import json

    return json.dumps(load(name), indent=2)


@pytest.fixture
def create(alice_sfn: Any) -> Any:
    """``create("states/pass", "name")`` creates a machine through the API; its ARN."""

    def make(machine: str, name: str, **extra: Any) -> str:
        answer = alice_sfn.create_state_machine(
            name=name, definition=definition(machine), roleArn="arn:aws:iam::123456789012:role/test", **extra
        )
        assert answer["stateMachineArn"] == arns.machine_arn(name)
        return str(answer["stateMachineArn"])

    return make
