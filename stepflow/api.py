"""What every API view shares: one error body, pagination, permissions.

(Kept free of view classes: DRF imports this module while it sets itself up.)

Every failure, from a domain error to a bad token or an unknown URL, answers with::

    {"error": {"code": "machine_not_found", "message": "A sentence for people.",
               "problems": [{"path": "/States/A/Next", "message": "..."}]}}

``problems`` is always present (possibly empty) and pins the failure to parts of the input.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from rest_framework import exceptions as drf
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from stepflow.access import exceptions as tokens
from executions import exceptions as ex
from workflows import exceptions as wf

__all__ = ["NewestFirstPagination", "RequiredPermissions", "error_body", "exception_handler", "require_perms"]

_STATUS: dict[type[Exception], int] = {
    wf.MachineNotFound: 404,
    wf.VersionNotFound: 404,
    ex.ExecutionNotFound: 404,
    ex.TaskNotFound: 404,
    wf.MachineAlreadyExists: 409,
    ex.ExecutionAlreadyExists: 409,
    ex.ExecutionNotRunning: 409,
    ex.MachineHasRunningExecutions: 409,
    wf.InvalidMachineName: 400,
    wf.InvalidRetention: 400,
    wf.InvalidDefinition: 400,
    wf.DefinitionTooLarge: 400,
    ex.InvalidExecutionName: 400,
    ex.InputTooLarge: 400,
}


def error_body(code: str, message: str, problems: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """The one error body shape."""
    return {"error": {"code": code, "message": message, "problems": problems or []}}


def _problems_from_detail(detail: Any, path: str = "") -> list[dict[str, str]]:
    """Flatten DRF's nested validation detail into path/message problems."""
    if isinstance(detail, dict):
        out: list[dict[str, str]] = []
        for key, value in detail.items():
            sub = path if key == "non_field_errors" else f"{path}/{key}"
            out.extend(_problems_from_detail(value, sub))
        return out
    if isinstance(detail, list):
        out = []
        for index, value in enumerate(detail):
            nested = isinstance(value, (dict, list))
            out.extend(_problems_from_detail(value, f"{path}/{index}" if nested else path))
        return out
    return [{"path": path, "message": str(detail)}]


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's exception handler: domain and DRF errors into the one body shape."""
    if isinstance(exc, (wf.WorkflowError, ex.ExecutionError)):
        status = _STATUS.get(type(exc), 400)
        problems = [p.as_dict() for p in exc.problems]
        return Response(error_body(exc.code, exc.message, problems), status=status)
    if isinstance(exc, tokens.TokenError):
        status = 404 if isinstance(exc, tokens.TokenNotFound) else 400
        return Response(error_body(exc.code, exc.message), status=status)
    if isinstance(exc, Http404):
        exc = drf.NotFound()
    if isinstance(exc, drf.ValidationError):
        problems = _problems_from_detail(exc.detail)
        return Response(error_body("invalid_request", "The request is not valid.", problems), status=400)
    if isinstance(exc, drf.APIException):
        detail = exc.detail
        message = str(detail) if not isinstance(detail, (dict, list)) else "The request failed."
        headers: dict[str, str] = {}
        if isinstance(exc, (drf.NotAuthenticated, drf.AuthenticationFailed)):
            view = context.get("view")
            request = context.get("request")
            if view is not None and request is not None:
                header = view.get_authenticate_header(request)
                if header:
                    headers["WWW-Authenticate"] = header
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait))  # type: ignore[attr-defined]
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else exc.default_code
        return Response(error_body(str(code), message), status=exc.status_code, headers=headers)
    return None


_NOBODY = "access.no_rule_for_this_method"  # a permission no one is granted


class NewestFirstPagination(CursorPagination):
    """Cursor pages, newest first; a view names its ``ordering`` (and may offer ``?order=asc``)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 1000
    ordering = "-id"

    def get_ordering(self, request: Request, queryset: Any, view: APIView | None) -> tuple[str, ...]:
        ordering = getattr(view, "ordering", None) or self.ordering
        if isinstance(ordering, str):
            ordering = (ordering,)
        if getattr(view, "allow_oldest_first", False) and request.query_params.get("order") == "asc":
            ordering = tuple(field[1:] if field.startswith("-") else f"-{field}" for field in ordering)
        return tuple(ordering)


def require_perms(request: Request, *perms: str) -> None:
    """Refuse (403) unless the user holds ``perms``: for rights that depend on the body,
    e.g. a machine's retention window, which only admins may set."""
    if not request.user.has_perms(perms):
        raise drf.PermissionDenied()


class RequiredPermissions(BasePermission):
    """Allows a request when the user holds the permissions the view lists for its method.

    A view sets ``required_permissions = {"GET": (...), "POST": (...)}``; HEAD and OPTIONS
    use GET's. Superusers hold every permission. Deny by default: a method the view does
    not list needs a permission nobody holds, so adding a handler without a rule refuses
    everyone but superusers (``tests/test_access_walk.py`` then asks for a rule).
    """

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        method = "GET" if request.method in ("HEAD", "OPTIONS") else request.method
        if not hasattr(view, request.method.lower()):
            return True  # no handler: DRF answers 405
        needed = getattr(view, "required_permissions", {}).get(method, (_NOBODY,))
        return user.has_perms(needed)
