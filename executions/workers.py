"""A django-q2 cluster that a ``kill -9`` of any of its processes cannot stall.

Why this exists: django-q2's workers share one ``multiprocessing.Queue`` per cluster, and
its ``get()`` blocks *holding the queue's read lock* (a POSIX semaphore) while it waits
for the next task. A worker killed while idle therefore dies holding that lock; the
cluster's sentinel replaces the worker, but every worker then blocks on the lock for
good, and the cluster takes no task again. Other locks a worker holds for microseconds
(the queue's size counter, its own timer that the sentinel's guard loop reads) fail the
same way. POSIX semaphores have no owner to release them on death, so no lock-level fix
can cover every moment.

The remedy has two layers, both keeping django-q2's own sentinel, pusher, workers and
monitor:

1. ``IdleUnlockedQueue``: the task queue's ``get`` waits for data *without* the lock
   (a ``poll`` on the pipe, which takes none) and takes the lock only to read a message
   already there. A worker killed while idle (nearly all of a worker's idle life) holds
   nothing. It also notices an orphaned worker (its sentinel died) and stops it.
2. ``supervise``: the ``manage.py worker`` process runs the cluster and watches it
   through a few lock-free shared timestamps (``Probe``). When the sentinel dies, when
   its guard loop stops ticking, or when work is waiting while a worker sits idle and no
   task is taken for ``STEPFLOW_WORKER_STALL_SECONDS``, it kills the cluster's whole
   process group and starts a fresh one. The tasks in the dead cluster's memory are
   lost on purpose: every row a worker parks carries a ``wake_at``, so the timer loop
   queues it again, and a run whose worker was killed mid-call is resumed when its lease
   ends, repeating only that call, with the same idempotency key.
"""

from __future__ import annotations

import ctypes
import faulthandler
import multiprocessing
import multiprocessing.queues
import os
import queue
import signal
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django import db
from django_q.brokers import get_broker
from django_q.cluster import Sentinel, get_mp_context
from django_q.conf import Conf
from django_q.queues import Queue

__all__ = ["ClusterRun", "IdleUnlockedQueue", "Probe", "StallWatch", "SupervisedSentinel", "UncountedQueue", "supervise"]

_PR_SET_PDEATHSIG = 1
# How often an idle worker wakes to stamp ``Probe.idle_at`` and check its parent.
_IDLE_TICK = 0.2


def _clock() -> float:
    # CLOCK_MONOTONIC is one clock for every process of the machine, so stamps compare.
    return time.monotonic()


@dataclass
class Probe:
    """Lock-free timestamps shared by one cluster's processes and its supervisor.

    They are raw shared doubles (no lock), so a process killed while writing one can block
    nobody; a torn read is impossible for an aligned double on the platforms we run on.
    """

    last_get: Any = field(default_factory=lambda: multiprocessing.RawValue(ctypes.c_double, _clock()))
    idle_at: Any = field(default_factory=lambda: multiprocessing.RawValue(ctypes.c_double, 0.0))
    guard_at: Any = field(default_factory=lambda: multiprocessing.RawValue(ctypes.c_double, _clock()))


class UncountedQueue(Queue):
    """django-q2's queue without its shared size counter, whose lock a killed process can keep.

    The size comes from the queue's own semaphore, read without a lock (Linux has
    ``sem_getvalue``; elsewhere the size reads as unknown, 0, which only affects the
    cluster's status display).
    """

    def put(self, obj: Any, block: bool = True, timeout: float | None = None) -> None:
        multiprocessing.queues.Queue.put(self, obj, block, timeout)

    def get(self, block: bool = True, timeout: float | None = None) -> Any:
        return multiprocessing.queues.Queue.get(self, block, timeout)

    def qsize(self) -> int:
        try:
            return int(self._maxsize - self._sem.get_value())
        except NotImplementedError:
            return 0

    def empty(self) -> bool:
        return not self._reader.poll(0)


