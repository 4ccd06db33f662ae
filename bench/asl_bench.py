"""Benchmark stepflow's ASL interpreter against moto's on the shared workloads.

Usage::

    .venv/bin/python bench/asl_bench.py [--quick] [--json FILE] [--no-moto]

For each workload of ``../shared/bench/workloads/manifest.json`` it runs the manifest's
number of executions through ``stepflow.asl.run()`` and reports:

* state transitions per second: ``executions * expected_transitions_per_execution`` over
  the wall time of the batch, the median of N repeats;
* peak memory of one execution, measured with ``tracemalloc`` in a separate pass (tracing
  slows Python down, so it never overlaps the timed runs);
* the manifest's output check, on every execution: a wrong output aborts the benchmark.

It also times parse + validate + compile of W1's 100-state definition (``json.loads``,
``stepflow.asl.validate``, ``stepflow.asl.compile``), the median over many runs, in ms.

The baseline, in the same command: moto's Step Functions interpreter (moto's port of
LocalStack's) when ``moto`` is importable. Each moto workload runs in a child process of
this script (``--moto-worker``) so that moto's worker threads can neither steal CPU from
the stepflow measurements nor outlive their time cap. The child creates the machine with
boto3 against ``mock_aws``, starts the executions one after the other, polls
``describe_execution`` until each ends, and computes transitions/s the same way. When the
time cap hits mid-execution, the transitions done so far are counted from the execution
history (``*StateEntered`` events), so a capped run still gives an honest rate.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
WORKLOADS = REPO.parent / "shared" / "bench" / "workloads"
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # run from a checkout: stepflow need not be installed

# Figures the issue gives for moto on this machine (transitions/s; ms for parsing W1).
MOTO_REFERENCE = {
    "w1_pass_chain": 230,
    "w2_choice_loop": 830,
    "w3_map_inline": 460,
    "w4_parallel": 290,
    "w5_payload": 6,
    "parse_w1_ms": 170,
}
TARGET_RATIO = 100  # stepflow must do at least 100 times moto's transitions/s
TARGET_PARSE_MS = 5.0  # parse + validate of a 100-state definition

# --quick shortens moto's side (it is the slow one); stepflow always runs the manifest.
MOTO_QUICK_EXECUTIONS = {"w1_pass_chain": 20, "w4_parallel": 10, "w5_payload": 3}


class BenchmarkError(Exception):
    """A workload produced a wrong result or could not run: the figures would be lies."""


# -- workloads ---------------------------------------------------------------------------


def load_workloads(folder: Path) -> list[dict[str, Any]]:
    """The manifest's workloads, each with its definition text and parsed input added."""
    manifest = json.loads((folder / "manifest.json").read_text())
    workloads = []
    for entry in manifest["workloads"]:
        entry = dict(entry)
        entry["definition_text"] = (folder / entry["definition"]).read_text()
        entry["input_text"] = (folder / entry["input"]).read_text()
        entry["input_value"] = json.loads(entry["input_text"])
        workloads.append(entry)
    return workloads


def value_at(document: Any, dotted: str) -> Any:
    """``results.999.sum`` -> document["results"][999]["sum"] (None when absent)."""
    for part in dotted.split("."):
        if isinstance(document, list) and part.lstrip("-").isdigit():
            index = int(part)
            document = document[index] if -len(document) <= index < len(document) else None
        elif isinstance(document, dict):
            document = document.get(part)
        else:
            return None
    return document


def check_output(workload: dict[str, Any], status: str, output: Any, engine: str) -> None:
    """Raise BenchmarkError unless the execution succeeded with the manifest's output."""
    check = workload["output_check"]
    if status != "SUCCEEDED":
        raise BenchmarkError(f"{engine} {workload['id']}: execution ended {status}")
    got = value_at(output, check["path"])
    if got != check["equals"] or isinstance(got, bool):
        raise BenchmarkError(
            f"{engine} {workload['id']}: output {check['path']} is {got!r}, "
            f"expected {check['equals']!r}"
        )


# -- stepflow ----------------------------------------------------------------------------


def count_transitions(events: Any) -> int:
    """State transitions in a history: one per ``*StateEntered`` event."""
    return sum(1 for event in events if event.type.endswith("StateEntered"))


