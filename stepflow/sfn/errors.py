"""AWS Step Functions' errors, as the JSON 1.0 protocol sends them.

Every failure answers ``{"__type": "<Name>", "message": "..."}`` with the status AWS uses
(400 for nearly everything; 500 for a failure of ours). botocore raises the error class of
that name (``client.exceptions.StateMachineDoesNotExist``) and retries ``ThrottlingException``.

::

    SfnError                          base: ``type`` is AWS's ``__type``, ``status`` the HTTP status
    ├── MissingAuthenticationToken    no Authorization header
    ├── IncompleteSignature           an Authorization header that is not SigV4
    ├── InvalidSignature              the signature, date or payload hash does not check
    ├── UnrecognizedClient            an unknown or revoked access key
    ├── AccessDenied                  the key's user lacks the action's permissions
    ├── Throttling                    too many requests for this key
    ├── UnknownOperation              an X-Amz-Target that is not an action here
    ├── Serialization                 a body that is not a JSON object
    ├── Validation                    a parameter of the wrong type, range or form
    ├── InvalidArn / InvalidName / InvalidDefinition / InvalidExecutionInput / InvalidOutput / InvalidToken
    ├── StateMachineDoesNotExist / ExecutionDoesNotExist / ResourceNotFound / TaskDoesNotExist
    ├── StateMachineAlreadyExists / ExecutionAlreadyExists / Conflict / TooManyTags
    └── InternalFailure               anything unexpected (500)
"""

from __future__ import annotations

__all__ = [
    "AccessDenied", "Conflict", "ExecutionAlreadyExists", "ExecutionDoesNotExist", "IncompleteSignature",
    "InternalFailure", "InvalidArn", "InvalidDefinition", "InvalidExecutionInput", "InvalidName", "InvalidOutput", "InvalidSignature",
    "InvalidToken", "MissingAuthenticationToken", "ResourceNotFound", "Serialization", "SfnError",
    "StateMachineAlreadyExists", "StateMachineDoesNotExist", "TaskDoesNotExist", "Throttling", "TooManyTags", "UnknownOperation",
    "UnrecognizedClient", "Validation",
]


class SfnError(Exception):
    """An AWS-shaped failure: ``type`` is the ``__type`` clients match on."""

    type = "InternalFailure"
    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def body(self) -> dict[str, str]:
        return {"__type": self.type, "message": self.message}


class MissingAuthenticationToken(SfnError):
    """The request carries no Authorization header."""

    type = "MissingAuthenticationTokenException"


class IncompleteSignature(SfnError):
    """The Authorization header is not a complete AWS4-HMAC-SHA256 signature."""

    type = "IncompleteSignatureException"


class InvalidSignature(SfnError):
    """The signature, its date or the payload hash does not check."""

    type = "InvalidSignatureException"


class UnrecognizedClient(SfnError):
    """The access key is unknown or revoked."""

    type = "UnrecognizedClientException"


class AccessDenied(SfnError):
    """The key's user lacks the permissions the action needs."""

    type = "AccessDeniedException"


class Throttling(SfnError):
    """Too many requests with this access key; botocore retries it."""

    type = "ThrottlingException"


class UnknownOperation(SfnError):
    """X-Amz-Target names no action served here."""

    type = "UnknownOperationException"


class Serialization(SfnError):
    """The body is not a JSON object."""

    type = "SerializationException"


class Validation(SfnError):
    """A parameter is missing, of the wrong type, or out of range."""

    type = "ValidationException"


class InvalidArn(SfnError):
    """An ARN is malformed or of the wrong kind."""

    type = "InvalidArn"


class InvalidName(SfnError):
    """A machine or execution name stepflow cannot use."""

    type = "InvalidName"


class InvalidDefinition(SfnError):
    """The definition is not valid ASL (every problem in the message)."""

    type = "InvalidDefinition"


class InvalidExecutionInput(SfnError):
    """The input is not JSON or is too large."""

    type = "InvalidExecutionInput"


class InvalidToken(SfnError):
    """A nextToken or task token that is malformed."""

    type = "InvalidToken"


class StateMachineDoesNotExist(SfnError):
    """No live machine has this ARN."""

    type = "StateMachineDoesNotExist"


class ExecutionDoesNotExist(SfnError):
    """No execution has this ARN."""

    type = "ExecutionDoesNotExist"


class ResourceNotFound(SfnError):
    """The tagged resource does not exist."""

    type = "ResourceNotFound"


class TaskDoesNotExist(SfnError):
    """No running task has this token."""

    type = "TaskDoesNotExist"


class StateMachineAlreadyExists(SfnError):
    """A machine of this name exists with another definition."""

    type = "StateMachineAlreadyExists"


class ExecutionAlreadyExists(SfnError):
    """The name was used with another input, or that run has ended."""

    type = "ExecutionAlreadyExists"


class Conflict(SfnError):
    """The change conflicts with the resource's state (running executions)."""

    type = "ConflictException"


class InternalFailure(SfnError):
    """Anything unexpected; the server log has the traceback."""

    type = "InternalFailure"
    status = 500


class InvalidOutput(SfnError):
    """SendTaskSuccess's output is not JSON."""

    type = "InvalidOutput"


class TooManyTags(SfnError):
    """More than 50 tags on one resource."""

    type = "TooManyTags"
