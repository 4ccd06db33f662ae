"""Benchmark: the overhead stepflow adds to a warm Fn call, on the embedded shape.

Usage::

    .venv/bin/python bench/fn_overhead.py [--runs 50]

Starts ``manage.py fn_runner`` on a free port, uses a fresh SQLite database (WAL, the
embedded defaults) and runs a one-Task machine (``fn:demo/echo``) ``--runs`` times inline
(``runner.advance_execution``, the code a django-q2 worker runs; the queue hop
before it is not part of the Task's time). For each run it times the Task state's transition, from
the worker taking the run to the Task's result committed (the Step's ``entered_at`` to
``exited_at``), and right after it a direct ``requests.post`` of the same input to the
same invoke URL. It prints the medians and the overhead: median(task) - median(direct).
Target: under 5 ms.
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
        task_ms, direct_ms = [], []
        for i in range(args.runs + 5):
            execution, _ = services.start_execution(machine=machine, input=payload, name=f"run-{i}", by=None)
            began = time.perf_counter()
            session.post(url, json=payload, timeout=10).json()
            direct = (time.perf_counter() - began) * 1000
            worker.advance_execution(execution_id=execution.pk)  # what a django-q2 worker runs
            step = Step.objects.get(execution=execution)
            if i >= 5:  # the first runs warm the function process, connections and caches
                task_ms.append((step.exited_at - step.entered_at).total_seconds() * 1000)
                direct_ms.append(direct)
        task, direct = statistics.median(task_ms), statistics.median(direct_ms)
        print(f"Task state transition (median of {args.runs}): {task:.2f} ms")
        print(f"direct Fn call        (median of {args.runs}): {direct:.2f} ms")
        print(f"stepflow overhead on a warm Fn call: {task - direct:.2f} ms (target < 5 ms)")
    finally:
        runner.terminate()
        runner.wait(10)


if __name__ == "__main__":
    main()