def bench_stepflow(workload: dict[str, Any], repeats: int) -> dict[str, Any]:
    from stepflow import asl

    # Compile once, as a worker caches a machine version; parsing is timed on its own.
    definition = asl.compile(json.loads(workload["definition_text"]))
    payload = workload["input_value"]
    executions = workload["executions"]
    per_execution = workload["expected_transitions_per_execution"]

    # Warm up, and prove the interpreter really does the transitions the manifest counts.
    result = asl.run(definition, payload)
    check_output(workload, result.status, result.output, "stepflow")
    counted = count_transitions(result.events)

    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        for _ in range(executions):
            result = asl.run(definition, payload)
            check_output(workload, result.status, result.output, "stepflow")
        timings.append(time.perf_counter() - started)
    elapsed = statistics.median(timings)

    tracemalloc.start()
    try:
        baseline = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        result = asl.run(definition, payload)
        peak = tracemalloc.get_traced_memory()[1] - baseline
    finally:
        tracemalloc.stop()
    check_output(workload, result.status, result.output, "stepflow")

    return {
        "executions": executions,
        "repeats": repeats,
        "seconds_median": elapsed,
        "seconds_all": timings,
        "transitions_per_s": executions * per_execution / elapsed,
        "transitions_counted_per_execution": counted,
        "peak_memory_bytes": peak,
        "output_check": "ok",
    }


def bench_stepflow_parse(definition_text: str, runs: int) -> dict[str, Any]:
    """Parse + validate of one definition, from JSON text, in ms (medians over ``runs``).

    ``ms_median`` is ``compile(text)``: JSON parsing, validation and compilation in one
    call, which is what the service does with a definition it receives. ``validate_ms``
    is ``validate(text)`` alone; ``validate_then_compile_ms`` is the two calls in a row
    (``compile`` validates again, so that figure counts validation twice).
    """
    from stepflow import asl

    problems = asl.validate(definition_text)
    if problems:
        raise BenchmarkError(f"stepflow rejects the W1 definition: {problems[:3]}")

    def median_ms(action: Any) -> float:
        action()
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            action()
            timings.append(time.perf_counter() - started)
        return statistics.median(timings) * 1000

    return {
        "runs": runs,
        "ms_median": median_ms(lambda: asl.compile(definition_text)),
        "validate_ms": median_ms(lambda: asl.validate(definition_text)),
        "validate_then_compile_ms": median_ms(
            lambda: (asl.validate(definition_text), asl.compile(definition_text))
        ),
    }


# -- moto (runs in a child process) ------------------------------------------------------


def moto_available() -> bool:
    try:
        import boto3  # noqa: F401
        import moto  # noqa: F401
    except ImportError:
        return False
    return True


def _moto_transitions_so_far(client: Any, execution_arn: str) -> int:
    entered, token = 0, None
    while True:
        kwargs = {"executionArn": execution_arn, "maxResults": 1000}
        if token:
            kwargs["nextToken"] = token
        page = client.get_execution_history(**kwargs)
        entered += sum(1 for e in page["events"] if e["type"].endswith("StateEntered"))
        token = page.get("nextToken")
        if not token:
            return entered


def moto_worker(workload: dict[str, Any], executions: int, cap_seconds: float) -> dict[str, Any]:
    """Run one workload on moto; return its figures (called in the child process)."""
    import boto3
    from moto import mock_aws

    per_execution = workload["expected_transitions_per_execution"]
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        client = boto3.client("stepfunctions", region_name="us-east-1")
        machine_arn = client.create_state_machine(
            name=workload["id"],
            definition=workload["definition_text"],
            roleArn="arn:aws:iam::123456789012:role/bench",
        )["stateMachineArn"]
        transitions, done, capped = 0, 0, False
        started = time.perf_counter()
        for number in range(executions):
            execution_arn = client.start_execution(
                stateMachineArn=machine_arn, name=f"run-{number}", input=workload["input_text"]
            )["executionArn"]
            begun = time.perf_counter()
            while True:
                described = client.describe_execution(executionArn=execution_arn)
                if described["status"] != "RUNNING":
                    break
                now = time.perf_counter()
                if now - started > cap_seconds:
                    capped = True
                    break
                # A describe_execution costs moto's interpreter thread the GIL for 8 ms
                # (30 ms with W5's 200 KiB input): poll every 5% of the time run so far
                # (10 ms to 1 s), so polling adds at most ~5% either way.
                time.sleep(min(1.0, max(0.01, 0.05 * (now - begun))))
            if capped:
                elapsed = time.perf_counter() - started
                transitions += _moto_transitions_so_far(client, execution_arn)
                break
            elapsed = time.perf_counter() - started
            for _ in range(100):
                # moto sets the status before the output (a race in its worker thread):
                # a SUCCEEDED execution may briefly show no output.
                if described["status"] != "SUCCEEDED" or described.get("output") not in (None, "null"):
                    break
                time.sleep(0.01)
                described = client.describe_execution(executionArn=execution_arn)
            output = json.loads(described.get("output") or "null")
            check_output(workload, described["status"], output, "moto")
            transitions += per_execution
            done += 1
            if elapsed > cap_seconds:
                capped = True
                break
    return {
        "executions": done,
        "capped": capped,
        "seconds": elapsed,
        "transitions": transitions,
        "transitions_per_s": transitions / elapsed if elapsed else 0.0,
        "output_check": "ok" if done else "not reached",
    }


