"""The execution endpoints: start, list, describe, stop, steps, history, limits."""

from __future__ import annotations

import pytest

from executions.models import Execution, Frame, FrameStatus
from tests.conftest import steps_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def hello(make_machine):
    return make_machine("api", "hello", machine_name="hello")


@pytest.fixture
def waiter(make_machine):
    return make_machine("api", "long_wait", machine_name="waiter")


def test_starting_an_execution_answers_201_with_its_description(alice_api, hello, work):
    with work():
        response = alice_api.post("/api/machines/hello/executions/", {"input": {"a": 1}}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["machine"] == "hello"
    assert body["version"] == 1
    assert body["status"] == "RUNNING"  # the response is rendered before the worker runs
    assert body["input"] == {"a": 1}
    assert alice_api.get(f"/api/executions/{body['id']}/").json()["status"] == "SUCCEEDED"


def test_an_execution_without_input_starts_with_an_empty_object(alice_api, hello, start):
    body = start("hello")
    assert body["input"] == {}
    assert body["name"] == body["id"]


def test_starting_twice_with_the_same_name_and_input_returns_the_same_execution(alice_api, hello, work):
    url = "/api/machines/hello/executions/"
    with work():
        first = alice_api.post(url, {"name": "daily-2024-01-01", "input": {"day": 1}}, format="json")
        again = alice_api.post(url, {"name": "daily-2024-01-01", "input": {"day": 1}}, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Execution.objects.count() == 1


def test_the_same_name_with_another_input_is_a_conflict(alice_api, hello, work):
    url = "/api/machines/hello/executions/"
    with work():
        alice_api.post(url, {"name": "once", "input": {"day": 1}}, format="json")
        response = alice_api.post(url, {"name": "once", "input": {"day": 2}}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "execution_already_exists"


def test_an_execution_name_must_be_letters_digits_dash_or_underscore(alice_api, hello):
    response = alice_api.post("/api/machines/hello/executions/", {"name": "no spaces"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["problems"][0]["path"] == "/name"


def test_an_input_over_256_kib_is_refused_at_start(alice_api, hello):
    response = alice_api.post(
        "/api/machines/hello/executions/", {"input": {"blob": "x" * (256 * 1024)}}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "input_too_large"
    assert not Execution.objects.exists()


def test_an_input_just_under_the_limit_is_accepted(alice_api, hello, start):
    body = start("hello", {"blob": "x" * (255 * 1024)})
    assert body["status"] in ("RUNNING", "SUCCEEDED")


def test_starting_on_an_unknown_machine_is_not_found(alice_api):
    response = alice_api.post("/api/machines/nope/executions/", {}, format="json")
    assert response.status_code == 404


def test_executions_are_listed_newest_first_and_filtered_by_status(alice_api, hello, waiter, start):
    done = [start("hello", {"i": i}) for i in range(3)]
    waiting = start("waiter", {})
    listed = alice_api.get("/api/machines/hello/executions/").json()["results"]
    assert [e["id"] for e in listed] == [e["id"] for e in reversed(done)]
    assert "input" not in listed[0]
    succeeded = alice_api.get("/api/machines/hello/executions/?status=SUCCEEDED").json()["results"]
    assert len(succeeded) == 3
    assert alice_api.get("/api/machines/hello/executions/?status=RUNNING").json()["results"] == []
    running = alice_api.get("/api/machines/waiter/executions/?status=RUNNING").json()["results"]
    assert [e["id"] for e in running] == [waiting["id"]]


def test_an_unknown_status_filter_is_a_bad_request(alice_api, hello):
    response = alice_api.get("/api/machines/hello/executions/?status=SLEEPING")
    assert response.status_code == 400
    assert response.json()["error"]["problems"][0]["path"] == "/status"


@pytest.mark.parametrize("execution_id", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_an_unknown_execution_is_not_found(alice_api, execution_id):
    for suffix in ["", "steps/", "history/"]:
        response = alice_api.get(f"/api/executions/{execution_id}/{suffix}")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "execution_not_found"


def test_stopping_a_waiting_execution_aborts_it_with_the_given_error(alice_api, waiter, start, work):
    run = start("waiter", {})
    response = alice_api.post(
        f"/api/executions/{run['id']}/stop/", {"error": "Operator", "cause": "no longer needed"}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["error"], body["cause"]) == ("ABORTED", "Operator", "no longer needed")
    assert body["stopped_at"] is not None
    assert [s["status"] for s in steps_of(alice_api, run["id"])] == ["ABORTED"]
    history = alice_api.get(f"/api/executions/{run['id']}/history/").json()["results"]
    assert history[0]["type"] == "ExecutionAborted"
    assert history[0]["executionAbortedEventDetails"] == {"error": "Operator", "cause": "no longer needed"}
    assert Execution.objects.get(uuid=run["id"]).wake_at is None
    assert work.fire_due() == 0


def test_stopping_an_execution_while_its_task_runs_discards_the_task_result(make_machine, start, alice_api):
    run = start(make_machine("stop", "slow_task"), {"x": 1})
    body = alice_api.get(f"/api/executions/{run['id']}/").json()
    assert body["status"] == "ABORTED"
    assert body["cause"] == "stopped mid-call"
    steps = steps_of(alice_api, run["id"])
    assert [(s["state_name"], s["status"]) for s in steps] == [("Work", "ABORTED")]


def test_stopping_a_map_aborts_every_iteration(make_machine, start, alice_api):
    run = start(make_machine("stop", "map_of_waits"), {"items": [1, 2, 3]})
    assert Frame.objects.filter(status=FrameStatus.RUNNING).count() == 3
    alice_api.post(f"/api/executions/{run['id']}/stop/", {}, format="json")
    assert Frame.objects.filter(status=FrameStatus.ABORTED).count() == 3
    assert Frame.objects.exclude(wake_at=None).count() == 0


def test_stopping_a_finished_execution_is_a_conflict(alice_api, hello, start):
    run = start("hello", {})
    response = alice_api.post(f"/api/executions/{run['id']}/stop/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "execution_not_running"


def test_steps_and_history_are_newest_first_unless_asked(alice_api, make_machine, start):
    run = start(make_machine("states", "pass"), {"who": "bob"})
    newest = alice_api.get(f"/api/executions/{run['id']}/steps/").json()["results"]
    assert [s["state_name"] for s in newest] == ["Shape", "Greet"]
    events = alice_api.get(f"/api/executions/{run['id']}/history/").json()["results"]
    assert events[0]["type"] == "ExecutionSucceeded"
    oldest = alice_api.get(f"/api/executions/{run['id']}/history/?order=asc").json()["results"]
    assert oldest[0]["type"] == "ExecutionStarted"
    assert oldest[0]["executionStartedEventDetails"]["input"] == {"who": "bob"}
