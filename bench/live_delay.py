"""Delay from a step's commit to its colour on the execution page, on the shape the
environment names.

    .venv/bin/python bench/live_delay.py                        # embedded: a fresh SQLite file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/live_delay.py --ticks 30         # scaled out

Migrates the database (a fresh SQLite file in a temporary folder unless ``DATABASE_URL``
is set), starts ``manage.py run_all --no-fn-runner`` on a free loopback port, starts a
machine that waits, then passes ``--ticks`` times (``Pass`` then a short ``Wait``), and
follows it on its page in Debian's headless Chromium (Playwright for Python). For each
Pass that commits once the page is ready it takes:

* ``transition``: the step's ``exited_at``, taken when its transition began (before the
  interpreter, the writes and the commit): figures from it are upper bounds;
* ``commit``: for a step pushed over the channel layer (Redis), ``committed_at`` of the
  message, stamped just after its transaction committed;
* ``arrival``: when the page's socket handed it the step (``executionPage.stepArrivals``);
* ``colour``: the frame after the state first took its succeeded class.

It prints count, median, 90th percentile, min and max of each leg, and the median from
commit (or, without pushes, from the transition's start) to colour as a ratio of the
issue's target (500 ms embedded, 100 ms with Redis). The machine is shared: compare runs
made one after the other, and read the load average printed with them. Needs the bundle
(``npm run build``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-background-networking"]
PASSWORD = "a-long-bench-password-1"

# Installed before the page loads: when a state first takes the succeeded class (cytoscape's
# ``class`` event, synchronous), the time of the next frame is its colour on the screen.
WATCH_COLOURS = """
window.__greenAt = {};
const hook = setInterval(() => {
    const cy = window.executionGraph?.cy;
    if (!cy) return;
    clearInterval(hook);
    const seen = () => cy.nodes('.state.status-succeeded').forEach((node) => {
        const name = node.id().split('/').pop();
        if (name in window.__greenAt) return;
        window.__greenAt[name] = null;
        requestAnimationFrame(() => (window.__greenAt[name] = Date.now()));
    });
    seen();
    cy.on('class', 'node.state', seen);
}, 5);
"""


def ticker(ticks: int) -> dict[str, object]:
    states: dict[str, object] = {"Warm up": {"Type": "Wait", "Seconds": 4, "Next": "Tick 1"}}
    for n in range(1, ticks + 1):
        states[f"Tick {n}"] = {"Type": "Pass", "Next": f"Rest {n}"} if n < ticks else {"Type": "Pass", "End": True}
        if n < ticks:
            states[f"Rest {n}"] = {"Type": "Wait", "Seconds": 1, "Next": f"Tick {n + 1}"}
    return {"Comment": "Passes a tick, then rests, many times.", "StartAt": "Warm up", "States": states}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


LEGS = ("transition -> arrival", "commit -> arrival", "arrival -> colour", "transition -> colour", "commit -> colour")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ticks", type=int, default=15, help="Pass states timed, a second apart (default 15)")
    args = parser.parse_args()
    if not (ROOT / "static" / "dist" / "stepflow.js").exists():
        print("static/dist/stepflow.js is missing: run `npm ci && npm run build` first", file=sys.stderr)
        return 2

    scratch = Path(tempfile.mkdtemp(prefix="stepflow-live-"))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch / 'bench.sqlite3'}")
    if not os.environ["DATABASE_URL"]:
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stepflow.settings")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's loop shares this thread
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from executions import services
    from executions.models import Step
    from workflows import services as workflows

    shape = "redis" if settings.REDIS_URL else "embedded"
    target = {"embedded": 500, "redis": 100}[shape]
    call_command("migrate", verbosity=0)
    user = User.objects.filter(username="bencher").first() or User.objects.create_superuser("bencher", password=PASSWORD)
    name = f"live-delay-{int(time.time())}"
    machine = workflows.create_machine(name=name, definition=ticker(args.ticks), by=user)

    port = free_port()
    env = dict(os.environ, PORT=str(port), HOST="127.0.0.1", PYTHONUNBUFFERED="1")
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE")
    log = open(scratch / "run_all.log", "wb")  # noqa: SIM115 - closed in finally
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "run_all", "--no-fn-runner"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    print((scratch / "run_all.log").read_text()[-3000:], file=sys.stderr)
                    return 1
                time.sleep(0.1)
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=CHROMIUM_ARGS)
            # The page forbids eval (CSP); the probes below are evaluated strings.
            page = browser.new_page(viewport={"width": 1440, "height": 900}, base_url=f"http://127.0.0.1:{port}", bypass_csp=True)
            page.goto("/accounts/login/")
            page.fill("input[name=username]", "bencher")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_load_state("load")
            page.add_init_script(WATCH_COLOURS)
            # Not in this thread: Playwright's event loop runs here, and starting publishes.
            with ThreadPoolExecutor(1) as pool:
                execution, _ = pool.submit(services.start_execution, machine=machine, input={}, by=user).result()
            page.goto(f"/executions/{execution.uuid}/")
            page.wait_for_function("window.executionGraph !== undefined")
            page.evaluate("window.executionGraph.ready")
            page.wait_for_function("document.querySelector('[data-testid=live-status]').dataset.state === 'open'")
            ready_at = page.evaluate("Date.now()")
            page.wait_for_function("window.executionPage.execution.status !== 'RUNNING'", timeout=(15 + args.ticks * 2) * 1000)
            painted = page.evaluate("window.__greenAt")
            arrivals: dict[int, dict[str, float]] = {}
            for arrival in page.evaluate("window.executionPage.stepArrivals"):
                if arrival["status"] == "SUCCEEDED":
                    arrivals.setdefault(arrival["sequence"], arrival)
            browser.close()
        steps = list(Step.objects.filter(execution=execution, state_name__startswith="Tick ").order_by("sequence"))
        legs: dict[str, list[float]] = {name: [] for name in LEGS}
        for step in steps:
            began = step.exited_at.timestamp() * 1000
            colour = painted.get(step.state_name)
            arrival = arrivals.get(step.sequence)
            if began <= ready_at or colour is None or arrival is None:
                continue  # drawn from the first HTTP render, not live
            legs["transition -> arrival"].append(arrival["at"] - began)
            legs["arrival -> colour"].append(colour - arrival["at"])
            legs["transition -> colour"].append(colour - began)
            if arrival["committedAt"]:  # a push: the commit's own time is known
                legs["commit -> arrival"].append(arrival["at"] - arrival["committedAt"])
                legs["commit -> colour"].append(colour - arrival["committedAt"])
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()
    total = legs["commit -> colour"] or legs["transition -> colour"]
    if not total:
        print("no step was committed after the page was ready; try more --ticks", file=sys.stderr)
        return 1
    print(f"shape {shape}: {len(legs['transition -> colour'])} live steps of {len(steps)}, load average {os.getloadavg()[0]:.1f}")
    print(f"{'leg':<22} {'steps':>5} {'median ms':>9} {'p90 ms':>7} {'min':>6} {'max':>6}")
    for label, values in legs.items():
        if values:
            print(f"{label:<22} {len(values):>5} {statistics.median(values):>9.0f} {percentile(values, 0.9):>7.0f} {min(values):>6.0f} {max(values):>6.0f}")
    which = "commit -> colour" if legs["commit -> colour"] else "transition -> colour"
    median = statistics.median(total)
    print(f"{which}: median {median:.0f} ms = {median / target:.2f}x the target ({target} ms)")
    shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
