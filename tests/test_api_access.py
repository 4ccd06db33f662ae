"""Who may do what, how they sign in, and the one error body every failure shares."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from tests.machines import load

pytestmark = pytest.mark.django_db

READS = [
    "/api/machines/",
    "/api/machines/hello/",
    "/api/machines/hello/versions/",
    "/api/machines/hello/versions/1/",
    "/api/machines/hello/executions/",
]


@pytest.fixture
def hello(make_machine):
    return make_machine("api", "hello", machine_name="hello")


def _assert_error_shape(body: dict) -> None:
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "problems"}
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["problems"], list)


@pytest.mark.parametrize("url", [*READS, "/api/", "/api/schema/?format=json"])
def test_anonymous_requests_are_unauthorized(anonymous_api, hello, url):
    response = anonymous_api.get(url)
    assert response.status_code == 401
    _assert_error_shape(response.json())
    assert response["WWW-Authenticate"].startswith("Token")


def test_a_bad_token_is_unauthorized(hello):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = client.get("/api/machines/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


@pytest.mark.parametrize("url", READS)
def test_bob_the_viewer_reads_everything(bob_api, hello, url):
    assert bob_api.get(url).status_code == 200


def test_bob_the_viewer_changes_nothing(bob_api, hello, start):
    run = start("hello", {})
    denied = [
        bob_api.post("/api/machines/", {"name": "x", "definition": load("api/hello")}, format="json"),
        bob_api.put("/api/machines/hello/", {"definition": load("api/hello")}, format="json"),
        bob_api.delete("/api/machines/hello/"),
        bob_api.post("/api/machines/hello/executions/", {}, format="json"),
        bob_api.post(f"/api/executions/{run['id']}/stop/", {}, format="json"),
    ]
    assert [r.status_code for r in denied] == [403] * 5
    _assert_error_shape(denied[0].json())
    assert denied[0].json()["error"]["code"] == "permission_denied"


def test_olivia_the_operator_starts_and_stops_runs_but_edits_no_machine(olivia_api, hello, work):
    with work():
        started = olivia_api.post("/api/machines/hello/executions/", {}, format="json")
    assert started.status_code == 201
    assert olivia_api.post(f"/api/executions/{started.json()['id']}/stop/", {}, format="json").status_code in (200, 409)
    denied = [
        olivia_api.post("/api/machines/", {"name": "x", "definition": load("api/hello")}, format="json"),
        olivia_api.put("/api/machines/hello/", {"definition": load("api/hello")}, format="json"),
        olivia_api.delete("/api/machines/hello/"),
    ]
    assert [r.status_code for r in denied] == [403] * 3


def test_only_an_admin_changes_retention_windows_and_legal_holds(alice_api, amir_api, hello):
    assert alice_api.patch("/api/machines/hello/", {"retention_days": 3}, format="json").status_code == 403
    assert alice_api.patch("/api/machines/hello/", {"legal_hold": True}, format="json").status_code == 403
    created = alice_api.post("/api/machines/", {"name": "h2", "definition": load("api/hello"), "retention_days": 2}, format="json")
    assert created.status_code == 403
    assert alice_api.patch("/api/machines/hello/", {"description": "mine"}, format="json").status_code == 200
    answer = amir_api.patch("/api/machines/hello/", {"retention_days": 3, "legal_hold": True}, format="json")
    assert answer.status_code == 200 and (answer.json()["retention_days"], answer.json()["legal_hold"]) == (3, True)


@pytest.mark.parametrize("url", READS)
def test_charlie_without_access_reads_nothing(charlie_api, hello, url):
    assert charlie_api.get(url).status_code == 403


def test_a_session_login_works_as_well_as_a_token(alice, hello):
    client = APIClient()
    assert client.login(username="alice", password="alice-password-1")
    assert client.get("/api/machines/").status_code == 200


def test_a_session_write_needs_the_csrf_token(alice, hello):
    client = APIClient(enforce_csrf_checks=True)
    client.login(username="alice", password="alice-password-1")
    response = client.post("/api/machines/hello/executions/", {}, format="json")
    assert response.status_code == 403
    _assert_error_shape(response.json())


def test_create_token_makes_a_token_that_signs_in(alice, hello, capsys):
    call_command("create_token", "alice")
    key = capsys.readouterr().out.strip()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/machines/").status_code == 200


def test_an_unknown_api_url_answers_in_the_error_shape(alice_api):
    response = alice_api.get("/api/nothing-here/")
    assert response.status_code == 404
    _assert_error_shape(response.json())


def test_a_wrong_method_answers_in_the_error_shape(alice_api, hello):
    response = alice_api.post("/api/machines/hello/", {}, format="json")
    assert response.status_code == 405
    _assert_error_shape(response.json())


def test_a_body_that_is_not_json_answers_in_the_error_shape(alice_api):
    response = alice_api.generic("POST", "/api/machines/", "{oops", content_type="application/json")
    assert response.status_code == 400
    _assert_error_shape(response.json())
    assert response.json()["error"]["code"] == "parse_error"


def test_the_api_root_lists_the_entry_points(alice_api):
    body = alice_api.get("/api/").json()
    assert {"machines", "validate", "schema", "docs"} <= set(body)


def test_the_openapi_schema_describes_every_endpoint(alice_api):
    response = alice_api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in [
        "/api/machines/",
        "/api/machines/{name}/",
        "/api/machines/{name}/versions/",
        "/api/machines/{name}/executions/",
        "/api/executions/{execution_id}/",
        "/api/executions/{execution_id}/stop/",
        "/api/executions/{execution_id}/steps/",
        "/api/executions/{execution_id}/history/",
        "/api/validate/",
    ]:
        assert path in paths, path


def test_the_schema_has_a_browsable_page(alice):
    client = APIClient()
    client.force_login(alice)
    response = client.get("/api/schema/docs/")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


def test_the_browsable_api_renders_for_a_signed_in_person(alice, hello):
    client = APIClient()
    client.force_login(alice)
    response = client.get("/api/machines/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert b"hello" in response.content


def test_the_sign_in_page_signs_a_person_in(alice, client):
    assert client.get("/accounts/login/").status_code == 200
    response = client.post("/accounts/login/", {"username": "alice", "password": "alice-password-1"})
    assert response.status_code == 302
    assert client.get("/api/machines/").status_code == 200
