"""Execution actions: start (also synchronously), stop, describe, list, history.

StartExecution is idempotent by name as on AWS: the same name and input while that run is
still going returns it again; the same name with another input, or once that run has
ended, is ``ExecutionAlreadyExists``. Executions start on the machine's current version.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings

from executions import api as rest_executions
from executions import services as runs
from executions.exceptions import ExecutionNotRunning
from executions.models import Event, Execution, ExecutionStatus
from stepflow.sfn import arns, lookup
from stepflow.sfn.errors import ExecutionAlreadyExists, InvalidExecutionInput, Validation
from stepflow.sfn.events import as_aws
from stepflow.sfn.registry import Params, Waiting, action, epoch, json_text, next_token, read_token
from stepflow.sfn.services import profile_of
from workflows.models import StateMachine

VIEW = rest_executions.ExecutionDetailView.required_permissions["GET"]
LIST = rest_executions.MachineExecutionsView.required_permissions["GET"]
START = rest_executions.MachineExecutionsView.required_permissions["POST"]
STOP = rest_executions.StopView.required_permissions["POST"]
HISTORY = rest_executions.HistoryView.required_permissions["GET"]
_STATUSES = tuple(ExecutionStatus.values)


def execution_arn(execution: Execution) -> str:
    return arns.execution_arn(execution.machine.name, execution.name)


def _start(params: Params, user: Any) -> tuple[StateMachine, Execution]:
    machine, version = lookup.machine(params.string("stateMachineArn", required=True))
    if version is not None and version.pk != machine.current_version_id:
        raise Validation("stepflow starts executions on the current version only; pass the state machine's ARN.")
    text = params.string("input", default="{}")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidExecutionInput(f"Invalid State Machine Execution Input: '{exc.msg}'") from None
    execution, created = runs.start_execution(machine=machine, input=value, name=params.string("name"), by=user)
    if not created and execution.status != ExecutionStatus.RUNNING:
        raise ExecutionAlreadyExists(f"Execution Already Exists: '{execution_arn(execution)}'")
    return machine, execution


@action("StartExecution", START)
def start_execution(params: Params, user: Any) -> dict[str, Any]:
    _, execution = _start(params, user)
    return {"executionArn": execution_arn(execution), "startDate": epoch(execution.started_at)}


@action("StartSyncExecution", START)
def start_sync_execution(params: Params, user: Any) -> Waiting:
    """Starts the run and answers when it ends (at most ``STEPFLOW_SFN_SYNC_TIMEOUT_SECONDS``,
    after which the run is stopped and reported TIMED_OUT). As on AWS, EXPRESS machines only."""
    machine, _ = lookup.machine(params.string("stateMachineArn", required=True))
    if profile_of(machine=machine).type != "EXPRESS":
        raise Validation("StartSyncExecution is only supported for EXPRESS state machines.")
    machine, execution = _start(params, user)

    def finish(timed_out: bool) -> dict[str, Any]:
        row = Execution.objects.select_related("machine").get(pk=execution.pk)
        if timed_out and row.status == ExecutionStatus.RUNNING:
            cause = f"The execution did not end within {settings.STEPFLOW_SFN_SYNC_TIMEOUT_SECONDS:g} seconds."
            try:
                row = runs.stop_execution(execution=row, error="States.Timeout", cause=cause, by=user)
            except ExecutionNotRunning:
                row.refresh_from_db()  # it ended just now: report how
        body = _summary(row) | {"input": json_text(row.input), "inputDetails": {"included": True}}
        body["status"] = "TIMED_OUT" if row.status in (ExecutionStatus.ABORTED, ExecutionStatus.TIMED_OUT) else row.status
        body["billingDetails"] = {"billedMemoryUsedInMB": 0, "billedDurationInMilliseconds": 0}
        return body | _outcome(row)

    return Waiting(execution.pk, settings.STEPFLOW_SFN_SYNC_TIMEOUT_SECONDS, finish)


@action("StopExecution", STOP)
def stop_execution(params: Params, user: Any) -> dict[str, Any]:
    execution = lookup.execution(params.string("executionArn", required=True))
    try:
        stopped = runs.stop_execution(
            execution=execution, error=params.string("error"), cause=params.string("cause"), by=user
        )
    except ExecutionNotRunning:
        raise Validation(f"Execution {execution_arn(execution)} is not running ({execution.status}).") from None
    return {"stopDate": epoch(stopped.stopped_at)}


def _summary(execution: Execution) -> dict[str, Any]:
    out: dict[str, Any] = {
        "executionArn": execution_arn(execution),
        "stateMachineArn": arns.machine_arn(execution.machine.name),
        "name": execution.name,
        "status": execution.status,
        "startDate": epoch(execution.started_at),
    }
    if execution.stopped_at:
        out["stopDate"] = epoch(execution.stopped_at)
    return out


def _outcome(execution: Execution) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if execution.status == ExecutionStatus.SUCCEEDED:
        out["output"] = json_text(execution.output)
        out["outputDetails"] = {"included": True}
    if execution.error:
        out["error"] = execution.error
    if execution.cause:
        out["cause"] = execution.cause
    return out


@action("DescribeExecution", VIEW)
def describe_execution(params: Params, user: Any) -> dict[str, Any]:
    execution = lookup.execution(params.string("executionArn", required=True))
    body = _summary(execution) | {"input": json_text(execution.input), "inputDetails": {"included": True}}
    body["stateMachineVersionArn"] = arns.version_arn(execution.machine.name, execution.version.number)
    return body | _outcome(execution)


@action("ListExecutions", LIST)
def list_executions(params: Params, user: Any) -> dict[str, Any]:
    """Newest first; ``statusFilter`` and ``maxResults``/``nextToken`` as on AWS."""
    arn = params.string("stateMachineArn") or params.string("mapRunArn")
    machine, version = lookup.machine(arn)
    status = params.string("statusFilter")
    if status is not None and status not in _STATUSES:
        raise Validation(f"1 validation error detected: Value '{status}' at 'statusFilter' failed to satisfy "
                         f"constraint: Member must satisfy enum value set: [{', '.join(_STATUSES)}]")
    size = params.page_size()
    listing = f"executions:{machine.pk}:{version.pk if version else ''}:{status or ''}"
    before = read_token(params.string("nextToken"), listing=listing)
    rows = Execution.objects.filter(machine=machine).select_related("machine").order_by("-id")
    if version is not None:
        rows = rows.filter(version=version)
    if status:
        rows = rows.filter(status=status)
    if before is not None:
        rows = rows.filter(id__lt=int(before))
    page = list(rows[: size + 1])
    out: dict[str, Any] = {"executions": [_summary(e) for e in page[:size]]}
    if len(page) > size:
        out["nextToken"] = next_token(listing=listing, after=page[size - 1].id)
    return out


@action("GetExecutionHistory", HISTORY)
def get_execution_history(params: Params, user: Any) -> dict[str, Any]:
    execution = lookup.execution(params.string("executionArn", required=True))
    reverse = params.flag("reverseOrder")
    include = params.flag("includeExecutionData", default=True)
    size = params.page_size()
    listing = f"history:{execution.pk}:{int(reverse)}"
    after = read_token(params.string("nextToken"), listing=listing)
    rows = Event.objects.filter(execution=execution).order_by("-event_id" if reverse else "event_id")
    if after is not None:
        rows = rows.filter(event_id__lt=int(after)) if reverse else rows.filter(event_id__gt=int(after))
    page = list(rows[: size + 1])
    out: dict[str, Any] = {"events": [as_aws(event, include_data=include) for event in page[:size]]}
    if len(page) > size:
        out["nextToken"] = next_token(listing=listing, after=page[size - 1].event_id)
    return out


@action("DescribeStateMachineForExecution", VIEW)
def describe_state_machine_for_execution(params: Params, user: Any) -> dict[str, Any]:
    """The definition the execution runs (its version's), not the machine's current one."""
    execution = lookup.execution(params.string("executionArn", required=True))
    version = execution.version
    return {
        "stateMachineArn": arns.machine_arn(execution.machine.name),
        "name": execution.machine.name,
        "definition": version.definition,
        "roleArn": profile_of(machine=execution.machine).role_arn,
        "updateDate": epoch(version.created_at),
        "revisionId": version.definition_sha256,
        "stateMachineVersionArn": arns.version_arn(execution.machine.name, version.number),
        "loggingConfiguration": {"level": "OFF", "includeExecutionData": False},
        "tracingConfiguration": {"enabled": False},
    }
