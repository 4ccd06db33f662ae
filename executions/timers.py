"""The timer loop's work: turning due ``wake_at`` rows back into queued work.

Waits, retry back-offs, expired leases, lost queue messages and machine timeouts all end
as a row whose ``wake_at`` has passed. ``fire_due`` claims each due row with a
compare-and-set on its ``wake_at`` (so several timer processes never fire one row twice),
pushes ``wake_at`` ahead (in case the queued task is lost too) and enqueues it after
commit. An execution past its deadline is timed out right here, without waiting for a
worker, which may be busy inside a Task call.

The timer cannot see whether the message it queued is still waiting in a slow queue or
was lost (a broker restart, a killed cluster). Firing again every lease would, behind a
backlog longer than a lease, add a copy of every waiting row each lease, and the backlog
would grow faster than workers drain it. So each row counts its refires since a worker
last claimed it (``timer_fires``, reset by the claim) and waits one lease, then two, four,
up to ``MAX_BACKOFF`` leases: a lost message is still recovered, a backlog is not flooded.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, close_old_connections
from django.db.models import F
from django.utils import timezone

from executions.models import Execution, Frame
from executions.queue import ADVANCE_EXECUTION, ADVANCE_FRAME, enqueue
from executions.terminate import time_out_if_due

__all__ = ["MAX_BACKOFF", "fire_due", "run_timer_loop"]

log = logging.getLogger(__name__)


# The longest wait between two refires of one row, in leases (2**3).
MAX_BACKOFF = 8


def _refire_at(now: datetime, fires: int) -> datetime:
    lease = settings.STEPFLOW_CLAIM_LEASE_SECONDS
    return now + timedelta(seconds=lease * min(2**fires, MAX_BACKOFF))


def fire_due(*, now: datetime | None = None, limit: int = 500) -> int:
    """Enqueue (or time out) every row due by ``now``; returns how many rows it fired.

    Each row is its own small transaction: a batch would hold row locks in an order that
    can deadlock against a worker joining a fork.
    """
    now = now or timezone.now()
    fired = 0
    due_executions = list(
        Execution.objects.filter(wake_at__lte=now).order_by("wake_at")
        .values_list("pk", "wake_at", "deadline_at", "timer_fires")[:limit]
    )
    for pk, wake_at, deadline, fires in due_executions:
        if deadline is not None and deadline <= now:
            fired += time_out_if_due(execution_id=pk, now=now)
            continue
        again = _refire_at(now, fires)
        nxt = min(again, deadline) if deadline is not None else again
        if Execution.objects.filter(pk=pk, wake_at=wake_at).update(wake_at=nxt, timer_fires=F("timer_fires") + 1) == 1:
            enqueue(ADVANCE_EXECUTION, pk)
            fired += 1
    due_frames = list(
        Frame.objects.filter(wake_at__lte=now).order_by("wake_at").values_list("pk", "wake_at", "timer_fires")[:limit]
    )
    for pk, wake_at, fires in due_frames:
        again = _refire_at(now, fires)
        if Frame.objects.filter(pk=pk, wake_at=wake_at).update(wake_at=again, timer_fires=F("timer_fires") + 1) == 1:
            enqueue(ADVANCE_FRAME, pk)
            fired += 1
    return fired


def run_timer_loop(*, interval: float, should_stop: Callable[[], bool]) -> None:
    """Call ``fire_due`` every ``interval`` seconds until ``should_stop()``.

    A database that goes away (restart, failover) is logged and retried; the loop never
    dies of it.
    """
    while not should_stop():
        began = time.monotonic()
        try:
            close_old_connections()
            fired = fire_due()
            if fired:
                log.debug("timer fired %d rows", fired)
        except DatabaseError:
            log.exception("timer: database error; retrying")
            _reset_connections()
        elapsed = time.monotonic() - began
        _sleep(max(0.0, interval - elapsed), should_stop)


def _reset_connections() -> None:
    from django.db import connections

    for connection in connections.all():
        connection.close_if_unusable_or_obsolete()


def _sleep(seconds: float, should_stop: Callable[[], bool]) -> None:
    end = time.monotonic() + seconds
    while not should_stop() and time.monotonic() < end:
        time.sleep(min(0.05, max(0.0, end - time.monotonic())))
