"""What the workflows services raise.

::

    WorkflowError              base; ``code`` names the failure for the API's error body
    ├── MachineNotFound        no live machine has that name
    ├── MachineAlreadyExists   a live machine already has that name
    ├── VersionNotFound        the machine has no version with that number
    ├── InvalidMachineName     not 1-80 letters, digits, '-' or '_'
    ├── InvalidRetention       a retention window outside 1-30 days
    ├── DefinitionTooLarge     the definition is over the 1 MiB limit
    └── InvalidDefinition      not JSON, or not valid ASL; ``problems`` lists every one

The API (``stepflow/api.py``) maps each to one HTTP status and one error body shape.
"""

from __future__ import annotations

from stepflow.asl import Problem

__all__ = [
    "DefinitionTooLarge",
    "InvalidDefinition",
    "InvalidMachineName",
    "InvalidRetention",
    "MachineAlreadyExists",
    "MachineNotFound",
    "VersionNotFound",
    "WorkflowError",
]


class WorkflowError(Exception):
    """Base of the workflows domain errors; ``problems`` pins them to input paths."""

    code = "workflow_error"

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = list(problems or [])


class MachineNotFound(WorkflowError):
    code = "machine_not_found"


class MachineAlreadyExists(WorkflowError):
    code = "machine_already_exists"


class VersionNotFound(WorkflowError):
    code = "version_not_found"


class InvalidMachineName(WorkflowError):
    code = "invalid_machine_name"


class InvalidRetention(WorkflowError):
    code = "invalid_retention"


class DefinitionTooLarge(WorkflowError):
    code = "definition_too_large"


class InvalidDefinition(WorkflowError):
    code = "invalid_definition"
