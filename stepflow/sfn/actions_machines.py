"""State machine actions: create, update, describe, delete, list, validate.

Thin handlers: read the parameters, call ``workflows.services`` / ``executions.services``,
render AWS's response. Every stepflow version is a published version here (stepflow keeps
each definition change), so ``publish`` only decides whether a version ARN is returned.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction

from executions import api as rest_executions
from executions import services as runs
from stepflow.sfn import arns, compatibility, lookup
from stepflow.sfn.errors import StateMachineAlreadyExists, StateMachineDoesNotExist, TooManyTags, Validation
from stepflow.sfn.registry import Params, action, epoch, next_token, read_token
from stepflow.sfn.services import MAX_TAGS, profile_of, set_profile, tag_machine
from workflows import api as rest_workflows
from workflows import services as workflows
from workflows.models import StateMachine, StateMachineVersion

VIEW = rest_workflows.MachineListView.required_permissions["GET"]
CREATE = rest_workflows.MachineListView.required_permissions["POST"]
UPDATE = rest_workflows.MachineDetailView.required_permissions["PUT"]
DELETE = rest_executions.MachineDetailView.required_permissions["DELETE"]
_TYPES = ("STANDARD", "EXPRESS")
_LOGGING = {"level": "OFF", "includeExecutionData": False}


def _type(params: Params) -> str | None:
    kind = params.string("type")
    if kind is not None and kind not in _TYPES:
        raise Validation(f"1 validation error detected: Value '{kind}' at 'type' failed to satisfy constraint: "
                         "Member must satisfy enum value set: [STANDARD, EXPRESS]")
    return kind


def tags_from(params: Params) -> dict[str, str]:
    """``tags: [{key, value}]`` as a dict; raises ``Validation`` for a malformed one."""
    tags: dict[str, str] = {}
    for tag in params.items("tags"):
        if not isinstance(tag, dict) or not isinstance(tag.get("key"), str) or not tag["key"]:
            raise Validation("1 validation error detected: every tag needs a non-empty 'key'")
        tags[tag["key"]] = str(tag.get("value") or "")
    if len(tags) > MAX_TAGS:
        raise TooManyTags(f"Too many tags: a resource has at most {MAX_TAGS}.")
    return tags


@action("CreateStateMachine", CREATE)
def create_state_machine(params: Params, user: Any) -> dict[str, Any]:
    """Idempotent as on AWS: the same name and definition returns the existing machine."""
    name = params.string("name", required=True)
    definition = params.string("definition", required=True)
    role_arn = params.string("roleArn", default="")
    kind = _type(params) or "STANDARD"
    tags = tags_from(params)
    existing = StateMachine.objects.named(name).select_related("current_version").first()
    if existing is not None:
        version = existing.current_version
        if version is None or version.definition != definition or profile_of(machine=existing).type != kind:
            raise StateMachineAlreadyExists(f"State Machine Already Exists: '{arns.machine_arn(name)}'")
        machine = existing
    else:
        with transaction.atomic():  # the machine, its profile and its tags, or nothing
            machine = workflows.create_machine(name=name, definition=definition, by=user)
            set_profile(machine=machine, type=kind, role_arn=role_arn)
            if tags:
                tag_machine(machine=machine, tags=tags)
        version = machine.current_version
    out: dict[str, Any] = {"stateMachineArn": arns.machine_arn(machine.name), "creationDate": epoch(machine.created_at)}
    if params.flag("publish") and version is not None:
        out["stateMachineVersionArn"] = arns.version_arn(machine.name, version.number)
    return out


@action("UpdateStateMachine", UPDATE)
def update_state_machine(params: Params, user: Any) -> dict[str, Any]:
    machine, version = lookup.machine(params.string("stateMachineArn", required=True))
    if version is not None:
        raise Validation("A version ARN cannot be updated; pass the state machine's ARN.")
    definition = params.string("definition")
    role_arn = params.string("roleArn")
    if definition is None and role_arn is None:
        raise Validation("Either the definition, the roleArn or the loggingConfiguration must be specified.")
    if role_arn is not None:
        set_profile(machine=machine, role_arn=role_arn)
    current = machine.current_version
    if definition is not None:
        comment = params.string("versionDescription", default="")
        current = workflows.update_machine(machine=machine, definition=definition, comment=comment, by=user)
        machine.refresh_from_db()
    out: dict[str, Any] = {"updateDate": epoch(machine.updated_at)}
    if current is not None:
        out["revisionId"] = current.definition_sha256
        if params.flag("publish"):
            out["stateMachineVersionArn"] = arns.version_arn(machine.name, current.number)
    return out


def describe(machine: StateMachine, version: StateMachineVersion | None) -> dict[str, Any]:
    """AWS's DescribeStateMachine body for a machine, or one of its versions."""
    shown = version or machine.current_version
    assert shown is not None, "a live machine always has a current version"
    profile = profile_of(machine=machine)
    out: dict[str, Any] = {
        "stateMachineArn": arns.version_arn(machine.name, shown.number) if version else arns.machine_arn(machine.name),
        "name": machine.name,
        "status": "ACTIVE",
        "definition": shown.definition,
        "roleArn": profile.role_arn,
        "type": profile.type,
        "creationDate": epoch(shown.created_at if version else machine.created_at),
        "loggingConfiguration": _LOGGING,
        "tracingConfiguration": {"enabled": False},
        "revisionId": shown.definition_sha256,
        "description": shown.comment if version else machine.description,
    }
    return out


