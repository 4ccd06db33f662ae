"""Real processes for the durability tests: worker clusters, the timer, the web server,
and the services they depend on (PostgreSQL, Redis), which some tests restart.

Everything runs against the test session's database, as ``tests/support/processes.py``
arranges; the shape (SQLite + ORM broker, or PostgreSQL + Redis) is whatever
``DATABASE_URL`` / ``REDIS_URL`` say, as for the rest of the suite.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection

from executions.models import Event, Execution, ExecutionStatus, Frame, Step
from tests.durability.functions import read_calls
from tests.support import processes

# A short lease, so that a killed worker's run is taken over in seconds, not 30. Not shorter: the
# timer re-enqueues every parked row once a lease, and a backlogged queue must not grow faster
# than the workers drain it (see the report on issue 5).
LEASE_SECONDS = "10"


def is_scaled_out() -> bool:
    return connection.vendor == "postgresql" and bool(settings.REDIS_URL)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def tcp_open(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


@dataclass
class Stack:
    """The processes of one test; ``stop_all`` ends every one of them."""

    tmp: Path
    env: dict[str, str] = field(default_factory=dict)
    clusters: list[subprocess.Popen[bytes]] = field(default_factory=list)
    others: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    killed: list[int] = field(default_factory=list)
    web_port: int = 0

    @property
    def call_log(self) -> Path:
        return self.tmp / "calls.jsonl"

    def calls(self) -> list[dict[str, Any]]:
        return read_calls(self.call_log)

    def _env(self) -> dict[str, str]:
        return {
            "STEPFLOW_FN_CLIENT": "tests.durability.functions.client",
            "STEPFLOW_TEST_CALL_LOG": str(self.call_log),
            "STEPFLOW_CLAIM_LEASE_SECONDS": LEASE_SECONDS,
            **self.env,
        }

    def start_cluster(self, workers: int = 2) -> subprocess.Popen[bytes]:
        log = self.tmp / f"qcluster-{len(self.clusters)}.log"
        cluster = processes.start(["qcluster"], log, STEPFLOW_WORKERS=str(workers), **self._env())
        processes.wait_for(lambda: "running." in log.read_text(), 60, f"cluster {len(self.clusters)} to start")
        self.clusters.append(cluster)
        return cluster

    def start_timer(self) -> None:
        log = self.tmp / f"timer-{time.monotonic_ns()}.log"
        self.others["timer"] = processes.start(["timer", "--interval", "0.1"], log, **self._env())
        processes.wait_for(lambda: "scanning every" in log.read_text(), 60, "the timer to start")

    def start_web(self) -> None:
        self.web_port = self.web_port or free_port()
        log = self.tmp / f"web-{time.monotonic_ns()}.log"
        with open(log, "wb") as out:
            self.others["web"] = subprocess.Popen(
                [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.web_port), "stepflow.asgi:application"],
                cwd=processes.ROOT, env=processes.environment(**self._env()), stdout=out,
                stderr=subprocess.STDOUT, start_new_session=True,
            )
        processes.wait_for(lambda: tcp_open(self.web_port), 60, "the web server to listen")

    def kill(self, name: str) -> None:
        """``kill -9`` a named process (web, timer) and its group."""
        process = self.others.pop(name)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def worker_pids(self) -> set[int]:
        """Live worker processes: cluster descendants that have claimed a row or made a call."""
        known = {int(c["pid"]) for c in self.calls()}
        for model in (Execution, Frame):
            for by in model.objects.exclude(claimed_by="").values_list("claimed_by", flat=True).distinct():
                known.add(int(by.rsplit(":", 1)[1]))
        below: set[int] = set()
        for cluster in self.clusters:
            below |= processes.descendants(cluster.pid)
        return {pid for pid in known & below if processes.alive(pid)}

    def all_worker_side_pids(self) -> set[int]:
        below: set[int] = set()
        for cluster in self.clusters:
            below |= processes.descendants(cluster.pid)
        return {pid for pid in below if processes.alive(pid)}

    def kill_a_worker(self, rng: random.Random) -> int | None:
        pids = sorted(self.worker_pids())
        if not pids:
            return None
        pid = rng.choice(pids)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            return None
        self.killed.append(pid)
        return pid

    def stop_all(self) -> None:
        for process in [*self.clusters, *self.others.values()]:
            processes.stop(process)
        self.clusters.clear()
        self.others.clear()

    def logs(self, tail: int = 2000) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-tail:]}" for p in sorted(self.tmp.glob("*.log")))


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def wait_all_done(ids: list[int], timeout: float, stack: Stack | None = None) -> None:
    def done() -> bool:
        try:
            return not Execution.objects.filter(pk__in=ids, status=ExecutionStatus.RUNNING).exists()
        except DatabaseError:  # the database is restarting under us
            connection.close()
            return False

    try:
        processes.wait_for(done, timeout, f"{len(ids)} executions to end")
    except AssertionError:
        left = Execution.objects.filter(pk__in=ids, status=ExecutionStatus.RUNNING)
        detail = list(left.values_list("pk", "waiting_for", "pending_children", "claimed_until", "wake_at")[:3])
        first = left.first()
        if first is not None:
            detail.append(list(Frame.objects.filter(execution=first).values_list(
                "pk", "status", "waiting_for", "revision", "claimed_until", "wake_at", "claimed_by", "pending")))
        raise AssertionError(f"{left.count()} still running, e.g. {detail}\n{stack.logs() if stack else ''}") from None


# --- PostgreSQL and Redis -------------------------------------------------------------

REDIS_START = [
    "redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379", "--save", "",
    "--appendonly", "no", "--dir", "/var/lib/redis", "--logfile", "/var/log/redis/ci.log",
]


def postgres_version() -> str:
    out = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=True).stdout
    return out.split()[0]


def restart_postgres() -> None:
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", postgres_version(), "main", "restart"], check=True, timeout=120
    )
    processes.wait_for(lambda: tcp_open(5432), 60, "PostgreSQL to listen again")


def restart_redis(down_seconds: float = 1.0) -> None:
    subprocess.run(["redis-cli", "-p", "6379", "shutdown", "nosave"], capture_output=True, timeout=30, check=False)
    processes.wait_for(lambda: not tcp_open(6379), 30, "Redis to stop")
    time.sleep(down_seconds)
    subprocess.run(REDIS_START, check=True, timeout=30)
    processes.wait_for(lambda: tcp_open(6379), 30, "Redis to listen again")


def ensure_services_running() -> None:
    """Start PostgreSQL and Redis again if a test left either down (runs even on failure)."""
    if not tcp_open(5432):
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", postgres_version(), "main", "start"], timeout=120, check=False)
    if not tcp_open(6379):
        subprocess.run(REDIS_START, timeout=30, check=False)
    for port in (5432, 6379):
        processes.wait_for(lambda port=port: tcp_open(port), 60, f"port {port}")


# --- what a sound history looks like --------------------------------------------------

MIXED_STEPS = Counter({"First": 1, "Check": 1, "Nap": 1, "Fan": 1, "Flaky": 1, "Boom": 1, "Caught": 1,
                       "Each": 1, "Work": 3, "Done": 1})
MIXED_TASKS_SCHEDULED = 1 + 3 + 1 + 3  # First; Flaky three attempts; Boom; one Work per item


def mixed_input(n: int) -> dict[str, Any]:
    return {"n": n, "items": [n, n + 1, n + 2]}


def mixed_output(n: int) -> dict[str, Any]:
    return {
        "first": 2 * n, "band": "low" if n < 50 else "high",
        "fan": [{"ok": n}, {"error": "DemoError"}],
        "each": [{"doubled": 2 * x} for x in (n, n + 1, n + 2)],
    }


def assert_mixed_runs_sound(executions: list[Execution], calls: list[dict[str, Any]], killed: list[int]) -> dict[str, int]:
    """Every run succeeded with its output, its history has no gap and no repeat, and the
    only repeated calls were in flight in a killed worker, with the same key. Returns
    counts for the test to report."""
    by_key: dict[str, list[dict[str, Any]]] = {}
    for call in calls:
        by_key.setdefault(call["key"], []).append(call)
    repeated = 0
    for execution in executions:
        n = execution.input["n"]
        assert execution.status == ExecutionStatus.SUCCEEDED, (execution.pk, execution.error, execution.cause)
        assert execution.output == mixed_output(n), execution.output
        events = list(Event.objects.filter(execution=execution).order_by("event_id").values_list("event_id", "type"))
        ids = [event_id for event_id, _ in events]
        assert ids == list(range(1, execution.event_count + 1)), f"history of {execution.pk} has gaps or repeats"
        types = Counter(kind for _, kind in events)
        assert types["ExecutionStarted"] == 1 and types["ExecutionSucceeded"] == 1
        assert types["TaskScheduled"] == MIXED_TASKS_SCHEDULED, types
        steps = list(Step.objects.filter(execution=execution).values_list("state_name", "sequence", "status"))
        names = Counter(name for name, _, _ in steps if name not in ("Low", "High"))
        assert names == MIXED_STEPS, (execution.pk, names)
        assert sum(1 for name, _, _ in steps if name in ("Low", "High")) == 1
        entered = {event_id for event_id, kind in events if kind.endswith("StateEntered")}
        assert {seq for _, seq, _ in steps} == entered, "a step is not the one its history entered"
        assert all(status in ("SUCCEEDED", "FAILED") for _, _, status in steps)
        scheduled = {f"{execution.uuid}:{event_id}" for event_id, kind in events if kind == "TaskScheduled"}
        made = {key for key, group in by_key.items() if group[0]["execution"] == str(execution.uuid)}
        assert made == scheduled, f"calls of {execution.pk} do not match its TaskScheduled events"
        for key in scheduled:
            group = by_key[key]
            # A repeat is allowed only after a call whose worker was killed: the one in flight.
            for earlier in group[:-1]:
                assert earlier["pid"] in killed, f"call {key} repeated though its worker {earlier['pid']} lived"
            repeated += len(group) - 1
    return {"executions": len(executions), "calls": len(calls), "repeated": repeated, "kills": len(killed)}
