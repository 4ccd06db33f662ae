"""The machine endpoints: create, list, describe, update, versions, delete, validate."""

from __future__ import annotations

import json

import pytest

from tests.machines import load
from workflows.models import StateMachine

pytestmark = pytest.mark.django_db


def _create(client, name="hello", definition=None, **extra):
    body = {"name": name, "definition": definition or load("api/hello"), **extra}
    return client.post("/api/machines/", body, format="json")


def test_alice_creates_a_machine_as_version_one(alice_api):
    response = _create(alice_api, description="says hello")
    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "hello"
    assert body["description"] == "says hello"
    assert body["version"]["number"] == 1
    assert body["version"]["created_by"] == "alice"
    assert len(body["version"]["definition_sha256"]) == 64
    assert body["definition"] == load("api/hello")


def test_a_definition_may_be_sent_as_json_text_and_keeps_its_layout(alice_api):
    text = json.dumps(load("api/hello"), indent=4)
    assert _create(alice_api, definition=text).status_code == 201
    version = StateMachine.objects.get(name="hello").current_version
    assert version.definition == text


def test_an_invalid_definition_is_refused_listing_every_problem(alice_api):
    response = _create(alice_api, definition=load("api/broken"))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_definition"
    paths = {p["path"] for p in error["problems"]}
    assert "/StartAt" in paths
    assert len(error["problems"]) >= 3
    assert all(p["message"] for p in error["problems"])
    assert not StateMachine.objects.exists()


def test_a_definition_that_is_not_json_is_refused(alice_api):
    response = _create(alice_api, definition="{not json")
    assert response.status_code == 400
    assert response.json()["error"]["problems"][0]["path"] == ""


def test_a_definition_over_one_mebibyte_is_refused(alice_api):
    definition = load("api/hello")
    definition["Comment"] = "x" * (1024 * 1024)
    response = _create(alice_api, definition=definition)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "definition_too_large"


@pytest.mark.parametrize("name", ["", "has space", "x" * 81, "slash/name", "dot.name"])
def test_a_machine_name_must_be_letters_digits_dash_or_underscore(alice_api, name):
    response = _create(alice_api, name=name)
    assert response.status_code == 400
    assert response.json()["error"]["problems"][0]["path"] == "/name"


def test_a_second_machine_with_the_same_name_is_a_conflict(alice_api):
    assert _create(alice_api).status_code == 201
    response = _create(alice_api)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "machine_already_exists"


def test_machines_are_listed_newest_first_and_paginated(alice_api):
    for name in ["first", "second", "third"]:
        assert _create(alice_api, name=name).status_code == 201
    page = alice_api.get("/api/machines/?page_size=2").json()
    assert [m["name"] for m in page["results"]] == ["third", "second"]
    rest = alice_api.get(page["next"]).json()
    assert [m["name"] for m in rest["results"]] == ["first"]
    assert rest["next"] is None


def test_describing_a_machine_shows_definition_version_and_execution_counts(alice_api, start):
    _create(alice_api)
    start("hello", {})
    body = alice_api.get("/api/machines/hello/").json()
    assert body["version"]["number"] == 1
    assert body["definition"]["StartAt"] == "Hello"
    assert body["executions"] == {"RUNNING": 0, "SUCCEEDED": 1, "FAILED": 0, "TIMED_OUT": 0, "ABORTED": 0}


def test_an_unknown_machine_is_not_found(alice_api):
    response = alice_api.get("/api/machines/nope/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "machine_not_found"


def test_updating_a_machine_makes_a_new_version_and_running_executions_keep_theirs(alice_api, start, work):
    _create(alice_api, name="waiter", definition=load("api/long_wait"))
    running = start("waiter", {})
    response = alice_api.put(
        "/api/machines/waiter/", {"definition": load("api/goodbye"), "comment": "shorter"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["number"] == 2
    assert response.json()["comment"] == "shorter"
    assert alice_api.get("/api/machines/waiter/").json()["version"]["number"] == 2
    assert alice_api.get(f"/api/executions/{running['id']}/").json()["version"] == 1
    fresh = start("waiter", {})
    assert fresh["version"] == 2
    assert alice_api.get(f"/api/executions/{fresh['id']}/").json()["output"] == "goodbye"


def test_an_update_with_an_invalid_definition_changes_nothing(alice_api):
    _create(alice_api)
    response = alice_api.put("/api/machines/hello/", {"definition": load("api/broken")}, format="json")
    assert response.status_code == 400
    assert alice_api.get("/api/machines/hello/").json()["version"]["number"] == 1


def test_versions_are_listed_newest_first_and_each_can_be_read(alice_api):
    _create(alice_api)
    alice_api.put("/api/machines/hello/", {"definition": load("api/goodbye")}, format="json")
    versions = alice_api.get("/api/machines/hello/versions/").json()["results"]
    assert [v["number"] for v in versions] == [2, 1]
    first = alice_api.get("/api/machines/hello/versions/1/").json()
    assert first["definition"] == load("api/hello")
    assert alice_api.get("/api/machines/hello/versions/9/").status_code == 404


def test_deleting_a_machine_that_never_ran_removes_it(alice_api):
    _create(alice_api)
    assert alice_api.delete("/api/machines/hello/").status_code == 204
    assert alice_api.get("/api/machines/hello/").status_code == 404
    assert not StateMachine.objects.exists()


def test_deleting_a_machine_with_running_executions_is_a_conflict(alice_api, start):
    _create(alice_api, name="waiter", definition=load("api/long_wait"))
    start("waiter", {})
    response = alice_api.delete("/api/machines/waiter/")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "machine_has_running_executions"
    assert alice_api.get("/api/machines/waiter/").status_code == 200


def test_deleting_with_stop_running_aborts_the_runs_and_keeps_them_for_retention(alice_api, start):
    _create(alice_api, name="waiter", definition=load("api/long_wait"))
    running = start("waiter", {})
    assert alice_api.delete("/api/machines/waiter/?stop_running=true").status_code == 204
    assert alice_api.get("/api/machines/waiter/").status_code == 404
    execution = alice_api.get(f"/api/executions/{running['id']}/").json()
    assert execution["status"] == "ABORTED"
    assert StateMachine.objects.get(name="waiter").deleted_at is not None
    # The name is free again for a new machine.
    assert _create(alice_api, name="waiter").status_code == 201


def test_validate_reports_valid_and_invalid_definitions_without_saving(alice_api):
    good = alice_api.post("/api/validate/", {"definition": load("api/hello")}, format="json").json()
    assert good == {"valid": True, "problems": []}
    bad = alice_api.post("/api/validate/", {"definition": load("api/broken")}, format="json").json()
    assert bad["valid"] is False
    assert {"path", "message"} == set(bad["problems"][0])
    assert not StateMachine.objects.exists()


def test_validate_without_a_definition_is_a_bad_request(alice_api):
    response = alice_api.post("/api/validate/", {}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["problems"][0]["path"] == "/definition"
