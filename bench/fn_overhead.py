"""Benchmark: the overhead stepflow adds to a warm Fn call, on the embedded shape.

Usage::

    .venv/bin/python bench/fn_overhead.py [--runs 50]

Starts ``manage.py fn_runner`` on a free port, uses a fresh SQLite database (WAL, the
embedded defaults) and runs a one-Task machine (``fn:demo/echo``) ``--runs`` times inline
(``runner.advance_execution``, the code a django-q2 worker runs; the queue hop
before it is not part of the Task's time). For each run it times, right after a direct
``requests.post`` of the same input to the same invoke URL (the baseline):

- the Task state: its Step's ``entered_at`` to ``exited_at`` (the issue's measure: the
  state's transition time, from the Invoke decision to the outcome's transition);
- the whole unit of work around it, wall clock: loading and claiming the run, both
  transitions and their commits, and the end of the execution.

It prints the medians, the overhead of each over the direct call (median minus median;
target for the Task state: under 5 ms), their ratios to it, and the database statements
one run makes. Wall-clock timings move with the machine's load, so it also prints the CPU
time this process spent (``time.thread_time``: SQLite runs in-process, the function runs
in the runner's processes), which a busy machine disturbs far less: the unit's CPU time
minus the direct call's is the work stepflow adds. Compare figures from one command.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="stepflow-bench-")
    port = _free_port()
    os.environ.update(
        DATABASE_URL=f"sqlite:///{folder}/bench.sqlite3", STEPFLOW_VAR_DIR=folder, FN_API_URL=f"http://127.0.0.1:{port}",
        STEPFLOW_TASKS_SYNC="false", DJANGO_DEBUG="false", DJANGO_SETTINGS_MODULE="stepflow.settings", STEPFLOW_LOG_LEVEL="WARNING",
    )
    sys.path.insert(0, str(ROOT))
    runner = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "fn_runner", "--port", str(port)], cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        assert runner.stdout is not None
        runner.stdout.readline()  # "fn_runner: serving ..."
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        import requests

        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from executions import runner as worker
        from executions import services
        from executions.fn_client import from_settings
        from executions.models import Step
        from workflows import services as workflows

        machine = workflows.create_machine(
            name="bench", by=None,
            definition={"StartAt": "Echo", "States": {"Echo": {"Type": "Task", "Resource": "fn:demo/echo", "End": True}}},
        )
        url = from_settings().url_for("fn:demo/echo")
        session = requests.Session()
        payload = {"n": 1, "text": "x" * 100}
        task_ms, unit_ms, direct_ms, unit_cpu, direct_cpu = [], [], [], [], []
        statements = 0
        for i in range(args.runs + 5):
            execution, _ = services.start_execution(machine=machine, input=payload, name=f"run-{i}", by=None)
            began, cpu = time.perf_counter(), time.thread_time()
            session.post(url, json=payload, timeout=10).json()
            direct, direct_cpu_ms = (time.perf_counter() - began) * 1000, (time.thread_time() - cpu) * 1000
            began, cpu = time.perf_counter(), time.thread_time()
            if i == 4:  # one warm run with its statements counted (counting costs time)
                with CaptureQueriesContext(connection) as seen:
                    worker.advance_execution(execution_id=execution.pk)
                statements = len(seen.captured_queries)
            else:
                worker.advance_execution(execution_id=execution.pk)  # what a django-q2 worker runs
            unit, unit_cpu_ms = (time.perf_counter() - began) * 1000, (time.thread_time() - cpu) * 1000
            step = Step.objects.get(execution=execution)
            assert step.status == "SUCCEEDED" and step.fn_call_id, (step.status, step.error, step.cause)
            if i >= 5:  # the first runs warm the function process, connections and caches
                task_ms.append((step.exited_at - step.entered_at).total_seconds() * 1000)
                unit_ms.append(unit)
                direct_ms.append(direct)
                unit_cpu.append(unit_cpu_ms)
                direct_cpu.append(direct_cpu_ms)
        task, unit, direct = (statistics.median(ms) for ms in (task_ms, unit_ms, direct_ms))
        print(f"direct Fn call, the baseline (median of {args.runs}): {direct:.2f} ms")
        print(f"Task state, entered to exited (median of {args.runs}): {task:.2f} ms  ({task / direct:.2f}x the direct call)")
        print(f"whole unit of work            (median of {args.runs}): {unit:.2f} ms  ({unit / direct:.2f}x the direct call)")
        print(f"stepflow overhead on a warm Fn call: {task - direct:.2f} ms (target < 5 ms); whole unit: {unit - direct:.2f} ms")
        ucpu, dcpu = statistics.median(unit_cpu), statistics.median(direct_cpu)
        print(f"CPU time in this process: unit {ucpu:.2f} ms, direct call {dcpu:.2f} ms; stepflow adds {ucpu - dcpu:.2f} ms")
        print(f"database statements per one-Task run (BEGIN/COMMIT included): {statements}")
    finally:
        runner.terminate()
        runner.wait(10)


if __name__ == "__main__":
    main()
