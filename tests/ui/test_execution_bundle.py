"""The execution graph in a browser: status colours, live steps, iterations and branches,
and how long a 200-state machine takes to lay out and draw."""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

from tests.ui.pages import Canvas

MAP = "/States/Fan out/Branches/1/States/Double each"
DOUBLE = f"{MAP}/ItemProcessor/States/Double"


def open_execution(page: Any) -> Canvas:
    page.goto("/tests/ui/harness/execution.html")
    page.wait_for_function("window.view !== undefined")
    page.evaluate("window.view.ready")
    return Canvas(page, "view")


def status(canvas: Canvas, element_id: str) -> str:
    return next(c.removeprefix("status-") for c in canvas.classes(element_id) if c.startswith("status-"))


def test_it_colours_each_state_by_what_happened(page: Any, screenshots: Path) -> None:
    canvas = open_execution(page)
    assert status(canvas, "/States/Prepare") == "succeeded"
    assert status(canvas, "/States/Call a function") == "caught"
    assert status(canvas, "/States/Wait a bit") == "running"
    assert status(canvas, DOUBLE) == "retried", "one iteration needed a second attempt"
    assert status(canvas, "/States/Done") == "not-reached"
    assert status(canvas, "/States/Give up") == "not-reached"
    legend = page.locator(".sf-legend").inner_text()
    for label in ["Not reached", "Running", "Succeeded", "Failed", "Caught error", "Retried", "Aborted"]:
        assert label in legend
    # The caught failure left through its Catch, not its Next.
    assert "taken" in canvas.classes("/States/Call a function/Catch/0")
    assert "taken" not in canvas.classes("/States/Call a function/Next")
    page.screenshot(path=str(screenshots / "execution-graph.png"))


def test_steps_arriving_live_recolour_the_graph(page: Any, screenshots: Path) -> None:
    canvas = open_execution(page)
    page.get_by_role("button", name="Play the next steps").click()
    page.wait_for_function("window.view.cy.getElementById('/States/Done').hasClass('status-succeeded')")
    assert status(canvas, "/States/Wait a bit") == "succeeded"
    # From applyStep to the colour on the canvas, inside the page (the socket's share of
    # the commit-to-colour delay is measured end to end by the Django tests).
    page.wait_for_timeout(300)  # let the overview catch up first
    ms = page.evaluate(
        """async () => {
            const started = performance.now();
            window.view.applyStep({sequence: 99, state_name: 'Give up', state_type: 'Fail', branch: [], status: 'FAILED', error: 'DemoError', cause: 'late', attempt: 0, entered_at: null, exited_at: null});
            // Painting is batched to the next animation frame (or a short timer when the
            // tab is hidden), so wait on frames, never on microtasks that would starve it.
            const frame = () => new Promise((resolve) => {
              requestAnimationFrame(() => resolve());
              setTimeout(resolve, 20);
            });
            const node = window.view.cy.getElementById('/States/Give up');
            for (let i = 0; i < 500 && !node.hasClass('status-failed'); i++) await frame();
            return node.hasClass('status-failed') ? performance.now() - started : null;
        }"""
    )
    assert ms is not None, "the step never coloured its state"
    # A figure to read, not a threshold: a slow machine must not fail the suite.
    print(f"\napplyStep -> state coloured: {ms:.1f} ms")
    page.screenshot(path=str(screenshots / "execution-graph-finished.png"))


def test_map_iterations_and_parallel_branches_show_one_by_one(page: Any, screenshots: Path) -> None:
    canvas = open_execution(page)
    iterations = page.get_by_label("Double each: iteration")
    assert iterations.locator("option").count() == 5  # all, then #0 to #3

    iterations.select_option("0")
    assert status(canvas, DOUBLE) == "succeeded"
    iterations.select_option("1")
    assert status(canvas, DOUBLE) == "retried"
    page.get_by_role("button", name="Next iteration").click()
    assert page.get_by_label("Double each: iteration").input_value() == "2"
    assert status(canvas, DOUBLE) == "succeeded"

    page.get_by_label("Fan out: branch").select_option("0")
    assert "dimmed" in canvas.classes(DOUBLE), "the other branch steps back"
    assert "dimmed" not in canvas.classes("/States/Fan out/Branches/0/States/Shout")
    page.screenshot(path=str(screenshots / "execution-graph-branch.png"))
    page.get_by_label("Fan out: branch").select_option("")
    assert "dimmed" not in canvas.classes(DOUBLE)


def test_clicking_a_state_shows_what_happened_in_it(page: Any) -> None:
    canvas = open_execution(page)
    page.mouse.click(*canvas.point("/States/Call a function"))
    details = page.get_by_test_id("details")
    details.get_by_text("Caught error").wait_for()
    assert "States.TaskFailed" in details.inner_text()
    assert page.evaluate("window.lastSelected.status") == "caught"
    assert page.evaluate("window.lastSelected.steps.length") == 1


def test_a_big_machine_opens_on_its_start_and_the_rest_follows(page: Any) -> None:
    """The first view of a 200-state machine is drawn before the rest is on the canvas;
    `ready` resolves once everything is."""
    page.goto("/tests/ui/harness/render.html?n=200&component=execution&repeat=1")
    page.evaluate("window.renderTimes")
    counts = page.evaluate(
        """async () => {
            window.mounted.destroy();
            const element = document.getElementById('mount');
            const view = stepflow.mountExecutionGraph(element, { definition: window.largeMachine(200, 'again'), steps: [] });
            const first = { nodes: view.cy.nodes().length, start: view.cy.getElementById('#start').nonempty() };
            await view.ready;
            return { first, all: view.cy.nodes().length, edges: view.cy.edges().length, zoom: view.cy.zoom() };
        }"""
    )
    assert counts["first"]["start"], "the first view holds the machine's start"
    assert 0 < counts["first"]["nodes"] < counts["all"] / 2
    assert counts["all"] >= 300 and counts["edges"] >= 200
    assert counts["zoom"] >= 0.55, "a big machine opens at a zoom where its labels can be read"


def test_a_200_state_machine_lays_out_and_draws_in_time(page: Any, screenshots: Path) -> None:
    """Prints the figure the issue asks for (target: under 1 s). It fails only when it is
    an order of magnitude off, as a quadratic slip would be: on a shared two-core machine
    the time swings with the load, so bench/ui_render.py is where it is measured."""
    lines = []
    for component in ("execution", "editor"):
        page.goto(f"/tests/ui/harness/render.html?n=200&component={component}&repeat=3")
        result = page.evaluate("window.renderTimes")
        cold, *warm = result["times"]
        lines.append(
            f"{component}: {result['states']} states ({result['nodes']} nodes, {result['edges']} edges): "
            f"shown {result['shown'][0]:.0f} ms, all drawn {cold:.0f} ms, then {statistics.median(warm):.0f} ms (target < 1000 ms)"
        )
        assert statistics.median(warm) < 15000
        assert all(shown <= whole for shown, whole in zip(result["shown"], result["times"]))
    page.screenshot(path=str(screenshots / "render-200-states.png"))
    print("\n" + "\n".join(lines))
