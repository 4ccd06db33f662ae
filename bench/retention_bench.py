"""Benchmark retention: export-then-delete of 100,000 finished executions and 1,000,000 steps.

Usage::

    .venv/bin/python bench/retention_bench.py [--executions N] [--steps-per-execution 10]
        [--exporter jsonl|http] [--batch-size 500] [--delete-chunk 50] [--tracemalloc]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/retention_bench.py

Without ``DATABASE_URL`` it uses a fresh SQLite file under a temporary folder (the embedded
shape). It fills the database with bulk inserts (not timed into the figures), runs one
retention pass with the JSON Lines exporter into a temporary folder (``--exporter http``
posts to a loopback receiver instead), checks that every execution was shipped and
deleted, and prints:

* executions and steps exported and deleted per second (wall time of the whole pass);
* peak memory of the pass: the growth of the process's maximum RSS over its level after
  the fill (``ru_maxrss``), and with ``--tracemalloc`` the peak of Python allocations
  (tracing slows the pass, so it is off by default);
* the longest single write transaction (one delete chunk) and the number of batches.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import statistics
import sys
import tempfile
import threading
import time
import tracemalloc
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--executions", type=int, default=100_000)
    parser.add_argument("--steps-per-execution", type=int, default=10)
    parser.add_argument("--exporter", choices=("jsonl", "http"), default="jsonl")
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--delete-chunk", type=int, default=50)
    parser.add_argument("--tracemalloc", action="store_true", help="also trace Python allocations (slower)")
    return parser.parse_args()


def _receiver() -> tuple[ThreadingHTTPServer, list[int]]:
    received = [0]

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received[0] += body.count(b"\n")
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, received


def _insert(cursor, model, columns: list[str], rows: list[tuple]) -> None:
    table = model._meta.db_table
    quote = cursor.db.ops.quote_name
    marks = ", ".join(["%s"] * len(columns))
    cursor.executemany(
        f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) VALUES ({marks})", rows
    )


def _defaults(model, columns: list[str]) -> tuple[list[str], list[object]]:
    extra = [
        f for f in model._meta.concrete_fields
        if f.column not in columns and not f.primary_key and not f.null and f.has_default()
    ]
    values = []
    for f in extra:
        value = f.get_default()
        values.append(value.hex if hasattr(value, "hex") and not isinstance(value, (int, float)) else value)
    return [f.column for f in extra], values


def _fill(machine, version, n: int, per: int, stopped) -> None:
    """Bulk inserts through ``executemany`` (the ORM's per-field overhead would dominate)."""
    import json
    import uuid as uuidlib

    from django.db import connection, transaction

    from executions.models import Execution, ExecutionStatus, Step, StepStatus

    adapt = connection.ops.adapt_datetimefield_value
    started, stop = adapt(stopped - timedelta(seconds=3)), adapt(stopped)
    entered, exited = adapt(stopped - timedelta(seconds=2)), adapt(stopped - timedelta(seconds=1))
    statuses = [ExecutionStatus.SUCCEEDED, ExecutionStatus.FAILED, ExecutionStatus.TIMED_OUT, ExecutionStatus.ABORTED]
    exec_columns = [
        "uuid", "machine_id", "version_id", "name", "status", "input", "output", "error", "cause", "started_at",
        "stopped_at", "revision", "claimed_by", "waiting_for", "fork_seq", "pending_children", "event_count",
        "legal_hold",
    ]
    step_columns = [
        "execution_id", "sequence", "state_name", "state_type", "status", "input", "output", "error", "cause",
        "attempt", "entered_at", "exited_at",
    ]
    # Columns other apps add later (NOT NULL with a default) get their default.
    exec_extra, exec_defaults = _defaults(Execution, exec_columns)
    step_extra, step_defaults = _defaults(Step, step_columns)
    exec_columns += exec_extra
    step_columns += step_extra
    chunk = 5000
    last = Execution.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    for start in range(0, n, chunk):
        ids = range(start, min(start + chunk, n))
        with transaction.atomic(), connection.cursor() as cursor:
            uuid_value = (lambda u: u.hex) if connection.vendor == "sqlite" else (lambda u: u)
            _insert(cursor, Execution, exec_columns, [
                (
                    uuid_value(uuidlib.uuid4()), machine.pk, version.pk, f"e{i}", statuses[i % 4],
                    json.dumps({"order": i, "customer": f"c-{i % 977}", "items": [1, 2, 3]}),
                    json.dumps({"ok": True, "order": i}), "" if i % 4 == 0 else "States.TaskFailed",
                    "" if i % 4 == 0 else "the function failed", started, stop, 0, "", "", 0, 0, 0, False,
                    *exec_defaults,
                )
                for i in ids
            ])
            pks = list(Execution.objects.filter(machine=machine, pk__gt=last).order_by("pk").values_list("pk", flat=True))
            last = pks[-1]
            _insert(cursor, Step, step_columns, [
                (
                    pk, s * 2 + 2, f"State{s}", "Task", StepStatus.SUCCEEDED,
                    json.dumps({"order": pk, "step": s}), json.dumps({"order": pk, "step": s, "result": "done"}),
                    "", "", 0, entered, exited, *step_defaults,
                )
                for pk in pks
                for s in range(per)
            ])
        print(f"  {min(start + chunk, n):,} executions", end="\r", flush=True)


def _maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    args = _args()
    scratch = Path(tempfile.mkdtemp(prefix="stepflow-retention-bench-"))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch / 'bench.sqlite3'}")
    os.environ["STEPFLOW_RETENTION_DIR"] = str(scratch / "export")
    os.environ["STEPFLOW_RETENTION_BATCH_SIZE"] = str(args.batch_size)
    os.environ["STEPFLOW_RETENTION_DELETE_CHUNK"] = str(args.delete_chunk)
    os.environ.setdefault("STEPFLOW_LOG_LEVEL", "WARNING")
    if args.exporter == "http":
        server, received = _receiver()
        os.environ["STEPFLOW_RETENTION_EXPORTER"] = "http"
        os.environ["STEPFLOW_RETENTION_HTTP_URL"] = f"http://127.0.0.1:{server.server_port}/"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stepflow.settings")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from executions.models import Execution
    from executions.retention import services
    from workflows import services as workflows

    call_command("migrate", verbosity=0)
    shape = connection.vendor
    name = f"bench-{int(time.time())}"
    definition = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
    machine = workflows.create_machine(name=name, definition=definition, by=None)
    version = machine.current_version
    n, per = args.executions, args.steps_per_execution
    print(f"shape: {shape} ({settings.DATABASES['default']['NAME']}); exporter: {args.exporter}")
    print(f"filling {n:,} finished executions and {n * per:,} steps ...", flush=True)

    began = time.perf_counter()
    stopped = timezone.now() - timedelta(days=settings.STEPFLOW_RETENTION_DAYS + 1)
    _fill(machine, version, n, per, stopped)
    print(f"filled in {time.perf_counter() - began:.1f} s" + " " * 20)
    if connection.vendor == "postgresql":
        # A live database's autovacuum keeps planner statistics; a bulk-filled one has none
        # yet, and PostgreSQL would scan the whole step table for every delete chunk.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    gc.collect()
    baseline = _maxrss_mib()
    if args.tracemalloc:
        tracemalloc.start()
    timings = services.Timings()
    began = time.perf_counter()
    run = services.run_retention(timings=timings)
    elapsed = time.perf_counter() - began
    traced = tracemalloc.get_traced_memory()[1] / 2**20 if args.tracemalloc else None
    if args.tracemalloc:
        tracemalloc.stop()
    peak = _maxrss_mib()

    left = Execution.objects.filter(machine=machine).count()
    assert run.status == "SUCCEEDED", run.error
    assert run.executions_exported == n and run.executions_deleted == n and left == 0, (run.executions_exported, left)
    if args.exporter == "http":
        assert received[0] == n, received[0]
    exported_bytes = sum(p.stat().st_size for p in (scratch / "export").glob("*.gz")) if args.exporter == "jsonl" else 0

    print(f"retention pass: {elapsed:.1f} s, {run.batches.count()} batches of up to {args.batch_size}")
    print(f"  exported: {run.executions_exported:,} executions, {run.steps_exported:,} steps, "
          f"{run.bytes_shipped / 2**20:.1f} MiB of NDJSON" + (f" ({exported_bytes / 2**20:.1f} MiB gzip)" if exported_bytes else ""))
    print(f"  rows/s:   {run.executions_exported / elapsed:,.0f} executions/s exported and deleted, "
          f"{(run.executions_exported + run.steps_exported) / elapsed:,.0f} rows/s (executions + steps)")
    print(f"  memory:   max RSS {baseline:.0f} -> {peak:.0f} MiB (+{peak - baseline:.0f} MiB during the pass)"
          + (f"; tracemalloc peak {traced:.1f} MiB" if traced is not None else ""))
    writes = sorted(timings.writes)
    print(f"  write transactions (one delete chunk of {args.delete_chunk} executions with their steps each): "
          f"{len(writes)}, median {statistics.median(writes) * 1000:.1f} ms, "
          f"p99 {writes[int(len(writes) * 0.99)] * 1000:.1f} ms, longest {writes[-1] * 1000:.1f} ms")
    print(f"  manifest sha256: {run.sha256}")
    workflows.destroy_machine(machine=machine) if not Execution.objects.filter(machine=machine).exists() else None


if __name__ == "__main__":
    main()
