"""The steps and history endpoints as a page reads a long run: by sequence after the last
step held (``?after=``), in cursor pages; and each step's assigned variables."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import steps_of

pytestmark = pytest.mark.django_db


def test_a_page_asks_only_for_the_steps_after_the_last_one_it_holds(make_machine: Any, start: Any, alice_api: Any) -> None:
    run = start(make_machine("states", "long_chain"), {"n": 0})
    every = steps_of(alice_api, run["id"])
    assert len(every) > 100
    held = every[39]["sequence"]

    first = alice_api.get(f"/api/executions/{run['id']}/steps/?order=asc&after={held}&page_size=25").json()
    rest: list[dict[str, Any]] = first["results"]
    url = first["next"]
    while url:
        page = alice_api.get(url).json()
        rest.extend(page["results"])
        url = page["next"]

    assert [step["sequence"] for step in rest] == [step["sequence"] for step in every[40:]]
    newest_first = alice_api.get(f"/api/executions/{run['id']}/steps/?after={every[-3]['sequence']}").json()["results"]
    assert [step["sequence"] for step in newest_first] == [every[-1]["sequence"], every[-2]["sequence"]]


def test_the_history_can_be_read_after_an_event_id(make_machine: Any, start: Any, alice_api: Any) -> None:
    run = start(make_machine("states", "pass"), {})
    events = alice_api.get(f"/api/executions/{run['id']}/history/?order=asc&after=2").json()["results"]
    assert events and [event["id"] for event in events] == list(range(3, 3 + len(events)))


@pytest.mark.parametrize("after", ["-1", "soon"])
def test_an_after_that_is_not_a_sequence_is_refused_with_the_error_body(make_machine: Any, start: Any, alice_api: Any, after: str) -> None:
    run = start(make_machine("states", "pass"), {})
    response = alice_api.get(f"/api/executions/{run['id']}/steps/?after={after}")
    assert response.status_code == 400
    assert response.json()["error"]["problems"][0]["path"] == "/after"


def test_each_step_records_the_variables_its_state_assigned(make_machine: Any, start: Any, alice_api: Any) -> None:
    run = start(make_machine("variables", "loop_counter"), {})
    steps = steps_of(alice_api, run["id"])
    assigned = [(step["state_name"], step["assigned_variables"]) for step in steps]
    assert assigned == [
        ("Init", {"i": 0}),
        ("Loop", {"i": 1}),
        ("Loop", {"i": 2}),
        ("Loop", {"i": 3}),
        ("Loop", None),  # the Default has no Assign
        ("Done", None),
    ]


def test_a_catchers_assignment_is_recorded_on_the_step_that_failed(make_machine: Any, start: Any, alice_api: Any) -> None:
    run = start(make_machine("variables", "catch_assign"), {"x": 1})
    call = next(step for step in steps_of(alice_api, run["id"]) if step["state_name"] == "Call")
    assert call["status"] == "FAILED"
    assert set(call["assigned_variables"]) == {"error", "cause"}


def test_the_schema_documents_the_assigned_variables_and_the_after_parameter(alice_api: Any) -> None:
    schema = alice_api.get("/api/schema/?format=json").json()
    step = schema["components"]["schemas"]["StepOutput"]["properties"]["assigned_variables"]
    assert step["type"] == "object" and step["nullable"] is True and "Assign" in step["description"]
    parameters = {p["name"]: p for p in schema["paths"]["/api/executions/{execution_id}/steps/"]["get"]["parameters"]}
    assert parameters["after"]["schema"]["type"] == "integer"

