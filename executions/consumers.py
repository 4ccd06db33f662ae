"""Websocket consumers: read-only live feeds for the execution page and the dashboard.

Each refuses an anonymous user (and one without ``executions.view_execution``); the origin
check is ``AllowedHostsOriginValidator`` in ``stepflow/asgi.py``. Nothing here writes: every
change goes through the REST API (DESIGN.md, house rule 7).

The page renders the current state over HTTP, then connects with ``?after=<event id>``
(the last history event it rendered); the consumer first sends what changed since, then:

- with a channel layer that crosses processes, forwards what the runner publishes;
- and, on both shapes, polls the execution's last event id every ``POLL_SECONDS`` and sends
  the steps that changed (on the in-process default the workers are other processes, so
  this is the only path there).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from executions import live
from executions.models import Execution
from executions.serializers import StepOutput

__all__ = ["DashboardConsumer", "ExecutionConsumer"]

POLL_SECONDS = 0.1  # ~250 ms was the brief; 100 ms keeps commit-to-colour under 500 ms on SQLite with its lock waits
DASHBOARD_POLL_SECONDS = 1.0
VIEW = "executions.view_execution"
REFUSED = 4403


@database_sync_to_async
def _may_view(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.has_perm(VIEW))


class _Following(AsyncJsonWebsocketConsumer):
    poll_seconds = POLL_SECONDS
    poller: asyncio.Task[None] | None = None

    async def live_message(self, event: dict[str, Any]) -> None:
        await self.send_json(event["data"])

    def start_polling(self) -> None:
        # Always follow the database too: with Redis the runner's pushes are the fast path,
        # but the database stays the source of truth (see the module docstring).
        self.poller = asyncio.get_running_loop().create_task(self._poll())

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(self.poll_seconds)
            await self.catch_up()

    async def catch_up(self) -> None:
        raise NotImplementedError

    async def disconnect(self, code: int) -> None:
        if self.poller is not None:
            self.poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.poller
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)


class ExecutionConsumer(_Following):
    """``/ws/executions/<uuid>/?after=<event id>``: the execution's steps and status."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        allowed = await _may_view(user)
        execution = await self._find(self.scope["url_route"]["kwargs"]["execution_id"]) if allowed else None
        if execution is None:
            await self.close(code=REFUSED)
            return
        query = parse_qs(self.scope.get("query_string", b"").decode())
        try:
            self.seen = max(0, int(query.get("after", ["0"])[0]))
        except ValueError:
            self.seen = 0
        self.execution_id = execution.pk
        self.status = None
        self.groups_joined = [live.execution_group(execution.uuid)]
        await self.channel_layer.group_add(self.groups_joined[0], self.channel_name)
        await self.accept()
        await self.catch_up()
        self.start_polling()

    @database_sync_to_async
    def _find(self, execution_id: str) -> Execution | None:
        try:
            return Execution.objects.filter(uuid=execution_id).only("pk", "uuid").first()
        except Exception:  # not a UUID
            return None

    @database_sync_to_async
    def _changes(self) -> tuple[Execution | None, list[dict[str, Any]]]:
        execution = Execution.objects.select_related("machine").filter(pk=self.execution_id).first()
        if execution is None or (execution.event_count == self.seen and execution.status == self.status):
            return execution, []
        steps = live.changes_since(execution_id=self.execution_id, event_id=self.seen)
        return execution, [StepOutput(step).data for step in steps]

    async def catch_up(self) -> None:
        execution, steps = await self._changes()
        if execution is None:
            return
        for step in steps:
            await self.send_json({"type": "step", "step": step})
        if execution.status != self.status or execution.event_count != self.seen:
            await self.send_json(live.status_message(execution))
        self.seen, self.status = execution.event_count, execution.status

    async def live_message(self, event: dict[str, Any]) -> None:
        data = event["data"]
        if data.get("type") == "status":
            await self.catch_up()  # a stop closes steps without publishing each one
        else:
            await self.send_json(data)


class DashboardConsumer(_Following):
    """``/ws/dashboard/``: a ``status`` message whenever an execution starts or ends."""

    poll_seconds = DASHBOARD_POLL_SECONDS

    async def connect(self) -> None:
        if not await _may_view(self.scope.get("user")):
            await self.close(code=REFUSED)
            return
        self.groups_joined = [live.DASHBOARD_GROUP]
        await self.channel_layer.group_add(live.DASHBOARD_GROUP, self.channel_name)
        await self.accept()
        self.mark = await self._mark()
        self.start_polling()

    @database_sync_to_async
    def _mark(self) -> tuple[Any, ...]:
        from django.db.models import Count, Max, Q

        from executions.models import ExecutionStatus

        row = Execution.objects.aggregate(
            newest=Max("id"), ended=Max("stopped_at"), running=Count("id", filter=Q(status=ExecutionStatus.RUNNING))
        )
        return row["newest"], row["ended"], row["running"]

    async def catch_up(self) -> None:
        mark = await self._mark()
        if mark != self.mark:
            self.mark = mark
            await self.send_json({"type": "changed"})
