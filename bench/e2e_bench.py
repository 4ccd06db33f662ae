"""End-to-end benchmark: the real processes, driven through the REST API, on each shape.

    .venv/bin/python bench/e2e_bench.py [--quick] [--shape embedded|scaled|both] [--profile]
        [--web-processes N] [--database-url postgres://user@host:5432/name] [--redis-url redis://host:6379/0]

For each deployment shape it starts ``manage.py web`` (``--web-processes`` daphnes, one by
default), one ``qcluster`` and the ``timer`` loop on a fresh database
(``bench/e2e_shape.py``, in a child process per shape) and measures:

- latency: 200 sequential executions of a 3-state Pass machine, start request to the
  terminal status (the server's ``stopped_at``; polling's view is printed too), p50/p99;
- throughput: 2,000 executions of that machine started as fast as the API accepts them
  (8 clients), executions/s and state transitions/s (Step rows) until all are done;
- W1 and W3 of ``../shared/bench/workloads/`` through the API (outputs checked);

and, in the same run, the baselines: django-q2's round trip for a no-op task on the same
broker (the floor for one queue hop), one small INSERT-and-UPDATE transaction on the same
database (the floor for persisting a transition), and moto's Step Functions interpreter
on the same machines when moto is installed (``bench/asl_bench.py``'s moto child).
``--profile`` samples with py-spy the web process and the workers during the throughput run,
and the workers during W1, and says where their time went.

The scaled shape needs PostgreSQL and Redis: it creates (and drops afterwards) a database
named after ``--database-url``'s plus ``_e2e`` and uses a queue of its own on the Redis
database given. Figures are medians of what one run measured; the machine may be shared.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORKLOADS = ROOT.parent / "shared" / "bench" / "workloads"
sys.path.insert(0, str(HERE))

from asl_bench import load_workloads, run_moto_child  # noqa: E402
from e2e_shape import THREE_PASS  # noqa: E402

TARGETS = {"latency_p50_ms": 50.0, "executions_per_s": 200.0, "transition_vs_floor": 3.0}
MOTO_ISSUE = "moto on this machine per the issue: W1 about 400 ms p50, 2.3 executions/s"


def fresh_postgres(url: str) -> str:
    """Create an empty ``<name>_e2e`` database next to ``url``'s; its URL."""
    import psycopg

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'stepflow'}_e2e"
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def drop_postgres(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')


def run_shape(shape: str, args: argparse.Namespace, workloads: list[dict[str, Any]]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix=f"e2e-{shape}-") as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("STEPFLOW_", "DATABASE_", "REDIS_"))}
        env.update(
            DJANGO_SETTINGS_MODULE="stepflow.settings", STEPFLOW_VAR_DIR=tmp, PYTHONUNBUFFERED="1",
            STEPFLOW_QUEUE_NAME=f"e2e-{uuid.uuid4().hex[:10]}",
            # The API's per-user throttle would measure itself, not the service; DEBUG's
            # query log would cost every query a formatted copy. Both as deployed.
            STEPFLOW_API_THROTTLE_USER="1000000/minute", DJANGO_DEBUG="false",
        )
        if args.transitions_per_commit:
            env["STEPFLOW_TRANSITIONS_PER_COMMIT"] = str(args.transitions_per_commit)
        database = None
        if shape == "embedded":
            env.update(DATABASE_URL=f"sqlite:///{tmp}/bench.sqlite3", REDIS_URL="")
        else:
            database = fresh_postgres(args.database_url)
            env.update(DATABASE_URL=database, REDIS_URL=args.redis_url)
        quick = args.quick
        job = {
            "tmp": tmp, "workers": args.workers, "web_processes": args.web_processes, "clients": args.clients,
            "profile": args.profile,
            "profile_seconds": 8 if quick else 20,
            "floor_runs": 50 if quick else 200,
            "latency_runs": 50 if quick else 200,
            "throughput_runs": 300 if quick else 2000,
            "workloads": [{**w, "runs": min(w["executions"], 20) if quick else w["executions"]} for w in workloads],
        }
        print(f"== {shape}: starting the processes ...", file=sys.stderr, flush=True)
        try:
            done = subprocess.run(
                [sys.executable, str(HERE / "e2e_shape.py")], input=json.dumps(job), capture_output=True, text=True,
                cwd=ROOT, env=env, timeout=3600,
            )
        finally:
            if database:
                drop_postgres(database)
        lines = done.stdout.strip().splitlines()
        if done.returncode != 0 or not lines:
            logs = "\n".join(p.read_text()[-1500:] for p in Path(tmp).glob("*.log"))
            raise SystemExit(f"{shape} failed:\n{done.stderr[-4000:]}\n{logs}")
        return json.loads(lines[-1])


