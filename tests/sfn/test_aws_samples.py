"""Definitions copied from AWS's examples run to the end on local Fn functions.

The real local Fn runner serves the sample Lambda functions (ported to fdk) from
tests/sfn/functions; the mapping table sends each Lambda ARN to one of them; boto3 drives
it all through the Step Functions API.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from executions import fn
from stepflow.sfn.models import LambdaMapping
from tests.support import processes

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

FUNCTIONS = Path(__file__).resolve().parent / "functions"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def fn_runner(tmp_path_factory):
    log = tmp_path_factory.mktemp("fn") / "fn_runner.log"
    port = _free_port()
    process = processes.start(["fn_runner", "--port", str(port), "--functions", str(FUNCTIONS)], log)
    processes.wait_for(lambda: "serving" in log.read_text(), 30, "the Fn runner")
    yield f"http://127.0.0.1:{port}"
    processes.stop(process)


@pytest.fixture
def on_fn(sfn_settings, fn_runner):
    sfn_settings.FN_API_URL = fn_runner
    sfn_settings.STEPFLOW_FN_CLIENT = "executions.fn_client.from_settings"
    fn._clients.clear()
    yield
    fn._clients.clear()


def test_the_iterate_a_loop_tutorial_runs_its_lambda_ten_times_on_fn(on_fn, alice_sfn, create):
    LambdaMapping.objects.create(function_name="Iterator", target="fn:aws-samples/iterator")
    arn = create("sfn/iterate_a_loop", "iterate")
    run = alice_sfn.start_execution(stateMachineArn=arn, input="{}")["executionArn"]
    described = alice_sfn.describe_execution(executionArn=run)
    assert described["status"] == "SUCCEEDED", described.get("cause")
    assert json.loads(described["output"]) == {
        "iterator": {"index": 10, "step": 1, "count": 10, "continue": False}, "result": {"success": True},
    }
    events = alice_sfn.get_paginator("get_execution_history").paginate(executionArn=run)
    scheduled = [e for page in events for e in page["events"] if e["type"] == "LambdaFunctionScheduled"]
    assert len(scheduled) == 10


def test_the_invoke_lambda_starter_gets_the_payload_back_from_fn(on_fn, alice_sfn, create):
    LambdaMapping.objects.create(function_name="HelloFunction", target="fn:aws-samples/hello")
    arn = create("sfn/invoke_lambda", "hello-lambda")
    run = alice_sfn.start_execution(stateMachineArn=arn, input='{"who": "stepflow"}')["executionArn"]
    described = alice_sfn.describe_execution(executionArn=run)
    assert described["status"] == "SUCCEEDED", described.get("cause")
    assert json.loads(described["output"]) == {"greeting": "Hello, stepflow!"}


def test_an_unmapped_lambda_fails_the_run_saying_what_to_map(on_fn, alice_sfn, create):
    arn = create("sfn/invoke_lambda", "hello-lambda")
    run = alice_sfn.start_execution(stateMachineArn=arn, input="{}")["executionArn"]
    described = alice_sfn.describe_execution(executionArn=run)
    assert (described["status"], described["error"]) == ("FAILED", "Fn.NotFound")
    assert "HelloFunction" in described["cause"]
