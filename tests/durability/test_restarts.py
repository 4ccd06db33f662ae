"""The web server and the timer killed and restarted, PostgreSQL restarted, Redis restarted,
all in the middle of runs of the mixed machine: the workers reconnect and every run ends
with its output and a sound history.

Restarting PostgreSQL disturbs every other user of the server, so that test runs once per
scaled-out session; Redis is restarted as a private server of the test's own.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any

import pytest
from django_q.conf import Conf

from stepflow.access.tokens import create_token
from executions.models import Execution
from tests.durability import claims, harness
from tests.durability.conftest import start_many
from tests.machines import load
from workflows import services as workflows

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(600),
]

RUNS = 20


def _start_over_http(port: int, key: str, machine: str, name: str, body: dict[str, Any]) -> int | None:
    """Start a run through the real web server; its status code, None if the server is gone."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/machines/{machine}/executions/",
        data=json.dumps({"name": name, "input": body}).encode(), method="POST",
        headers={"Authorization": f"Token {key}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def _assert_all_sound(stack: harness.Stack, ids: list[int], *, any_worker_may_repeat: bool = False) -> dict[str, int]:
    harness.wait_all_done(ids, timeout=420, stack=stack)
    killed = None if any_worker_may_repeat else stack.dead_workers()
    figures = harness.assert_mixed_runs_sound(list(Execution.objects.filter(pk__in=ids)), stack.calls(), killed)
    assert claims.overlapping(stack.claims()) == []
    return figures


def test_runs_started_over_http_complete_though_the_web_server_and_the_timer_are_killed(stack, alice):
    stack.env["STEPFLOW_API_THROTTLE_USER"] = "off"
    stack.start_cluster(workers=3)
    stack.start_timer()
    stack.start_web()
    workflows.create_machine(name="mixed-http", definition=load("durability/mixed"), by=None)
    key = create_token(user=alice, name="durability")[1]

    def start(n: int) -> int | None:
        return _start_over_http(stack.web_port, key, "mixed-http", f"run-{n}", harness.mixed_input(n))

    assert [start(n) for n in range(RUNS // 2)] == [201] * (RUNS // 2)
    time.sleep(1.5)  # runs are in their Task calls, Waits and Maps now
    stack.kill("web")
    stack.kill("timer")
    # While the web server is down a client's start fails; it tries again later, by name.
    assert start(RUNS // 2) is None
    time.sleep(2)
    stack.start_timer()
    stack.start_web()
    # Retried by name: a run whose response was lost would answer 200 (the same run).
    assert {start(n) for n in range(RUNS // 2, RUNS)} == {201}
    ids = list(Execution.objects.filter(machine__name="mixed-http").values_list("pk", flat=True))
    assert len(ids) == RUNS
    figures = _assert_all_sound(stack, ids)
    print(f"web and timer killed: {figures}")


def test_runs_complete_across_a_postgresql_restart(stack):
    if not harness.is_scaled_out():
        pytest.skip("PostgreSQL is the scaled-out shape's database")
    stack.start_cluster(workers=3)
    stack.start_timer()
    ids = [e.pk for e in start_many("durability/mixed", [harness.mixed_input(n) for n in range(RUNS)], name="mixed-pg")]
    time.sleep(2)
    harness.restart_postgres()
    figures = _assert_all_sound(stack, ids, any_worker_may_repeat=True)
    print(f"PostgreSQL restarted: {figures}")


@pytest.fixture
def private_redis(stack, tmp_path, monkeypatch):
    """The stack and this process pointed at a Redis server of the test's own."""
    if not harness.is_scaled_out():
        pytest.skip("Redis is the scaled-out shape's broker")
    redis = harness.PrivateRedis(tmp_path)
    redis.start()
    stack.env["REDIS_URL"] = redis.url
    monkeypatch.setattr(Conf, "REDIS", redis.url)
    try:
        yield redis
    finally:
        redis.stop()


def test_runs_complete_across_a_redis_restart(stack, private_redis):
    stack.start_cluster(workers=3)
    stack.start_timer()
    ids = [e.pk for e in start_many("durability/mixed", [harness.mixed_input(n) for n in range(RUNS)], name="mixed-redis")]
    time.sleep(2)
    private_redis.restart()  # every queued message is lost with it
    figures = _assert_all_sound(stack, ids)
    print(f"Redis restarted: {figures}, watchdog restarts killed {stack.restarted_clusters()}")
