"""The AWS JSON 1.0 protocol: ``POST`` a JSON object, the action in ``X-Amz-Target``.

``dispatch`` runs one request to its result or raises ``SfnError``: verify the SigV4
signature, count the request against the key's rate, find the action
(``AWSStepFunctions.<Action>``), check the user's permissions, parse the body, call the
handler. Domain errors of ``workflows`` and ``executions`` become AWS's errors here, in
one table; anything unexpected is logged and answered ``InternalFailure`` (500).
``render`` writes a body as ``application/x-amz-json-1.0`` with a request id.
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse

from executions import exceptions as ex
from stepflow.sfn import actions_executions, actions_machines, actions_resources  # noqa: F401  (register)
from stepflow.sfn import auth
from stepflow.sfn import errors as sfn
from stepflow.sfn.registry import ACTIONS, Params, Waiting
from workflows import exceptions as wf

__all__ = ["CONTENT_TYPE", "TARGET_PREFIX", "dispatch", "render", "translate"]

log = logging.getLogger(__name__)

TARGET_PREFIX = "AWSStepFunctions."
CONTENT_TYPE = "application/x-amz-json-1.0"

_DOMAIN: dict[type[Exception], type[sfn.SfnError]] = {
    wf.MachineNotFound: sfn.StateMachineDoesNotExist,
    wf.VersionNotFound: sfn.StateMachineDoesNotExist,
    wf.MachineAlreadyExists: sfn.StateMachineAlreadyExists,
    wf.InvalidMachineName: sfn.InvalidName,
    wf.InvalidDefinition: sfn.InvalidDefinition,
    wf.DefinitionTooLarge: sfn.InvalidDefinition,
    ex.ExecutionNotFound: sfn.ExecutionDoesNotExist,
    ex.ExecutionAlreadyExists: sfn.ExecutionAlreadyExists,
    ex.InvalidExecutionName: sfn.InvalidName,
    ex.InputTooLarge: sfn.InvalidExecutionInput,
    ex.TaskNotFound: sfn.TaskDoesNotExist,
    ex.ExecutionNotRunning: sfn.Validation,
    ex.MachineHasRunningExecutions: sfn.Conflict,
}


def translate(exc: wf.WorkflowError | ex.ExecutionError) -> sfn.SfnError:
    """The AWS error for a domain error; definition problems are listed in the message."""
    kind = _DOMAIN.get(type(exc), sfn.Validation)
    if kind is sfn.InvalidDefinition:
        listed = "; ".join(f"{p.message} at {p.path or '/'}" for p in exc.problems)
        return kind(f"Invalid State Machine Definition: '{listed or exc.message}'")
    return kind(exc.message)


def _params(body: bytes) -> Params:
    if not body.strip():
        return Params({})
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise sfn.Serialization("The request body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise sfn.Serialization("The request body must be a JSON object.")
    return Params(data)


def dispatch(request: HttpRequest) -> dict[str, Any] | Waiting:
    """The result of one request: a response body, or a ``Waiting``; raises ``SfnError``."""
    try:
        body = request.body
    except RequestDataTooBig:
        raise sfn.Validation("The request is larger than this server accepts.") from None
    key = auth.authenticate(request, body)
    auth.throttle(key=key)
    target = request.headers.get("X-Amz-Target", "")
    found = ACTIONS.get(target.removeprefix(TARGET_PREFIX)) if target.startswith(TARGET_PREFIX) else None
    if found is None:
        raise sfn.UnknownOperation(f"Unknown operation: {target!r}")
    auth.authorize(user=key.user, action=found.name, needed=found.permissions)
    params = _params(body)
    try:
        return found.handler(params, key.user)
    except (wf.WorkflowError, ex.ExecutionError) as exc:
        raise translate(exc) from None
    except sfn.SfnError:
        raise
    except Exception:
        log.exception("Step Functions action %s failed", found.name)
        raise sfn.InternalFailure("An internal error occurred; the server log has the details.") from None


def render(body: dict[str, Any], status: int = 200) -> HttpResponse:
    """A JSON 1.0 response with the request id botocore reports as ``RequestId``."""
    response = HttpResponse(json.dumps(body, ensure_ascii=False), status=status, content_type=CONTENT_TYPE)
    response["x-amzn-RequestId"] = str(uuid.uuid4())
    return response
