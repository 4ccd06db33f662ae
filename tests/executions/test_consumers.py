"""The live feeds: refused without a login or from another origin; a step committed after
the socket opened reaches it, on the in-process layer (the consumer follows the database)
and on Redis (the runner publishes after commit)."""

from __future__ import annotations

import asyncio
import os
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from executions import services
from executions.consumers import ExecutionConsumer, _fingerprint
from stepflow.asgi import application
from tests.machines import load
from workflows import services as workflows

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

ORIGIN = (b"origin", b"http://localhost:8000")
IN_MEMORY = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


@pytest.fixture(params=["in-memory", "redis"])
def layer(request: Any, service_settings: Any) -> str:
    """Each test runs on both channel layers (Redis only when REDIS_URL names one)."""
    if request.param == "redis":
        url = os.environ.get("REDIS_URL")
        if not url:
            # The embedded run has no REDIS_URL by design; .ci/run's scaled-out run sets it
            # and fails by itself when Redis is missing.
            pytest.skip("REDIS_URL is not set: the Redis channel layer is tested on the scaled-out shape")
        service_settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [url]}}}
    else:
        service_settings.CHANNEL_LAYERS = IN_MEMORY
    channel_layers.backends.clear()
    yield request.param
    channel_layers.backends.clear()


def cookie_for(user: Any) -> tuple[bytes, bytes]:
    client = Client()
    client.force_login(user)
    return (b"cookie", f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode())


def waiting_run(alice: Any, work: Any) -> Any:
    machine = workflows.create_machine(name="waits", definition=load("states/wait"), by=alice)
    with work():
        execution, _ = services.start_execution(machine=machine, input={"n": 1}, by=alice)
    execution.refresh_from_db()
    return execution


async def connect(path: str, *headers: tuple[bytes, bytes]) -> tuple[WebsocketCommunicator, bool]:
    communicator = WebsocketCommunicator(application, path, headers=list(headers))
    connected, _ = await communicator.connect(timeout=5)
    return communicator, connected


async def test_a_socket_without_a_login_is_refused(layer: str, alice: Any, work: Any) -> None:
    execution = await sync_to_async(waiting_run)(alice, work)
    for path in (f"/ws/executions/{execution.uuid}/", "/ws/dashboard/"):
        communicator, connected = await connect(path, ORIGIN)
        assert not connected
        await communicator.disconnect()


async def test_a_socket_from_another_origin_is_refused(layer: str, alice: Any, work: Any) -> None:
    execution = await sync_to_async(waiting_run)(alice, work)
    cookie = await sync_to_async(cookie_for)(alice)
    for path in (f"/ws/executions/{execution.uuid}/", "/ws/dashboard/"):
        communicator, connected = await connect(path, cookie, (b"origin", b"http://evil.example"))
        assert not connected
        await communicator.disconnect()


async def test_someone_who_may_not_view_executions_is_refused(layer: str, alice: Any, charlie: Any, work: Any) -> None:
    execution = await sync_to_async(waiting_run)(alice, work)
    cookie = await sync_to_async(cookie_for)(charlie)
    communicator, connected = await connect(f"/ws/executions/{execution.uuid}/", cookie, ORIGIN)
    assert not connected
    await communicator.disconnect()


async def test_an_unknown_execution_is_refused(layer: str, bob: Any) -> None:
    cookie = await sync_to_async(cookie_for)(bob)
    communicator, connected = await connect("/ws/executions/00000000-0000-0000-0000-000000000000/", cookie, ORIGIN)
    assert not connected
    await communicator.disconnect()


