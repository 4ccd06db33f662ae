"""REST endpoints for executions (and the machine actions that concern them).

Each view parses its input, calls one service and renders the result.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from executions import callbacks, services
from executions.models import Event, Execution, Step
from executions.serializers import (
    AfterFilter,
    DeleteFilter,
    EventOutput,
    ExecutionConfigureInput,
    ExecutionOutput,
    ExecutionSummaryOutput,
    ListFilter,
    MachineWithCountsOutput,
    StartInput,
    StepOutput,
    StopInput,
    TaskFailureInput,
    TaskHeartbeatInput,
    TaskSuccessInput,
)
from stepflow.api import RequiredPermissions
from workflows import api as workflows_api
from workflows import services as workflows

VIEW = ("executions.view_execution",)
START = ("executions.start_execution",)
STOP = ("executions.stop_execution",)
REPORT = ("executions.send_task_result",)
HOLD = ("workflows.manage_retention",)  # the admin role's, as for a machine's hold
ORDER = OpenApiParameter("order", str, enum=["desc", "asc"], description="desc (newest first, the default) or asc")
AFTER_STEP = OpenApiParameter(
    "after", int, description="only the steps entered after this one (a step's sequence): a page that holds the "
    "steps up to it asks for the rest; with order=asc, pages follow by sequence"
)
AFTER_EVENT = OpenApiParameter("after", int, description="only the events after this event id")


class MachineDetailView(workflows_api.MachineDetailView):
    """Describe (with execution counts by status), update, or delete a machine."""

    @extend_schema(operation_id="machines_describe", responses=MachineWithCountsOutput)
    def get(self, request: Request, name: str) -> Response:
        machine = workflows.get_machine(name=name)
        return Response(MachineWithCountsOutput(machine).data)

    @extend_schema(
        operation_id="machines_delete",
        parameters=[OpenApiParameter("stop_running", bool, description="abort running executions first")],
        responses={204: None},
    )
    def delete(self, request: Request, name: str) -> Response:
        machine = workflows.get_machine(name=name)
        query = DeleteFilter(data=request.query_params)
        query.is_valid(raise_exception=True)
        services.delete_machine(machine=machine, stop_running=query.validated_data["stop_running"], by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MachineExecutionsView(ListAPIView):
    """List a machine's executions (``?status=``), newest first, or start one."""

    permission_classes = [RequiredPermissions]
    required_permissions = {"GET": VIEW, "POST": START}
    serializer_class = ExecutionSummaryOutput
    ordering = ("-started_at",)

    def get_queryset(self) -> Any:
        machine = workflows.get_machine(name=self.kwargs["name"])
        query = ListFilter(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        executions = Execution.objects.filter(machine=machine).select_related("version")
        if "status" in query.validated_data:
            executions = executions.filter(status=query.validated_data["status"])
        return executions

    @extend_schema(operation_id="executions_list", parameters=[ListFilter])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(operation_id="executions_start", request=StartInput, responses={201: ExecutionOutput, 200: ExecutionOutput})
    def post(self, request: Request, name: str) -> Response:
        machine = workflows.get_machine(name=name)
        data = StartInput(data=request.data)
        data.is_valid(raise_exception=True)
        execution, created = services.start_execution(machine=machine, **data.validated_data, by=request.user)
        # A repeated start by name returns the same execution: 200, not a second 201.
        return Response(ExecutionOutput(execution).data, status=201 if created else 200)


class ExecutionDetailView(APIView):
    """Describe an execution, or put it on legal hold and lift the hold."""

    permission_classes = [RequiredPermissions]
    required_permissions = {"GET": VIEW, "PATCH": HOLD}

    @extend_schema(operation_id="executions_describe", responses=ExecutionOutput)
    def get(self, request: Request, execution_id: str) -> Response:
        return Response(ExecutionOutput(services.get_execution(execution_id=execution_id)).data)

    @extend_schema(operation_id="executions_configure", request=ExecutionConfigureInput, responses=ExecutionOutput)
    def patch(self, request: Request, execution_id: str) -> Response:
        execution = services.get_execution(execution_id=execution_id)
        data = ExecutionConfigureInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.set_legal_hold(
            executions=Execution.objects.filter(pk=execution.pk), hold=data.validated_data["legal_hold"], by=request.user
        )
        return Response(ExecutionOutput(services.get_execution(execution_id=execution_id)).data)


class StopView(APIView):
    """Abort a running execution, whether it is running a task or waiting."""

    permission_classes = [RequiredPermissions]
    required_permissions = {"POST": STOP}

    @extend_schema(operation_id="executions_stop", request=StopInput, responses=ExecutionOutput)
    def post(self, request: Request, execution_id: str) -> Response:
        execution = services.get_execution(execution_id=execution_id)
        data = StopInput(data=request.data)
        data.is_valid(raise_exception=True)
        stopped = services.stop_execution(execution=execution, **data.validated_data, by=request.user)
        return Response(ExecutionOutput(stopped).data)


class _ExecutionPage(ListAPIView):
    """An execution's rows in cursor pages; ``?after=<n>`` keeps those past ``n`` (by ``key``)."""

    permission_classes = [RequiredPermissions]
    required_permissions = {"GET": VIEW}
    allow_oldest_first = True
    key = ""

    def rows(self, execution: Execution) -> Any:
        raise NotImplementedError

    def get_queryset(self) -> Any:
        query = AfterFilter(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        rows = self.rows(services.get_execution(execution_id=self.kwargs["execution_id"]))
        after = query.validated_data.get("after")
        return rows if after is None else rows.filter(**{f"{self.key}__gt": after})


@extend_schema_view(get=extend_schema(operation_id="executions_steps", parameters=[ORDER, AFTER_STEP]))
class StepListView(_ExecutionPage):
    """The states an execution visited, one row each (``?order=asc`` for oldest first,
    ``?after=<sequence>`` for those entered after a step already held)."""

    serializer_class = StepOutput
    ordering = ("-sequence",)
    key = "sequence"

    def rows(self, execution: Execution) -> Any:
        return Step.objects.filter(execution=execution)


@extend_schema_view(get=extend_schema(operation_id="executions_history", parameters=[ORDER, AFTER_EVENT]))
class HistoryView(_ExecutionPage):
    """The AWS-style event history (``?order=asc`` for oldest first, ``?after=<event id>``)."""

    serializer_class = EventOutput
    ordering = ("-event_id",)
    key = "event_id"

    def rows(self, execution: Execution) -> Any:
        return Event.objects.filter(execution=execution)


class _TaskView(APIView):
    """The callback pattern's task API (AWS's SendTask*): the token from ``$$.Task.Token``."""

    permission_classes = [RequiredPermissions]
    required_permissions = {"POST": REPORT}


class TaskSuccessView(_TaskView):
    """Complete a ``.waitForTaskToken`` task with ``output`` (SendTaskSuccess)."""

    @extend_schema(operation_id="tasks_success", request=TaskSuccessInput, responses={200: None})
    def post(self, request: Request) -> Response:
        data = TaskSuccessInput(data=request.data)
        data.is_valid(raise_exception=True)
        callbacks.send_success(token=data.validated_data["taskToken"], output=data.validated_data.get("output"))
        return Response({})


class TaskFailureView(_TaskView):
    """Fail a ``.waitForTaskToken`` task with ``error`` and ``cause`` (SendTaskFailure)."""

    @extend_schema(operation_id="tasks_failure", request=TaskFailureInput, responses={200: None})
    def post(self, request: Request) -> Response:
        data = TaskFailureInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        callbacks.send_failure(token=values["taskToken"], error=values["error"] or None, cause=values["cause"])
        return Response({})


class TaskHeartbeatView(_TaskView):
    """Report that a ``.waitForTaskToken`` task is alive (SendTaskHeartbeat)."""

    @extend_schema(operation_id="tasks_heartbeat", request=TaskHeartbeatInput, responses={200: None})
    def post(self, request: Request) -> Response:
        data = TaskHeartbeatInput(data=request.data)
        data.is_valid(raise_exception=True)
        callbacks.send_heartbeat(token=data.validated_data["taskToken"])
        return Response({})
