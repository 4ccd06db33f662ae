"""The Task seam: clients named by a setting, the default that fails clearly, the table."""

from __future__ import annotations

import pytest

from executions import fn, queue
from executions.fn import FunctionTable, TaskCall, TaskError


def _call(resource: str, payload: object = None) -> TaskCall:
    return TaskCall(resource, payload, 5.0, "key-1", "exec-1", "State", 0)


def test_the_default_client_fails_every_call_with_a_clear_cause():
    with pytest.raises(TaskError) as failure:
        fn.Unconfigured().invoke(_call("fn:demo/echo"))
    assert (failure.value.error, failure.value.cause) == ("States.TaskFailed", "no Fn client configured")


def test_a_function_table_calls_functions_by_resource_with_or_without_the_call():
    table = FunctionTable({"one": lambda payload: payload + 1, "key": lambda payload, call: call.idempotency_key})
    assert table.invoke(_call("one", 1)) == 2
    assert table.invoke(_call("key")) == "key-1"
    with pytest.raises(TaskError, match="no function named 'other'"):
        table.invoke(_call("other"))


def test_the_client_is_built_from_the_setting_once_per_process(settings):
    settings.STEPFLOW_FN_CLIENT = "tests.support.fn.client"
    settings.STEPFLOW_FN_CLIENT_WRAPPERS = []
    assert fn.get_client() is fn.get_client()
    assert isinstance(fn.get_client(), FunctionTable)


@pytest.mark.django_db
def test_a_broker_that_cannot_be_reached_is_logged_not_raised(settings, monkeypatch, caplog, django_capture_on_commit_callbacks):
    settings.STEPFLOW_TASKS_SYNC = False

    def unreachable(*args: object, **kwargs: object) -> None:
        raise ConnectionError("broker down")

    monkeypatch.setattr(queue, "async_task", unreachable)
    with django_capture_on_commit_callbacks(execute=True):
        queue.enqueue(queue.ADVANCE_EXECUTION, 1)
    assert "the timer loop will retry" in caplog.text


def test_clients_list_the_functions_a_task_can_call(settings):
    assert fn.Unconfigured().list_functions() == []
    table = FunctionTable({"echo": lambda payload: payload, "add": lambda payload: payload})
    assert [f["resource"] for f in table.list_functions()] == ["add", "echo"]
    settings.STEPFLOW_FN_CLIENT = "tests.support.fn.client"
    assert {"app": "", "name": "echo", "id": "echo", "resource": "echo"} in fn.list_functions()


@pytest.mark.django_db
def test_fns_call_id_is_stored_with_the_outcome_not_by_a_write_of_its_own(make_machine, start, work, alice_api):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from executions.models import ExecutionStatus, Step

    machine = make_machine("fn", "call_id")
    with CaptureQueriesContext(connection) as seen:
        run = start(machine, {"amount": 5})
    done = work.until_done(run["id"])
    assert done.status == ExecutionStatus.SUCCEEDED, (done.error, done.cause)
    steps = Step.objects.filter(execution=done).order_by("sequence")
    assert [(s.state_name, s.fn_call_id) for s in steps] == [("Charge", "CALL-0"), ("Refund", "FAILED-0"), ("Done", "")]
    step_updates = [q["sql"] for q in seen.captured_queries if q["sql"].startswith('UPDATE "executions_step"')]
    # Each Task's step is written once more after its insert: by the transition that records
    # the outcome (with the call id), never by an UPDATE of the call id alone.
    assert len(step_updates) == 2
    assert all('"status"' in sql for sql in step_updates)
