"""From an ARN in a request to stepflow's rows, with AWS's errors when there is none."""

from __future__ import annotations

from django.db.models import F

from executions.models import Execution
from stepflow.sfn import arns
from stepflow.sfn.errors import ExecutionDoesNotExist, StateMachineDoesNotExist
from workflows.models import StateMachine, StateMachineVersion

__all__ = ["execution", "machine"]


def machine(arn: object) -> tuple[StateMachine, StateMachineVersion | None]:
    """The live machine a machine or version ARN names, and the version for a version ARN.

    Raises ``InvalidArn`` or ``StateMachineDoesNotExist``.
    """
    ref = arns.parse_machine(arn)
    found = StateMachine.objects.named(ref.name).select_related("current_version").first()
    if found is None:
        raise StateMachineDoesNotExist(f"State Machine Does Not Exist: '{arn}'")
    if ref.version is None:
        return found, None
    version = found.versions.filter(number=ref.version).first()
    if version is None:
        raise StateMachineDoesNotExist(f"State Machine Does Not Exist: '{arn}'")
    return found, version


def execution(arn: object) -> Execution:
    """The execution an execution ARN names; raises ``InvalidArn`` or ``ExecutionDoesNotExist``.

    A machine's live name is unique but a deleted machine's name may be reused, so the
    live machine's run wins, then the most recently retired one's.
    """
    machine_name, name = arns.parse_execution(arn)
    found = (
        Execution.objects.select_related("machine", "version")
        .filter(machine__name=machine_name, name=name)
        .order_by(F("machine__deleted_at").desc(nulls_first=True), "-id")
        .first()
    )
    if found is None:
        raise ExecutionDoesNotExist(f"Execution Does Not Exist: '{arn}'")
    return found
