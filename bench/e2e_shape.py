"""One deployment shape of the end-to-end benchmark: its processes and its measurements.

``bench/e2e_bench.py`` runs this module as a child process per shape, with the shape's
environment (``DATABASE_URL``, ``REDIS_URL``, a queue of its own), so that each shape gets
a Django of its own. The child migrates a fresh database, starts the real processes
(daphne, one ``qcluster``, the ``timer`` loop), measures everything through the REST API
(and the floors straight on the broker and the database), stops its processes and prints
its figures as one JSON line.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.durability.measure import cpu_seconds as process_cpu_seconds  # noqa: E402
from tests.support.processes import descendants  # noqa: E402

THREE_PASS = {
    "StartAt": "One",
    "States": {
        "One": {"Type": "Pass", "Result": 1, "ResultPath": "$.one", "Next": "Two"},
        "Two": {"Type": "Pass", "Result": 2, "ResultPath": "$.two", "Next": "Three"},
        "Three": {"Type": "Pass", "Result": 3, "ResultPath": "$.three", "End": True},
    },
}
TERMINAL = {"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def summary_ms(seconds: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    return {"n": len(ms), "p50_ms": statistics.median(ms), "p99_ms": percentile(ms, 0.99), "max_ms": max(ms)}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(condition: Callable[[], bool], timeout: float, what: str, every: float = 0.05) -> None:
    ends = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > ends:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


def parse_time(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


# -- the processes -----------------------------------------------------------------------


@contextmanager
def processes(tmp: Path, workers: int, web_processes: int = 1) -> Iterator[dict[str, Any]]:
    """``manage.py web`` (``web_processes`` daphnes), a qcluster of ``workers`` and the
    timer, each in its own process group."""
    port = free_port()
    env = {**os.environ, "STEPFLOW_WORKERS": str(workers), "PYTHONUNBUFFERED": "1"}
    manage = [sys.executable, str(ROOT / "manage.py")]
    commands = {
        "web": [*manage, "web", "--port", str(port), "--processes", str(web_processes)],
        "qcluster": [*manage, "qcluster"],
        "timer": [*manage, "timer", "--interval", "0.1"],
    }
    started: dict[str, subprocess.Popen[bytes]] = {}
    try:
        for name, command in commands.items():
            with open(tmp / f"{name}.log", "wb") as out:
                started[name] = subprocess.Popen(
                    command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
                )
        wait_for(lambda: _listening(port), 60, "the web server")
        wait_for(lambda: "running." in (tmp / "qcluster.log").read_text(), 60, "the worker cluster")
        yield {"url": f"http://127.0.0.1:{port}", "pids": {name: p.pid for name, p in started.items()}}
    finally:
        for process in started.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in started.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


# -- the floors --------------------------------------------------------------------------


def queue_floor(runs: int) -> dict[str, float]:
    """django-q2's own round trip for a no-op task on this broker: enqueue to the worker's
    recorded finish time (the result row is saved for this task only, to read that time)."""
    from django_q.models import Task
    from django_q.tasks import async_task

    seconds = []
    for _ in range(runs):
        began = time.time()
        task_id = async_task("math.floor", 1.5, save=True)
        wait_for(lambda: Task.objects.filter(id=task_id).exists(), 30, "a no-op task", every=0.001)
        seconds.append(Task.objects.get(id=task_id).stopped.timestamp() - began)
    return summary_ms(seconds)


def transaction_floor(runs: int) -> dict[str, float]:
    """One small INSERT plus one UPDATE in one transaction, on the same database."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS e2e_floor (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
        cursor.execute("CREATE TABLE IF NOT EXISTS e2e_floor_log (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        cursor.execute("INSERT INTO e2e_floor (id, n) VALUES (1, 0)")
    seconds = []
    for number in range(runs):
        began = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO e2e_floor_log (id, body) VALUES (%s, %s)", [number, '{"state": "One"}'])
            cursor.execute("UPDATE e2e_floor SET n = n + 1 WHERE id = 1")
        seconds.append(time.perf_counter() - began)
    return summary_ms(seconds)


# -- through the REST API ----------------------------------------------------------------


class Api:
    def __init__(self, url: str, token: str) -> None:
        import requests

        self.url = url
        self._token = token
        self._requests = requests
        self.session = self.new_session()

    def new_session(self) -> Any:
        session = self._requests.Session()
        session.headers["Authorization"] = f"Token {self._token}"
        return session

    def create_machine(self, name: str, definition: Any) -> None:
        response = self.session.post(f"{self.url}/api/machines/", json={"name": name, "definition": definition})
        response.raise_for_status()

    def start(self, machine: str, input: Any, session: Any = None) -> dict[str, Any]:
        response = (session or self.session).post(f"{self.url}/api/machines/{machine}/executions/", json={"input": input})
        response.raise_for_status()
        return response.json()

    def until_done(self, execution_id: str, timeout: float = 900.0) -> dict[str, Any]:
        ends = time.monotonic() + timeout
        while True:
            body = self.session.get(f"{self.url}/api/executions/{execution_id}/").json()
            if body["status"] in TERMINAL:
                return body
            if time.monotonic() > ends:
                raise TimeoutError(f"execution {execution_id} still {body['status']} after {timeout:.0f} s")
            time.sleep(0.002)


def sequential(api: Api, machine: str, input: Any, runs: int, check: Callable[[Any], bool]) -> dict[str, Any]:
    """``runs`` executions one after the other: start request to the terminal status time
    the server recorded (``stopDate``) and to the moment polling saw it."""
    recorded, observed = [], []
    began = time.perf_counter()
    for _ in range(runs):
        asked = time.time()
        execution = api.start(machine, input)
        body = api.until_done(execution["id"])
        seen = time.time()
        if body["status"] != "SUCCEEDED" or not check(body.get("output")):
            raise RuntimeError(f"{machine}: wrong ending {body['status']} {str(body.get('output'))[:200]}")
        recorded.append(parse_time(body["stopped_at"]) - asked)
        observed.append(seen - asked)
    elapsed = time.perf_counter() - began
    return {**summary_ms(recorded), "observed_p50_ms": statistics.median(observed) * 1000,
            "executions_per_s": runs / elapsed}


def cpu_seconds(pids: dict[str, int]) -> dict[str, float]:
    """CPU time (user + system) used so far by each named process with its descendants,
    by every PostgreSQL and Redis server process, and by this benchmark process; each with
    the children it has reaped (django-q2 recycles its workers, PostgreSQL's backends end
    with their connections)."""

    def used(pid: int) -> float:
        return process_cpu_seconds(pid, reaped=True)

    out = {name: used(pid) + sum(used(child) for child in descendants(pid)) for name, pid in pids.items()}
    servers = {"postgres": 0.0, "redis-server": 0.0}
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                comm = (proc / "comm").read_text().strip()
            except OSError:
                continue
            if comm in servers:
                servers[comm] += used(int(proc.name))
    return {**out, "postgresql": servers["postgres"], "redis": servers["redis-server"], "benchmark client": used(os.getpid())}


def throughput(api: Api, machine: str, runs: int, clients: int, transitions: int, pids: dict[str, int] | None = None) -> dict[str, Any]:
    """``runs`` executions started as fast as the API accepts them, then waited for; with
    ``pids``, also the CPU time each process spent per execution meanwhile."""
    from executions.models import Execution, ExecutionStatus, Step

    sessions = [api.new_session() for _ in range(clients)]
    cpu_before = cpu_seconds(pids) if pids else {}
    began = time.time()

    def one(number: int) -> str:
        return api.start(machine, {"n": number}, session=sessions[number % clients])["id"]

    with ThreadPoolExecutor(clients) as pool:
        ids = list(pool.map(one, range(runs)))
    accepted = time.time() - began
    ours = Execution.objects.filter(uuid__in=ids)
    wait_for(lambda: not ours.filter(status=ExecutionStatus.RUNNING).exists(), 600, f"{runs} executions", every=0.1)
    cpu_after = cpu_seconds(pids) if pids else {}
    statuses = Counter(ours.values_list("status", flat=True))
    last = max(ours.values_list("stopped_at", flat=True)).timestamp()
    steps = Step.objects.filter(execution__uuid__in=ids).count()
    elapsed = last - began
    return {
        "executions": runs, "clients": clients, "statuses": dict(statuses), "seconds": elapsed,
        "accepted_per_s": runs / accepted, "executions_per_s": runs / elapsed,
        "transitions_per_s": steps / elapsed, "steps": steps, "expected_steps": runs * transitions,
        "cpu_ms_per_execution": {name: (cpu_after[name] - cpu_before[name]) * 1000 / runs for name in cpu_after},
        "cpu_count": os.cpu_count(),
    }


def value_at(document: Any, path: str) -> Any:
    for part in path.split("."):
        document = document[int(part)] if isinstance(document, list) else document[part]
    return document


# -- profiling ---------------------------------------------------------------------------


def profile_workers(pids: list[int], seconds: float, out: Path) -> list[subprocess.Popen[bytes]]:
    """Start py-spy on each worker for ``seconds``: collapsed stacks in ``out``-<pid>.txt."""
    spy = Path(sys.executable).with_name("py-spy")
    if not spy.exists():
        return []
    return [
        subprocess.Popen(
            [str(spy), "record", "--format", "raw", "--rate", "200", "--duration", str(int(seconds)), "--pid", str(pid),
             "--output", f"{out}-{pid}.txt", "--nonblocking"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        for pid in pids
    ]


CATEGORIES = [  # first match wins, searched from the leaf up
    ("interpreter (stepflow/asl)", "stepflow/asl/"),
    ("history rows (executions/history)", "executions/history.py"),
    ("live publishing (executions/live)", "executions/live.py"),
    ("database driver", "psycopg"),
    ("database driver", "sqlite3"),
    ("Django ORM", "django/db/"),
    ("django-q2", "django_q/"),
    ("channel layer", "channels"),
    ("Redis client (queue, cache, channel layer)", "redis/"),
    ("REST framework", "rest_framework/"),
    ("access (tokens, throttles, audit)", "stepflow/access/"),
    ("runner bookkeeping (executions/)", "executions/"),
    ("other stepflow code", "workflows/"),
    ("other stepflow code", "stepflow/"),
    ("Django request handling", "django/"),
    ("ASGI server (daphne, twisted, asgiref)", "daphne/"),
    ("ASGI server (daphne, twisted, asgiref)", "twisted/"),
    ("ASGI server (daphne, twisted, asgiref)", "asgiref/"),
]
# Our own code, for "which of our calls was the time spent under" (the innermost one).
OURS = ("stepflow/", "executions/", "workflows/")


def read_profiles(prefix: Path) -> dict[str, Any]:
    """Where the sampled worker time went: idle, and busy time by category and leaf."""
    samples: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    callers: Counter[str] = Counter()
    total = idle = 0
    for path in prefix.parent.glob(prefix.name + "-*.txt"):
        for line in path.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if not stack:
                continue
            n = int(count)
            frames = stack.split(";")
            total += n
            leaf = frames[-1]
            if any(word in leaf for word in ("_recv", "poll", "select", "wait", "sleep", "(get)")) and "executions/" not in stack:
                idle += n
                continue
            leaves[leaf] += n
            ours = next((frame for frame in reversed(frames) if frame.rpartition("(")[2].startswith(OURS)), None)
            callers[ours or "(none of ours)"] += n
            for frame in reversed(frames):
                label = next((name for name, needle in CATEGORIES if needle in frame), None)
                if label:
                    samples[label] += n
                    break
            else:
                samples["other"] += n
    busy = max(1, total - idle)
    return {
        "samples": total, "idle_share": idle / total if total else 0.0,
        "busy_by_category": {k: round(v / busy, 3) for k, v in samples.most_common()},
        "top_leaves": [(k, round(v / busy, 3)) for k, v in leaves.most_common(8)],
        "top_callers": [(k, round(v / busy, 3)) for k, v in callers.most_common(10)],
    }


# -- the whole run -----------------------------------------------------------------------


def api_token(user: Any) -> str:
    """A fresh API key for ``user``."""
    from stepflow.access import tokens

    return tokens.create_token(user=user, name="e2e-bench")[1]


def run(args: dict[str, Any]) -> dict[str, Any]:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    tmp = Path(args["tmp"])
    call_command("migrate", verbosity=0, interactive=False)
    user = get_user_model().objects.create_superuser("bench", password=uuid.uuid4().hex)
    token = api_token(user)
    workloads = args["workloads"]
    figures: dict[str, Any] = {"workers": args["workers"], "web_processes": args.get("web_processes", 1)}
    with processes(tmp, args["workers"], args.get("web_processes", 1)) as stack:
        api = Api(stack["url"], token)
        figures["queue_floor"] = queue_floor(args["floor_runs"])
        figures["transaction_floor"] = transaction_floor(args["floor_runs"] * 2)
        api.create_machine("three-pass", THREE_PASS)
        sequential(api, "three-pass", {}, 10, lambda out: True)  # warm every worker's caches
        figures["latency"] = sequential(api, "three-pass", {}, args["latency_runs"], lambda out: out.get("three") == 3)
        spies: list[subprocess.Popen[bytes]] = []
        if args["profile"]:  # the web process and the workers while starts pour in
            spies = profile_workers(sorted(descendants(stack["pids"]["web"])), args["profile_seconds"], tmp / "web")
            spies += profile_workers(sorted(descendants(stack["pids"]["qcluster"])), args["profile_seconds"], tmp / "busy")
        figures["throughput"] = throughput(api, "three-pass", args["throughput_runs"], args["clients"], 3, stack["pids"])
        for spy in spies:
            spy.wait(timeout=args["profile_seconds"] + 30)
        if spies:
            figures["profile_web"] = read_profiles(tmp / "web")
            figures["profile_throughput"] = read_profiles(tmp / "busy")
        profiler: list[subprocess.Popen[bytes]] = []
        for workload in workloads:
            wid = workload["id"]
            api.create_machine(wid.replace("_", "-"), json.loads(workload["definition_text"]))
            check = workload["output_check"]
            runs = workload["runs"]
            if args["profile"] and wid == "w1_pass_chain":
                pids = sorted(descendants(stack["pids"]["qcluster"]))
                profiler = profile_workers(pids, args["profile_seconds"], tmp / "profile")
            try:
                row = sequential(
                    api, wid.replace("_", "-"), json.loads(workload["input_text"]), runs,
                    lambda out, check=check: value_at(out, check["path"]) == check["equals"],
                )
            except (RuntimeError, TimeoutError) as error:  # report it, and still measure the rest
                figures[wid] = {"error": str(error)}
                continue
            per = workload["expected_transitions_per_execution"]
            row["transitions_per_s"] = row["executions_per_s"] * per
            row["transitions"] = per
            figures[wid] = row
        for spy in profiler:
            spy.wait(timeout=args["profile_seconds"] + 30)
        if profiler:
            figures["profile"] = read_profiles(tmp / "profile")
    return figures


if __name__ == "__main__":
    result = run(json.loads(sys.stdin.read()))
    print(json.dumps(result), flush=True)
