"""Task callbacks (SendTask*), versions and tags.

Task tokens are stepflow's ``$$.Task.Token`` values; the outcome reaches the run through
``executions.callbacks`` exactly as the REST task API's does. Tags live on machines
(AWS tags machines and activities; stepflow has no activities).
"""

from __future__ import annotations

import json
from typing import Any

from executions import api as rest_executions
from executions import callbacks
from stepflow.sfn import arns, lookup
from stepflow.sfn.actions_machines import UPDATE, VIEW, tags_from
from stepflow.sfn.errors import InvalidArn, InvalidOutput, ResourceNotFound, StateMachineDoesNotExist, TooManyTags, Validation
from stepflow.sfn.registry import Params, action, epoch, next_token, read_token
from stepflow.sfn.services import tag_machine, tags_of, untag_machine
from workflows.models import StateMachine


def _token(params: Params) -> str:
    token = params.string("taskToken", required=True)
    if not 1 <= len(token) <= 2048:
        raise Validation("taskToken must be 1-2048 characters")
    return str(token)


@action("SendTaskSuccess", rest_executions.TaskSuccessView.required_permissions["POST"])
def send_task_success(params: Params, user: Any) -> dict[str, Any]:
    token = _token(params)
    text = params.string("output", required=True)
    try:
        output = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidOutput(f"Invalid Output: '{exc.msg}'") from None
    callbacks.send_success(token=token, output=output)
    return {}


@action("SendTaskFailure", rest_executions.TaskFailureView.required_permissions["POST"])
def send_task_failure(params: Params, user: Any) -> dict[str, Any]:
    callbacks.send_failure(token=_token(params), error=params.string("error"), cause=params.string("cause"))
    return {}


@action("SendTaskHeartbeat", rest_executions.TaskHeartbeatView.required_permissions["POST"])
def send_task_heartbeat(params: Params, user: Any) -> dict[str, Any]:
    callbacks.send_heartbeat(token=_token(params))
    return {}


@action("ListStateMachineVersions", VIEW)
def list_state_machine_versions(params: Params, user: Any) -> dict[str, Any]:
    """Every version, newest first: each stepflow definition change is a version."""
    machine, version = lookup.machine(params.string("stateMachineArn", required=True))
    if version is not None:
        raise Validation("Pass the state machine's ARN, not a version's.")
    size = params.page_size()
    listing = f"versions:{machine.pk}"
    before = read_token(params.string("nextToken"), listing=listing)
    rows = machine.versions.order_by("-number")
    if before is not None:
        rows = rows.filter(number__lt=int(before))
    page = list(rows[: size + 1])
    out: dict[str, Any] = {
        "stateMachineVersions": [
            {"stateMachineVersionArn": arns.version_arn(machine.name, v.number), "creationDate": epoch(v.created_at)}
            for v in page[:size]
        ]
    }
    if len(page) > size:
        out["nextToken"] = next_token(listing=listing, after=page[size - 1].number)
    return out


def _tagged(params: Params) -> StateMachine:
    arn = params.string("resourceArn", required=True)
    try:
        machine, version = lookup.machine(arn)
    except StateMachineDoesNotExist:
        raise ResourceNotFound(f"Resource not found: '{arn}'") from None
    except InvalidArn:
        raise InvalidArn(f"Invalid Arn: '{arn}': only state machines are tagged here") from None
    if version is not None:
        raise InvalidArn(f"Invalid Arn: '{arn}': tag the state machine, not a version")
    return machine


@action("TagResource", UPDATE)
def tag_resource(params: Params, user: Any) -> dict[str, Any]:
    machine = _tagged(params)
    try:
        tag_machine(machine=machine, tags=tags_from(params))
    except ValueError as exc:
        raise TooManyTags(f"Too many tags: {exc}") from None
    return {}


@action("UntagResource", UPDATE)
def untag_resource(params: Params, user: Any) -> dict[str, Any]:
    machine = _tagged(params)
    keys = params.items("tagKeys", required=True)
    if not all(isinstance(key, str) for key in keys):
        raise Validation("tagKeys must be strings")
    untag_machine(machine=machine, keys=keys)
    return {}


@action("ListTagsForResource", VIEW)
def list_tags_for_resource(params: Params, user: Any) -> dict[str, Any]:
    return {"tags": tags_of(machine=_tagged(params))}
