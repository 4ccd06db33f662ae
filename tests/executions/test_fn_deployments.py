"""Against runners started for one test: the demo ``callback`` function completing its task
over real HTTP, and a function deployed anew (a new id) while stepflow had its old id cached.

Each test starts its own ``manage.py fn_runner`` (real fdk processes): the callback function
needs the live server's address and a fresh API token in its configuration.
"""

from __future__ import annotations

import shutil
import socket
import time
from pathlib import Path

import pytest

from stepflow.access import tokens
from executions import fn
from executions.fn import TaskCall
from executions.fn_client import FnHttpClient
from executions.models import ExecutionStatus, Step
from tests.support import processes

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent.parent
DEMO = ROOT / "examples" / "functions" / "demo"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _deploy(folder: Path, function: str, config: dict[str, str] | None = None) -> Path:
    """Copy a demo function into ``folder/demo/<function>``, its ``config`` replaced."""
    target = folder / "demo" / function
    shutil.copytree(DEMO / function, target)
    if config is not None:
        spec = (target / "func.yaml").read_text().split("config:")[0]
        lines = "".join(f"  {key}: {value}\n" for key, value in config.items())
        (target / "func.yaml").write_text(f"{spec.rstrip()}\nconfig:\n{lines}")
    return folder


class Runner:
    """A ``manage.py fn_runner`` on ``port`` serving ``folder``, stopped by ``stop``."""

    def __init__(self, folder: Path, port: int, log: Path) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.process = processes.start(["fn_runner", "--port", str(port), "--functions", str(folder)], log)
        processes.wait_for(lambda: "serving" in log.read_text(), 30, "the Fn runner")

    def stop(self) -> None:
        family = processes.descendants(self.process.pid)
        processes.stop(self.process)
        processes.wait_for(lambda: not any(processes.alive(pid) for pid in family), 5, "the fdk processes to stop")


@pytest.fixture
def callback_runner(live_server, olivia, service_settings, tmp_path):
    """The demo callback function, configured to complete tasks on the live server as olivia."""
    _, key = tokens.create_token(user=olivia, name="demo callback function")
    folder = _deploy(tmp_path / "functions", "callback", {"STEPFLOW_URL": live_server.url, "STEPFLOW_TOKEN": key})
    runner = Runner(folder, _free_port(), tmp_path / "fn_runner.log")
    service_settings.FN_API_URL = runner.url
    service_settings.STEPFLOW_FN_CLIENT = "executions.fn_client.from_settings"
    fn._clients.clear()
    yield runner
    fn._clients.clear()
    runner.stop()


@pytest.mark.django_db(transaction=True)
def test_the_callback_function_completes_its_task_over_http(callback_runner, start, work, make_machine):
    body = start(make_machine("fn", "demo_callback"), {"output": {"charged": 42}})
    done = work.until_done(body["id"], timeout=30)
    assert (done.status, done.output) == (ExecutionStatus.SUCCEEDED, {"charged": 42}), (done.error, done.cause)
    step = Step.objects.get(execution=done)
    assert len(step.fn_call_id) == 26  # the detached call's Fn-Call-Id, recorded when it parked


@pytest.mark.django_db(transaction=True)
def test_the_callback_function_fails_its_task_over_http(callback_runner, start, work, make_machine):
    body = start(make_machine("fn", "demo_callback_failure"), {"error": "CardDeclined", "cause": "insufficient funds"})
    done = work.until_done(body["id"], timeout=30)
    assert (done.status, done.error, done.cause) == (ExecutionStatus.FAILED, "CardDeclined", "insufficient funds")


@pytest.mark.django_db(transaction=True)
def test_heartbeats_over_http_keep_a_task_alive_until_they_stop(callback_runner, start, work, make_machine):
    began = time.monotonic()
    body = start(make_machine("fn", "demo_callback_heartbeats"))
    done = work.until_done(body["id"], timeout=40)
    assert (done.status, done.error) == (ExecutionStatus.FAILED, "States.HeartbeatTimeout")
    # HeartbeatSeconds is 2, the function beat for 3.5 s then went silent: without the
    # beats the task would have failed after 2 s.
    assert time.monotonic() - began >= 3.5
    assert done.cause.startswith("No heartbeat within 2")


def _call(resource: str, payload: object) -> TaskCall:
    return TaskCall(resource, payload, 10.0, "key-1", "exec-1", "State", 0)


def test_a_function_deployed_anew_is_resolved_again_after_a_404(tmp_path):
    port = _free_port()
    first = Runner(_deploy(tmp_path / "one", "echo"), port, tmp_path / "one.log")
    client = FnHttpClient(api_url=first.url, resolve_ttl=3600)
    try:
        old_url = client.url_for("fn:demo/echo")
        assert client.invoke(_call("fn:demo/echo", {"n": 1})).output == {"n": 1}
    finally:
        first.stop()
    # The same app and function, deployed again: Fn gives it a new id, so the cached id now
    # answers 404; the client forgets it, resolves the name again and calls the new id.
    second = Runner(_deploy(tmp_path / "two", "echo"), port, tmp_path / "two.log")
    try:
        assert client.invoke(_call("fn:demo/echo", {"n": 2})).output == {"n": 2}
        new_url = client.url_for("fn:demo/echo")
    finally:
        second.stop()
    assert new_url != old_url
    assert new_url.startswith(f"{second.url}/invoke/")