async def test_a_viewer_receives_a_step_committed_after_the_socket_opened(layer: str, alice: Any, bob: Any, work: Any) -> None:
    execution = await sync_to_async(waiting_run)(alice, work)
    cookie = await sync_to_async(cookie_for)(bob)
    communicator, connected = await connect(f"/ws/executions/{execution.uuid}/?after={execution.event_count}", cookie, ORIGIN)
    assert connected
    # At first only what the page has already: the open Wait step again, and the status.
    hello = [await communicator.receive_json_from(timeout=3) for _ in range(2)]
    assert {(m["type"], (m.get("step") or m.get("execution"))["status"]) for m in hello} == {("step", "RUNNING"), ("status", "RUNNING")}
    assert await communicator.receive_nothing(timeout=0.5)

    # The Wait ends: the timer wakes the run, which enters and leaves "After" and succeeds.
    await asyncio.sleep(1.05)  # the Wait's second (the runner reads the real clock)
    await sync_to_async(work.fire_due)()
    seen: dict[str, str] = {}
    status = None
    while status != "SUCCEEDED" or seen.get("After") != "SUCCEEDED":
        message = await communicator.receive_json_from(timeout=3)
        if message["type"] == "step":
            seen[message["step"]["state_name"]] = message["step"]["status"]
        elif message["type"] == "status":
            status = message["execution"]["status"]
    assert seen == {"Pause": "SUCCEEDED", "After": "SUCCEEDED"}
    await communicator.disconnect()


async def test_a_step_arrives_live_with_the_variables_its_state_assigned(layer: str, alice: Any, bob: Any, work: Any) -> None:
    def begin() -> Any:
        machine = workflows.create_machine(name="remembers", definition=load("live/wait_then_assign"), by=alice)
        with work():
            execution, _ = services.start_execution(machine=machine, input={"n": 7}, by=alice)
        execution.refresh_from_db()
        return execution

    execution = await sync_to_async(begin)()
    cookie = await sync_to_async(cookie_for)(bob)
    communicator, connected = await connect(f"/ws/executions/{execution.uuid}/?after={execution.event_count}", cookie, ORIGIN)
    assert connected
    await asyncio.sleep(1.05)  # the Wait's second
    await sync_to_async(work.fire_due)()
    while True:
        message = await communicator.receive_json_from(timeout=3)
        if message["type"] == "step" and message["step"]["state_name"] == "Remember":
            break
    assert message["step"]["assigned_variables"] == {"greeting": "hello", "seen": 7}
    await communicator.disconnect()


def test_a_step_is_sent_once_however_often_the_database_is_read(alice: Any, work: Any) -> None:
    execution = waiting_run(alice, work)
    consumer = ExecutionConsumer()
    consumer.execution_id, consumer.sent = execution.pk, {}
    _, first = consumer._changes(0, None)
    for step in first:
        consumer.sent[step["sequence"]] = _fingerprint(step)
    again = consumer._changes(0, None)[1]
    assert [step["state_name"] for step in first] == ["Pause"] and again == []


async def test_a_socket_opened_late_catches_up_from_the_event_it_names(layer: str, alice: Any, bob: Any, work: Any) -> None:
    execution = await sync_to_async(waiting_run)(alice, work)
    await asyncio.sleep(1.05)  # the Wait's second (the runner reads the real clock)
    await sync_to_async(work.fire_due)()
    cookie = await sync_to_async(cookie_for)(bob)
    communicator, connected = await connect(f"/ws/executions/{execution.uuid}/?after={execution.event_count}", cookie, ORIGIN)
    assert connected
    names = set()
    while True:
        message = await communicator.receive_json_from(timeout=3)
        if message["type"] == "status":
            if message["execution"]["status"] == "SUCCEEDED":
                break
        else:
            names.add(message["step"]["state_name"])
    assert names == {"Pause", "After"}
    await communicator.disconnect()


async def test_the_dashboard_hears_when_an_execution_starts(layer: str, alice: Any, bob: Any, work: Any) -> None:
    await sync_to_async(workflows.create_machine)(name="quick", definition=load("states/pass"), by=alice)
    cookie = await sync_to_async(cookie_for)(bob)
    communicator, connected = await connect("/ws/dashboard/", cookie, ORIGIN)
    assert connected

    def start() -> None:
        with work():
            services.start_execution(machine=workflows.get_machine(name="quick"), input={}, by=alice)

    await sync_to_async(start)()
    message = await communicator.receive_json_from(timeout=3)
    assert message["type"] in ("status", "changed")
    await communicator.disconnect()
