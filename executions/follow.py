"""Following the database for the live views: one poll loop per process, whatever the
number of sockets.

Where the workers are other processes and the channel layer does not cross processes (the
embedded default), the database is the only way a consumer learns that a run moved on;
with Redis it is the safety net behind the runner's pushes. Polling per socket would cost
one query per viewer per tick on the one thread Django's sync code shares, so each event
loop keeps one ``Watcher`` for every execution followed there: every ``interval`` it
reads ``(event_count, status)`` of those executions in a single query, on a thread of its
own that keeps its database connection, and wakes the followers of each execution whose
mark moved. A follower then reads what changed itself (``live.changes_since``).

The contract: after ``follow(id)`` returns an ``asyncio.Event``, that event is set within
about one ``interval`` of any commit that changes the execution's last event id or status.
Followers clear it before they read, so a change during their read sets it again.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from django.conf import settings
from django.db import DatabaseError, connection

from executions.models import Execution

__all__ = ["Watcher", "watcher"]

log = logging.getLogger(__name__)

Mark = tuple[int, str]
T = TypeVar("T")

_watchers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Watcher] = weakref.WeakKeyDictionary()


def watcher() -> Watcher:
    """The running event loop's watcher (made on first use), polling every
    ``STEPFLOW_LIVE_POLL_SECONDS``."""
    loop = asyncio.get_running_loop()
    found = _watchers.get(loop)
    if found is None:
        found = _watchers[loop] = Watcher(interval=settings.STEPFLOW_LIVE_POLL_SECONDS)
    return found


def _read_marks(ids: list[int]) -> dict[int, Mark]:
    rows = Execution.objects.filter(pk__in=ids).values_list("pk", "event_count", "status")
    return {pk: (count, status) for pk, count, status in rows}


def _close_connection() -> None:
    connection.close()


class Watcher:
    """Polls the marks of the executions followed on one event loop (see the module)."""

    def __init__(self, *, interval: float) -> None:
        self.interval = interval
        self.followers: defaultdict[int, set[asyncio.Event]] = defaultdict(set)
        self.marks: dict[int, Mark] = {}
        self.task: asyncio.Task[None] | None = None
        # One thread, so the connection it opens is reused by every tick.
        self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="stepflow-follow")

    async def read(self, function: Callable[..., T], *args: Any) -> T:
        """``function(*args)`` on the watcher's thread (its database connection stays open);
        a ``DatabaseError`` closes that connection before it is raised."""
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self.thread, function, *args)
        except DatabaseError:
            await loop.run_in_executor(self.thread, _close_connection)
            raise

    def follow(self, execution_id: int) -> asyncio.Event:
        """An event set whenever the execution's mark moves; poll until ``unfollow``."""
        changed = asyncio.Event()
        self.followers[execution_id].add(changed)
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self._run())
        return changed

    def unfollow(self, execution_id: int, changed: asyncio.Event) -> None:
        followers = self.followers.get(execution_id)
        if followers is not None:
            followers.discard(changed)
            if not followers:
                del self.followers[execution_id]
                self.marks.pop(execution_id, None)
        if not self.followers and self.task is not None:
            self.task.cancel()
            self.task = None
            # Nobody left: give the connection back (a test database must be droppable).
            self.thread.submit(_close_connection)

    async def _run(self) -> None:
        while self.followers:
            await asyncio.sleep(self.interval)
            ids = list(self.followers)
            try:
                marks = await self.read(_read_marks, ids)
            except DatabaseError:
                log.warning("live: could not read execution marks; retrying", exc_info=True)
                continue
            for execution_id, mark in marks.items():
                if self.marks.get(execution_id) != mark:
                    self.marks[execution_id] = mark
                    for changed in self.followers.get(execution_id, ()):
                        changed.set()
