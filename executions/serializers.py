"""Input and output shapes of the execution endpoints (parsing and rendering only)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rest_framework import serializers

from executions.models import Event, Execution, ExecutionStatus, Step
from workflows.serializers import MachineDetailOutput


class StartInput(serializers.Serializer):
    input = serializers.JSONField(required=False, allow_null=True)
    name = serializers.CharField(required=False, max_length=200, trim_whitespace=False)


class StopInput(serializers.Serializer):
    error = serializers.CharField(required=False, allow_blank=True, max_length=256)
    cause = serializers.CharField(required=False, allow_blank=True, max_length=32768)


class ExecutionConfigureInput(serializers.Serializer):
    legal_hold = serializers.BooleanField(help_text="true keeps this run out of retention until lifted")


class ListFilter(serializers.Serializer):
    status = serializers.ChoiceField(choices=ExecutionStatus.choices, required=False)


class AfterFilter(serializers.Serializer):
    """``?after=<n>``: only the rows past a step sequence or event id the caller holds."""

    after = serializers.IntegerField(required=False, min_value=0)


class DeleteFilter(serializers.Serializer):
    stop_running = serializers.BooleanField(required=False, default=False)


class ExecutionOutput(serializers.Serializer):
    id = serializers.UUIDField(source="uuid")
    name = serializers.CharField()
    machine = serializers.CharField(source="machine.name")
    version = serializers.IntegerField(source="version.number")
    status = serializers.CharField()
    input = serializers.JSONField()
    output = serializers.JSONField()
    error = serializers.CharField()
    cause = serializers.CharField()
    started_at = serializers.DateTimeField()
    stopped_at = serializers.DateTimeField()
    waiting_for = serializers.CharField(help_text="timer, task, children or empty while it runs")
    wake_at = serializers.DateTimeField(help_text="when a waiting execution is due to resume")
    legal_hold = serializers.BooleanField(help_text="kept out of retention (this run's hold, not its machine's)")

    def to_representation(self, instance: Execution) -> dict[str, Any]:
        data = super().to_representation(instance)
        if instance.status != ExecutionStatus.RUNNING:
            data["waiting_for"], data["wake_at"] = "", None
        elif instance.waiting_for != "timer":
            data["wake_at"] = None  # a lease or safety net, not something a person waits for
        return data


class ExecutionSummaryOutput(serializers.Serializer):
    """An execution in lists: no input or output."""

    id = serializers.UUIDField(source="uuid")
    name = serializers.CharField()
    version = serializers.IntegerField(source="version.number")
    status = serializers.CharField()
    started_at = serializers.DateTimeField()
    stopped_at = serializers.DateTimeField()


class StepOutput(serializers.Serializer):
    sequence = serializers.IntegerField()
    state_name = serializers.CharField()
    state_type = serializers.CharField()
    branch = serializers.JSONField(help_text="[[Parallel or Map state, branch or iteration index], ...]")
    status = serializers.CharField()
    input = serializers.JSONField()
    output = serializers.JSONField()
    error = serializers.CharField()
    cause = serializers.CharField()
    attempt = serializers.IntegerField()
    assigned_variables = serializers.DictField(
        child=serializers.JSONField(),
        allow_null=True,
        help_text="The workflow variables the state assigned (its Assign), name to value, once it exited; null if none",
    )
    entered_at = serializers.DateTimeField()
    exited_at = serializers.DateTimeField()


# One bound serializer for the process, used only through ``to_representation``, which keeps
# nothing. A serializer made per call is a reference cycle (its fields point back at it)
# holding its ``instance``: here the steps, each holding its Frame, which holds the Execution
# with its input, cursor and context (a Map's whole input, three times). Only the cyclic
# collector's full passes free such cycles, which come seldom: a worker carried that garbage
# for many units of work at once, so its resident memory rose with the Map's input.
_STEP_OUTPUT = StepOutput()


def step_rows(steps: Iterable[Step]) -> list[dict[str, Any]]:
    """The steps as ``StepOutput`` renders them (what ``StepOutput(steps, many=True).data``
    gives), without leaving a serializer cycle that keeps the steps alive."""
    return [_STEP_OUTPUT.to_representation(step) for step in steps]


class EventOutput(serializers.Serializer):
    """An AWS GetExecutionHistory event (``<type>EventDetails`` carries the details)."""

    def to_representation(self, instance: Event) -> dict[str, Any]:
        return instance.as_dict()


class MachineWithCountsOutput(MachineDetailOutput):
    executions = serializers.SerializerMethodField()

    def get_executions(self, machine: Any) -> dict[str, int]:
        return Execution.objects.filter(machine=machine).counts_by_status()


class TaskSuccessInput(serializers.Serializer):
    taskToken = serializers.CharField(max_length=64)
    output = serializers.JSONField(required=False, allow_null=True)


class TaskFailureInput(serializers.Serializer):
    taskToken = serializers.CharField(max_length=64)
    error = serializers.CharField(max_length=256, required=False, allow_blank=True, default="States.TaskFailed")
    cause = serializers.CharField(required=False, allow_blank=True, default="")


class TaskHeartbeatInput(serializers.Serializer):
    taskToken = serializers.CharField(max_length=64)
