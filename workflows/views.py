"""HTML pages about machines: the graph editor (create and edit).

The page saves through the REST API (``POST /api/machines/``, ``PUT /api/machines/<name>/``)
and validates through ``POST /api/validate/``. The Fn functions for the palette come from
``list_functions``, which ``stepflow/urls.py`` hands in (workflows may not import
executions, where the Fn client lives): it returns ``{"functions": [{app, name,
resource}], "problem": str}``, ``problem`` saying why there are none when Fn is down.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View

from workflows import services
from workflows.exceptions import MachineNotFound

__all__ = ["EditorView"]


class EditorView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """``/machines/new/`` (create) and ``/machines/<name>/edit/`` (a new version)."""

    raise_exception = False
    list_functions: Callable[[], dict[str, Any]] = staticmethod(lambda: {"functions": [], "problem": ""})

    def get_permission_required(self) -> tuple[str, ...]:
        if "name" in self.kwargs:
            return ("workflows.change_statemachine",)
        return ("workflows.add_statemachine",)

    def handle_no_permission(self) -> HttpResponse:
        if self.request.user.is_authenticated:
            self.raise_exception = True  # signed in without the right: 403, not the login page
        return super().handle_no_permission()

    def get(self, request: HttpRequest, name: str | None = None) -> HttpResponse:
        machine = None
        definition: Any = None
        if name is not None:
            try:
                machine = services.get_machine(name=name)
            except MachineNotFound:
                raise Http404(f"There is no state machine named {name!r}.") from None
            definition = json.loads(machine.current_version.definition) if machine.current_version else None
        palette = self.list_functions()
        context = {
            "machine": machine,
            "editor_data": {
                "name": machine.name if machine else None,
                "version": machine.current_version.number if machine and machine.current_version else None,
                "definition": definition,
                "functions": palette["functions"],
                "functions_problem": palette["problem"],
            },
        }
        return render(request, "workflows/editor.html", context)
