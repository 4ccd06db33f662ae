"""Time to lay out and draw a big state machine in the browser components.

    .venv/bin/python bench/ui_render.py                  # 200 states, both components
    .venv/bin/python bench/ui_render.py --sizes 50 100 200 400 --repeat 7

Serves the repository over ``python -m http.server`` on a free loopback port, opens
tests/ui/harness/render.html in Debian's headless Chromium (Playwright for Python) and
mounts the execution graph and the editor ``--repeat`` times each on a generated machine
(chains of Task + Catch, Choice with two rules and a Default, Wait, Parallel of two
branches, Map). Each time runs from the mount call to the first frame painted after the
layout.

``first`` is the first mount on a fresh page in a fresh browser profile: a machine never
seen before, laid out and drawn by code the browser has only just compiled. The target is
under 1 s; the verdict is given for ``first`` and ``other``. ``page`` is when that first mount was painted, counted from
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
several runs made side by side. Needs the bundle: ``npm ci && npm run build``.
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200], help="about how many states (default 200)")
    parser.add_argument("--repeat", type=int, default=5, help="mounts per size and component (default 5)")
    parser.add_argument("--components", nargs="+", default=["execution", "editor"], choices=["execution", "editor"])
    args = parser.parse_args()

    if not (ROOT / "static" / "dist" / "stepflow.js").exists():
        print("static/dist/stepflow.js is missing: run `npm ci && npm run build` first", file=sys.stderr)
        return 2
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    from playwright.sync_api import sync_playwright

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(ROOT)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(0.5)
        print(f"{'component':<10} {'states':>6} {'nodes':>6} {'edges':>6} {'first ms':>9} {'page ms':>8} {'again ms':>9} {'reopen ms':>9} {'other ms':>8} {'field edit':>10} {'new state':>10}  target")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            for size in args.sizes:
                for component in args.components:
                    context = browser.new_context(viewport={"width": 1440, "height": 900})
                    url = f"http://127.0.0.1:{port}/tests/ui/harness/render.html?n={size}&component={component}"
                    page = context.new_page()
                    page.goto(f"{url}&repeat={args.repeat}")
                    result = page.evaluate("window.renderTimes")
                    page.close()
                    page = context.new_page()
                    page.goto(f"{url}&repeat=1")
                    reopen = page.evaluate("window.renderTimes")["times"][0]
                    page.close()
                    page = context.new_page()
                    page.goto(f"{url}&repeat=1&salt=other")
                    other = page.evaluate("window.renderTimes")["times"][0]
                    context.close()
                    first, *again = result["times"]
                    warm = statistics.median(again) if again else first
                    verdict = ", ".join(f"{what} {'ok' if ms < 1000 else 'over 1 s'}" for what, ms in (("first", first), ("other", other)))
                    edits = result.get("edits") or {}
                    field = f"{edits['field']:.0f}" if "field" in edits else "-"
                    state = f"{edits['state']:.0f}" if "state" in edits else "-"
                    print(f"{component:<10} {result['states']:>6} {result['nodes']:>6} {result['edges']:>6} {first:>9.0f} {result['page']:>8.0f} {warm:>9.0f} {reopen:>9.0f} {other:>8.0f} {field:>10} {state:>10}  {verdict}")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