class IdleUnlockedQueue(UncountedQueue):
    """The task queue: a blocking ``get`` holds no lock while it waits."""

    def __init__(self, *args: Any, probe: Probe, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.probe = probe

    def __getstate__(self) -> Any:
        return (*super().__getstate__(), self.probe)

    def __setstate__(self, state: Any) -> None:
        super().__setstate__(state[:-1])
        self.probe = state[-1]

    def get(self, block: bool = True, timeout: float | None = None) -> Any:
        if not block or timeout is not None:
            return super().get(block, timeout)
        parent = os.getppid()
        while True:
            self.probe.idle_at.value = _clock()
            if os.getppid() != parent:
                return "STOP"  # the sentinel died: django-q2's worker loop ends on this pill
            if not self._reader.poll(_IDLE_TICK):
                continue
            try:
                # The lock, taken without blocking, only to read a message already there.
                item = super().get(block=False)
            except queue.Empty:
                time.sleep(0.002)  # another worker is reading it (or its lock is lost: see supervise)
                continue
            self.probe.last_get.value = _clock()
            return item


class SupervisedSentinel(Sentinel):
    """django-q2's sentinel, in a process group of its own, with the queue and probe given.

    The group lets the supervisor kill the sentinel and every process it forked in one
    signal; the death signal ends the sentinel if the supervisor itself dies.
    """

    def __init__(self, stop_event: Any, start_event: Any, cluster_id: uuid.UUID, *, task_queue: Queue, probe: Probe) -> None:
        os.setpgid(0, 0)
        _die_with_parent()
        # SIGUSR1 prints every thread's stack: the supervisor asks for it before it kills a
        # stalled cluster, so the log says where it was stuck.
        faulthandler.register(signal.SIGUSR1, all_threads=True)
        self.probe = probe
        super().__init__(stop_event, start_event, cluster_id, start=False)
        self.task_queue = task_queue
        self.result_queue = UncountedQueue()
        # Only the death signal sends SIGTERM here (the supervisor stops us with stop_event).
        signal.signal(signal.SIGTERM, _end_the_group(os.getpid()))
        self.start()

    def status(self) -> str | None:
        # django-q2's guard loop calls status() (through Stat) once a cycle: its heartbeat.
        self.probe.guard_at.value = _clock()
        return super().status()


def _end_the_group(sentinel_pid: int) -> Callable[[int, Any], None]:
    """SIGTERM handler: in the sentinel, the supervisor died, so end the whole cluster
    (pusher and monitor never notice on their own); in a worker forked with this handler,
    do what SIGTERM does by default (django-q2 terminates a worker that timed out)."""

    def handle(signum: int, frame: Any) -> None:
        if os.getpid() == sentinel_pid:
            os.killpg(0, signal.SIGKILL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)

    return handle


def _die_with_parent() -> None:
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        except OSError:
            pass


@dataclass
class ClusterRun:
    """One incarnation of the cluster: its sentinel process, queue, probe and events."""

    sentinel: Any
    task_queue: IdleUnlockedQueue
    probe: Probe
    stop_event: Any

    @classmethod
    def start(cls, *, startup_seconds: float = 60.0) -> ClusterRun:
        """Fork a sentinel (which forks the workers, pusher and monitor) and wait until it runs."""
        ctx = get_mp_context()
        probe = Probe()
        task_queue = IdleUnlockedQueue(maxsize=Conf.QUEUE_LIMIT, probe=probe)
        stop_event, start_event = ctx.Event(), ctx.Event()
        db.connections.close_all()  # never share a database connection with a fork
        sentinel = ctx.Process(
            target=SupervisedSentinel, name=f"Process-{uuid.uuid4().hex}",
            args=(stop_event, start_event, uuid.uuid4()), kwargs={"task_queue": task_queue, "probe": probe},
        )
        sentinel.start()
        run = cls(sentinel=sentinel, task_queue=task_queue, probe=probe, stop_event=stop_event)
        ends = _clock() + startup_seconds
        while not start_event.is_set():
            if not sentinel.is_alive():
                raise RuntimeError(f"the django-q2 sentinel exited with code {sentinel.exitcode} while starting")
            if _clock() > ends:
                run.kill()
                raise RuntimeError(f"the django-q2 sentinel did not start within {startup_seconds} s")
            time.sleep(0.05)
        return run

    def pids(self) -> list[int]:
        """The cluster's live processes (Linux ``/proc``; just the sentinel elsewhere)."""
        pids = [self.sentinel.pid]
        for entry in Path("/proc").glob("[0-9]*"):
            try:
                if os.getpgid(int(entry.name)) == self.sentinel.pid and int(entry.name) != self.sentinel.pid:
                    pids.append(int(entry.name))
            except (OSError, ValueError):
                continue
        return pids

    def dump_stacks(self) -> None:
        """Ask every process of the cluster to print where its threads are (into the log).

        The sentinel registered the handler before forking the others, so they all have it.
        """
        try:
            os.killpg(self.sentinel.pid, signal.SIGUSR1)
            time.sleep(0.5)
        except (ProcessLookupError, PermissionError):
            pass

    def kill(self) -> list[int]:
        """SIGKILL every process of the cluster; the pids it had."""
        pids = self.pids()
        try:
            os.killpg(self.sentinel.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.sentinel.join(timeout=10)
        self.task_queue.close()
        return pids

    def stop(self, *, grace: float) -> None:
        """django-q2's orderly stop (workers finish their task), then SIGKILL after ``grace``."""
        self.stop_event.set()
        self.sentinel.join(timeout=grace)
        self.kill()


class StallWatch:
    """Decides, from a cluster's probe, whether the cluster can no longer make progress.

    ``work_waiting`` says where tasks wait for this cluster (its own queue's pipe, or the
    broker), "" if nowhere; it is asked only when a worker is idle and no task was taken lately.
    """

    def __init__(self, run: ClusterRun, *, stall_seconds: float, work_waiting: Callable[[], str]) -> None:
        self.run = run
        self.stall_seconds = stall_seconds
        self.work_waiting = work_waiting
        self.starved_since: float | None = None

    def problem(self, now: float | None = None) -> str | None:
        """Why the cluster must be restarted, or None while it is healthy."""
        now = _clock() if now is None else now
        probe = self.run.probe
        if not self.run.sentinel.is_alive():
            return f"its sentinel exited (code {self.run.sentinel.exitcode})"
        if now - probe.guard_at.value > self.stall_seconds:
            return f"its guard loop has not ticked for {now - probe.guard_at.value:.0f} s"
        idle = now - probe.idle_at.value < 1.0
        taken_lately = now - probe.last_get.value < self.stall_seconds
        where = "" if not idle or taken_lately else self.work_waiting()
        if not where:
            self.starved_since = None
            return None
        # Work waits, a worker is free, and nobody has taken a task: held for long enough,
        # that means a lock died with its holder (or the pusher is stuck).
        if self.starved_since is None:
            self.starved_since = now
        if now - self.starved_since > self.stall_seconds:
            return f"work has waited in {where} for {now - self.starved_since:.0f} s while a worker was idle"
        return None


def _work_waiting(run: ClusterRun, broker: Any) -> str:
    """Where work waits for this cluster ("its queue", "the broker"), or "" if nowhere."""
    if run.task_queue._reader.poll(0):
        return "its queue"
    try:
        return "the broker" if broker.queue_size() else ""
    except Exception:  # the broker (or the ORM broker's database) is down: decide once it is back
        db.close_old_connections()
        return ""


def supervise(
    *, stall_seconds: float, grace: float, should_stop: Callable[[], bool], say: Callable[[str], None], tick: float = 0.5
) -> None:
    """Run the cluster until ``should_stop()``, replacing it whenever it stalls or dies."""
    restarts = 0
    broker = get_broker()
    while not should_stop():
        try:
            run = ClusterRun.start()
        except Exception as exc:  # e.g. the broker is down: try again shortly
            say(f"worker: could not start the cluster: {exc}; retrying")
            time.sleep(min(5.0, 0.5 * 2 ** min(restarts, 4)))
            restarts += 1
            continue
        say(f"worker: cluster running (sentinel pid {run.sentinel.pid}, {Conf.WORKERS} workers)")
        watch = StallWatch(run, stall_seconds=stall_seconds, work_waiting=lambda run=run: _work_waiting(run, broker))
        problem = None
        while not should_stop():
            problem = watch.problem()
            if problem:
                break
            time.sleep(tick)
        if problem is None:
            run.stop(grace=grace)
            break
        run.dump_stacks()
        killed = run.kill()
        restarts += 1
        # A stable line: tests read the pids to tell repeated calls of killed workers apart.
        say(f"worker: cluster stalled ({problem}); killed pids {','.join(map(str, killed))}; starting a new one")
    say("worker: stopped")
