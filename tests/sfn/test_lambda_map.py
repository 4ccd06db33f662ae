"""Lambda ARNs of imported definitions run on the Fn functions the mapping table names."""

from __future__ import annotations

import pytest

from executions.fn import FunctionTable, Invoked, TaskCall, TaskError
from stepflow.sfn.lambda_map import LambdaRef, MappingClient, find_mapping, parse_function
from stepflow.sfn.models import LambdaMapping


def _call(resource: str, payload: object) -> TaskCall:
    return TaskCall(resource, payload, 10.0, "key-1", "exec-1", "State", 0)


def _client(seen: list[TaskCall]) -> MappingClient:
    def record(payload: object, call: TaskCall) -> object:
        seen.append(call)
        return {"got": payload}

    def with_call_id(payload: object, call: TaskCall) -> object:
        seen.append(call)
        return Invoked({"got": payload}, "call-1")

    return MappingClient(FunctionTable({"fn:apps/checker": record, "fn:apps/greeter": with_call_id, "echo": record}))


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("arn:aws:lambda:us-east-1:123456789012:function:Checker", LambdaRef("Checker", "", "us-east-1", "123456789012")),
        ("arn:aws:lambda:eu-west-1:123456789012:function:Checker:prod", LambdaRef("Checker", "prod", "eu-west-1", "123456789012")),
        ("123456789012:function:Checker", LambdaRef("Checker", "", "", "123456789012")),
        ("Checker:$LATEST", LambdaRef("Checker", "$LATEST")),
        ("Checker", LambdaRef("Checker")),
        ("arn:aws:lambda:us-east-1:123456789012:layer:x", None),
        ("", None),
    ],
)
def test_function_names_are_read_in_every_form_aws_accepts(text, ref):
    assert parse_function(text) == ref


@pytest.mark.django_db
def test_the_most_specific_mapping_wins():
    LambdaMapping.objects.create(function_name="Checker", target="fn:apps/any")
    LambdaMapping.objects.create(function_name="Checker", qualifier="prod", target="fn:apps/prod")
    LambdaMapping.objects.create(function_name="Checker", account="999999999999", target="fn:apps/other-account")
    assert find_mapping(LambdaRef("Checker", "prod", "us-east-1", "123456789012")).target == "fn:apps/prod"
    assert find_mapping(LambdaRef("Checker", "", "us-east-1", "999999999999")).target == "fn:apps/other-account"
    assert find_mapping(LambdaRef("Checker", "dev", "us-east-1", "123456789012")).target == "fn:apps/any"
    assert find_mapping(LambdaRef("Nobody")) is None


@pytest.mark.django_db
def test_a_function_arn_calls_the_mapped_function_with_the_input_as_is():
    LambdaMapping.objects.create(function_name="Checker", target="fn:apps/checker")
    seen: list[TaskCall] = []
    output = _client(seen).invoke(_call("arn:aws:lambda:us-east-1:123456789012:function:Checker", {"a": 1}))
    assert output == {"got": {"a": 1}}
    assert (seen[0].resource, seen[0].idempotency_key) == ("fn:apps/checker", "key-1")


@pytest.mark.django_db
def test_lambda_invoke_sends_the_payload_and_answers_in_awss_envelope():
    LambdaMapping.objects.create(function_name="Greeter", target="fn:apps/greeter")
    seen: list[TaskCall] = []
    params = {"FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:Greeter:$LATEST", "Payload": {"who": "you"}}
    output = _client(seen).invoke(_call("arn:aws:states:::lambda:invoke", params))
    assert output == Invoked({"ExecutedVersion": "$LATEST", "Payload": {"got": {"who": "you"}}, "StatusCode": 200}, "call-1")
    assert seen[0].payload == {"who": "you"}


@pytest.mark.django_db
def test_an_unmapped_function_fails_the_task_saying_what_to_add_and_other_resources_pass_through():
    seen: list[TaskCall] = []
    with pytest.raises(TaskError) as caught:
        _client(seen).invoke(_call("arn:aws:lambda:us-east-1:123456789012:function:Nobody", {}))
    assert caught.value.error == "Fn.NotFound"
    assert "Lambda mappings" in str(caught.value.cause)
    assert _client(seen).invoke(_call("echo", 5)) == {"got": 5}
    assert seen[-1].resource == "echo"
