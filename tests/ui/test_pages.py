"""The Django pages in a browser, against a real server: ``manage.py run_all`` (daphne,
the worker cluster, the timer) on the test database, driven by Playwright on Debian's
Chromium. The shape is the environment's: set ``REDIS_URL`` (and ``DATABASE_URL``) for the
scaled-out one. Screenshots go to test-output/ui/pages-*.png.

Every page is checked for console errors by the ``page`` fixture (tests/ui/conftest.py),
which also fails any request that leaves this server.
"""

from __future__ import annotations

import json
import os
import socket
import statistics
from collections.abc import Callable, Iterator
import contextlib
from pathlib import Path
from typing import Any

import pytest

from tests.support import processes
from tests.ui.pages import Editor

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password-1"
SHAPE = "redis" if os.environ.get("REDIS_URL") else "embedded"
TARGET_MS = {"embedded": 500, "redis": 100}[SHAPE]

TICKER = {
    "Comment": "Waits, then passes, three times: each Pass turns green a second apart.",
    "StartAt": "Warm up",
    "States": {
        "Warm up": {"Type": "Wait", "Seconds": 8, "Next": "P1"},
        "P1": {"Type": "Pass", "Next": "W1"},
        "W1": {"Type": "Wait", "Seconds": 1, "Next": "P2"},
        "P2": {"Type": "Pass", "Assign": {"ticks": 2, "last.$": "$.items[2]"}, "Next": "W2"},
        "W2": {"Type": "Wait", "Seconds": 1, "Next": "Fan out"},
        "Fan out": {
            "Type": "Parallel",
            "Branches": [
                {"StartAt": "Left", "States": {"Left": {"Type": "Pass", "End": True}}},
                {"StartAt": "Right", "States": {"Right": {"Type": "Pass", "End": True}}},
            ],
            "ResultPath": "$.branches",
            "Next": "Each",
        },
        "Each": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemProcessor": {"StartAt": "Item", "States": {"Item": {"Type": "Pass", "End": True}}},
            "Next": "P3",
        },
        "P3": {"Type": "Pass", "End": True},
    },
}
SLEEPER = {"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 600, "End": True}}}


@pytest.fixture(scope="module", autouse=True)
def _orm_beside_playwright(django_db_setup: Any) -> Iterator[None]:
    """The test database first (before Playwright starts), then: Playwright's sync API keeps
    an event loop in this thread, which Django takes for an async context; the test's own
    database calls never run concurrently with it."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _seed() -> None:
    from django.contrib.auth.models import Group, User

    from executions.management.commands.bootstrap import Command as Bootstrap
    from workflows import services as workflows

    Bootstrap().create_groups()
    ada = User.objects.create_user("ada", password=PASSWORD)
    ada.groups.add(Group.objects.get(name="editor"))
    first = dict(TICKER, Comment="The first draft.")
    machine = workflows.create_machine(name="ticker", definition=first, description="A demo of live colours.", by=ada)
    workflows.update_machine(machine=machine, definition=TICKER, comment="A Parallel and a Map before the end", by=ada)
    workflows.create_machine(name="sleeper", definition=SLEEPER, by=ada)


@pytest.fixture(scope="module")
def server(ui_ready: None, django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[str]:
    """``run_all`` on the test database (never the development one)."""
    from django.db import connection

    assert "test" in str(connection.settings_dict["NAME"]), connection.settings_dict["NAME"]
    port = _free_port()
    log = tmp_path_factory.mktemp("server") / "run_all.log"
    server = processes.start(["run_all", "--no-fn-runner"], log, PORT=str(port), HOST="127.0.0.1", STEPFLOW_WORKERS="2")

    def up() -> bool:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return True
        except OSError:
            assert server.poll() is None, log.read_text()[-3000:]
            return False

    try:
        processes.wait_for(up, 60, "the server to listen")
        yield f"http://127.0.0.1:{port}"
    finally:
        processes.stop(server)
        assert "Traceback" not in log.read_text(), log.read_text()[-5000:]


@pytest.fixture
def base_url(server: str, transactional_db: None) -> str:
    """The server, with ada (an editor) and the ticker and sleeper machines."""
    _seed()
    return server


@pytest.fixture
def db_reader() -> Callable[[], Any]:
    return contextlib.nullcontext


def sign_in(page: Any, next_url: str = "/") -> None:
    page.goto(f"/accounts/login/?next={next_url}")
    page.fill("input[name=username]", "ada")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("load")


def wait_for_graph(page: Any, name: str) -> None:
    page.wait_for_function(f"window.{name} !== undefined")
    page.evaluate(f"window.{name}.ready")


class PageEditor(Editor):
    """The editor on its Django page."""

    def open(self, *, empty: bool = False) -> PageEditor:  # noqa: ARG002 - a new machine is empty
        self.page.goto("/machines/new/")
        self.page.wait_for_function("window.editor !== undefined")
        self.page.evaluate("window.editor.ready")
        self.settle()
        return self

    def connect(self, source: str, target: str) -> None:
        """Hover the source (in a few mouse steps, as a hand does) until its port shows,
        then drag the port to the target."""
        self.canvas.point(target)
        x, y = self.canvas.point(source)
        self.page.mouse.move(x - 30, y - 30)
        self.page.mouse.move(x, y, steps=6)
        super().connect(source, target)


def test_signing_in_leads_to_the_dashboard(page: Any, screenshots: Path) -> None:
    page.goto("/")
    assert "/accounts/login/" in page.url
    page.screenshot(path=str(screenshots / "pages-login.png"))
    sign_in(page)
    assert page.url.endswith("/")
    assert page.get_by_test_id("machines").is_visible()
    page.wait_for_function("document.querySelector('[data-testid=live-status]').dataset.state === 'open'")
    page.screenshot(path=str(screenshots / "pages-dashboard.png"), full_page=True)


def test_it_builds_a_machine_from_an_empty_canvas_and_saves_it(page: Any, screenshots: Path, db_reader: Any) -> None:
    sign_in(page, "/machines/new/")
    editor = PageEditor(page).open()
    assert editor.definition == {"StartAt": "", "States": {}}
    page.screenshot(path=str(screenshots / "pages-editor-new.png"))

    editor.click_palette("palette-Pass")
    editor.drop_palette("palette-Choice", editor.canvas.point("/States/Pass"))
    editor.drop_palette("palette-Task", editor.empty_spot())
    editor.drop_palette("palette-Parallel", editor.empty_spot())
    editor.drop_palette("palette-Map", editor.empty_spot())
    editor.drop_palette("palette-Pass", editor.canvas.point("/States/Parallel/Branches/0", "top"))
    editor.drop_palette("palette-Pass", editor.canvas.point("/States/Parallel/Branches/1", "top"))
    editor.drop_palette("palette-Pass", editor.canvas.point("/States/Map", "top"))
    editor.connect("/States/Choice", "/States/Task")
    editor.connect("/States/Choice", "/States/Parallel")
    editor.connect("/States/Task", "/States/Map")

    editor.select("/States/Choice")
    inspector = page.get_by_test_id("inspector")
    for key, value in (("rule-0-operator", "StringEquals"), ("rule-1-operator", "NumericGreaterThan")):
        inspector.locator(f'[data-key="{key}"]').select_option(value)
        editor.settle()
    for key, value in (("rule-0-variable", "$.speed"), ("rule-0-value", "fast"), ("rule-1-variable", "$.count"), ("rule-1-value", "10")):
        field = inspector.locator(f'[data-key="{key}"]')
        field.fill(value)
        field.press("Tab")
        editor.settle()
    inspector.locator('[data-key="field-Default"]').select_option("Map")
    editor.settle()

    states = editor.definition["States"]
    assert {state["Type"] for state in states.values()} == {"Pass", "Choice", "Task", "Parallel", "Map"}
    assert len(states["Choice"]["Choices"]) == 2 and len(states["Parallel"]["Branches"]) == 2
    assert editor.problems == [], editor.problems
    assert editor.status() == "Valid"

    # The code view: break the JSON, see the problem, fix it.
    page.get_by_test_id("mode-code").click()
    page.locator(".sf-code .cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.type(",,")
    editor.settle()
    assert editor.status() == "JSON error"
    assert page.get_by_test_id("banner").is_visible()
    page.screenshot(path=str(screenshots / "pages-editor-json-error.png"))
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    editor.settle()
    assert editor.status() == "Valid"
    page.get_by_test_id("mode-design").click()
    editor.settle()
    assert page.get_by_test_id("save-state").inner_text() == "Unsaved changes"
    page.screenshot(path=str(screenshots / "pages-editor.png"))

    page.get_by_test_id("machine-name").fill("built-by-hand")
    page.get_by_test_id("comment").fill("Drawn on an empty canvas")
    built = editor.definition
    page.get_by_test_id("save").click()
    page.wait_for_url("**/machines/built-by-hand/")
    wait_for_graph(page, "machineGraph")
    with db_reader():
        from workflows.models import StateMachine

        machine = StateMachine.objects.get(name="built-by-hand")
        assert json.loads(machine.current_version.definition) == built
    page.screenshot(path=str(screenshots / "pages-machine-built.png"), full_page=True)


def test_the_machine_page_shows_its_graph_versions_and_a_diff(page: Any, screenshots: Path) -> None:
    sign_in(page, "/machines/ticker/?compare=1")
    wait_for_graph(page, "machineGraph")
    assert page.get_by_test_id("versions").locator("tbody tr").count() == 2
    assert page.get_by_test_id("diff").is_visible()
    page.screenshot(path=str(screenshots / "pages-machine.png"), full_page=True)


# Installed before the execution page loads: when a state first takes the succeeded class
# (cytoscape's synchronous ``class`` event), the next frame is its colour on the screen.
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


def test_an_execution_turns_colour_live_without_reloading(page: Any, screenshots: Path, db_reader: Any) -> None:
    sign_in(page, "/machines/ticker/")
    wait_for_graph(page, "machineGraph")
    page.get_by_test_id("start").click()
    field = page.get_by_test_id("input")
    field.fill('{"items": [1, 2, 3')
    assert page.get_by_test_id("input-problem").is_visible()
    assert page.get_by_test_id("start-confirm").is_disabled()
    page.screenshot(path=str(screenshots / "pages-start-dialog.png"))
    field.fill('{"items": [1, 2, 3]}')
    page.add_init_script(WATCH_COLOURS)
    assert not page.get_by_test_id("input-problem").is_visible()
    page.get_by_test_id("start-confirm").click()
    page.wait_for_url("**/executions/*/")
    wait_for_graph(page, "executionGraph")
    page.wait_for_function("document.querySelector('[data-testid=live-status]').dataset.state === 'open'")
    ready_at = page.evaluate("Date.now()")  # laid out and following: what follows is live
    execution_id = page.url.rstrip("/").rsplit("/", 1)[1]
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))

    page.wait_for_function("window.executionPage.execution.status === 'SUCCEEDED'")
    page.wait_for_function("['P1', 'P2', 'P3'].every((name) => window.__greenAt[name])")
    painted = {state: page.evaluate("(name) => window.__greenAt[name]", state) for state in ("P1", "P2", "P3")}
    assert navigations == [], "the page must not reload"

    with db_reader():
        from executions.models import Step

        committed = {
            step.state_name: step.exited_at.timestamp() * 1000
            for step in Step.objects.filter(execution__uuid=execution_id, state_name__in=painted)
        }
    # Only steps committed once the page was laid out and following are live updates.
    live_states = [state for state in painted if committed[state] > ready_at]
    assert live_states, f"the page took too long to get ready ({committed}, ready at {ready_at})"
    delays = {state: round(painted[state] - committed[state]) for state in live_states}
    print(f"\nlive delay, transition start to colour ({SHAPE} shape): {delays} ms; median {statistics.median(delays.values())} ms, target < {TARGET_MS} ms")
    # A pushed step (Redis) carries the time of its commit: the delay from the commit itself.
    pushed = {
        arrival["sequence"]: arrival["committedAt"]
        for arrival in page.evaluate("window.executionPage.stepArrivals")
        if arrival["committedAt"] and arrival["status"] == "SUCCEEDED"
    }
    with db_reader():
        sequences = dict(Step.objects.filter(execution__uuid=execution_id, state_name__in=live_states).values_list("state_name", "sequence"))
    from_commit = {state: round(painted[state] - pushed[sequences[state]]) for state in live_states if sequences[state] in pushed}
    if from_commit:
        print(f"live delay, commit to colour (pushed steps): {from_commit} ms; median {statistics.median(from_commit.values())} ms")
    assert all(delay > -50 for delay in delays.values()), delays  # same clock: never before the commit
    # The figure is printed, not asserted against the target: a timed assertion fails on a
    # busy machine. It must still arrive live (no reload) within a generous bound.
    assert statistics.median(delays.values()) < 10 * TARGET_MS, delays

    # The steps table, the selected step's data, the history; Map iterations are navigable.
    assert page.get_by_test_id("steps").locator("tbody tr").count() >= 12
    page.get_by_test_id("steps").locator("tbody tr", has_text="P2").first.click()
    details = page.get_by_test_id("step-details").inner_text()
    assert "P2" in details and "input" in details.lower() and "null" not in details
    variables = page.get_by_test_id("step-variables").inner_text()
    assert "$ticks" in variables and "$last" in variables and "3" in variables
    # The history follows the steps a moment later (its refresh waits for changes to settle).
    page.wait_for_function("document.querySelectorAll('[data-testid=events] tbody tr').length > 20")
    assert page.locator('.sf-frames select').count() == 2
    page.screenshot(path=str(screenshots / "pages-execution.png"), full_page=True)


def test_a_waiting_execution_is_stopped_from_the_page(page: Any, screenshots: Path) -> None:
    sign_in(page, "/machines/sleeper/")
    page.get_by_test_id("start").click()
    page.get_by_test_id("start-confirm").click()
    page.wait_for_url("**/executions/*/")
    wait_for_graph(page, "executionGraph")
    page.wait_for_function("window.executionGraph.cy.nodes('.status-running').nonempty()")
    page.get_by_test_id("stop").click()
    page.wait_for_function("window.executionPage.execution.status === 'ABORTED'")
    page.wait_for_function("window.executionGraph.cy.nodes('.status-aborted').nonempty()")
    assert "ABORTED" in page.get_by_test_id("execution-status").inner_text()
    assert not page.get_by_test_id("stop").is_visible()
    page.screenshot(path=str(screenshots / "pages-execution-aborted.png"), full_page=True)

    # The dashboard lists it, and finds it by name.
    page.goto("/?q=&status=ABORTED")
    assert page.get_by_test_id("executions").locator("tbody tr").count() >= 1
    page.screenshot(path=str(screenshots / "pages-dashboard-filtered.png"), full_page=True)


def test_the_dashboard_shows_an_execution_started_and_stopped_elsewhere_without_reloading(page: Any, screenshots: Path, db_reader: Any) -> None:
    sign_in(page)
    page.wait_for_function("document.querySelector('[data-testid=live-status]').dataset.state === 'open'")
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    with db_reader():
        from django.contrib.auth.models import User

        from executions import services
        from workflows import services as workflows

        ada = User.objects.get(username="ada")
        execution, _ = services.start_execution(machine=workflows.get_machine(name="sleeper"), name="started-elsewhere", by=ada)
    running = page.get_by_test_id("running")
    running.get_by_text("started-elsewhere").wait_for(timeout=15000)
    page.screenshot(path=str(screenshots / "pages-dashboard-live.png"), full_page=True)

    with db_reader():
        services.stop_execution(execution=execution, cause="Stopped from another client.", by=ada)
    row = page.get_by_test_id("executions").locator("tbody tr", has_text="started-elsewhere")
    row.get_by_text("ABORTED").wait_for(timeout=15000)
    assert not running.get_by_text("started-elsewhere").is_visible()
    assert navigations == [], "the dashboard must not reload"


def test_a_run_of_five_thousand_steps_loads_by_sequence_and_follows_live(page: Any, screenshots: Path, db_reader: Any) -> None:
    """The page holds the first 1,000 steps, asks for the rest after the last one it holds,
    then follows the socket: no request ever fetches the steps or the history whole."""
    with db_reader():
        from django.contrib.auth.models import User

        from executions import services
        from executions.models import Step
        from tests.machines import load
        from workflows import services as workflows

        ada = User.objects.get(username="ada")
        machine = workflows.create_machine(name="many-steps", definition=load("live/many_steps"), by=ada)
        execution, _ = services.start_execution(machine=machine, input={"n": 0, "until": 2500}, by=ada)

        def steps_made() -> int:
            return Step.objects.filter(execution=execution).count()

        processes.wait_for(lambda: steps_made() > 1500, 120, "the run to make 1,500 steps")
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    sign_in(page, f"/executions/{execution.uuid}/")
    wait_for_graph(page, "executionGraph")
    page.wait_for_function("window.executionPage.execution.status === 'SUCCEEDED'", timeout=240_000)
    page.wait_for_function("window.executionPage.steps.size === 5001", timeout=30_000)
    assert page.get_by_test_id("steps").locator("tbody tr").count() == 5001
    statuses = page.evaluate("Object.fromEntries([...window.executionGraph.statuses()].map(([k, v]) => [k, [v.status, v.visits]]))")
    assert statuses == {"/States/Count": ["succeeded", 2500], "/States/More?": ["succeeded", 2500], "/States/Done": ["succeeded", 1]}

    steps_asked = [url for url in requests if "/steps/" in url]
    assert steps_asked, "the steps beyond the first page come from the steps API"
    assert all("after=" in url and "after=0" not in url for url in steps_asked), steps_asked
    history_asked = [url for url in requests if "/history/" in url]
    assert all("after=" in url and "after=0&" not in url for url in history_asked), history_asked

    # The selected step shows the variable its state assigned.
    page.get_by_test_id("steps").locator("tbody tr", has_text="Count").last.click()
    assert "$count" in page.get_by_test_id("step-variables").inner_text()

    # Opened on the finished run: the first page with the HTML, four more by sequence.
    requests.clear()
    page.reload()
    page.wait_for_function("window.executionPage?.loaded && window.executionPage.steps.size === 5001", timeout=60_000)
    took = page.evaluate("performance.now()")  # the new document's clock starts with its navigation
    print(f"\n5,001 steps: every step loaded {took:.0f} ms after the reload began")
    assert len([url for url in requests if "/steps/" in url]) == 5
    page.screenshot(path=str(screenshots / "pages-execution-5000-steps.png"))


def test_the_editor_opens_on_the_current_version(page: Any, screenshots: Path) -> None:
    sign_in(page, "/machines/ticker/edit/")
    page.wait_for_function("window.editor !== undefined")
    page.evaluate("window.editor.ready")
    page.evaluate("window.editor.settled()")
    assert page.evaluate("window.editor.definition") == TICKER
    page.screenshot(path=str(screenshots / "pages-editor-edit.png"))


def test_an_edit_warns_before_leaving_and_saves_as_a_new_version_with_its_comment(page: Any, db_reader: Any) -> None:
    sign_in(page, "/machines/ticker/edit/")
    page.wait_for_function("window.editor !== undefined")
    page.evaluate("window.editor.ready")
    editor = Editor(page)
    editor.select("/States/P3")  # a click: browsers ask before leaving only after one
    comment = page.get_by_test_id("inspector").locator('[data-key="field-Comment"]')
    comment.fill("The last pass")
    comment.dispatch_event("change")
    editor.settle()
    assert page.get_by_test_id("save-state").inner_text() == "Unsaved changes"

    with page.expect_event("dialog") as asked:
        page.evaluate("setTimeout(() => window.location.assign('/'), 0)")
    assert asked.value.type == "beforeunload"
    asked.value.dismiss()
    assert page.url.endswith("/machines/ticker/edit/")

    page.get_by_test_id("comment").fill("Named the last pass")
    page.get_by_test_id("save").click()
    page.wait_for_url("**/machines/ticker/")
    with db_reader():
        from workflows.models import StateMachine

        version = StateMachine.objects.get(name="ticker").current_version
        assert (version.number, version.comment) == (3, "Named the last pass")
        assert json.loads(version.definition)["States"]["P3"] == {"Type": "Pass", "Comment": "The last pass", "End": True}