def moto_baselines(workloads: list[dict[str, Any]], quick: bool) -> dict[str, Any]:
    """moto on the 3-state machine, W1 and W3, through asl_bench.py's moto child."""
    try:
        import moto  # noqa: F401
    except ImportError:
        return {}
    figures = {}
    with tempfile.TemporaryDirectory(prefix="e2e-moto-") as tmp:
        entries = []
        for workload in workloads:
            for key in ("definition", "input"):
                (Path(tmp) / workload[key]).write_text((WORKLOADS / workload[key]).read_text())
            entries.append({k: v for k, v in workload.items() if not k.endswith("_text") and k != "runs"})
        (Path(tmp) / "three_pass.asl.json").write_text(json.dumps(THREE_PASS))
        (Path(tmp) / "three_pass.input.json").write_text("{}")
        entries.append({
            "id": "three_pass", "definition": "three_pass.asl.json", "input": "three_pass.input.json",
            "executions": 200, "expected_transitions_per_execution": 3,
            "output_check": {"path": "three", "equals": 3},
        })
        (Path(tmp) / "manifest.json").write_text(json.dumps({"workloads": entries}))
        for entry in entries:
            runs = 20 if quick else min(entry["executions"], 200)
            print(f"== moto {entry['id']} ({runs} executions) ...", file=sys.stderr, flush=True)
            figures[entry["id"]] = run_moto_child(
                ["--moto-worker", entry["id"], "--executions", str(runs), "--cap", "60", "--workloads", tmp],
                timeout=240,
            )
    return figures


def fmt(value: Any, spec: str = ",.1f") -> str:
    return "-" if value is None else format(value, spec)