@action("DescribeStateMachine", VIEW)
def describe_state_machine(params: Params, user: Any) -> dict[str, Any]:
    machine, version = lookup.machine(params.string("stateMachineArn", required=True))
    return describe(machine, version)


@action("DeleteStateMachine", DELETE)
def delete_state_machine(params: Params, user: Any) -> dict[str, Any]:
    """AWS does not refuse a delete while runs go on; stepflow stops them first (as the
    REST API's ``?stop_running=true``), then retires or removes the machine."""
    arn = params.string("stateMachineArn", required=True)
    try:
        machine, version = lookup.machine(arn)
    except StateMachineDoesNotExist:
        return {}  # deleting what is gone succeeds on AWS too
    if version is not None:
        raise Validation("stepflow keeps every version of a live machine; delete the state machine instead.")
    runs.delete_machine(machine=machine, stop_running=True, by=user)
    return {}


@action("ListStateMachines", VIEW)
def list_state_machines(params: Params, user: Any) -> dict[str, Any]:
    size = params.page_size()
    after = read_token(params.string("nextToken"), listing="machines")
    rows = StateMachine.objects.live().order_by("id")
    if after is not None:
        rows = rows.filter(id__gt=int(after))
    page = list(rows.select_related("sfn_profile")[: size + 1])
    out: dict[str, Any] = {
        "stateMachines": [
            {
                "stateMachineArn": arns.machine_arn(m.name),
                "name": m.name,
                "type": getattr(getattr(m, "sfn_profile", None), "type", "STANDARD"),
                "creationDate": epoch(m.created_at),
            }
            for m in page[:size]
        ]
    }
    if len(page) > size:
        out["nextToken"] = next_token(listing="machines", after=page[size - 1].id)
    return out


# The REST API's validate view asks only for a signed-in user; so does this (unless it changes).
@action("ValidateStateMachineDefinition", getattr(rest_workflows.ValidateView, "required_permissions", {}).get("POST", ()))
def validate_state_machine_definition(params: Params, user: Any) -> dict[str, Any]:
    """ASL problems as ERROR diagnostics; with ``severity=WARNING`` also what cannot run
    here (``compatibility.report``) as WARNING diagnostics."""
    definition = params.string("definition", required=True)
    severity = params.string("severity", default="ERROR")
    if severity not in ("ERROR", "WARNING"):
        raise Validation("severity must be ERROR or WARNING")
    limit = params.number("maxResults", default=0, minimum=0, maximum=100) or 100
    diagnostics = [
        {"severity": "ERROR", "code": "SCHEMA_VALIDATION_FAILED", "message": p.message, "location": p.path or "/"}
        for p in workflows.problems_in(definition=definition)
    ]
    if not diagnostics and severity == "WARNING":
        diagnostics += [
            {"severity": "WARNING", "code": f["kind"].upper(), "message": f"{f['message']} ({f['resource']})",
             "location": f["path"]}
            for f in compatibility.report(json.loads(definition))
        ]
    return {
        "result": "FAIL" if any(d["severity"] == "ERROR" for d in diagnostics) else "OK",
        "diagnostics": diagnostics[:limit],
        "truncated": len(diagnostics) > limit,
    }
