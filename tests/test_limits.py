"""Limits that hold under attack: each is refused with the API's one error body, and none
costs a worker its stack or its memory."""

from __future__ import annotations

import json
from typing import Any

import pytest
from rest_framework.test import APIClient

from executions import frames
from executions.models import Execution, Frame, FrameStatus
from stepflow.limits import execution_name_problem, json_depth


@pytest.fixture
def hello(make_machine: Any) -> Any:
    return make_machine("api", "hello", machine_name="hello")


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def error_of(response: Any) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"} and {"code", "message", "problems"} <= set(body["error"])
    return body["error"]


def test_it_refuses_a_body_over_the_request_limit_before_reading_it(alice_api: APIClient, settings: Any) -> None:
    settings.STEPFLOW_MAX_REQUEST_BYTES = 64 * 1024
    body = json.dumps({"definition": {"Comment": "x" * 70_000}})
    response = alice_api.post("/api/validate/", body, content_type="application/json")
    assert response.status_code == 413
    assert error_of(response)["code"] == "request_too_large"


@pytest.mark.parametrize("depth", [200, 100_000])
def test_it_refuses_deeply_nested_json_bodies_with_a_clear_400(alice_api: APIClient, hello: Any, depth: int) -> None:
    body = '{"input": ' + nested(depth) + "}"
    response = alice_api.post("/api/machines/hello/executions/", body, content_type="application/json")
    assert response.status_code == 400
    assert "deeper than 128 levels" in error_of(response)["message"]


def test_it_refuses_a_definition_sent_as_deeply_nested_json_text(alice_api: APIClient) -> None:
    text = '{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true, "Result": ' + nested(50_000) + "}}}"
    response = alice_api.post("/api/validate/", {"definition": text}, format="json")
    assert response.status_code == 200
    assert response.json()["valid"] is False
    assert "deeper than" in response.json()["problems"][0]["message"]


def test_it_refuses_a_definition_with_more_states_than_allowed(alice_api: APIClient, settings: Any) -> None:
    settings.STEPFLOW_MAX_STATES = 3
    states = {f"S{i}": {"Type": "Pass", "Next": f"S{i + 1}"} for i in range(3)}
    states["S3"] = {"Type": "Succeed"}
    response = alice_api.post("/api/machines/", {"name": "wide", "definition": {"StartAt": "S0", "States": states}}, format="json")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "definition_too_large" and error["problems"][0]["path"] == "/States"


def test_it_refuses_an_input_over_256_kib(alice_api: APIClient, make_machine: Any) -> None:
    make_machine("api", "hello")
    response = alice_api.post("/api/machines/api-hello/executions/", {"input": {"s": "x" * 262_144}}, format="json")
    assert response.status_code == 400
    assert error_of(response)["code"] == "input_too_large"


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("nightly-2024.01.01_run", True),
        ("caf\u00e9", True),
        ("x" * 80, True),
        ("", False),
        ("x" * 81, False),
        ("two words", False),
        ("tab\there", False),
        ("a<b", False),
        ("{x}", False),
        ("[x]", False),
        ("wild*", False),
        ("what?", False),
        ("semi;colon", False),
        ("a/b", False),
        ("dollar$", False),
        ("nul\x00", False),
        ("c1\x85", False),
        ("lone\ud800", False),
    ],
)
def test_it_applies_aws_rules_to_execution_names(name: str, allowed: bool) -> None:
    assert (execution_name_problem(name) is None) is allowed


def test_it_answers_a_bad_execution_name_with_the_rule_it_breaks(alice_api: APIClient, make_machine: Any) -> None:
    make_machine("api", "hello")
    response = alice_api.post("/api/machines/api-hello/executions/", {"name": "nightly run"}, format="json")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid_execution_name" and "white space" in error["message"]
    assert error["problems"] == [{"path": "/name", "message": "must not contain white space"}]


def test_it_fails_a_map_over_more_items_than_allowed(start: Any, make_machine: Any, work: Any, settings: Any) -> None:
    settings.STEPFLOW_MAX_MAP_ITEMS = 3
    machine = make_machine("limits", "map_items")
    execution = start(machine, {"items": [1, 2, 3, 4]})
    done = work.until_done(execution["id"])
    assert done.status == "FAILED" and done.error == "States.Runtime"
    assert "4 items" in done.cause and "at most 3" in done.cause
    assert not Frame.objects.filter(execution=done).exists()  # refused before any iteration was made


def test_it_shares_running_children_across_an_executions_forks(make_machine: Any, alice: Any, settings: Any) -> None:
    settings.STEPFLOW_MAX_RUNNING_CHILDREN = 5
    from executions import services

    execution, _ = services.start_execution(machine=make_machine("limits", "map_items"), input={"items": []}, by=alice)
    child = {"frame": [["Each", 0]], "state": "Item", "phase": "begin", "input": 1, "event_id": 0}
    frames.create_children(execution=execution, parent=None, fork_seq=1, children=[child] * 8, max_concurrency=0, now=execution.started_at)
    frames.create_children(execution=execution, parent=None, fork_seq=2, children=[child] * 8, max_concurrency=0, now=execution.started_at)
    running = Frame.objects.filter(execution=execution, status=FrameStatus.RUNNING)
    assert running.filter(parent_fork_seq=1).count() == 5
    assert running.filter(parent_fork_seq=2).count() == 1  # the budget is spent; one still starts so it progresses
    assert Execution.objects.get(pk=execution.pk).status == "RUNNING"


def test_json_depth_stops_counting_past_the_limit() -> None:
    deep: Any = []
    for _ in range(5000):
        deep = [deep, {"a": 1}]
    assert json_depth(deep, 10) == 11
    assert json_depth({"a": [1, {"b": 2}]}, 10) == 3
    assert json_depth("text", 10) == 0


def test_it_keeps_an_input_holding_a_lone_surrogate(alice_api: APIClient, make_machine: Any, work: Any) -> None:
    make_machine("api", "hello")
    with work():
        response = alice_api.post(
            "/api/machines/api-hello/executions/", '{"input": {"s": "\\ud800"}}', content_type="application/json"
        )
    assert response.status_code == 201, response.content
    assert alice_api.get(f"/api/executions/{response.json()['id']}/").json()["input"] == {"s": "\ud800"}
