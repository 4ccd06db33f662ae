"""The management commands: bootstrap, timer --once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command

from workflows.models import StateMachine

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parent.parent.parent / "examples" / "machines"


def test_bootstrap_loads_the_demo_creates_groups_and_an_admin_and_is_harmless_twice(capsys):
    call_command("bootstrap")
    first = capsys.readouterr().out
    assert "loaded state machine 'demo'" in first
    password = first.split("password: ")[1].split()[0]
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(password)
    assert set(Group.objects.values_list("name", flat=True)) >= {"viewer", "operator", "editor", "admin"}

    call_command("bootstrap")
    second = capsys.readouterr().out
    assert "password" not in second and "loaded" not in second
    assert StateMachine.objects.filter(name="demo").count() == 1
    assert get_user_model().objects.filter(is_superuser=True).count() == 1


def test_the_demo_machine_is_valid_and_uses_all_eight_state_types():
    import stepflow.asl as asl

    definition = json.loads((EXAMPLES / "demo.asl.json").read_text())
    assert asl.validate(definition) == []
    types: set[str] = set()

    def collect(states: dict) -> None:
        for state in states.values():
            types.add(state["Type"])
            for branch in state.get("Branches", []):
                collect(branch["States"])
            if "ItemProcessor" in state:
                collect(state["ItemProcessor"]["States"])

    collect(definition["States"])
    assert types == {"Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"}


def test_the_demo_runs_to_the_end_without_an_fn_server(start, alice_api, work, settings):
    settings.STEPFLOW_FN_CLIENT = "executions.fn.unconfigured_client"
    call_command("bootstrap", "--no-admin")
    run = start("demo", {"items": [1, 2], "greeting": "hi"})
    done = work.until_done(run["id"], timeout=10)
    assert done.status == "SUCCEEDED", (done.error, done.cause)
    assert done.output["parallel"] == [{"shout": "hi!"}, [{"value": 2}, {"value": 4}]]
    assert done.output["task_error"]["Cause"] == "no Fn client configured"


def test_timer_once_fires_what_is_due(capsys):
    call_command("timer", "--once")
    assert capsys.readouterr().out.strip() == "fired 0"
