"""Time to lay out and draw a big state machine in the browser components.

    .venv/bin/python bench/ui_render.py                  # 200 states, both components
    .venv/bin/python bench/ui_render.py --sizes 50 100 200 400 --repeat 7
    .venv/bin/python bench/ui_render.py --repeat 3 --rounds 3 --baseline ../stepflow-before

Serves the repository over ``python -m http.server`` on a free loopback port, opens
tests/ui/harness/render.html in Debian's headless Chromium (Playwright for Python) and
mounts the execution graph and the editor ``--repeat`` times each on a generated machine
(chains of Task + Catch, Choice with two rules and a Default, Wait, Parallel of two
branches, Map). Each time runs from the mount call to the first frame painted with the
whole machine on the canvas, except ``shown``: to the first frame painted with the machine
on the canvas, which for a big machine is its first view (what the canvas opens on, drawn
before the rest is added), and for a build that draws nothing before all is laid out is the
same as ``first``.

``first`` is the first mount on a fresh page in a fresh browser profile: a machine never
seen before, laid out and drawn by code the browser has only just compiled. The target is
under 1 s; the verdict is given for ``shown``, ``first``, ``other shown`` and ``other``. ``page`` is when that first mount was painted, counted from
the start of navigation (work moved ahead of the mount call would show there). ``again``
is the median of the other mounts on that page: the same machine, so the last layout is
reused and this is the drawing alone. ``reopen`` is the first mount on a second page of the
same profile (the machine opened again: its layout is kept in localStorage). ``other`` is
the first mount on a third page of that profile with another machine of the same size: what
an operator sees opening a machine they have not opened before, in a browser that has used
stepflow (the bundle comes from the cache; its layout and its JIT warm-up are cold). For the
editor it also times two edits until drawn and validated: a field changed (the graph keeps
its shape: the layout is reused and only what changed is redrawn) and a state added (a new
layout).

On a shared machine the figures vary by half from one run to the next: compare medians of
several rounds (``--rounds``) made side by side. ``--baseline CHECKOUT`` measures another
built checkout of stepflow (say the commit before a change, from ``git worktree add``) in
turn with this one, round by round, and prints the ratios of the medians. Needs the bundle:
``npm ci && npm run build``.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-background-networking"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


COLUMNS = ("shown", "first", "page", "again", "reopen", "other shown", "other", "field", "state")
WIDTHS = (6, 6, 6, 6, 7, 12, 6, 10, 10)


def measure(browser, port: int, size: int, component: str, repeat: int) -> dict:
    """One component at one size on the build served at ``port``: the figures in ms."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    url = f"http://127.0.0.1:{port}/tests/ui/harness/render.html?n={size}&component={component}"
    page = context.new_page()
    page.goto(f"{url}&repeat={repeat}")
    result = page.evaluate("window.renderTimes")
    page.close()
    page = context.new_page()
    page.goto(f"{url}&repeat=1")
    reopen = page.evaluate("window.renderTimes")["times"][0]
    page.close()
    page = context.new_page()
    page.goto(f"{url}&repeat=1&salt=other")
    other = page.evaluate("window.renderTimes")
    context.close()
    first, *again = result["times"]
    edits = result.get("edits") or {}
    return {
        "states": result["states"],
        "nodes": result["nodes"],
        "edges": result["edges"],
        # A harness from before `shown` was measured: that build drew nothing before all of it.
        "shown": result.get("shown", result["times"])[0],
        "first": first,
        "page": result["page"],
        "again": statistics.median(again) if again else first,
        "reopen": reopen,
        "other shown": other.get("shown", other["times"])[0],
        "other": other["times"][0],
        "field": edits.get("field"),
        "state": edits.get("state"),
    }


def cell(value) -> str:
    return "-" if value is None else f"{value:.0f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200], help="about how many states (default 200)")
    parser.add_argument("--repeat", type=int, default=5, help="mounts per size and component (default 5)")
    parser.add_argument("--components", nargs="+", default=["execution", "editor"], choices=["execution", "editor"])
    parser.add_argument("--rounds", type=int, default=1, help="measure everything this many times and print medians (default 1)")
    parser.add_argument("--baseline", type=Path, help="another checkout of stepflow, built: measured in turn with this one, round by round")
    args = parser.parse_args()

    builds = {"this": ROOT}
    if args.baseline:
        builds = {"baseline": args.baseline.resolve(), "this": ROOT}
    for name, root in builds.items():
        if not (root / "static" / "dist" / "stepflow.js").exists():
            print(f"{root}/static/dist/stepflow.js is missing ({name}): run `npm ci && npm run build` there first", file=sys.stderr)
            return 2
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    from playwright.sync_api import sync_playwright

    servers = {}
    for name, root in builds.items():
        port = free_port()
        servers[name] = (
            port,
            subprocess.Popen(
                [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(root)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            ),
        )
    runs: dict[tuple[str, int, str], list[dict]] = {}
    try:
        time.sleep(0.5)
        headings = " ".join(f"{column:>{width}}" for column, width in zip(COLUMNS, WIDTHS))
        print(f"{'build':<8} {'component':<10} {'states':>6} {'nodes':>6} {'edges':>6} {headings}  target (ms)")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            for _ in range(args.rounds):
                # Builds take turns within a round, so a change in the machine's load touches both.
                for size in args.sizes:
                    for component in args.components:
                        for name, (port, _server) in servers.items():
                            run = measure(browser, port, size, component, args.repeat)
                            runs.setdefault((name, size, component), []).append(run)
                            verdict = ", ".join(f"{what} {'ok' if run[what] < 1000 else 'over 1 s'}" for what in ("shown", "first", "other shown", "other"))
                            figures = " ".join(f"{cell(run[column]):>{width}}" for column, width in zip(COLUMNS, WIDTHS))
                            print(f"{name:<8} {component:<10} {run['states']:>6} {run['nodes']:>6} {run['edges']:>6} {figures}  {verdict}", flush=True)
            browser.close()
    finally:
        for _port, server in servers.values():
            server.terminate()
            server.wait(timeout=5)

    if args.rounds > 1 or len(builds) > 1:
        print(f"\nmedians of {args.rounds} round(s), ms")
        for (name, size, component), measured in runs.items():
            medians = {column: statistics.median(values) if (values := [r[column] for r in measured if r[column] is not None]) else None for column in COLUMNS}
            line = " ".join(f"{column} {cell(medians[column])}" for column in COLUMNS)
            ratio = ""
            if name == "this" and ("baseline", size, component) in runs:
                base = runs[("baseline", size, component)]
                ratio = "  vs baseline: " + ", ".join(f"{what} {medians[what] / statistics.median(r[what] for r in base):.2f}x" for what in ("shown", "first", "other", "again"))
            print(f"{name:<8} {component:<10} {size:>4} states: {line}{ratio}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
