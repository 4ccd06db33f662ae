"""Running the Lambda functions an imported definition names on Fn functions.

A definition copied from AWS names Lambda functions in two ways:

- ``"Resource": "arn:aws:lambda:<region>:<account>:function:NAME[:QUALIFIER]"``: the
  function gets the state's effective input and its result is the state's result;
- ``"Resource": "arn:aws:states:::lambda:invoke"`` with ``Parameters.FunctionName`` (an
  ARN, a partial ARN ``<account>:function:NAME`` or a bare ``NAME[:QUALIFIER]``) and
  ``Parameters.Payload``: the function gets the Payload, and the result is AWS's envelope
  ``{"ExecutedVersion", "Payload", "StatusCode"}`` (AWS samples pick ``$.Payload``).

``wrap`` (listed in ``STEPFLOW_FN_CLIENT_WRAPPERS``) puts a ``MappingClient`` around the
configured Fn client: when a Task calls such a resource it looks the function up in the
``LambdaMapping`` table *at call time* (so an operator may add or change a row while runs
wait) and calls the mapped Fn resource instead, keeping a ``.waitForTaskToken`` suffix.
Every other resource goes to the Fn client unchanged. A Lambda function with no mapping
fails the Task with ``Fn.NotFound`` and a cause that says what to add.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from executions.fn import FnClient, Invoked, TaskCall, TaskError
from stepflow.sfn.models import LambdaMapping

__all__ = ["LAMBDA_INVOKE", "LambdaRef", "MappingClient", "find_mapping", "parse_function", "wrap"]

LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"
_CALLBACK = ".waitForTaskToken"
_FUNCTION_ARN = "arn:aws:lambda:"


@dataclass(frozen=True, slots=True)
class LambdaRef:
    """A Lambda function as an ARN or FunctionName names it; empty parts were not given."""

    name: str
    qualifier: str = ""
    region: str = ""
    account: str = ""


def parse_function(text: str) -> LambdaRef | None:
    """The function a Lambda ARN, partial ARN or ``NAME[:QUALIFIER]`` names; None if none."""
    if not isinstance(text, str) or not text:
        return None
    if text.startswith(_FUNCTION_ARN):
        parts = text.split(":")  # arn aws lambda region account function NAME [QUALIFIER]
        if len(parts) in (7, 8) and parts[5] == "function" and parts[6]:
            return LambdaRef(parts[6], parts[7] if len(parts) == 8 else "", parts[3], parts[4])
        return None
    parts = text.split(":")
    if len(parts) in (3, 4) and parts[1] == "function" and parts[2]:  # ACCOUNT:function:NAME[:QUALIFIER]
        return LambdaRef(parts[2], parts[3] if len(parts) == 4 else "", "", parts[0])
    if len(parts) in (1, 2) and parts[0]:
        return LambdaRef(parts[0], parts[1] if len(parts) == 2 else "")
    return None


def find_mapping(ref: LambdaRef) -> LambdaMapping | None:
    """The most specific mapping matching ``ref`` (empty fields of a row match anything)."""
    best: tuple[int, LambdaMapping] | None = None
    for row in LambdaMapping.objects.filter(function_name=ref.name):
        score = 0
        for weight, mine, theirs in ((4, row.qualifier, ref.qualifier), (2, row.region, ref.region), (1, row.account, ref.account)):
            if mine and mine != theirs:
                break
            score += weight if mine else 0
        else:
            if best is None or score > best[0]:
                best = (score, row)
    return best[1] if best else None


def _target(ref: LambdaRef, shown: str) -> str:
    mapping = find_mapping(ref)
    if mapping is None:
        raise TaskError(
            "Fn.NotFound",
            f"No Lambda mapping for {shown}: add one (function {ref.name!r}) under "
            "Step Functions API > Lambda mappings in the admin, naming the Fn function to run.",
        )
    return mapping.target


class MappingClient:
    """An Fn client that runs mapped Lambda resources; see the module docstring."""

    def __init__(self, inner: FnClient) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)  # list_functions and whatever else the client offers

    def invoke(self, call: TaskCall) -> Any:
        resource = call.resource
        suffix = _CALLBACK if resource.endswith(_CALLBACK) else ""
        base = resource[: len(resource) - len(suffix)]
        if base.startswith(_FUNCTION_ARN):
            ref = parse_function(base)
            if ref is None:
                raise TaskError("Fn.ResourceNotAllowed", f"{base!r} is not a Lambda function ARN")
            return self.inner.invoke(dataclasses.replace(call, resource=_target(ref, base) + suffix))
        if base != LAMBDA_INVOKE:
            return self.inner.invoke(call)
        params = call.payload if isinstance(call.payload, dict) else {}
        name = params.get("FunctionName")
        ref = parse_function(name) if isinstance(name, str) else None
        if ref is None:
            raise TaskError("States.Runtime", f"{LAMBDA_INVOKE} needs Parameters.FunctionName naming a function, not {name!r}")
        if params.get("Qualifier") and not ref.qualifier:
            ref = dataclasses.replace(ref, qualifier=str(params["Qualifier"]))
        target = _target(ref, str(name))
        mapped = dataclasses.replace(call, resource=target + suffix, payload=params.get("Payload", {}))
        output = self.inner.invoke(mapped)
        if isinstance(output, Invoked):
            return Invoked(_envelope(output.output, ref), output.call_id)
        return _envelope(output, ref)


def _envelope(output: Any, ref: LambdaRef) -> dict[str, Any]:
    """What AWS's lambda:invoke integration returns around the function's result."""
    return {"ExecutedVersion": ref.qualifier or "$LATEST", "Payload": output, "StatusCode": 200}


def wrap(client: FnClient) -> FnClient:
    """``STEPFLOW_FN_CLIENT_WRAPPERS`` entry: the configured client with Lambda mapping."""
    return MappingClient(client)  # type: ignore[return-value]
