"""Execution actions through the real boto3 client against a live server."""

from __future__ import annotations

import json

import pytest

from stepflow.sfn import arns
from tests.sfn import fn
from tests.sfn.conftest import definition

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_execution_runs_and_is_described_with_its_output(alice_sfn, create):
    arn = create("api/hello", "hello")
    started = alice_sfn.start_execution(stateMachineArn=arn, name="first", input=json.dumps({"who": "you"}))
    assert started["executionArn"] == arns.execution_arn("hello", "first")
    described = alice_sfn.describe_execution(executionArn=started["executionArn"])
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["input"]) == {"who": "you"}
    assert json.loads(described["output"]) == "hello"
    assert described["stopDate"] >= described["startDate"]
    assert described["stateMachineVersionArn"] == arns.version_arn("hello", 1)


def test_starting_again_by_name_is_idempotent_while_the_input_and_the_run_are_the_same(alice_sfn, create):
    arn = create("api/long_wait", "waiter")
    first = alice_sfn.start_execution(stateMachineArn=arn, name="once", input='{"n": 1}')
    again = alice_sfn.start_execution(stateMachineArn=arn, name="once", input='{"n": 1}')
    assert again["executionArn"] == first["executionArn"]
    assert again["startDate"] == first["startDate"]
    with pytest.raises(alice_sfn.exceptions.ExecutionAlreadyExists):
        alice_sfn.start_execution(stateMachineArn=arn, name="once", input='{"n": 2}')
    alice_sfn.stop_execution(executionArn=first["executionArn"])
    with pytest.raises(alice_sfn.exceptions.ExecutionAlreadyExists):  # AWS: a closed run's name is used up
        alice_sfn.start_execution(stateMachineArn=arn, name="once", input='{"n": 1}')


def test_bad_input_or_a_missing_machine_is_refused(alice_sfn, create):
    arn = create("api/hello", "hello")
    with pytest.raises(alice_sfn.exceptions.InvalidExecutionInput):
        alice_sfn.start_execution(stateMachineArn=arn, input="{nope")
    with pytest.raises(alice_sfn.exceptions.StateMachineDoesNotExist):
        alice_sfn.start_execution(stateMachineArn=arns.machine_arn("nowhere"))
    with pytest.raises(alice_sfn.exceptions.ExecutionDoesNotExist):
        alice_sfn.describe_execution(executionArn=arns.execution_arn("hello", "never-ran"))


def test_a_stopped_execution_is_aborted_with_the_error_and_cause_given(alice_sfn, create):
    arn = create("api/long_wait", "waiter")
    run = alice_sfn.start_execution(stateMachineArn=arn)["executionArn"]
    assert alice_sfn.describe_execution(executionArn=run)["status"] == "RUNNING"
    stopped = alice_sfn.stop_execution(executionArn=run, error="Operator.Stop", cause="no longer needed")
    described = alice_sfn.describe_execution(executionArn=run)
    assert (described["status"], described["error"], described["cause"]) == ("ABORTED", "Operator.Stop", "no longer needed")
    assert described["stopDate"] == stopped["stopDate"]


def test_executions_are_listed_newest_first_by_status_a_page_at_a_time(alice_sfn, create):
    arn = create("api/long_wait", "waiter")
    runs = [alice_sfn.start_execution(stateMachineArn=arn, name=f"run-{i}")["executionArn"] for i in range(4)]
    alice_sfn.stop_execution(executionArn=runs[1])
    running = alice_sfn.list_executions(stateMachineArn=arn, statusFilter="RUNNING")["executions"]
    assert [e["executionArn"] for e in running] == [runs[3], runs[2], runs[0]]
    aborted = alice_sfn.list_executions(stateMachineArn=arn, statusFilter="ABORTED")["executions"]
    assert [e["name"] for e in aborted] == ["run-1"]
    pages = list(alice_sfn.get_paginator("list_executions").paginate(stateMachineArn=arn, PaginationConfig={"PageSize": 3}))
    assert [[e["name"] for e in page["executions"]] for page in pages] == [["run-3", "run-2", "run-1"], ["run-0"]]


