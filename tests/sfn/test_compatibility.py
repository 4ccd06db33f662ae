"""The compatibility report: what an imported definition names that cannot run here."""

from __future__ import annotations

import pytest

from stepflow.sfn.compatibility import report
from stepflow.sfn.models import LambdaMapping
from tests.machines import load

pytestmark = pytest.mark.django_db


def test_it_lists_aws_only_integrations_and_lambdas_not_mapped_yet():
    found = {(f["state"], f["kind"]) for f in report(load("sfn/stock_trader"))}
    assert found == {
        ("Check Stock Value", "unmapped_lambda"),
        ("Buy Stock", "unmapped_lambda"),
        ("Sell Stock", "unmapped_lambda"),
        ("Record Transaction", "aws_integration"),
        ("Notify", "aws_integration"),
    }


def test_mapped_lambdas_and_fn_resources_are_not_listed():
    for name in ("StockCheckerFunction", "StockBuyerFunction", "StockSellerFunction"):
        LambdaMapping.objects.create(function_name=name, target=f"fn:stocks/{name.lower()}")
    assert [f["path"] for f in report(load("sfn/stock_trader"))] == [
        "/States/Record Transaction/Resource", "/States/Notify/Resource",
    ]
    assert report(load("fn/echo")) == []


def test_nested_states_sdk_integrations_and_activities_are_found():
    definition = {
        "StartAt": "P",
        "States": {
            "P": {"Type": "Parallel", "End": True, "Branches": [
                {"StartAt": "Q", "States": {"Q": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:listBuckets", "End": True}}},
            ]},
            "M": {"Type": "Map", "End": True, "ItemProcessor": {"StartAt": "A", "States": {
                "A": {"Type": "Task", "Resource": "arn:aws:states:us-east-1:123456789012:activity:review", "End": True}}}},
        },
    }
    assert [(f["path"], f["kind"]) for f in report(definition)] == [
        ("/States/P/Branches/0/States/Q/Resource", "aws_sdk"),
        ("/States/M/ItemProcessor/States/A/Resource", "activity"),
    ]


def test_the_report_is_served_to_any_signed_in_person(bob_api):
    response = bob_api.post("/aws/compatibility/", {"definition": load("sfn/stock_trader")}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is True
    assert {f["kind"] for f in body["unsupported"]} == {"unmapped_lambda", "aws_integration"}
    broken = bob_api.post("/aws/compatibility/", {"definition": load("api/broken")}, format="json").json()
    assert (broken["valid"], broken["unsupported"]) == (False, [])
