"""Which resources of a definition cannot run here, and why.

A definition imported from AWS may name integrations that only AWS can run (DynamoDB,
SQS, SNS, Glue, the ``aws-sdk`` integrations, activities) and Lambda functions that have
no ``LambdaMapping`` yet. ``report`` lists each such Task (and Map ``ItemReader`` /
``ResultWriter``) resource with its JSON-pointer path; Fn resources and mapped Lambda
functions are not listed. ValidateStateMachineDefinition returns the findings as WARNING
diagnostics, and ``POST /aws/compatibility/`` returns them as they are.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TypedDict

from stepflow.sfn.lambda_map import LAMBDA_INVOKE, find_mapping, parse_function

__all__ = ["Finding", "report"]

_CALLBACK = ".waitForTaskToken"


class Finding(TypedDict):
    """One resource that cannot run here as written."""

    path: str
    state: str
    resource: str
    kind: str  # aws_integration | aws_sdk | activity | unmapped_lambda
    message: str


def _pointer(*parts: str) -> str:
    return "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in parts)


def _resources(states: Any, prefix: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], str, str, dict[str, Any]]]:
    """``(path, state name, resource, state)`` for every resource, nested states included."""
    if not isinstance(states, dict):
        return
    for name, state in states.items():
        if not isinstance(state, dict):
            continue
        here = (*prefix, "States", name)
        if state.get("Type") == "Task" and isinstance(state.get("Resource"), str):
            yield (*here, "Resource"), name, state["Resource"], state
        for field in ("ItemReader", "ResultWriter"):
            part = state.get(field)
            if isinstance(part, dict) and isinstance(part.get("Resource"), str):
                yield (*here, field, "Resource"), name, part["Resource"], part
        for index, branch in enumerate(state.get("Branches") or []):
            if isinstance(branch, dict):
                yield from _resources(branch.get("States"), (*here, "Branches", str(index)))
        for field in ("ItemProcessor", "Iterator"):
            inner = state.get(field)
            if isinstance(inner, dict):
                yield from _resources(inner.get("States"), (*here, field))


def _classify(resource: str, state: dict[str, Any]) -> tuple[str, str] | None:
    base = resource.removesuffix(_CALLBACK)
    if base.startswith("arn:aws:lambda:"):
        ref = parse_function(base)
        if ref is not None and find_mapping(ref) is None:
            return "unmapped_lambda", f"Lambda function {ref.name!r} has no mapping to an Fn function yet."
        return None
    if base == LAMBDA_INVOKE:
        params = state.get("Parameters") if isinstance(state.get("Parameters"), dict) else {}
        name = params.get("FunctionName")
        ref = parse_function(name) if isinstance(name, str) else None
        if ref is not None and find_mapping(ref) is None:
            return "unmapped_lambda", f"Lambda function {ref.name!r} has no mapping to an Fn function yet."
        return None  # a FunctionName.$ path is resolved, and mapped, at run time
    if base.startswith("arn:aws:states:::aws-sdk:"):
        return "aws_sdk", f"The AWS SDK integration {base} runs only on AWS."
    if base.startswith("arn:aws:states:::"):
        service = base.removeprefix("arn:aws:states:::").split(":")[0]
        return "aws_integration", f"The {service} integration runs only on AWS."
    if base.startswith("arn:aws:states:") and ":activity:" in base:
        return "activity", "Activities (workers polling GetActivityTask) are not supported."
    return None


def report(definition: Any) -> list[Finding]:
    """Every resource in ``definition`` (a parsed JSON object) that cannot run here as written."""
    findings: list[Finding] = []
    if not isinstance(definition, dict):
        return findings
    for path, state_name, resource, state in _resources(definition.get("States"), ()):
        found = _classify(resource, state)
        if found is not None:
            kind, message = found
            findings.append(Finding(path=_pointer(*path), state=state_name, resource=resource, kind=kind, message=message))
    return findings
