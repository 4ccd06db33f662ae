"""State machine actions through the real boto3 client against a live server."""

from __future__ import annotations

import json

import pytest

from stepflow.sfn import arns
from tests.sfn.conftest import definition

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_created_machine_is_described_as_sent(alice_sfn, create):
    arn = create("api/hello", "hello", type="EXPRESS", tags=[{"key": "team", "value": "ops"}])
    described = alice_sfn.describe_state_machine(stateMachineArn=arn)
    assert described["name"] == "hello"
    assert described["status"] == "ACTIVE"
    assert described["type"] == "EXPRESS"
    assert described["roleArn"] == "arn:aws:iam::123456789012:role/test"
    assert described["definition"] == definition("api/hello")
    assert alice_sfn.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "team", "value": "ops"}]


def test_creating_the_same_machine_again_returns_it_but_another_definition_is_refused(alice_sfn, create):
    arn = create("api/hello", "hello")
    again = alice_sfn.create_state_machine(name="hello", definition=definition("api/hello"), roleArn="r")
    assert again["stateMachineArn"] == arn
    with pytest.raises(alice_sfn.exceptions.StateMachineAlreadyExists):
        alice_sfn.create_state_machine(name="hello", definition=definition("api/goodbye"), roleArn="r")


def test_a_bad_definition_is_refused_naming_each_problem(alice_sfn):
    with pytest.raises(alice_sfn.exceptions.InvalidDefinition) as caught:
        alice_sfn.create_state_machine(name="broken", definition=definition("api/broken"), roleArn="r")
    assert "/StartAt" in caught.value.response["Error"]["Message"]
    with pytest.raises(alice_sfn.exceptions.InvalidDefinition):
        alice_sfn.create_state_machine(name="broken", definition="{not json", roleArn="r")


def test_a_name_stepflow_cannot_use_is_invalid_name(alice_sfn):
    with pytest.raises(alice_sfn.exceptions.InvalidName):
        alice_sfn.create_state_machine(name="has spaces", definition=definition("api/hello"), roleArn="r")


def test_a_missing_machine_does_not_exist(alice_sfn):
    with pytest.raises(alice_sfn.exceptions.StateMachineDoesNotExist):
        alice_sfn.describe_state_machine(stateMachineArn=arns.machine_arn("nowhere"))
    with pytest.raises(alice_sfn.exceptions.InvalidArn):
        alice_sfn.describe_state_machine(stateMachineArn="arn:aws:states:us-east-1:1:activity:x")


def test_an_update_makes_a_version_and_older_versions_stay_readable(alice_sfn, create):
    arn = create("api/hello", "greeter", publish=True)
    update = alice_sfn.update_state_machine(
        stateMachineArn=arn, definition=definition("api/goodbye"), publish=True, versionDescription="say goodbye"
    )
    assert update["stateMachineVersionArn"] == arns.version_arn("greeter", 2)
    versions = alice_sfn.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"]
    assert [v["stateMachineVersionArn"] for v in versions] == [arns.version_arn("greeter", 2), arns.version_arn("greeter", 1)]
    first = alice_sfn.describe_state_machine(stateMachineArn=arns.version_arn("greeter", 1))
    assert json.loads(first["definition"])["StartAt"] == "Hello"
    latest = alice_sfn.describe_state_machine(stateMachineArn=arn)
    assert json.loads(latest["definition"])["StartAt"] == "Goodbye"
    assert alice_sfn.describe_state_machine(stateMachineArn=arns.version_arn("greeter", 2))["description"] == "say goodbye"


def test_a_deleted_machine_is_gone_and_deleting_it_again_is_harmless(alice_sfn, create):
    arn = create("api/hello", "short-lived")
    alice_sfn.delete_state_machine(stateMachineArn=arn)
    with pytest.raises(alice_sfn.exceptions.StateMachineDoesNotExist):
        alice_sfn.describe_state_machine(stateMachineArn=arn)
    alice_sfn.delete_state_machine(stateMachineArn=arn)


def test_machines_are_listed_a_page_at_a_time(alice_sfn, create):
    names = [f"m{i}" for i in range(5)]
    for name in names:
        create("api/hello", name)
    pages = list(alice_sfn.get_paginator("list_state_machines").paginate(PaginationConfig={"PageSize": 2}))
    assert [len(page["stateMachines"]) for page in pages] == [2, 2, 1]
    assert [m["name"] for page in pages for m in page["stateMachines"]] == names
    with pytest.raises(alice_sfn.exceptions.InvalidToken):
        alice_sfn.list_state_machines(nextToken="forged")


def test_validation_reports_problems_and_with_warnings_what_runs_only_on_aws(alice_sfn):
    bad = alice_sfn.validate_state_machine_definition(definition=definition("api/broken"))
    assert bad["result"] == "FAIL"
    assert {d["severity"] for d in bad["diagnostics"]} == {"ERROR"}
    assert any(d["location"] == "/StartAt" for d in bad["diagnostics"])
    good = alice_sfn.validate_state_machine_definition(definition=definition("sfn/stock_trader"))
    assert good == {**good, "result": "OK", "diagnostics": []}
    warned = alice_sfn.validate_state_machine_definition(definition=definition("sfn/stock_trader"), severity="WARNING")
    assert warned["result"] == "OK"
    found = {(d["code"], d["location"]) for d in warned["diagnostics"]}
    assert ("AWS_INTEGRATION", "/States/Record Transaction/Resource") in found
    assert ("AWS_INTEGRATION", "/States/Notify/Resource") in found
    assert ("UNMAPPED_LAMBDA", "/States/Check Stock Value/Resource") in found


def test_tags_are_added_listed_and_removed(alice_sfn, bob_sfn, create):
    arn = create("api/hello", "tagged")
    alice_sfn.tag_resource(resourceArn=arn, tags=[{"key": "b", "value": "2"}, {"key": "a", "value": "1"}])
    alice_sfn.tag_resource(resourceArn=arn, tags=[{"key": "a", "value": "one"}])
    assert bob_sfn.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "a", "value": "one"}, {"key": "b", "value": "2"}]
    alice_sfn.untag_resource(resourceArn=arn, tagKeys=["a", "never-set"])
    assert bob_sfn.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "b", "value": "2"}]
    with pytest.raises(alice_sfn.exceptions.ResourceNotFound):
        alice_sfn.tag_resource(resourceArn=arns.machine_arn("nowhere"), tags=[{"key": "a", "value": "1"}])


def test_a_create_with_too_many_tags_is_refused_and_leaves_nothing_behind(alice_sfn):
    tags = [{"key": f"k{i}", "value": "v"} for i in range(51)]
    with pytest.raises(alice_sfn.exceptions.TooManyTags):
        alice_sfn.create_state_machine(name="tagged", definition=definition("api/hello"), roleArn="r", tags=tags)
    assert alice_sfn.list_state_machines()["stateMachines"] == []
