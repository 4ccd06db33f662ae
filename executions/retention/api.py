"""``GET /api/retention/``: the retention dashboard hook (last run, last failure, health)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from executions.retention.status import retention_status
from stepflow.api import RequiredPermissions


class RetentionStatusView(APIView):
    permission_classes = [RequiredPermissions]
    required_permissions = {"GET": ("executions.view_execution",)}

    @extend_schema(operation_id="retention_status", responses={200: dict})
    def get(self, request: Request) -> Response:
        return Response(retention_status())
