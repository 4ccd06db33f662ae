"""Websocket consumers: read-only live feeds for the execution page and the dashboard.

Each refuses an anonymous user (and one without ``executions.view_execution``); the origin
check is ``AllowedHostsOriginValidator`` in ``stepflow/asgi.py``. Nothing here writes: every
change goes through the REST API (DESIGN.md, house rule 7).

The page renders the current state over HTTP, then connects with ``?after=<event id>``
(the last history event it holds); the consumer first sends what changed since, then:

- with a channel layer that crosses processes, forwards what the runner publishes at once;
- and, on both shapes, follows the database (``executions/follow.py`` wakes it when the
  execution's last event id or status moves) and sends the steps that changed: on the
  in-process default the workers are other processes, so this is the only path there.

A step goes out only when it differs from what this socket last sent of it, so a push and
the database read that follows it do not send it twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.db import DatabaseError
from rest_framework.fields import DateTimeField

from executions import follow, live
from executions.models import Execution, Step
from executions.serializers import step_rows

__all__ = ["DashboardConsumer", "ExecutionConsumer"]

log = logging.getLogger(__name__)

DASHBOARD_POLL_SECONDS = 1.0
VIEW = "executions.view_execution"
REFUSED = 4403


@database_sync_to_async
def _may_view(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.has_perm(VIEW))


_TIME = DateTimeField()
_IN_LIMIT = 500


def _fingerprint(step: dict[str, Any]) -> tuple[Any, ...]:
    """What changes when a step moves on (its output and variables come with its exit)."""
    return step.get("status"), step.get("attempt"), step.get("error"), step.get("exited_at")


def _row_fingerprint(status: str, attempt: int, error: str, exited_at: Any) -> tuple[Any, ...]:
    """``_fingerprint`` of a step read as a row (times as its serializer writes them)."""
    return status, attempt, error, _TIME.to_representation(exited_at) if exited_at else None


class _Following(AsyncJsonWebsocketConsumer):
    poller: asyncio.Task[None] | None = None
    groups_joined: list[str]

    async def live_message(self, event: dict[str, Any]) -> None:
        await self.send_json(event["data"])

    async def stop_following(self) -> None:
        if self.poller is not None:
            self.poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.poller
            self.poller = None

    async def disconnect(self, code: int) -> None:
        await self.stop_following()
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)


class ExecutionConsumer(_Following):
    """``/ws/executions/<uuid>/?after=<event id>``: the execution's steps and status."""

    changed: asyncio.Event | None = None

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
        self.status: str | None = None
        self.sent: dict[int, tuple[Any, ...]] = {}
        self.groups_joined = [live.execution_group(execution.uuid)]
        await self.channel_layer.group_add(self.groups_joined[0], self.channel_name)
        await self.accept()
        self.watcher = follow.watcher()
        self.changed = self.watcher.follow(self.execution_id)
        await self.catch_up()
        self.poller = asyncio.get_running_loop().create_task(self._follow())

    @database_sync_to_async
    def _find(self, execution_id: str) -> Execution | None:
        try:
            return Execution.objects.filter(uuid=execution_id).only("pk", "uuid").first()
        except Exception:  # not a UUID
            return None

    def _changes(self, seen: int, status: str | None) -> tuple[Execution | None, list[dict[str, Any]]]:
        execution = Execution.objects.select_related("machine").filter(pk=self.execution_id).first()
        if execution is None or (execution.event_count == seen and execution.status == status):
            return execution, []
        candidates = live.changes_since(execution_id=self.execution_id, event_id=seen)
        # A fast run makes many candidates (the clock slack): read in full, and serialize,
        # only the steps this socket has not sent as they are now.
        fresh = [
            pk
            for pk, sequence, *state in candidates.values_list("pk", "sequence", "status", "attempt", "error", "exited_at")
            if self.sent.get(sequence) != _row_fingerprint(*state)
        ]
        if len(fresh) > _IN_LIMIT:  # a first catch-up of a long run: no huge IN list
            wanted = set(fresh)
            steps = [step for step in candidates if step.pk in wanted]
        else:
            steps = list(Step.objects.filter(pk__in=fresh).order_by("sequence")) if fresh else []
        return execution, step_rows(steps)

    async def _follow(self) -> None:
        assert self.changed is not None
        while True:
            await self.changed.wait()
            self.changed.clear()  # a change during the read below sets it again
            try:
                await self.catch_up()
            except DatabaseError:
                log.warning("live: could not read execution %s; retrying", self.execution_id, exc_info=True)
                await asyncio.sleep(1.0)
                self.changed.set()

    async def catch_up(self) -> None:
        """Send the steps that changed since the last event seen, then the status if it moved."""
        # On the watcher's thread: its connection stays open, and Django's one sync thread
        # stays free for the pages.
        execution, steps = await self.watcher.read(self._changes, self.seen, self.status)
        if execution is None:
            return
        for step in steps:
            await self.send_step(step)
        if execution.status != self.status or execution.event_count != self.seen:
            await self.send_json(live.status_message(execution))
        self.seen, self.status = execution.event_count, execution.status

    async def send_step(self, step: dict[str, Any], message: dict[str, Any] | None = None) -> None:
        """Send ``message`` (by default ``{"type": "step", "step": step}``) unless this socket
        already sent the step as it is now."""
        fingerprint = _fingerprint(step)
        if self.sent.get(step["sequence"]) != fingerprint:
            self.sent[step["sequence"]] = fingerprint
            await self.send_json(message or {"type": "step", "step": step})

    async def live_message(self, event: dict[str, Any]) -> None:
        data = event["data"]
        if data.get("type") == "status":
            await self.catch_up()  # a stop closes steps without publishing each one
        elif data.get("type") == "steps":  # one commit's steps (live.publish_step)
            for step in data["steps"]:
                await self.send_step(step, {"type": "step", "step": step, "committed_at": data.get("committed_at")})

    async def disconnect(self, code: int) -> None:
        await super().disconnect(code)
        if self.changed is not None:
            self.watcher.unfollow(self.execution_id, self.changed)
            self.changed = None


class DashboardConsumer(_Following):
    """``/ws/dashboard/``: ``status`` (pushed, with Redis) or ``changed`` (read from the
    database every ``DASHBOARD_POLL_SECONDS``) whenever an execution starts or ends."""

    async def connect(self) -> None:
        if not await _may_view(self.scope.get("user")):
            await self.close(code=REFUSED)
            return
        self.groups_joined = [live.DASHBOARD_GROUP]
        await self.channel_layer.group_add(live.DASHBOARD_GROUP, self.channel_name)
        await self.accept()
        self.mark = await self._mark()
        self.poller = asyncio.get_running_loop().create_task(self._poll())

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(DASHBOARD_POLL_SECONDS)
            try:
                mark = await self._mark()
            except DatabaseError:
                log.warning("live: could not read the dashboard's mark; retrying", exc_info=True)
                continue
            if mark != self.mark:
                self.mark = mark
                await self.send_json({"type": "changed"})

    @database_sync_to_async
    def _mark(self) -> tuple[Any, ...]:
        """Newest execution, latest end, running count: moves when a run starts or ends."""
        from django.db.models import Count, Max, Q

        from executions.models import ExecutionStatus

        row = Execution.objects.aggregate(
            newest=Max("id"), ended=Max("stopped_at"), running=Count("id", filter=Q(status=ExecutionStatus.RUNNING))
        )
        return row["newest"], row["ended"], row["running"]
