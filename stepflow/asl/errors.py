"""The exceptions of the ASL core.

::

    ASLError                 base of everything stepflow.asl raises on purpose
    ├── DefinitionError      a definition could not be parsed; carries every Problem found
    ├── PathSyntaxError      a JSONPath or reference path is malformed (compile time)
    ├── IntrinsicSyntaxError an intrinsic function call is malformed (compile time)
    └── StatesError          a run-time failure named by an ASL error string (the error currency)
        └── TaskFailed       raised by an ``invoke`` callable: the task failed with (error, cause)

A ``StatesError`` is never fatal to the interpreter: it becomes a Retry, a Catch, or the
execution's ``Failed(error, cause)`` decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "ASLError",
    "DefinitionError",
    "ErrorName",
    "IntrinsicSyntaxError",
    "PathSyntaxError",
    "Problem",
    "StatesError",
    "TaskFailed",
]


class ErrorName:
    """The error names the specification and AWS use, as constants."""

    ALL = "States.ALL"
    BRANCH_FAILED = "States.BranchFailed"
    DATA_LIMIT_EXCEEDED = "States.DataLimitExceeded"
    EXCEED_TOLERATED_FAILURE_THRESHOLD = "States.ExceedToleratedFailureThreshold"
    HEARTBEAT_TIMEOUT = "States.HeartbeatTimeout"
    INTRINSIC_FAILURE = "States.IntrinsicFailure"
    ITEM_READER_FAILED = "States.ItemReaderFailed"
    NO_CHOICE_MATCHED = "States.NoChoiceMatched"
    PARAMETER_PATH_FAILURE = "States.ParameterPathFailure"
    PERMISSIONS = "States.Permissions"
    QUERY_EVALUATION_ERROR = "States.QueryEvaluationError"
    RESULT_PATH_MATCH_FAILURE = "States.ResultPathMatchFailure"
    RESULT_WRITER_FAILED = "States.ResultWriterFailed"
    RUNTIME = "States.Runtime"
    TASK_FAILED = "States.TaskFailed"
    TIMEOUT = "States.Timeout"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a definition.

    ``path`` points into the definition JSON-pointer style (``/States/Check/Choices/0/Next``;
    ``""`` is the whole document); ``message`` says what to fix.
    """

    path: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message}


class ASLError(Exception):
    """Base of every exception stepflow.asl raises on purpose."""


class DefinitionError(ASLError):
    """Raised by ``parse`` when a definition is not valid; ``problems`` lists every issue."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        first = problems[0] if problems else Problem("", "invalid definition")
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{first.path or '/'}: {first.message}{more}")


class PathSyntaxError(ASLError):
    """Raised when a JSONPath or reference path cannot be compiled."""


class IntrinsicSyntaxError(ASLError):
    """Raised when an intrinsic function call (``States.Format(...)``) cannot be compiled."""


class StatesError(ASLError):
    """A run-time failure with an ASL error name (``States.Runtime``, ``MyError``) and cause.

    ``cause`` is free text (or ``None``); AWS's wording is kept where it is known.
    ``location`` names the field whose evaluation failed (``Output/result``), for the
    ``EvaluationFailed`` history event of a JSONata state.
    """

    def __init__(self, error: str | None, cause: str | None = None, *, location: str | None = None) -> None:
        self.error = error
        self.cause = cause
        self.location = location
        super().__init__(f"{error}: {cause}" if cause else str(error))

    def as_output(self) -> dict[str, Any]:
        """The error output a Catcher passes on: ``{"Error": ..., "Cause": ...}``."""
        out: dict[str, Any] = {}
        if self.error is not None:
            out["Error"] = self.error
        if self.cause is not None:
            out["Cause"] = self.cause
        return out


class TaskFailed(StatesError):
    """Raised by an ``invoke`` callable to report that the task failed with (error, cause)."""
