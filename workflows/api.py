"""REST endpoints for machines, versions and validation: parse, call one service, render."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from stepflow.api import RequiredPermissions, require_perms
from workflows import services
from workflows.models import StateMachine, StateMachineVersion
from workflows.serializers import (
    MachineConfigureInput,
    MachineCreateInput,
    MachineDetailOutput,
    MachineOutput,
    MachineUpdateInput,
    ValidateInput,
    ValidateOutput,
    VersionDetailOutput,
    VersionOutput,
)

VIEW = ("workflows.view_statemachine",)
ADD = ("workflows.add_statemachine",)
CHANGE = ("workflows.change_statemachine",)
DELETE = ("workflows.delete_statemachine",)


class MachineListView(ListAPIView):
    """List state machines (newest first) or create one."""

    permission_classes = [RequiredPermissions]
    required_permissions = {"GET": VIEW, "POST": ADD}
    serializer_class = MachineOutput
    ordering = ("-created_at",)

    def get_queryset(self) -> Any:
        return StateMachine.objects.live().select_related("current_version")

    @extend_schema(operation_id="machines_list")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(operation_id="machines_create", request=MachineCreateInput, responses={201: MachineDetailOutput})
    def post(self, request: Request) -> Response:
        data = MachineCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        if data.validated_data.get("retention_days") is not None:
            require_perms(request, "workflows.manage_retention")
        machine = services.create_machine(**data.validated_data, by=request.user)
        return Response(MachineDetailOutput(machine).data, status=status.HTTP_201_CREATED)


class MachineDetailView(APIView):
    """Describe a machine or give it a new version (the executions app adds delete)."""

    permission_classes = [RequiredPermissions]
    required_permissions = {"GET": VIEW, "PUT": CHANGE, "PATCH": CHANGE, "DELETE": DELETE}

    @extend_schema(operation_id="machines_describe", responses=MachineDetailOutput)
    def get(self, request: Request, name: str) -> Response:
        machine = services.get_machine(name=name)
        return Response(MachineDetailOutput(machine).data)

    @extend_schema(operation_id="machines_update", request=MachineUpdateInput, responses=VersionDetailOutput)
    def put(self, request: Request, name: str) -> Response:
        machine = services.get_machine(name=name)
        data = MachineUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.update_machine(machine=machine, **data.validated_data, by=request.user)
        return Response(VersionDetailOutput(version).data)

    @extend_schema(operation_id="machines_configure", request=MachineConfigureInput, responses=MachineDetailOutput)
    def patch(self, request: Request, name: str) -> Response:
        machine = services.get_machine(name=name)
        data = MachineConfigureInput(data=request.data)
        data.is_valid(raise_exception=True)
        if {"retention_days", "legal_hold"} & set(data.validated_data):
            require_perms(request, "workflows.manage_retention")  # the admin role's, not an editor's
        machine = services.configure_machine(machine=machine, **data.validated_data, by=request.user)
        return Response(MachineDetailOutput(machine).data)


@extend_schema_view(get=extend_schema(operation_id="machines_versions_list"))
class VersionListView(ListAPIView):
    """The versions of a machine, newest first (definitions left out)."""

    permission_classes = [RequiredPermissions]
    required_permissions = {"GET": VIEW}
    serializer_class = VersionOutput
    ordering = ("-number",)

    def get_queryset(self) -> Any:
        machine = services.get_machine(name=self.kwargs["name"])
        return StateMachineVersion.objects.filter(machine=machine).select_related("created_by")


class VersionDetailView(APIView):
    """One version of a machine with its definition."""

    permission_classes = [RequiredPermissions]
    required_permissions = {"GET": VIEW}

    @extend_schema(operation_id="machines_versions_describe", responses=VersionDetailOutput)
    def get(self, request: Request, name: str, number: int) -> Response:
        machine = services.get_machine(name=name)
        version = services.get_version(machine=machine, number=number)
        return Response(VersionDetailOutput(version).data)


class ValidateView(APIView):
    """Check a definition without saving it: ``{valid, problems}``."""

    permission_classes = [RequiredPermissions]
    required_permissions = {"POST": VIEW}  # any role; saves nothing

    @extend_schema(
        operation_id="validate",
        request=ValidateInput,
        responses={200: ValidateOutput, 400: OpenApiResponse(description="no definition given")},
    )
    def post(self, request: Request) -> Response:
        data = ValidateInput(data=request.data)
        data.is_valid(raise_exception=True)
        problems = services.problems_in(definition=data.validated_data["definition"])
        body = {"valid": not problems, "problems": [p.as_dict() for p in problems]}
        return Response(ValidateOutput(body).data)
