"""Task states against real fdk processes, served by ``manage.py fn_runner`` on a free port."""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path

import pytest

from executions import fn
from executions.fn import TaskCall, TaskError
from executions.fn_client import FnHttpClient
from executions.models import Execution, ExecutionStatus, Step
from tests.support import processes

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

ROOT = Path(__file__).resolve().parent.parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def runner(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fn")
    port = _free_port()
    record = folder / "calls.jsonl"
    log = folder / "fn_runner.log"
    process = processes.start(
        ["fn_runner", "--port", str(port), "--functions", str(ROOT / "examples" / "functions"),
         "--functions", str(ROOT / "tests" / "functions"), "--max-processes", "1"],
        log, RECORD_FILE=str(record),
    )
    processes.wait_for(lambda: "serving" in log.read_text(), 30, "the Fn runner")
    yield {"url": f"http://127.0.0.1:{port}", "record": record, "log": log, "process": process}
    family = processes.descendants(process.pid)
    assert family, "the runner started fdk processes"
    processes.stop(process)
    # Its shutdown stopped every function process: none is left behind.
    processes.wait_for(lambda: not any(processes.alive(pid) for pid in family), 5, "the fdk processes to stop")


@pytest.fixture
def fn_settings(service_settings, runner):
    service_settings.FN_API_URL = runner["url"]
    service_settings.STEPFLOW_FN_CLIENT = "executions.fn_client.from_settings"
    fn._clients.clear()  # each test's client is built for this runner
    yield service_settings
    fn._clients.clear()


def _call(resource: str, payload: object = None, timeout: float = 10.0) -> TaskCall:
    return TaskCall(resource, payload, timeout, "key-1", "exec-1", "State", 0)


def _run(start, work, make_machine, name, input=None):
    machine = make_machine("fn", name)
    body = start(machine, input if input is not None else {})
    return work.until_done(body["id"], timeout=20)


def test_it_calls_a_function_and_records_fns_call_id(fn_settings, start, work, make_machine, alice_api):
    done = _run(start, work, make_machine, "echo", {"hello": "world"})
    assert done.status == ExecutionStatus.SUCCEEDED, done.cause
    assert done.output == {"hello": "world"}
    step = Step.objects.get(execution=done)
    assert len(step.fn_call_id) == 26


def test_a_non_json_answer_is_returned_as_text(fn_settings, start, work, make_machine):
    done = _run(start, work, make_machine, "text")
    assert done.output == "plain words"


def test_a_named_error_from_the_function_is_caught_by_catch(fn_settings, start, work, make_machine):
    done = _run(start, work, make_machine, "catch_named", {"message": "no luck"})
    assert done.status == ExecutionStatus.SUCCEEDED
    assert done.output["caught"] == {"Error": "DemoError", "Cause": "no luck"}


def test_it_retries_twice_then_succeeds(fn_settings, start, work, make_machine):
    done = _run(start, work, make_machine, "retry_flaky")
    assert done.status == ExecutionStatus.SUCCEEDED, done.cause
    assert done.output == {"attempt": 2}


def test_a_stepflow_side_timeout_fails_with_states_timeout(fn_settings, start, work, make_machine):
    done = _run(start, work, make_machine, "sleep_timeout", {"seconds": 3})
    assert (done.status, done.error) == (ExecutionStatus.FAILED, "States.Timeout")


def test_timeout_seconds_path_bounds_the_call_too(fn_settings, start, work, make_machine):
    done = _run(start, work, make_machine, "sleep_timeout_path", {"seconds": 3, "limit": 1})
    assert (done.status, done.error) == (ExecutionStatus.FAILED, "States.Timeout")


def test_a_run_whose_fn_server_is_down_fails_at_once_with_a_clear_cause(fn_settings, start, work, make_machine):
    fn_settings.FN_API_URL = f"http://127.0.0.1:{_free_port()}"
    fn._clients.clear()
    began = time.monotonic()
    done = _run(start, work, make_machine, "echo", {"hello": "world"})
    assert (done.status, done.error) == (ExecutionStatus.FAILED, "Fn.ConnectionError")
    assert "could not be reached" in done.cause
    assert time.monotonic() - began < 5


def test_an_unknown_function_fails_with_fn_not_found(fn_settings, start, work, make_machine):
    done = _run(start, work, make_machine, "unknown")
    assert done.error == "Fn.NotFound"
    assert "nope" in done.cause


def test_fns_504_is_fn_timeout(runner):
    client = FnHttpClient(api_url=runner["url"])
    began = time.monotonic()
    with pytest.raises(TaskError) as failure:
        client.invoke(_call("fn:tests/slowpoke"))
    assert failure.value.error == "Fn.Timeout"
    assert time.monotonic() - began < 4


def test_too_busy_backs_off_and_then_succeeds(runner):
    client = FnHttpClient(api_url=runner["url"])
    first = threading.Thread(target=client.invoke, args=(_call("fn:tests/busy", {"seconds": 1.5}),))
    first.start()
    time.sleep(0.5)  # the one allowed process is busy: Fn answers 503, Retry-After 1
    began = time.monotonic()
    assert client.invoke(_call("fn:tests/busy", {"seconds": 0})).output == {"seconds": 0}
    assert time.monotonic() - began >= 0.9
    first.join()


def test_when_the_runner_is_down_the_call_fails_at_once_with_a_clear_cause():
    client = FnHttpClient(api_url=f"http://127.0.0.1:{_free_port()}")
    began = time.monotonic()
    with pytest.raises(TaskError) as failure:
        client.invoke(_call("fn:demo/echo"))
    assert failure.value.error == "Fn.ConnectionError"
    assert "could not be reached" in failure.value.cause
    assert time.monotonic() - began < 2


def test_it_resolves_app_and_function_names_through_the_v2_api(runner):
    client = FnHttpClient(api_url=runner["url"])
    url = client.url_for("fn:demo/echo")
    assert url.startswith(runner["url"] + "/invoke/")
    assert client.invoke(_call(url, {"x": 1})).output == {"x": 1}


def test_it_lists_the_runners_apps_and_functions_through_the_v2_api(runner):
    client = FnHttpClient(api_url=runner["url"])
    listed = client.list_functions()
    names = [(f["app"], f["name"]) for f in listed]
    assert ("demo", "echo") in names and ("tests", "record") in names
    assert names == sorted(names)
    echo = next(f for f in listed if (f["app"], f["name"]) == ("demo", "echo"))
    assert echo["resource"] == "fn:demo/echo"
    assert client.url_for("fn:demo/echo") == f"{runner['url']}/invoke/{echo['id']}"


def test_a_host_allowed_only_by_star_is_refused_at_a_loopback_address(runner):
    port = runner["url"].rsplit(":", 1)[1]
    # FN_API_URL names "localhost" (trusted: the operator named it); "*" allows any other
    # host, but only at a public address, so the same runner by its IP is refused.
    client = FnHttpClient(api_url=f"http://localhost:{port}", allowed_hosts=["*"])
    url = client.url_for("fn:tests/record").replace("//localhost:", "//127.0.0.1:")
    call = TaskCall(url, {}, 10.0, "loopback-refused", "exec-hosts", "State", 0)
    with pytest.raises(TaskError) as failure:
        client.invoke(call)
    assert failure.value.error == "Fn.ResourceNotAllowed"
    assert "127.0.0.1" in failure.value.cause
    assert not any(r["idempotency_key"] == "loopback-refused" for r in _tokens(runner))  # nothing was sent
    named = FnHttpClient(api_url=f"http://localhost:{port}", allowed_hosts=["*", "127.0.0.1"])
    assert named.invoke(call).output == {}


def _tokens(runner) -> list[dict]:
    path = runner["record"]
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def _parked(execution_id: str) -> Execution:
    def parked() -> bool:
        return Execution.objects.get(uuid=execution_id).waiting_for == "callback"

    processes.wait_for(parked, 10, "the run to park")
    return Execution.objects.get(uuid=execution_id)


def _token_for(runner, execution_id: str) -> str:
    processes.wait_for(lambda: any(r["execution_id"] == execution_id for r in _tokens(runner)), 10, "the detached call")
    return next(r["task_token"] for r in _tokens(runner) if r["execution_id"] == execution_id)


def test_a_callback_task_waits_holding_no_worker_until_task_success(fn_settings, runner, start, work, make_machine, alice_api):
    body = start(make_machine("fn", "callback"), {"order": 7})
    parked = _parked(body["id"])
    assert parked.claimed_until is None
    token = _token_for(runner, body["id"])
    with work():
        answer = alice_api.post("/api/tasks/success/", {"taskToken": token, "output": {"paid": True}}, format="json")
    assert answer.status_code == 200, answer.json()
    done = work.until_done(body["id"])
    assert (done.status, done.output) == (ExecutionStatus.SUCCEEDED, {"paid": True})


def test_a_callback_task_fails_with_the_error_sent_to_task_failure(fn_settings, runner, start, work, make_machine, alice_api):
    body = start(make_machine("fn", "callback"), {"order": 8})
    _parked(body["id"])
    token = _token_for(runner, body["id"])
    with work():
        answer = alice_api.post("/api/tasks/failure/", {"taskToken": token, "error": "Declined", "cause": "card"}, format="json")
    assert answer.status_code == 200
    done = work.until_done(body["id"])
    assert (done.error, done.cause) == ("Declined", "card")
    again = alice_api.post("/api/tasks/success/", {"taskToken": token}, format="json")
    assert again.status_code == 404
    assert again.json()["error"]["code"] == "task_not_found"


def test_a_callback_task_without_heartbeats_times_out(fn_settings, runner, start, work, make_machine, alice_api):
    body = start(make_machine("fn", "callback"), {"order": 9})
    _parked(body["id"])
    token = _token_for(runner, body["id"])
    time.sleep(1.2)
    assert alice_api.post("/api/tasks/heartbeat/", {"taskToken": token}, format="json").status_code == 200
    time.sleep(1.2)  # 2.4 s since parking, but only 1.2 s since the heartbeat
    assert Execution.objects.get(uuid=body["id"]).status == ExecutionStatus.RUNNING
    done = work.until_done(body["id"])
    assert done.error == "States.HeartbeatTimeout"


def test_a_callback_task_without_an_outcome_times_out(fn_settings, runner, start, work, make_machine):
    body = start(make_machine("fn", "callback_timeout"), {})
    _parked(body["id"])
    done = work.until_done(body["id"])
    assert (done.status, done.error) == (ExecutionStatus.FAILED, "States.Timeout")


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_during_a_call_is_replaced_and_repeats_it_with_the_same_key(
    fn_settings, runner, alice_api, make_machine, tmp_path
):
    import os
    import signal

    fn_settings.STEPFLOW_TASKS_SYNC = False
    env = {"FN_API_URL": runner["url"], "STEPFLOW_FN_CLIENT": "executions.fn_client.from_settings",
           "STEPFLOW_CLAIM_LEASE_SECONDS": "1", "STEPFLOW_WORKERS": "1", "STEPFLOW_QUEUE_LOG_LEVEL": "INFO"}
    make_machine("fn", "record_slow")
    timer = processes.start(["timer", "--interval", "0.1"], tmp_path / "timer.log", **env)
    first = processes.start(["qcluster"], tmp_path / "first.log", **env)
    second = None
    try:
        response = alice_api.post("/api/machines/fn-record_slow/executions/", {"input": {"first_call_seconds": 5}}, format="json")
        execution_id = response.json()["id"]

        def calls() -> list[dict]:
            return [r for r in _tokens(runner) if r["execution_id"] == execution_id]

        processes.wait_for(lambda: len(calls()) == 1, 30, "the first worker to call the function")
        os.killpg(first.pid, signal.SIGKILL)  # the worker dies mid-call, leaving its claim behind
        first.wait()
        second = processes.start(["qcluster"], tmp_path / "second.log", **env)
        processes.wait_for(
            lambda: Execution.objects.get(uuid=execution_id).status != ExecutionStatus.RUNNING, 40, "the run to end"
        )
        done = Execution.objects.get(uuid=execution_id)
        assert done.status == ExecutionStatus.SUCCEEDED, (done.error, done.cause)
        keys = [r["idempotency_key"] for r in calls()]
        assert len(keys) == 2 and keys[0] == keys[1]
    finally:
        for process in (first, second, timer):
            if process is not None:
                processes.stop(process)


def test_idle_processes_stop_and_shutdown_leaves_no_process_or_socket(tmp_path):
    from executions.fn_runner.pool import Pool
    from executions.fn_runner.registry import discover

    _, functions = discover([ROOT / "examples" / "functions"])
    echo = next(f for f in functions.values() if f.name == "echo")
    quick = type(echo)(**{**echo.__dict__, "idle_timeout": 0.2})
    pool = Pool(python_path=[ROOT / "examples" / "functions"])
    try:
        assert pool.call(quick, body=b'{"a": 1}', headers={}).body == b'{"a": 1}'
        [pid] = pool.process_ids()
        assert pool.call(quick, body=b"2", headers={}).status == 200
        assert pool.process_ids() == [pid]  # warm: the same process answered again
        time.sleep(0.3)
        assert pool.reap_idle() == 1
        assert not processes.alive(pid)
        pool.call(quick, body=b"3", headers={})
        [again] = pool.process_ids()
    finally:
        pool.shutdown()
    assert not processes.alive(again)
    assert not Path(pool.folder).exists()


def test_a_call_past_its_timeout_kills_the_process_group_and_its_socket(tmp_path):
    from executions.fn_runner.pool import CallTimedOut, Pool
    from executions.fn_runner.registry import discover

    _, functions = discover([ROOT / "tests" / "functions"])
    slowpoke = next(f for f in functions.values() if f.name == "slowpoke")  # sleeps 5 s, timeout 1 s
    pool = Pool(python_path=[ROOT / "examples" / "functions"])
    failures: list[Exception] = []

    def call() -> None:
        try:
            pool.call(slowpoke, body=b"{}", headers={})
        except CallTimedOut as exc:
            failures.append(exc)

    try:
        caller = threading.Thread(target=call)
        caller.start()
        processes.wait_for(lambda: pool.process_ids() != [], 10, "the function process to start")
        [pid] = pool.process_ids()
        caller.join(10)
        assert len(failures) == 1  # answered as timed out (the server sends 504) ...
        assert not processes.alive(pid)  # ... its process killed, not given back ...
        assert pool.process_ids() == []
        assert list(Path(pool.folder).iterdir()) == []  # ... and its socket removed
    finally:
        pool.shutdown()


def test_the_demo_machine_calls_the_demo_functions(fn_settings, start, work, alice_api):
    from django.core.management import call_command

    call_command("bootstrap", "--no-admin")
    run = start("demo", {"items": [1], "greeting": "hi"})
    done = work.until_done(run["id"], timeout=20)
    assert done.status == ExecutionStatus.SUCCEEDED, (done.error, done.cause)
    assert done.output["echo"]["greeting"] == "hi"
    assert done.output["caught"] == {"Error": "DemoError", "Cause": "hi went wrong on purpose"}
