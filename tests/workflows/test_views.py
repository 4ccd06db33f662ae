"""The graph editor page (create and edit)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.machines import load
from workflows import services as workflows

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_create_page_starts_from_an_empty_machine(alice):
    response = signed_in(alice).get("/machines/new/")
    assert response.status_code == 200
    data = response.context["editor_data"]
    assert (data["name"], data["version"], data["definition"]) == (None, None, None)
    assert data["functions_problem"] == ""
    assert b'data-testid="machine-name"' in response.content


def test_the_edit_page_starts_from_the_current_version(alice):
    workflows.create_machine(name="edit-me", definition=load("states/pass"), by=alice)
    response = signed_in(alice).get("/machines/edit-me/edit/")
    assert response.status_code == 200
    assert response.context["editor_data"]["definition"] == load("states/pass")
    assert response.context["editor_data"]["version"] == 1


def test_a_viewer_may_not_open_the_editor(bob):
    workflows.create_machine(name="ro", definition=load("states/pass"), by=None)
    assert signed_in(bob).get("/machines/new/").status_code == 403
    assert signed_in(bob).get("/machines/ro/edit/").status_code == 403


def test_editing_a_missing_machine_is_404(alice):
    assert signed_in(alice).get("/machines/missing/edit/").status_code == 404


def test_the_palette_lists_the_fn_functions_as_task_resources(alice, settings):
    settings.STEPFLOW_FN_CLIENT = "tests.executions.test_overview_fn.listing_client"
    data = signed_in(alice).get("/machines/new/").context["editor_data"]
    assert {"app": "orders", "name": "ship", "resource": "fn:orders/ship"} in data["functions"]
    assert data["functions_problem"] == ""


def test_the_editor_opens_when_the_fn_server_is_down(alice, settings):
    settings.STEPFLOW_FN_CLIENT = "tests.executions.test_overview_fn.down_client"
    response = signed_in(alice).get("/machines/new/")
    assert response.status_code == 200
    assert response.context["editor_data"]["functions"] == []
    assert "could not be reached" in response.context["editor_data"]["functions_problem"]
