"""HTML pages about runs: the dashboard, a machine's page, an execution's page.

Each view parses its query, calls reads from ``executions/overview.py`` and renders. Every
change a page makes goes through the REST API (session auth and the CSRF token).
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from executions import overview, services
from executions.exceptions import ExecutionNotFound
from executions.models import Execution, ExecutionStatus
from executions.serializers import step_rows
from workflows import services as workflows
from workflows.exceptions import MachineNotFound, VersionNotFound

__all__ = ["dashboard", "execution_page", "machine_page"]

VIEW = "executions.view_execution"
STEP_PAGE = 1000  # as static/pages/execution.js fetches them
EVENT_PAGE = 500


def _machine(name: str) -> Any:
    try:
        return workflows.get_machine(name=name)
    except MachineNotFound:
        raise Http404(f"There is no state machine named {name!r}.") from None


@login_required
@permission_required(VIEW, raise_exception=True)
def dashboard(request: HttpRequest) -> HttpResponse:
    query = request.GET
    window = query.get("window", "24h") if query.get("window") in overview.WINDOWS else "24h"
    filters = {
        "machine": query.get("machine", ""),
        "status": query.get("status", "") if query.get("status") in ExecutionStatus.values else "",
        "window": window,
        "q": query.get("q", "").strip(),
    }
    executions = overview.execution_list(
        machine=filters["machine"], status=filters["status"], started_after=overview.since(window), search=filters["q"]
    )
    machines = list(overview.machine_summaries(started_after=timezone.now() - overview.WINDOWS["24h"]))
    context = {
        "machines": machines,
        "executions": executions,
        "running": overview.running_executions(),
        "filters": filters,
        "statuses": ExecutionStatus.values,
        "windows": list(overview.WINDOWS),
        "filtered": any(filters[k] for k in ("machine", "status", "q")) or window != "24h",
    }
    template = "executions/_dashboard_live.html" if query.get("fragment") == "live" else "executions/dashboard.html"
    return render(request, template, context)


@login_required
@permission_required(VIEW, raise_exception=True)
def machine_page(request: HttpRequest, name: str) -> HttpResponse:
    machine = _machine(name)
    versions = list(overview.machine_versions(machine=machine))
    current = machine.current_version
    compare = None
    if request.GET.get("compare", "").isdigit():
        try:
            compare = workflows.get_version(machine=machine, number=int(request.GET["compare"]))
        except VersionNotFound:
            raise Http404("No such version.") from None
    definition_text = current.definition if current else "{}"
    context = {
        "machine": machine,
        "current": current,
        "definition": json.loads(definition_text),
        "versions": versions,
        "executions": overview.machine_executions(machine=machine),
        "counts": Execution.objects.filter(machine=machine).counts_by_status(),
        "compare": compare,
        "diff": overview.definition_diff(old=compare.definition, new=definition_text) if compare else None,
        "can_edit": request.user.has_perm("workflows.change_statemachine"),
        "can_delete": request.user.has_perm("workflows.delete_statemachine"),
        "can_start": request.user.has_perm("executions.start_execution"),
    }
    return render(request, "executions/machine.html", context)


@login_required
@permission_required(VIEW, raise_exception=True)
def execution_page(request: HttpRequest, execution_id: str) -> HttpResponse:
    try:
        execution = services.get_execution(execution_id=execution_id)
    except ExecutionNotFound:
        raise Http404("No such execution.") from None
    # The first pages only: the page loads a long run's other steps by sequence from the
    # steps API, and the rest of its history on request.
    steps = overview.execution_steps(execution=execution, limit=STEP_PAGE)
    events = overview.execution_events(execution=execution, limit=EVENT_PAGE)
    context = {
        "execution": execution,
        "page_data": {
            "execution": {
                "id": str(execution.uuid),
                "name": execution.name,
                "machine": execution.machine.name,
                "machine_live": execution.machine.deleted_at is None,
                "status": execution.status,
                "input": execution.input,
                "output": execution.output,
                "error": execution.error,
                "cause": execution.cause,
                "event_count": execution.event_count,
                "started_at": execution.started_at.isoformat(),
                "stopped_at": execution.stopped_at.isoformat() if execution.stopped_at else None,
            },
            "definition": json.loads(execution.version.definition),
            "steps": step_rows(steps),
            "events": [event.as_dict() for event in events],
            "can_stop": request.user.has_perm("executions.stop_execution"),
            "can_start": request.user.has_perm("executions.start_execution"),
        },
    }
    return render(request, "executions/execution.html", context)
