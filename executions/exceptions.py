"""What the executions services raise.

::

    ExecutionError                 base; ``code`` names the failure for the API's error body
    ├── ExecutionNotFound          no execution has that id
    ├── ExecutionAlreadyExists     the name is taken on this machine by a run with other input
    ├── ExecutionNotRunning        it already ended (stop)
    ├── InvalidExecutionName       not a name AWS allows (1-80 characters; no blanks, brackets, wildcards...)
    ├── InputTooLarge              the input is over the 256 KiB limit, or nests too deeply
    ├── MachineHasRunningExecutions  a delete without ``stop_running`` while runs are live
    └── TaskNotFound               no running callback task has that token (task API)

The API (``stepflow/api.py``) maps each to one HTTP status and one error body shape.
"""

from __future__ import annotations

from stepflow.asl import Problem

__all__ = [
    "ExecutionAlreadyExists",
    "ExecutionError",
    "ExecutionNotFound",
    "ExecutionNotRunning",
    "InputTooLarge",
    "InvalidExecutionName",
    "MachineHasRunningExecutions",
    "TaskNotFound",
]


class ExecutionError(Exception):
    """Base of the executions domain errors; ``problems`` pins them to input paths."""

    code = "execution_error"

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = list(problems or [])


class ExecutionNotFound(ExecutionError):
    code = "execution_not_found"


class ExecutionAlreadyExists(ExecutionError):
    code = "execution_already_exists"


class ExecutionNotRunning(ExecutionError):
    code = "execution_not_running"


class InvalidExecutionName(ExecutionError):
    code = "invalid_execution_name"


class InputTooLarge(ExecutionError):
    code = "input_too_large"


class MachineHasRunningExecutions(ExecutionError):
    code = "machine_has_running_executions"


class TaskNotFound(ExecutionError):
    code = "task_not_found"