def test_the_history_pages_in_either_order_with_or_without_data(alice_sfn, create):
    arn = create("api/hello", "hello")
    run = alice_sfn.start_execution(stateMachineArn=arn, input='{"secret": 1}')["executionArn"]
    pages = list(alice_sfn.get_paginator("get_execution_history").paginate(executionArn=run, PaginationConfig={"PageSize": 3}))
    events = [e for page in pages for e in page["events"]]
    assert len(pages) == 2
    assert [e["type"] for e in events] == ["ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]
    assert [e["id"] for e in events] == [1, 2, 3, 4]
    assert json.loads(events[0]["executionStartedEventDetails"]["input"]) == {"secret": 1}
    assert events[1]["stateEnteredEventDetails"]["name"] == "Hello"
    assert json.loads(events[3]["executionSucceededEventDetails"]["output"]) == "hello"
    newest = alice_sfn.get_execution_history(executionArn=run, reverseOrder=True, maxResults=1)
    assert [e["type"] for e in newest["events"]] == ["ExecutionSucceeded"]
    rest = alice_sfn.get_execution_history(executionArn=run, reverseOrder=True, nextToken=newest["nextToken"])
    assert [e["id"] for e in rest["events"]] == [3, 2, 1]
    bare = alice_sfn.get_execution_history(executionArn=run, includeExecutionData=False)["events"]
    assert "input" not in bare[0]["executionStartedEventDetails"]
    with pytest.raises(alice_sfn.exceptions.InvalidToken):  # a token from the other order
        alice_sfn.get_execution_history(executionArn=run, nextToken=newest["nextToken"])


def test_an_execution_is_described_with_the_definition_it_ran(alice_sfn, create):
    arn = create("api/hello", "greeter")
    run = alice_sfn.start_execution(stateMachineArn=arn)["executionArn"]
    alice_sfn.update_state_machine(stateMachineArn=arn, definition=definition("api/goodbye"))
    described = alice_sfn.describe_state_machine_for_execution(executionArn=run)
    assert described["stateMachineArn"] == arn
    assert json.loads(described["definition"])["StartAt"] == "Hello"


def test_a_sync_execution_answers_with_its_output_on_an_express_machine(alice_sfn, create):
    express = create("states/task", "express-echo", type="EXPRESS")
    done = alice_sfn.start_sync_execution(stateMachineArn=express, input='{"value": 7}')
    assert done["status"] == "SUCCEEDED"
    assert json.loads(done["output"]) == {"value": 7, "echoed": {"value": 7}}
    failed = alice_sfn.start_sync_execution(stateMachineArn=create("states/fail", "express-fail", type="EXPRESS"))
    assert (failed["status"], failed["error"]) == ("FAILED", "Custom.Problem")
    with pytest.raises(alice_sfn.exceptions.ClientError) as caught:
        alice_sfn.start_sync_execution(stateMachineArn=create("api/hello", "standard"))
    assert caught.value.response["Error"]["Code"] == "ValidationException"


def test_a_callback_task_is_completed_heartbeat_success_and_failure(alice_sfn, olivia_sfn, create):
    arn = create("sfn/callback", "ask")
    ok = alice_sfn.start_execution(stateMachineArn=arn, input='{"question": "ship it?"}')["executionArn"]
    no = alice_sfn.start_execution(stateMachineArn=arn, input='{"question": "and this?"}')["executionArn"]
    ok_token, no_token = fn.tokens
    olivia_sfn.send_task_heartbeat(taskToken=ok_token)
    olivia_sfn.send_task_success(taskToken=ok_token, output='{"answer": "yes"}')
    olivia_sfn.send_task_failure(taskToken=no_token, error="Person.Said.No", cause="not today")
    answered = alice_sfn.describe_execution(executionArn=ok)
    assert (answered["status"], json.loads(answered["output"])) == ("SUCCEEDED", {"answer": "yes"})
    refused = alice_sfn.describe_execution(executionArn=no)
    assert (refused["status"], refused["error"], refused["cause"]) == ("FAILED", "Person.Said.No", "not today")
    with pytest.raises(olivia_sfn.exceptions.TaskDoesNotExist):
        olivia_sfn.send_task_success(taskToken=ok_token, output="{}")


def test_a_sync_execution_that_outlasts_the_limit_is_stopped_and_reported_timed_out(alice_sfn, create, sfn_settings):
    sfn_settings.STEPFLOW_SFN_SYNC_TIMEOUT_SECONDS = 0.3
    express = create("api/long_wait", "express-wait", type="EXPRESS")
    done = alice_sfn.start_sync_execution(stateMachineArn=express, name="too-long")
    assert (done["status"], done["error"]) == ("TIMED_OUT", "States.Timeout")
    described = alice_sfn.describe_execution(executionArn=arns.execution_arn("express-wait", "too-long"))
    assert described["status"] == "ABORTED"
