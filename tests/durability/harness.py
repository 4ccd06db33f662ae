"""Real processes for the durability tests: worker clusters, the timer, the web server,
and the services they depend on (PostgreSQL, Redis), which some tests restart.

Everything runs against the test session's database, as ``tests/support/processes.py``
arranges; the shape (SQLite + ORM broker, or PostgreSQL + Redis) is whatever
``DATABASE_URL`` / ``REDIS_URL`` say, as for the rest of the suite.
"""

from __future__ import annotations

import os
import random
import re
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
from tests.durability.claims import Claim, read_claims
from tests.durability.functions import read_calls
from tests.support import processes

# A short lease, so that a killed worker's run is taken over in seconds, not 30. (Behind a
# backlog longer than this, the timer backs off its refires: executions/timers.py.)
LEASE_SECONDS = "10"
# How long a worker cluster may sit with work waiting and an idle worker before its
# watchdog replaces it (short here, so a test notices a stall in seconds).
STALL_SECONDS = "8"


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

    @property
    def unit_log(self) -> Path:
        return self.tmp / "units.log"

    def claims(self) -> list[Claim]:
        """Every unit of work the workers finished: which row, which revisions, which pid."""
        return read_claims(self.unit_log)

    def _env(self) -> dict[str, str]:
        return {
            "DJANGO_SETTINGS_MODULE": "tests.durability.settings",
            "STEPFLOW_TEST_UNIT_LOG": str(self.unit_log),
            "STEPFLOW_FN_CLIENT": "tests.durability.functions.client",
            "STEPFLOW_TEST_CALL_LOG": str(self.call_log),
            "STEPFLOW_CLAIM_LEASE_SECONDS": LEASE_SECONDS,
            **self.env,
        }

    def start_cluster(self, workers: int = 2) -> subprocess.Popen[bytes]:
        """``manage.py worker``: a django-q2 cluster under its watchdog (executions/workers.py)."""
        log = self.tmp / f"qcluster-{len(self.clusters)}.log"
        cluster = processes.start(
            ["worker", "--grace", "5"], log, STEPFLOW_WORKERS=str(workers),
            STEPFLOW_WORKER_STALL_SECONDS=STALL_SECONDS, STEPFLOW_TEST_CLUSTER=str(len(self.clusters)), **self._env(),
        )
        processes.wait_for(lambda: "cluster running" in log.read_text(), 60, f"cluster {len(self.clusters)} to start")
        self.clusters.append(cluster)
        return cluster

    def restarted_clusters(self) -> list[int]:
        """Pids the watchdogs killed when they replaced a stalled cluster (their log says so)."""
        pids: list[int] = []
        for log in self.tmp.glob("qcluster-*.log"):
            for found in re.findall(r"killed pids ([0-9,]+)", log.read_text(errors="replace")):
                pids += [int(pid) for pid in found.split(",")]
        return pids

    def dead_workers(self) -> list[int]:
        """Every worker pid that this test killed, directly or through a watchdog."""
        return [*self.killed, *self.restarted_clusters()]

    def start_timer(self) -> None:
        log = self.tmp / f"timer-{time.monotonic_ns()}.log"
        self.others["timer"] = processes.start(["timer", "--interval", "0.1"], log, **self._env())
        processes.wait_for(lambda: "scanning every" in log.read_text(), 60, "the timer to start")

    def start_web(self) -> None:
        self.web_port = self.web_port or free_port()
        log = self.tmp / f"web-{time.monotonic_ns()}.log"
        with open(log, "wb") as out:
            self.others["web"] = subprocess.Popen(
                [sys.executable, str(processes.ROOT / "manage.py"), "web", "--port", str(self.web_port)],
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

def postgres_version() -> str:
    out = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=True).stdout
    return out.split()[0]


def restart_postgres() -> None:
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", postgres_version(), "main", "restart"], check=True, timeout=120
    )
    processes.wait_for(lambda: tcp_open(5432), 60, "PostgreSQL to listen again")


class PrivateRedis:
    """A redis-server of the test's own on a free port, so restarting it disturbs nobody."""

    def __init__(self, tmp: Path) -> None:
        self.port = free_port()
        self.log = tmp / "redis.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )
        processes.wait_for(lambda: tcp_open(self.port), 30, "the private Redis to listen")

    def stop(self) -> None:
        if self.process is not None:
            processes.stop(self.process)
            self.process = None

    def restart(self, down_seconds: float = 2.0) -> None:
        """Down (losing every queued message: no persistence) for ``down_seconds``, then up."""
        self.stop()
        time.sleep(down_seconds)
        self.start()


def ensure_services_running() -> None:
    """Start PostgreSQL again if a test left it down (runs even on failure). Redis needs
    no such care: the tests restart a private server (``PrivateRedis``), never the shared one."""
    if not tcp_open(5432):
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", postgres_version(), "main", "start"], timeout=120, check=False)
    processes.wait_for(lambda: tcp_open(5432), 60, "PostgreSQL to listen")


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


def assert_mixed_runs_sound(
    executions: list[Execution], calls: list[dict[str, Any]], killed: list[int] | None
) -> dict[str, int]:
    """Every run succeeded with its output, its history has no gap and no repeat, and the
    only repeated calls were in flight in a killed worker, with the same key (``killed``
    None: any worker may repeat a call, as after a database restart broke its transaction).
    Returns counts for the test to report."""
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
                assert killed is None or earlier["pid"] in killed, f"call {key} repeated though its worker {earlier['pid']} lived"
            repeated += len(group) - 1
    return {"executions": len(executions), "calls": len(calls), "repeated": repeated, "kills": len(killed or ())}
