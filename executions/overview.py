"""Reads for the HTML pages: the dashboard's summaries and lists, a machine's page, an
execution's page, the definition diff, the Fn functions for the editor's palette.

Each returns QuerySets or plain values in a bounded number of queries (the view tests
count them); nothing here writes.
"""

from __future__ import annotations

import difflib
import json
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypedDict

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from executions import fn
from executions.models import Event, Execution, ExecutionStatus, Step
from workflows.models import StateMachine, StateMachineVersion

__all__ = [
    "WINDOWS",
    "DiffRow",
    "FnPalette",
    "definition_diff",
    "execution_list",
    "fn_functions",
    "machine_executions",
    "machine_summaries",
    "machine_versions",
    "pretty",
    "running_executions",
    "since",
]

log = logging.getLogger(__name__)

# The dashboard's time filter: label -> how far back (None: all time).
WINDOWS: dict[str, timedelta | None] = {
    "1h": timedelta(hours=1),
    "24h": timedelta(days=1),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
    "all": None,
}
_FAILURES_FIRST = Case(
    When(status__in=[ExecutionStatus.FAILED, ExecutionStatus.TIMED_OUT], then=Value(0)),
    When(status=ExecutionStatus.ABORTED, then=Value(1)),
    When(status=ExecutionStatus.RUNNING, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)


def since(window: str, *, now: datetime | None = None) -> datetime | None:
    span = WINDOWS.get(window, WINDOWS["24h"])
    return None if span is None else (now or timezone.now()) - span


def machine_summaries(*, started_after: datetime) -> QuerySet[StateMachine]:
    """Live machines by name, each with ``counts``-ready attributes (``n_running``,
    ``n_succeeded``, ...) for executions started after ``started_after``; one query."""
    counts = {
        f"n_{status.lower()}": Count(
            "executions", filter=Q(executions__status=status, executions__started_at__gte=started_after)
        )
        for status in ExecutionStatus.values
    }
    return StateMachine.objects.live().select_related("current_version").annotate(**counts).order_by("name")


def execution_list(
    *, machine: str = "", status: str = "", started_after: datetime | None = None, search: str = "", limit: int = 100
) -> QuerySet[Execution]:
    """Executions matching the filters, failures first, then newest first."""
    rows = Execution.objects.select_related("machine", "version")
    if machine:
        rows = rows.filter(machine__name=machine, machine__deleted_at__isnull=True)
    if status in ExecutionStatus.values:
        rows = rows.filter(status=status)
    if started_after is not None:
        rows = rows.filter(started_at__gte=started_after)
    search = search.strip()
    if search:
        match = Q(name__icontains=search)
        try:
            match |= Q(uuid=uuid.UUID(search))
        except ValueError:
            pass
        rows = rows.filter(match)
    return rows.annotate(urgency=_FAILURES_FIRST).order_by("urgency", "-started_at", "-id")[:limit]


def running_executions(*, limit: int = 20) -> QuerySet[Execution]:
    return Execution.objects.running().select_related("machine", "version").order_by("-started_at", "-id")[:limit]


def machine_versions(*, machine: StateMachine) -> QuerySet[StateMachineVersion]:
    return machine.versions.select_related("created_by").order_by("-number")


def machine_executions(*, machine: StateMachine, limit: int = 50) -> QuerySet[Execution]:
    return Execution.objects.filter(machine=machine).select_related("version").order_by("-started_at", "-id")[:limit]


def execution_steps(*, execution: Execution, limit: int = 5000) -> list[Step]:
    return list(Step.objects.filter(execution=execution).order_by("sequence")[:limit])


def execution_events(*, execution: Execution, limit: int = 2000) -> list[Event]:
    return list(Event.objects.filter(execution=execution).order_by("event_id")[:limit])


def pretty(text: str) -> str:
    """A definition's text laid out one key a line (as written when it is not JSON)."""
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        return text


class FnPalette(TypedDict):
    """What the editor's palette shows for Fn: the functions, or why there are none."""

    functions: list[dict[str, str]]
    problem: str


@dataclass(frozen=True)
class DiffRow:
    kind: str  # "same", "changed", "removed", "added"
    left_number: int | None
    left: str
    right_number: int | None
    right: str


def definition_diff(*, old: str, new: str) -> list[DiffRow]:
    """Side-by-side rows of two definitions (pretty-printed), old on the left."""
    a, b = pretty(old).splitlines(), pretty(new).splitlines()
    rows: list[DiffRow] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            rows += [DiffRow("same", i1 + k + 1, a[i1 + k], j1 + k + 1, b[j1 + k]) for k in range(i2 - i1)]
            continue
        for k in range(max(i2 - i1, j2 - j1)):
            left = i1 + k < i2
            right = j1 + k < j2
            kind = "changed" if left and right else ("removed" if left else "added")
            rows.append(
                DiffRow(
                    kind,
                    i1 + k + 1 if left else None,
                    a[i1 + k] if left else "",
                    j1 + k + 1 if right else None,
                    b[j1 + k] if right else "",
                )
            )
    return rows


def fn_functions() -> FnPalette:
    """The Fn functions the editor's palette offers for Task states, from the configured
    client's ``list_functions()``: ``{"functions": [{app, name, resource}], "problem": ""}``,
    sorted by app and name. When the Fn server cannot be reached (or answers oddly) the
    editor must still open: ``functions`` is empty and ``problem`` says why, for the palette
    to show."""
    try:
        listed = fn.list_functions()
    except fn.ListError as exc:
        return {"functions": [], "problem": str(exc)}
    except Exception as exc:  # a client bug must not keep the editor from opening
        log.warning("could not list Fn functions", exc_info=True)
        return {"functions": [], "problem": f"The Fn functions could not be listed: {exc}"}
    functions = sorted(
        ({"app": str(f["app"]), "name": str(f["name"]), "resource": str(f["resource"])} for f in listed),
        key=lambda f: (f["app"], f["name"]),
    )
    return {"functions": functions, "problem": ""}
