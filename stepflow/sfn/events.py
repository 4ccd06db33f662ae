"""stepflow's history events in GetExecutionHistory's shape.

stepflow records AWS's event types with their details as JSON values; AWS's API differs
in three ways this module bridges:

- the details key is per *category*: every ``<Type>StateEntered`` event carries
  ``stateEnteredEventDetails`` (likewise ``stateExitedEventDetails``), every other event
  ``<type>EventDetails``;
- inputs, outputs and task parameters travel as JSON *text*, with ``inputDetails`` /
  ``outputDetails`` beside them (``includeExecutionData=false`` leaves all of them out);
- a Task's resource is split into ``resourceType`` and ``resource``
  (``arn:aws:states:::lambda:invoke`` is ``lambda`` / ``invoke``; an Fn resource is
  ``fn`` and the rest of it).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from executions.models import Event
from stepflow.sfn.registry import epoch, json_text

__all__ = ["as_aws"]

_DATA = {"input": "inputDetails", "output": "outputDetails", "parameters": None}
_NUMBERS = ("timeoutInSeconds", "heartbeatInSeconds", "length", "index")


def _details_key(kind: str) -> str:
    for category in ("StateEntered", "StateExited"):
        if kind.endswith(category):
            return "s" + category[1:] + "EventDetails"
    return kind[0].lower() + kind[1:] + "EventDetails"


def _resource(resource: str) -> tuple[str, str]:
    if resource.startswith("arn:aws:states:::"):
        service, _, rest = resource.removeprefix("arn:aws:states:::").partition(":")
        return service, rest
    if resource.startswith("arn:aws:lambda:"):
        return "lambda", resource
    kind, _, rest = resource.partition(":")
    return (kind, rest) if kind in ("fn", "http", "https") and rest else ("fn", resource)


def _details(kind: str, details: dict[str, Any], include_data: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in details.items():
        if key in _DATA:
            if include_data:
                out[key] = json_text(value)
                if _DATA[key]:
                    out[_DATA[key]] = {"truncated": False}
        elif key in _NUMBERS:
            if value is not None:
                out[key] = int(value)
        elif value is not None:
            out[key] = value
    if "resource" in out and kind.startswith("Task"):
        out["resourceType"], out["resource"] = _resource(str(out["resource"]))
        if kind == "TaskScheduled":
            out["region"] = settings.STEPFLOW_SFN_REGION
    return out


def as_aws(event: Event, *, include_data: bool) -> dict[str, Any]:
    """One ``HistoryEvent`` as botocore expects it."""
    out: dict[str, Any] = {
        "timestamp": epoch(event.timestamp),
        "type": event.type,
        "id": event.event_id,
        "previousEventId": event.previous_event_id,
    }
    details = _details(event.type, event.details or {}, include_data)
    if details or event.type in ("ExecutionStarted", "ExecutionSucceeded"):
        out[_details_key(event.type)] = details
    return out
