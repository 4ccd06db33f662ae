"""Input and output shapes of the machine endpoints (parsing and rendering only)."""

from __future__ import annotations

import json
from typing import Any

from rest_framework import serializers

from workflows.models import StateMachine, StateMachineVersion


class DefinitionField(serializers.JSONField):
    """An ASL definition: a JSON object, or JSON text as AWS's API takes it."""


class MachineCreateInput(serializers.Serializer):
    name = serializers.CharField(max_length=200, trim_whitespace=False)
    definition = DefinitionField()
    description = serializers.CharField(required=False, allow_blank=True, max_length=1024, default="")
    # Range-checked by the service (1-30), so the API answers with the domain's error body.
    retention_days = serializers.IntegerField(required=False, allow_null=True, default=None)


class MachineConfigureInput(serializers.Serializer):
    """PATCH: settings that need no new version."""

    retention_days = serializers.IntegerField(required=False, allow_null=True)
    legal_hold = serializers.BooleanField(required=False)
    description = serializers.CharField(required=False, allow_blank=True, max_length=1024)


class MachineUpdateInput(serializers.Serializer):
    definition = DefinitionField()
    comment = serializers.CharField(required=False, allow_blank=True, max_length=256, default="")
    description = serializers.CharField(required=False, allow_blank=True, max_length=1024)


class ValidateInput(serializers.Serializer):
    definition = DefinitionField()


class ProblemOutput(serializers.Serializer):
    path = serializers.CharField()
    message = serializers.CharField()


class ValidateOutput(serializers.Serializer):
    valid = serializers.BooleanField()
    problems = ProblemOutput(many=True)


def parsed_definition(version: StateMachineVersion) -> Any:
    return json.loads(version.definition)


class VersionOutput(serializers.Serializer):
    """A version without its definition (lists)."""

    number = serializers.IntegerField()
    definition_sha256 = serializers.CharField()
    comment = serializers.CharField()
    created_by = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_created_by(self, version: StateMachineVersion) -> str | None:
        return version.created_by.get_username() if version.created_by else None


class VersionDetailOutput(VersionOutput):
    definition = serializers.SerializerMethodField()

    def get_definition(self, version: StateMachineVersion) -> Any:
        return parsed_definition(version)


class MachineOutput(serializers.Serializer):
    """A machine in lists: its name and current version number."""

    name = serializers.CharField()
    description = serializers.CharField()
    version = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_version(self, machine: StateMachine) -> int | None:
        version = machine.current_version
        return version.number if version else None


class MachineDetailOutput(serializers.Serializer):
    """A machine described: its current version with the definition."""

    name = serializers.CharField()
    description = serializers.CharField()
    retention_days = serializers.IntegerField(allow_null=True)
    legal_hold = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    version = VersionOutput(source="current_version")
    definition = serializers.SerializerMethodField()

    def get_definition(self, machine: StateMachine) -> Any:
        return parsed_definition(machine.current_version) if machine.current_version else None
