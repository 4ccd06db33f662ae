"""The supervised worker cluster: a killed process holds no lock, and a stall is noticed."""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import time
from types import SimpleNamespace

import pytest
from django_q.queues import Queue

from executions.workers import IdleUnlockedQueue, Probe, StallWatch


def _wait_then_get(task_queue, ready) -> None:
    ready.set()
    task_queue.get()


def _kill_a_process_idle_in_get(task_queue) -> None:
    ctx = multiprocessing.get_context("fork")
    ready = ctx.Event()
    idle = ctx.Process(target=_wait_then_get, args=(task_queue, ready))
    idle.start()
    assert ready.wait(10)
    time.sleep(0.3)  # well inside get(), waiting for a task
    os.kill(idle.pid, signal.SIGKILL)
    idle.join()


def test_a_plain_django_q2_queue_is_locked_for_good_by_a_reader_killed_while_idle():
    # The finding this module exists for: the lock dies with the process that held it.
    task_queue = Queue()
    _kill_a_process_idle_in_get(task_queue)
    task_queue.put("work")
    with pytest.raises(queue.Empty):
        task_queue.get(timeout=1)


def test_a_reader_killed_while_idle_in_our_queue_holds_nothing():
    task_queue = IdleUnlockedQueue(probe=Probe())
    _kill_a_process_idle_in_get(task_queue)
    task_queue.put("work")
    assert task_queue.get() == "work"
    assert task_queue.probe.last_get.value > 0


def test_the_queue_reports_its_size_without_a_shared_counter():
    task_queue = IdleUnlockedQueue(maxsize=4, probe=Probe())
    assert task_queue.empty() and task_queue.qsize() == 0
    task_queue.put("a")
    task_queue.put("b")
    time.sleep(0.1)  # the feeder thread writes to the pipe
    assert not task_queue.empty() and task_queue.qsize() == 2
    assert [task_queue.get(), task_queue.get()] == ["a", "b"]


class _Sentinel:
    def __init__(self, alive: bool = True) -> None:
        self.alive = alive
        self.exitcode = None if alive else -9

    def is_alive(self) -> bool:
        return self.alive


def _watch(*, idle: bool, taken_ago: float, guard_ago: float = 0.1, waiting: bool = True, alive: bool = True):
    """A watch over a fake cluster; ``at(t)`` asks it at time ``t`` as its processes keep
    stamping (the guard loop ``guard_ago`` before, idle workers just before)."""
    probe = SimpleNamespace(
        idle_at=SimpleNamespace(value=0.0), last_get=SimpleNamespace(value=1000.0 - taken_ago),
        guard_at=SimpleNamespace(value=0.0),
    )
    watch = StallWatch(SimpleNamespace(probe=probe, sentinel=_Sentinel(alive)), stall_seconds=5, work_waiting=lambda: "the broker" if waiting else "")

    def at(now: float):
        probe.guard_at.value = now - guard_ago
        probe.idle_at.value = now - 0.1 if idle else 0.0
        return watch.problem(now)

    return at


def test_a_cluster_with_an_idle_worker_and_work_nobody_takes_is_restarted_after_the_stall_time():
    at = _watch(idle=True, taken_ago=30)
    assert at(1000.0) is None  # noticed, not yet judged
    assert at(1004.0) is None
    assert "work has waited" in at(1006.0)


def test_a_cluster_whose_workers_are_all_busy_is_left_alone_however_long_work_waits():
    at = _watch(idle=False, taken_ago=30)
    assert at(1000.0) is None
    assert at(1060.0) is None


def test_an_idle_cluster_with_nothing_to_do_is_healthy():
    at = _watch(idle=True, taken_ago=300, waiting=False)
    assert at(1000.0) is None
    assert at(1060.0) is None


def test_a_dead_sentinel_or_a_stuck_guard_loop_means_a_restart():
    assert "sentinel exited" in _watch(idle=True, taken_ago=0.1, alive=False)(1000.0)
    assert "guard loop" in _watch(idle=True, taken_ago=0.1, guard_ago=6)(1000.0)