def report(shapes: dict[str, dict[str, Any]], moto: dict[str, Any]) -> None:
    names = list(shapes)
    rows: list[tuple[str, list[str], str, str]] = []

    def add(label: str, get: Any, baseline: str = "", target: str = "") -> None:
        cells = []
        for name in names:
            try:
                cells.append(get(shapes[name]))
            except (KeyError, TypeError, ZeroDivisionError):
                cells.append("-")
        rows.append((label, cells, baseline, target))

    def moto_ms(wid: str) -> str:
        m = moto.get(wid) or {}
        return f"moto {m['seconds'] / m['executions'] * 1000:,.0f} ms/exec" if m.get("executions") else ""

    def moto_rate(wid: str) -> str:
        m = moto.get(wid) or {}
        return f"moto {m['executions'] / m['seconds']:,.1f}/s" if m.get("executions") else ""

    add("floor: django-q2 no-op round trip p50 ms", lambda f: fmt(f["queue_floor"]["p50_ms"], ".1f"))
    add("floor: INSERT+UPDATE transaction p50 ms", lambda f: fmt(f["transaction_floor"]["p50_ms"], ".2f"))
    add("3-state latency p50 ms", lambda f: fmt(f["latency"]["p50_ms"]), moto_ms("three_pass"), "< 50")
    add("3-state latency p99 ms", lambda f: fmt(f["latency"]["p99_ms"]))
    add("  p50 as polled by the client ms", lambda f: fmt(f["latency"]["observed_p50_ms"]))
    add("  p50 / queue floor p50", lambda f: fmt(f["latency"]["p50_ms"] / f["queue_floor"]["p50_ms"], ".1f") + "x")
    add("throughput executions/s", lambda f: fmt(f["throughput"]["executions_per_s"]), moto_rate("three_pass"), ">= 200")
    add("throughput transitions/s", lambda f: fmt(f["throughput"]["transitions_per_s"], ",.0f"))
    add("  API accepted starts/s", lambda f: fmt(f["throughput"]["accepted_per_s"]))
    add("W1 p50 ms per execution", lambda f: fmt(f["w1_pass_chain"]["p50_ms"]), moto_ms("w1_pass_chain") or MOTO_ISSUE)
    add("W1 executions/s", lambda f: fmt(f["w1_pass_chain"]["executions_per_s"]), moto_rate("w1_pass_chain"))
    add("W1 transitions/s", lambda f: fmt(f["w1_pass_chain"]["transitions_per_s"], ",.0f"))
    add("W3 seconds per execution", lambda f: fmt(f["w3_map_inline"]["p50_ms"] / 1000, ".2f"),
        moto_ms("w3_map_inline"))
    add("W3 transitions/s", lambda f: fmt(f["w3_map_inline"]["transitions_per_s"], ",.0f"))

    def per_transition(f: dict[str, Any]) -> float:
        # W1 and the 3-state machine pay the same queue hops; the 97 extra Pass states are
        # what one more transition costs (interpreter plus its transaction).
        return (f["w1_pass_chain"]["p50_ms"] - f["latency"]["p50_ms"]) / (100 - 3)

    add("persistence per transition ms (W1-3state)/97", lambda f: fmt(per_transition(f), ".2f"))
    add("  / INSERT+UPDATE floor", lambda f: fmt(per_transition(f) / f["transaction_floor"]["p50_ms"], ".1f") + "x",
        "", "<= 3x")
    width = max(len(r[0]) for r in rows)
    print()
    print(f"{'figure':<{width}} " + " ".join(f"{n:>12}" for n in names) + f"  {'baseline':<26} target")
    for label, cells, baseline, target in rows:
        print(f"{label:<{width}} " + " ".join(f"{c:>12}" for c in cells) + f"  {baseline:<26} {target}")
    for name, figures in shapes.items():
        for key, value in figures.items():
            if isinstance(value, dict) and "error" in value:
                print(f"\n{name} {key} FAILED: {value['error']}")
        throughput = figures.get("throughput", {})
        print(f"\n{name}: {figures['workers']} workers, {figures.get('web_processes', 1)} web process(es); throughput statuses {throughput.get('statuses')}, "
              f"{throughput.get('steps')} steps of {throughput.get('expected_steps')} expected")
        cpu = throughput.get("cpu_ms_per_execution")
        if cpu:
            total = sum(cpu.values())
            print(f"  CPU time per execution during throughput, by process: {total:.1f} ms in all "
                  f"(so at most {1000 * throughput['cpu_count'] / total:.0f} executions/s on {throughput['cpu_count']} cores): "
                  + ", ".join(f"{name} {ms:.1f} ms" for name, ms in sorted(cpu.items(), key=lambda item: -item[1])))
        for key, whose in (("profile_web", "the web process's time during throughput"),
                           ("profile_throughput", "the workers' time during throughput"),
                           ("profile", "the workers' time during W1")):
            profile = figures.get(key)
            if not profile:
                continue
            print(f"  where {whose} went (py-spy, {profile['samples']} samples, "
                  f"{profile['idle_share']:.0%} idle): " + ", ".join(
                      f"{k} {v:.0%}" for k, v in profile["busy_by_category"].items()))
            for leaf, share in profile["top_leaves"]:
                print(f"    {share:>5.1%}  {leaf}")
            print("    under our code (the innermost call of ours):")
            for caller, share in profile.get("top_callers", []):
                print(f"    {share:>5.1%}  {caller}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer executions of each kind")
    parser.add_argument("--shape", choices=["embedded", "scaled", "both"], default="both")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""), help="PostgreSQL for 'scaled'")
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", ""), help="Redis for 'scaled'")
    parser.add_argument("--workers", type=int, default=2, help="worker processes in the cluster")
    parser.add_argument("--clients", type=int, default=8, help="concurrent API clients for throughput")
    parser.add_argument("--web-processes", type=int, default=1, help="daphne processes (manage.py web --processes)")
    parser.add_argument(
        "--transitions-per-commit", type=int, default=0, metavar="N",
        help="STEPFLOW_TRANSITIONS_PER_COMMIT for the processes (1: one transaction per transition)",
    )
    parser.add_argument("--profile", action="store_true", help="py-spy the web process and workers (throughput, W1)")
    parser.add_argument("--no-moto", action="store_true", help="skip the moto baseline")
    parser.add_argument("--json", metavar="FILE", help="also write the figures to FILE")
    args = parser.parse_args(argv)

    by_id = {w["id"]: w for w in load_workloads(WORKLOADS)}
    workloads = [by_id["w1_pass_chain"], by_id["w3_map_inline"]]
    shapes = ["embedded", "scaled"] if args.shape == "both" else [args.shape]
    if "scaled" in shapes and not (args.database_url.startswith("postgres") and args.redis_url):
        print("scaled shape skipped: give --database-url postgres://... and --redis-url", file=sys.stderr)
        shapes.remove("scaled")
    figures = {shape: run_shape(shape, args, workloads) for shape in shapes}
    moto = {} if args.no_moto else moto_baselines(workloads, args.quick)
    report(figures, moto)
    if args.json:
        Path(args.json).write_text(json.dumps({"shapes": figures, "moto": moto}, indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
