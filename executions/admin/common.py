"""Shared pieces of the housekeeping admin: bounded counts, pretty JSON, cheap filters."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin
from django.core.paginator import Paginator
from django.utils.functional import cached_property
from django.utils.html import format_html

__all__ = ["COUNT_CAP", "CappedPaginator", "MachineFilter", "pretty_json"]

COUNT_CAP = 10_000
_SHOW = 64 * 1024


class CappedPaginator(Paginator):
    """Counts at most ``COUNT_CAP`` + 1 rows (``SELECT COUNT(*) FROM (... LIMIT n)``), so a
    changelist over millions of rows never scans them all just to number its pages."""

    @cached_property
    def count(self) -> int:
        return self.object_list.order_by()[: COUNT_CAP + 1].count()


def pretty_json(value: Any) -> str:
    """Indented, escaped JSON in a <pre>; past 64 KiB it is cut and says so."""
    text = json.dumps(value, indent=2, ensure_ascii=False)
    if len(text) > _SHOW:
        text = text[:_SHOW] + f"\n... ({len(text) - _SHOW} more characters)"
    return format_html('<pre style="white-space: pre-wrap; max-height: 30em; overflow: auto">{}</pre>', text)


class MachineFilter(admin.SimpleListFilter):
    """By machine, listing machines from their own (small) table rather than a DISTINCT over runs."""

    title = "machine"
    parameter_name = "machine"
    field = "machine_id"

    def lookups(self, request: Any, model_admin: Any) -> list[tuple[str, str]]:
        from workflows.models import StateMachine

        rows = StateMachine.objects.order_by("name").values_list("pk", "name", "deleted_at")[:200]
        return [(str(pk), name + (" (retired)" if deleted else "")) for pk, name, deleted in rows]

    def queryset(self, request: Any, queryset: Any) -> Any:
        if self.value():
            return queryset.filter(**{self.field: self.value()})
        return queryset
