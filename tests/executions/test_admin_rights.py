"""The admin's actions need the same rights as the API: an operator with staff status may
stop and re-run executions there, but not hold or export them (the admin role's)."""

from __future__ import annotations

import pytest
from django.test import Client

from executions.models import Execution, ExecutionStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_olivia(olivia):
    olivia.is_staff = True
    olivia.save()
    client = Client()
    client.force_login(olivia)
    return client


def _waiting(make_machine, start) -> Execution:
    make_machine("states", "wait", machine_name="waits")
    return Execution.objects.get(uuid=start("waits", {"n": 1})["id"])


def test_a_staff_operator_holds_nothing_in_the_admin(staff_olivia, make_machine, start):
    run = _waiting(make_machine, start)
    staff_olivia.post("/admin/executions/execution/", {"action": "hold", "_selected_action": [run.pk]})
    staff_olivia.post("/admin/executions/execution/", {"action": "export_now", "_selected_action": [run.pk]})
    run.refresh_from_db()
    assert run.legal_hold is False


def test_a_staff_operator_stops_a_run_in_the_admin(staff_olivia, make_machine, start):
    run = _waiting(make_machine, start)
    staff_olivia.post("/admin/executions/execution/", {"action": "stop", "_selected_action": [run.pk]})
    run.refresh_from_db()
    assert run.status == ExecutionStatus.ABORTED


def test_a_staff_operator_sees_only_the_actions_they_may_take(staff_olivia):
    page = staff_olivia.get("/admin/executions/execution/")
    actions = {value for value, _ in page.context["action_form"].fields["action"].choices if value}
    assert actions == {"stop", "rerun"}
