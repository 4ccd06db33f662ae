"""Project-level views: the API root and the error pages in the one error shape."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views import defaults
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from stepflow.api import error_body

__all__ = ["ApiRootView", "json_not_found", "json_server_error"]


def json_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404 for URLs no view matched: the one error shape under /api/, Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("not_found", f"Nothing is at {request.path}."), status=404)
    return defaults.page_not_found(request, exception or Http404())


def json_server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("server_error", "The server failed; the error has been logged."), status=500)
    return defaults.server_error(request)


class ApiRootView(APIView):
    """The API's entry points."""

    @extend_schema(operation_id="root", responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        def link(name: str) -> str:
            return request.build_absolute_uri(reverse(name))

        return Response(
            {
                "machines": link("machine-list"),
                "validate": link("validate"),
                "schema": link("schema"),
                "docs": link("schema-docs"),
            }
        )
