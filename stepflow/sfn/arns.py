"""ARNs in AWS's shape for stepflow's machines, versions and executions.

::

    arn:aws:states:<region>:<account>:stateMachine:<machine>
    arn:aws:states:<region>:<account>:stateMachine:<machine>:<version number>
    arn:aws:states:<region>:<account>:execution:<machine>:<execution name>

Region and account come from ``STEPFLOW_SFN_REGION`` and ``STEPFLOW_SFN_ACCOUNT``. Names
map one to one: a machine's live name is unique, and so is an execution's name within
its machine. Parsing accepts any region and account (a client may have them from
elsewhere) but raises ``InvalidArn`` for any other shape.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from stepflow.sfn.errors import InvalidArn

__all__ = ["MachineRef", "execution_arn", "machine_arn", "parse_execution", "parse_machine", "version_arn"]


def _prefix() -> str:
    return f"arn:aws:states:{settings.STEPFLOW_SFN_REGION}:{settings.STEPFLOW_SFN_ACCOUNT}"


def machine_arn(name: str) -> str:
    return f"{_prefix()}:stateMachine:{name}"


def version_arn(name: str, number: int) -> str:
    return f"{_prefix()}:stateMachine:{name}:{number}"


def execution_arn(machine: str, name: str) -> str:
    return f"{_prefix()}:execution:{machine}:{name}"


@dataclass(frozen=True, slots=True)
class MachineRef:
    """A machine ARN, parsed: the machine's name and, for a version ARN, its number."""

    name: str
    version: int | None = None


def _parts(arn: object, kind: str) -> list[str]:
    if not isinstance(arn, str) or not arn:
        raise InvalidArn(f"Invalid Arn: '{arn}'")
    parts = arn.split(":")
    if len(parts) < 7 or parts[:3] != ["arn", "aws", "states"] or parts[5] != kind:
        raise InvalidArn(f"Invalid Arn: '{arn}'")
    return parts


def parse_machine(arn: object) -> MachineRef:
    """The machine (and version) a ``stateMachine`` ARN names; raises ``InvalidArn``."""
    parts = _parts(arn, "stateMachine")
    if len(parts) == 7 and parts[6]:
        return MachineRef(parts[6])
    if len(parts) == 8 and parts[6] and parts[7].isdigit():
        return MachineRef(parts[6], int(parts[7]))
    raise InvalidArn(f"Invalid Arn: '{arn}'")


def parse_execution(arn: object) -> tuple[str, str]:
    """``(machine name, execution name)`` of an ``execution`` ARN; raises ``InvalidArn``."""
    parts = _parts(arn, "execution")
    if len(parts) != 8 or not parts[6] or not parts[7]:
        raise InvalidArn(f"Invalid Arn: '{arn}'")
    return parts[6], parts[7]