def moto_parse_worker(definition_text: str, runs: int) -> dict[str, Any]:
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

    AmazonStateLanguageParser.parse(definition_text)  # load the generated ANTLR parser
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        AmazonStateLanguageParser.parse(definition_text)
        timings.append(time.perf_counter() - started)
    return {"runs": runs, "ms_median": statistics.median(timings) * 1000, "ms_best": min(timings) * 1000}


def run_moto_child(args: list[str], timeout: float) -> dict[str, Any]:
    """Run this script as a moto child; its last stdout line is the JSON result."""
    command = [sys.executable, str(Path(__file__).resolve()), *args]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"no answer within {timeout:.0f} s"}
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(lines[-1])


# -- the report --------------------------------------------------------------------------


def human_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(n) < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"


def print_table(figures: dict[str, Any]) -> None:
    header = (
        f"{'workload':<16} {'execs':>5} {'stepflow tr/s':>14} {'peak mem':>10} {'check':>6} "
        f"{'moto tr/s':>10} {'moto execs':>10} {'ratio':>8} {'target':>7}"
    )
    print(header)
    print("-" * len(header))
    for wid, row in figures["workloads"].items():
        ours = row.get("stepflow", {})
        theirs = row.get("moto") or {}
        ours_tps = ours.get("transitions_per_s")
        moto_tps = theirs.get("transitions_per_s")
        ratio = ours_tps / moto_tps if ours_tps and moto_tps else None
        moto_execs = (
            f"{theirs['executions']}{'+cap' if theirs.get('capped') else ''}"
            if "executions" in theirs
            else "-"
        )
        print(
            f"{wid:<16} {ours.get('executions', '-'):>5} "
            f"{(f'{ours_tps:,.0f}' if ours_tps else ours.get('error', '-')):>14} "
            f"{(human_bytes(ours['peak_memory_bytes']) if 'peak_memory_bytes' in ours else '-'):>10} "
            f"{ours.get('output_check', '-'):>6} "
            f"{(f'{moto_tps:,.0f}' if moto_tps else theirs.get('error', '-')[:10]):>10} "
            f"{moto_execs:>10} "
            f"{(f'{ratio:,.0f}x' if ratio else '-'):>8} "
            f"{('ok' if ratio and ratio >= TARGET_RATIO else 'MISS' if ratio else '-'):>7}"
        )
        counted = ours.get("transitions_counted_per_execution")
        if counted is not None and counted != row["expected_transitions_per_execution"]:
            print(
                f"{'':<16} note: the history shows {counted} transitions per execution, "
                f"the manifest expects {row['expected_transitions_per_execution']}"
            )
    for wid, row in figures["workloads"].items():
        if "error" in (row.get("moto") or {}):
            print(f"{'':<16} moto {wid}: {row['moto']['error']}")
    parse = figures.get("parse_w1", {})
    ours, theirs = parse.get("stepflow", {}), parse.get("moto") or {}
    line = "parse+validate W1 (100 states, from JSON text): "
    if "ms_median" in ours:
        verdict = "ok" if ours["ms_median"] < TARGET_PARSE_MS else "MISS"
        line += (
            f"stepflow compile() {ours['ms_median']:.2f} ms (target < {TARGET_PARSE_MS:g} ms: "
            f"{verdict}); validate() alone {ours['validate_ms']:.2f} ms; validate() then "
            f"compile() {ours['validate_then_compile_ms']:.2f} ms"
        )
    else:
        line += f"stepflow {ours.get('error', '-')}"
    if "ms_median" in theirs:
        line += f"; moto parse {theirs['ms_median']:.0f} ms"
        if "ms_median" in ours:
            line += f" ({theirs['ms_median'] / ours['ms_median']:,.0f}x)"
    print(line)
    print(
        "moto figures in the issue: "
        + ", ".join(f"{k} {v}" for k, v in MOTO_REFERENCE.items())
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and moto runs")
    parser.add_argument("--json", metavar="FILE", help="also write the figures to FILE")
    parser.add_argument("--no-moto", action="store_true", help="skip the moto baseline")
    parser.add_argument("--only", metavar="ID", action="append", help="run only this workload")
    parser.add_argument("--workloads", type=Path, default=WORKLOADS, help=argparse.SUPPRESS)
    parser.add_argument("--moto-worker", metavar="ID", help=argparse.SUPPRESS)
    parser.add_argument("--moto-parse", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--executions", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--cap", type=float, default=60.0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if not (args.workloads / "manifest.json").exists():
        print(f"no workloads at {args.workloads}", file=sys.stderr)
        return 2
    workloads = load_workloads(args.workloads)
    by_id = {w["id"]: w for w in workloads}

    if args.moto_worker:  # child process: one moto workload, JSON on stdout
        workload = by_id[args.moto_worker]
        figures = moto_worker(workload, args.executions or workload["executions"], args.cap)
        print(json.dumps(figures), flush=True)
        os._exit(0)  # moto's interpreter thread of a capped run must not keep us alive
    if args.moto_parse:
        print(json.dumps(moto_parse_worker(by_id["w1_pass_chain"]["definition_text"], 5)))
        return 0

    if args.only:
        workloads = [by_id[i] for i in args.only]
    repeats = 3 if args.quick else 7
    cap = 15.0 if args.quick else 90.0
    with_moto = not args.no_moto and moto_available()
    figures: dict[str, Any] = {"quick": args.quick, "workloads": {}, "parse_w1": {}}
    failed = False

    for workload in workloads:
        wid = workload["id"]
        row: dict[str, Any] = {
            "expected_transitions_per_execution": workload["expected_transitions_per_execution"]
        }
        figures["workloads"][wid] = row
        print(f"stepflow {wid} ...", file=sys.stderr, flush=True)
        try:
            row["stepflow"] = bench_stepflow(workload, repeats)
        except BenchmarkError as error:
            row["stepflow"] = {"error": "WRONG", "detail": str(error)}
            print(f"FAILED: {error}", file=sys.stderr)
            failed = True
        except (ImportError, AttributeError) as error:
            row["stepflow"] = {"error": "n/a", "detail": repr(error)}
            print(f"stepflow unavailable: {error!r}", file=sys.stderr)
            failed = True

    w1 = by_id["w1_pass_chain"]["definition_text"]
    try:
        figures["parse_w1"]["stepflow"] = bench_stepflow_parse(w1, 50 if args.quick else 200)
    except (BenchmarkError, ImportError, AttributeError) as error:
        figures["parse_w1"]["stepflow"] = {"error": repr(error)}
        failed = True

    if with_moto:
        for workload in workloads:
            wid = workload["id"]
            executions = workload["executions"]
            if args.quick:
                executions = MOTO_QUICK_EXECUTIONS.get(wid, executions)
            print(f"moto {wid} ({executions} executions, cap {cap:.0f} s) ...", file=sys.stderr, flush=True)
            child = ["--moto-worker", wid, "--executions", str(executions), "--cap", str(cap)]
            if args.workloads != WORKLOADS:
                child += ["--workloads", str(args.workloads)]
            figures["workloads"][wid]["moto"] = run_moto_child(child, timeout=cap + 120)
        print("moto parse ...", file=sys.stderr, flush=True)
        figures["parse_w1"]["moto"] = run_moto_child(["--moto-parse"], timeout=300)
    else:
        print("moto is not importable (or --no-moto): no baseline", file=sys.stderr)

    print_table(figures)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")
    if failed:
        for wid, row in figures["workloads"].items():
            if "detail" in row.get("stepflow", {}):
                print(f"{wid}: {row['stepflow']['detail']}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
