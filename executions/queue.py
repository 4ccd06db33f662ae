"""Enqueuing work for the django-q2 workers, always after the current transaction commits.

A task enqueued before commit could run before its rows are visible and find nothing to
do; one enqueued after a rollback would act on state that never existed. If the broker
is unreachable at that moment the failure is logged, not raised: the row's ``wake_at``
(set by the same transaction) lets the timer loop enqueue it again.
"""

from __future__ import annotations

import logging
import os
import threading
from functools import partial

from django.conf import settings
from django.db import transaction
from django_q.brokers import Broker, get_broker
from django_q.conf import Conf
from django_q.tasks import async_task

__all__ = ["ADVANCE_EXECUTION", "ADVANCE_FRAME", "EXPORT_MACHINE_RUNS", "enqueue"]

log = logging.getLogger(__name__)

ADVANCE_EXECUTION = "executions.tasks.advance_execution"
ADVANCE_FRAME = "executions.tasks.advance_frame"
EXPORT_MACHINE_RUNS = "executions.retention.tasks.export_machine_runs"


def enqueue(func: str, *args: object) -> None:
    """Queue ``func(*args)`` once the current transaction commits (at once outside one).

    With ``STEPFLOW_TASKS_SYNC`` (tests) django-q2 runs the task inline and its errors
    propagate; otherwise a failure to reach the broker is logged and left to the timer.
    """
    sync = settings.STEPFLOW_TASKS_SYNC
    transaction.on_commit(partial(_send, func, args, sync), robust=not sync)


_brokers: dict[tuple[int, str], Broker] = {}
_brokers_lock = threading.Lock()


def _broker() -> Broker:
    """This process's broker. Left to itself, ``async_task`` builds a new one for every task,
    and with Redis that is a new connection pool, so a new TCP connection per enqueue."""
    key = (os.getpid(), Conf.CLUSTER_NAME)  # a forked worker makes its own
    with _brokers_lock:
        broker = _brokers.get(key)
        if broker is None:
            broker = _brokers[key] = get_broker(Conf.CLUSTER_NAME)
    return broker


def _send(func: str, args: tuple[object, ...], sync: bool) -> None:
    try:
        async_task(func, *args, sync=sync, broker=_broker())
    except Exception:
        if sync:
            raise
        log.exception("could not enqueue %s%r; the timer loop will retry", func, args)
