"""The one endpoint of the Step Functions API, and the compatibility report.

``endpoint`` is async so that StartSyncExecution's wait holds no server thread: each
request's synchronous work runs through ``sync_to_async`` (its own thread per request
under ASGI), and the wait polls the execution between ``asyncio.sleep`` calls.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from asgiref.sync import sync_to_async
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from executions.models import Execution, ExecutionStatus
from stepflow.api import RequiredPermissions
from stepflow.sfn import compatibility
from stepflow.sfn.errors import SfnError, UnknownOperation
from stepflow.sfn.protocol import dispatch, render
from stepflow.sfn.registry import Waiting
from workflows import services as workflows

_FIRST_POLL, _LONGEST_POLL = 0.02, 0.5


def _running(execution_id: int) -> bool:
    return Execution.objects.filter(pk=execution_id, status=ExecutionStatus.RUNNING).exists()


async def _wait(waiting: Waiting) -> dict[str, Any]:
    ends = time.monotonic() + waiting.timeout_seconds
    delay = _FIRST_POLL
    while await sync_to_async(_running)(waiting.execution_id):
        if time.monotonic() >= ends:
            return await sync_to_async(waiting.finish)(True)
        await asyncio.sleep(delay)
        delay = min(delay * 2, _LONGEST_POLL)
    return await sync_to_async(waiting.finish)(False)


@csrf_exempt
async def endpoint(request: HttpRequest) -> HttpResponse:
    """``POST /aws/``: one AWS Step Functions action per request."""
    try:
        if request.method != "POST":
            raise UnknownOperation("The Step Functions API answers POST requests only.")
        result = await sync_to_async(dispatch)(request)
        if isinstance(result, Waiting):
            result = await _wait(result)
        return render(result)
    except SfnError as exc:
        return render(exc.body(), exc.status)


class CompatibilityInput(serializers.Serializer):
    definition = serializers.JSONField(help_text="the definition, as JSON text or an object")


class _Problem(serializers.Serializer):
    path = serializers.CharField()
    message = serializers.CharField()


class _Finding(serializers.Serializer):
    path = serializers.CharField(help_text="JSON pointer to the resource")
    state = serializers.CharField()
    resource = serializers.CharField()
    kind = serializers.ChoiceField(choices=["aws_integration", "aws_sdk", "activity", "unmapped_lambda"])
    message = serializers.CharField()


class CompatibilityOutput(serializers.Serializer):
    valid = serializers.BooleanField()
    problems = _Problem(many=True)
    unsupported = _Finding(many=True)


class CompatibilityView(APIView):
    """``POST /aws/compatibility/ {definition}``: what in it cannot run here, and why.

    ``{"valid", "problems", "unsupported": [{path, state, resource, kind, message}]}``;
    any role may ask, as with ``/api/validate/``.
    """

    permission_classes = [RequiredPermissions]
    required_permissions = {"POST": ("workflows.view_statemachine",)}

    @extend_schema(operation_id="sfn_compatibility", request=CompatibilityInput, responses=CompatibilityOutput)
    def post(self, request: Request) -> Response:
        data = CompatibilityInput(data=request.data)
        data.is_valid(raise_exception=True)
        definition = data.validated_data["definition"]
        problems = workflows.problems_in(definition=definition)
        unsupported: list[compatibility.Finding] = []
        if not problems:
            parsed, _ = workflows.check_definition(definition=definition)
            unsupported = compatibility.report(parsed)
        return Response(
            {"valid": not problems, "problems": [p.as_dict() for p in problems], "unsupported": unsupported}
        )
