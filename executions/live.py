"""Live updates for the pages: what the runner publishes and what the consumers read.

Two shapes, one contract (DESIGN.md, house rule 7):

- With a channel layer that crosses processes (Redis), the runner calls ``publish_step`` /
  ``publish_status`` inside a transition's transaction; the message is sent to the groups
  ``execution.<uuid>`` and ``dashboard`` only after that transaction commits, by a
  background event loop of the process (``_Publisher``): the worker neither waits for Redis
  nor builds an event loop and a connection per message (``async_to_sync`` does both, and
  that cost sat between every commit and its colour). Messages keep their order.
- With the in-process default (``InMemoryChannelLayer``) the workers are other processes,
  so publishing would reach nobody: it is skipped, and the consumers follow the database
  instead (``changes_since``, woken by ``executions/follow.py``).

Messages a page receives (JSON): ``{"type": "step", "step": StepOutput}`` (a pushed one
also carries ``committed_at``, taken just after its transaction committed) and
``{"type": "status", "execution": {...}}``. A step arrives again each time it changes.
Between processes a commit's steps travel as one ``{"type": "steps", "steps": [...]}``
message, which the consumer splits.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from executions.models import Event, Execution, Step
from executions.serializers import step_rows

__all__ = [
    "DASHBOARD_GROUP",
    "changes_since",
    "crosses_processes",
    "execution_group",
    "publish_status",
    "publish_step",
    "status_message",
]

log = logging.getLogger(__name__)

DASHBOARD_GROUP = "dashboard"
# Event timestamps come from the workers' clocks; a step closed this much before the last
# event seen is still sent again on catch-up (sending a step twice is harmless).
_CLOCK_SLACK = timedelta(seconds=1)


def execution_group(execution_uuid: Any) -> str:
    return f"execution.{execution_uuid}"


def crosses_processes() -> bool:
    """True when a message published here reaches consumers in other processes."""
    layer = get_channel_layer()
    return layer is not None and not isinstance(layer, InMemoryChannelLayer)


def status_message(execution: Execution) -> dict[str, Any]:
    return {
        "type": "status",
        "execution": {
            "id": str(execution.uuid),
            "name": execution.name,
            "machine": execution.machine.name if Execution.machine.is_cached(execution) else None,
            "status": execution.status,
            "error": execution.error,
            "cause": execution.cause,
            "event_count": execution.event_count,
            "stopped_at": execution.stopped_at.isoformat() if execution.stopped_at else None,
        },
    }


Sends = list[tuple[str, dict[str, Any]]]


class _Publisher:
    """One event loop on a daemon thread per process, sending ``(group, message)`` lists in
    the order they were handed over. A send that fails is logged and dropped: the
    consumers follow the database too, so a lost message costs freshness only."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pid = 0
        self.loop: asyncio.AbstractEventLoop | None = None
        self.queue: asyncio.Queue[Sends] | None = None

    def submit(self, sends: Sends) -> None:
        loop, queue = self._start()
        loop.call_soon_threadsafe(queue.put_nowait, sends)

    def _start(self) -> tuple[asyncio.AbstractEventLoop, asyncio.Queue[Sends]]:
        with self.lock:
            # A forked worker inherits the object but not the thread: start its own.
            if self.loop is None or self.queue is None or self.pid != os.getpid():
                self.pid = os.getpid()
                self.loop = asyncio.new_event_loop()
                self.queue = asyncio.Queue()
                threading.Thread(target=self._run, args=(self.loop, self.queue), name="stepflow-live", daemon=True).start()
            return self.loop, self.queue

    @staticmethod
    def _run(loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[Sends]) -> None:
        async def drain() -> None:
            while True:
                sends = await queue.get()
                layer = get_channel_layer()
                for group, message in sends:
                    try:
                        await layer.group_send(group, {"type": "live.message", "data": message})
                    except Exception:
                        log.warning("live: could not publish to %s", group, exc_info=True)

        asyncio.set_event_loop(loop)
        loop.run_until_complete(drain())


_publisher = _Publisher()


def _send(groups: Iterable[str], message: dict[str, Any]) -> None:
    _publisher.submit([(group, message) for group in groups])


def publish_step(*, execution: Execution, steps: Iterable[Step]) -> None:
    """After the current transaction commits, send ``steps`` (as they are now) to viewers:
    one message for the commit's steps (each group send costs Redis round trips, whoever
    listens), which the consumers hand to their page one step at a time."""
    if not crosses_processes():
        return
    steps = list(steps)
    if not steps:
        return
    rows = step_rows(steps)
    group = execution_group(execution.uuid)

    def send() -> None:
        # Stamped right after the commit, so a viewer can tell how fresh the push is.
        _publisher.submit([(group, {"type": "steps", "steps": rows, "committed_at": timezone.now().isoformat()})])

    transaction.on_commit(send)


def publish_status(*, execution_id: int | None = None, execution: Execution | None = None) -> None:
    """After the current transaction commits, tell the execution's viewers and the dashboard
    that its status changed (a start, an end, a stop); they catch up from the database.

    Give ``execution`` when the caller holds the row as its transaction wrote it (a start):
    the message is made from it instead of reading the row back after the commit.
    """
    if not crosses_processes():
        return

    def send() -> None:
        row = execution or Execution.objects.select_related("machine").filter(pk=execution_id).first()
        if row is not None:
            _send([execution_group(row.uuid), DASHBOARD_GROUP], status_message(row))

    transaction.on_commit(send)


def changes_since(*, execution_id: int, event_id: int) -> QuerySet[Step]:
    """Steps that may have changed after history event ``event_id``: the ones entered after
    it, the ones still open, and the ones closed around or after its time (in sequence
    order; callers may narrow it to the ones they have not sent yet)."""
    seen_at = Event.objects.filter(execution_id=execution_id, event_id=event_id).values_list("timestamp", flat=True).first()
    changed = Q(sequence__gt=event_id) | Q(exited_at__isnull=True)
    if seen_at is not None:
        changed |= Q(exited_at__gte=seen_at - _CLOCK_SLACK)
    elif event_id:
        changed = Q()  # the event is gone (retention): send everything
    return Step.objects.filter(execution_id=execution_id).filter(changed).order_by("sequence")
