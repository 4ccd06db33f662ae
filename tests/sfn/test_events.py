"""History events in GetExecutionHistory's shape."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from django.conf import settings

from executions.models import Event
from stepflow.sfn.events import as_aws

AT = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


def _event(kind: str, details: dict) -> Event:
    return Event(event_id=3, previous_event_id=2, type=kind, timestamp=AT, details=details)


def test_state_events_carry_their_category_details_with_data_as_json_text():
    entered = as_aws(_event("TaskStateEntered", {"name": "Charge", "input": {"amount": 5}}), include_data=True)
    assert entered == {
        "timestamp": AT.timestamp(), "type": "TaskStateEntered", "id": 3, "previousEventId": 2,
        "stateEnteredEventDetails": {"name": "Charge", "input": '{"amount":5}', "inputDetails": {"truncated": False}},
    }
    bare = as_aws(_event("TaskStateEntered", {"name": "Charge", "input": {"amount": 5}}), include_data=False)
    assert bare["stateEnteredEventDetails"] == {"name": "Charge"}


def test_a_scheduled_task_names_its_resource_type_region_and_parameters():
    details = {"resource": "arn:aws:states:::lambda:invoke", "parameters": {"FunctionName": "F"},
               "timeoutInSeconds": 30.0, "heartbeatInSeconds": None}
    scheduled = as_aws(_event("TaskScheduled", details), include_data=True)["taskScheduledEventDetails"]
    assert scheduled == {"resourceType": "lambda", "resource": "invoke", "region": settings.STEPFLOW_SFN_REGION,
                         "parameters": '{"FunctionName":"F"}', "timeoutInSeconds": 30}
    fn = as_aws(_event("TaskSucceeded", {"resource": "fn:demo/echo", "output": "done"}), include_data=True)
    assert fn["taskSucceededEventDetails"]["resourceType"] == "fn"
    assert json.loads(fn["taskSucceededEventDetails"]["output"]) == "done"
