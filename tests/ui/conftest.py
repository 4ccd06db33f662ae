"""Browser tests of the bundle (static/dist/stepflow.js) on static harness pages.

No Django and no database here: the repository is served by ``python -m http.server`` on
a free loopback port, and Debian's Chromium is driven by Playwright for Python. Without
Chromium, Playwright or the bundle the tests are skipped with the reason, except under
``CI=true``, where a missing piece is a failure (CI must run them).

The harness pages call ``validate`` through ``POST /__validate__``, which the ``page``
fixture answers with stepflow's own validator (``stepflow.asl.validate``, pure Python).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "static" / "dist" / "stepflow.js"
OUTPUT = ROOT / "test-output" / "ui"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-background-networking"]


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (.venv/bin/pip install playwright)"
    if not Path(CHROMIUM).exists():
        return "Chromium is not installed (apt-get install chromium)"
    if not BUNDLE.exists():
        return "the bundle static/dist/stepflow.js is missing (npm ci && npm run build)"
    return None


@pytest.fixture(scope="session")
def ui_ready() -> None:
    reason = _missing()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the UI tests must run under CI, but {reason}")
        pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def base_url(ui_ready: None) -> Iterator[str]:
    """The repository served over HTTP on loopback, as the harness pages expect."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(ROOT)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("http.server did not start") from None
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=5)


@pytest.fixture(scope="session")
def browser(ui_ready: None) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _validate(route: Any) -> None:
    from stepflow.asl import validate

    problems = validate(route.request.post_data or "")
    route.fulfill(status=200, content_type="application/json", body=json.dumps([{"path": p.path, "message": p.message} for p in problems]))


@pytest.fixture
def page(browser: Any, base_url: str) -> Iterator[Any]:
    """A fresh page; any console error or uncaught exception fails the test."""
    # Playwright's wait_for_function evaluates its probe as a string inside the page, which
    # the pages' Content-Security-Policy (no eval) would refuse; the policy is checked by
    # tests/test_deploy_check.py.
    context = browser.new_context(
        viewport={"width": 1440, "height": 900}, accept_downloads=True, base_url=base_url, bypass_csp=True
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    page.route("**/__validate__", _validate)

    def refuse(route: Any) -> None:
        errors.append(f"a request left the machine: {route.request.url}")
        route.abort()

    # The pages must work offline: a request anywhere but this server is a failure.
    page.route(lambda url: not url.startswith(base_url), refuse)
    page.console_errors = errors
    yield page
    context.close()
    assert errors == [], f"the page logged errors: {errors}"


@pytest.fixture(scope="session")
def screenshots() -> Path:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    return OUTPUT
