"""The graph editor in a browser: building, connecting, code view, problems, undo, export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.machines import load
from tests.ui.pages import Editor

PASS = "/States/Pass"
CHOICE = "/States/Choice"


def test_it_builds_a_machine_from_an_empty_canvas(page: Any, screenshots: Path) -> None:
    editor = Editor(page).open(empty=True)
    assert editor.definition == {"StartAt": "", "States": {}}

    # A Pass by clicking: the first state starts the machine.
    editor.click_palette("palette-Pass")
    assert editor.definition["StartAt"] == "Pass"

    # A Choice dropped onto the Pass goes after it.
    editor.drop_palette("palette-Choice", editor.canvas.point(PASS))
    assert editor.definition["States"]["Pass"]["Next"] == "Choice"

    # A Task for an Fn function, a Parallel and a Map dropped on the open canvas.
    editor.drop_palette("palette-fn-demo-echo", editor.empty_spot())
    editor.drop_palette("palette-Parallel", editor.empty_spot())
    editor.drop_palette("palette-Map", editor.empty_spot())
    states = editor.definition["States"]
    assert states["echo"] == {"Type": "Task", "Resource": "fn:demo/echo", "End": True}
    assert len(states["Parallel"]["Branches"]) == 2

    # States dropped into each branch and into the Map's iteration.
    editor.drop_palette("palette-Pass", editor.canvas.point("/States/Parallel/Branches/0", "top"))
    editor.drop_palette("palette-Wait", editor.canvas.point("/States/Parallel/Branches/1", "top"))
    editor.drop_palette("palette-fn-demo-double", editor.canvas.point("/States/Map", "top"))

    # Two rules by dragging from the Choice to their targets, then the Map after the Task.
    editor.connect(CHOICE, "/States/echo")
    editor.connect(CHOICE, "/States/Parallel")
    editor.connect("/States/echo", "/States/Map")

    definition = editor.definition
    states = definition["States"]
    assert [rule["Next"] for rule in states["Choice"]["Choices"]] == ["echo", "Parallel"]
    assert states["echo"]["Next"] == "Map"
    assert states["Parallel"]["Branches"][0]["States"] == {"Pass 2": {"Type": "Pass", "End": True}}
    assert states["Parallel"]["Branches"][1]["StartAt"] == "Wait"
    assert states["Map"]["ItemProcessor"]["States"]["double"]["Resource"] == "fn:demo/double"

    # The rules get real conditions in the inspector.
    editor.select(CHOICE)
    inspector = page.get_by_test_id("inspector")

    def choose(key: str, value: str) -> None:
        inspector.locator(f'[data-key="{key}"]').select_option(value)
        editor.settle()

    def type_in(key: str, value: str) -> None:
        field = inspector.locator(f'[data-key="{key}"]')
        field.fill(value)
        field.press("Tab")
        editor.settle()

    choose("rule-0-operator", "StringEquals")
    type_in("rule-0-variable", "$.speed")
    type_in("rule-0-value", "fast")
    choose("rule-1-operator", "NumericGreaterThan")
    type_in("rule-1-variable", "$.count")
    type_in("rule-1-value", "10")
    choose("field-Default", "Map")
    rules = editor.definition["States"]["Choice"]["Choices"]
    assert rules[0] == {"Variable": "$.speed", "StringEquals": "fast", "Next": "echo"}
    assert rules[1] == {"Variable": "$.count", "NumericGreaterThan": 10, "Next": "Parallel"}
    assert editor.definition["States"]["Choice"]["Default"] == "Map"

    # The rule labels on the canvas read as conditions.
    labels = page.evaluate("window.editor.cy.$('node.edge-label').map((n) => n.data('label'))")
    assert '$.speed == "fast"' in labels and "Default" in labels

    # The code view shows the same definition, and the validator accepts it.
    assert json.loads(editor.code_text()) == editor.definition
    assert editor.problems == []
    assert editor.status() == "Valid"
    page.screenshot(path=str(screenshots / "editor-built-from-empty.png"))

    page.get_by_test_id("mode-code").click()
    editor.settle()
    page.screenshot(path=str(screenshots / "editor-code-view.png"))


def test_a_broken_json_shows_a_problem_until_it_is_fixed(page: Any, screenshots: Path) -> None:
    editor = Editor(page).open()
    page.get_by_test_id("mode-code").click()
    before = editor.definition
    content = page.locator(".sf-code .cm-content")
    content.click()
    page.keyboard.press("Control+End")
    page.keyboard.type(",,")
    editor.settle()

    assert editor.status() == "JSON error"
    assert "The JSON is not valid" in page.get_by_test_id("problems").inner_text()
    assert page.get_by_test_id("banner").is_visible()
    assert editor.definition == before, "the canvas keeps the last valid definition"
    assert page.locator(".sf-code .cm-lint-marker-error").count() >= 1, "the code view marks the line"
    page.screenshot(path=str(screenshots / "editor-json-error.png"))

    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    editor.settle()
    assert editor.status() == "Valid"
    assert not page.get_by_test_id("banner").is_visible()


def test_a_validation_problem_is_marked_on_its_state_and_in_the_code(page: Any, screenshots: Path) -> None:
    editor = Editor(page).open()
    page.get_by_test_id("mode-code").click()
    text = editor.code_text().replace('"MaxConcurrency": 2', '"MaxConcurrency": -1')
    page.locator(".sf-code .cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(text)  # as a paste would
    editor.settle()

    nested = "/States/Fan out/Branches/1/States/Double each"
    assert [p["path"] for p in editor.problems] == [f"{nested}/MaxConcurrency"]
    assert "problem" in editor.canvas.classes(nested)
    assert editor.status() == "1 problem"
    assert page.locator(".sf-code .cm-lintRange-error").count() == 1
    page.get_by_test_id("problems").get_by_text("MaxConcurrency must be at least 0", exact=False).click()
    editor.settle()
    assert page.evaluate("window.editor.selection") == {"kind": "state", "id": nested}
    page.locator(".sf-code .cm-activeLine", has_text='"MaxConcurrency": -1').wait_for()  # the code view went there
    page.screenshot(path=str(screenshots / "editor-validation-problem.png"))

    # Fixed in the design view's inspector, the problem goes.
    page.get_by_test_id("mode-design").click()
    field = page.get_by_test_id("inspector").locator('[data-key="field-MaxConcurrency"]')
    field.fill("2")
    field.press("Enter")
    editor.settle()
    assert editor.problems == []
    assert "problem" not in editor.canvas.classes(nested)
    assert editor.definition["States"]["Fan out"]["Branches"][1]["States"]["Double each"]["MaxConcurrency"] == 2


def test_it_undoes_and_redoes_with_buttons_and_keys(page: Any) -> None:
    editor = Editor(page).open()
    original = editor.definition

    editor.select("/States/Pause")
    page.keyboard.press("Delete")
    editor.settle()
    assert "Pause" not in editor.definition["States"]
    assert editor.definition["States"]["Prepare"]["Next"] == "Fan out"
    assert page.evaluate("window.editor.dirty") is True

    page.keyboard.press("Control+z")
    editor.settle()
    assert editor.definition == original
    page.keyboard.press("Control+y")
    editor.settle()
    assert "Pause" not in editor.definition["States"]

    page.get_by_test_id("undo").click()
    editor.settle()
    assert editor.definition == original
    assert page.evaluate("window.editor.dirty") is False
    page.get_by_test_id("redo").click()
    editor.settle()
    assert "Pause" not in editor.definition["States"]


def test_renaming_a_state_renames_every_transition_to_it(page: Any) -> None:
    editor = Editor(page).open()
    editor.select("/States/Check")
    name = page.get_by_test_id("inspector").locator('[data-key="name"]')
    name.fill("Decide")
    name.press("Enter")
    editor.settle()
    task = editor.definition["States"]["Call a function"]
    assert task["Next"] == "Decide"
    assert task["Catch"][0]["Next"] == "Decide"
    assert page.evaluate("window.editor.selection") == {"kind": "state", "id": "/States/Decide"}

    # A name already taken is refused with a message, and nothing changes.
    name = page.get_by_test_id("inspector").locator('[data-key="name"]')
    name.fill("Done")
    name.press("Enter")
    editor.settle()
    assert "Decide" in editor.definition["States"]
    page.get_by_text('A state named "Done" already exists').wait_for()


def test_the_inspector_has_the_fields_of_each_state_type(page: Any) -> None:
    editor = Editor(page).open()
    expected = {
        "/States/Call a function": {"Resource", "Next", "Parameters", "ResultSelector", "ResultPath", "TimeoutSeconds", "HeartbeatSeconds", "Credentials"},
        "/States/Prepare": {"Next", "Parameters", "Result", "ResultPath", "InputPath", "OutputPath"},
        "/States/Check": {"Default", "InputPath", "OutputPath"},
        "/States/Wait a bit": {"Next", "InputPath", "OutputPath"},
        "/States/Give up": {"Error", "Cause", "ErrorPath", "CausePath"},
        "/States/Done": {"InputPath", "OutputPath"},
        "/States/Fan out": {"Next", "Parameters", "ResultSelector", "ResultPath"},
        "/States/Fan out/Branches/1/States/Double each": {"ItemsPath", "MaxConcurrency", "ProcessorMode", "ItemSelector", "ToleratedFailurePercentage", "ItemReader", "ResultWriter"},
    }
    for pointer, fields in expected.items():
        editor.choose(pointer)
        assert fields <= set(editor.fields()), pointer
    inspector = page.get_by_test_id("inspector")

    # Retry and Catch are lists with their own editors.
    editor.choose("/States/Call a function")
    inspector.locator('[data-action="add-retrier"]').click()
    editor.settle()
    inspector.locator('[data-key="catch-0-next"]').select_option("Done")
    editor.settle()
    task = editor.definition["States"]["Call a function"]
    assert task["Retry"][1] == {"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 3, "BackoffRate": 2}
    assert task["Catch"][0]["Next"] == "Done"

    # A Wait switches between seconds and a timestamp path.
    editor.choose("/States/Pause")
    inspector.locator('[data-key="field-wait-mode"]').select_option("TimestampPath")
    editor.settle()
    assert editor.definition["States"]["Pause"] == {"Type": "Wait", "TimestampPath": "$.wait", "Next": "Fan out"}

    # A Parallel gains a branch.
    editor.choose("/States/Fan out")
    inspector.locator('[data-action="add-branch"]').click()
    editor.settle()
    assert len(editor.definition["States"]["Fan out"]["Branches"]) == 3
    assert "branch" in editor.canvas.classes("/States/Fan out/Branches/2")


def test_a_selected_transition_is_removed_with_delete(page: Any) -> None:
    editor = Editor(page).open()
    editor.select("/States/Check/Default#label")
    assert page.evaluate("window.editor.selection") == {"kind": "edge", "id": "/States/Check/Default"}
    page.keyboard.press("Delete")
    editor.settle()
    assert "Default" not in editor.definition["States"]["Check"]


def test_a_state_dragged_into_a_branch_moves_there(page: Any) -> None:
    editor = Editor(page).open()
    editor.drag(editor.canvas.point("/States/Pause"), editor.canvas.point("/States/Fan out/Branches/0", "top"))
    states = editor.definition["States"]
    assert "Pause" not in states
    assert states["Prepare"]["Next"] == "Fan out"
    assert "Pause" in states["Fan out"]["Branches"][0]["States"]


def test_it_exports_the_graph_as_svg_and_png(page: Any, screenshots: Path) -> None:
    editor = Editor(page).open()
    with page.expect_download() as svg:
        page.get_by_test_id("export-svg").click()
    svg_path = screenshots / "editor-export.svg"
    svg.value.save_as(svg_path)
    assert "<svg" in svg_path.read_text()[:500]

    with page.expect_download() as png:
        page.get_by_test_id("export-png").click()
    png_path = screenshots / "editor-export.png"
    png.value.save_as(png_path)
    assert png_path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page.screenshot(path=str(screenshots / "editor-sample.png"))
    assert editor.status() == "Valid"


def test_the_inspector_edits_jsonata_fields_variables_and_query_languages(page: Any) -> None:
    editor = Editor(page).open()
    page.evaluate("(d) => window.editor.setDefinition(d)", load("editor/jsonata_order"))
    editor.settle()
    inspector = page.get_by_test_id("inspector")

    def put(key: str, value: str) -> None:
        field = inspector.locator(f'[data-key="{key}"]')
        field.fill(value)
        field.dispatch_event("change")
        editor.settle()

    # A JSONata Task: Arguments, Output, Assign and expressions in number fields; no JSONPath fields.
    editor.choose("/States/Price")
    fields = set(editor.fields())
    assert {"QueryLanguage", "Arguments", "Output", "Assign", "TimeoutSeconds", "HeartbeatSeconds"} <= fields
    assert not fields & {"Parameters", "InputPath", "ResultPath", "ResultSelector", "OutputPath"}
    put("field-Arguments", '{"items": "{% $states.input.basket %}"}')
    put("field-Assign", '{"total": "{% $states.result.total %}", "currency": "EUR"}')
    put("field-TimeoutSeconds", "{% $states.input.timeout %}")
    put("catch-0-output", '{"why": "{% $states.errorOutput.Cause %}"}')
    put("catch-0-assign", '{"failed": true}')
    price = editor.definition["States"]["Price"]
    assert price["Arguments"] == {"items": "{% $states.input.basket %}"}
    assert price["Assign"] == {"total": "{% $states.result.total %}", "currency": "EUR"}
    assert price["TimeoutSeconds"] == "{% $states.input.timeout %}"
    assert price["Catch"][0] == {"ErrorEquals": ["States.ALL"], "Output": {"why": "{% $states.errorOutput.Cause %}"}, "Next": "Refuse", "Assign": {"failed": True}}

    # A Choice rule's Condition, Assign and Output.
    editor.choose("/States/Big?")
    put("rule-0-condition", "{% $total > 500 %}")
    put("rule-0-output", '{"tier": "gold"}')
    rule = editor.definition["States"]["Big?"]["Choices"][0]
    assert rule == {"Condition": "{% $total > 500 %}", "Assign": {"big": True}, "Output": {"tier": "gold"}, "Next": "Approve"}

    # A JSONata machine offers no JSONPath states (AWS refuses them).
    editor.choose("/States/Approve")
    language = inspector.locator('[data-key="field-QueryLanguage"]')
    assert language.locator("option").all_inner_texts() == ["Inherit (JSONata)", "JSONata"]

    # The machine switched to JSONPath from the machine form: its states follow, and a
    # JSONata field they still have stays in view (flagged by the validator) until removed.
    page.evaluate("window.editor.select(null)")
    editor.settle()
    inspector.locator('[data-key="machine-ql"]').select_option("")
    editor.settle()
    assert "QueryLanguage" not in editor.definition
    editor.choose("/States/Approve")
    assert {"InputPath", "Parameters", "Result", "ResultPath", "OutputPath", "Output", "Assign"} <= set(editor.fields())
    assert any(p["path"].startswith("/States/Approve/Output") for p in editor.problems)
    put("field-Output", "")
    put("field-Assign", '{"approved.$": "$.total"}')
    assert editor.definition["States"]["Approve"] == {"Type": "Pass", "Assign": {"approved.$": "$.total"}, "End": True}

    # The states written in JSONata keep it by a QueryLanguage of their own.
    for name in ("Price", "Big?"):
        editor.choose(f"/States/{name}")
        inspector.locator('[data-key="field-QueryLanguage"]').select_option("JSONata")
        editor.settle()
    assert editor.definition["States"]["Price"]["QueryLanguage"] == "JSONata"
    assert editor.problems == []


def test_the_canvas_zooms_pans_and_shows_an_overview(page: Any) -> None:
    editor = Editor(page).open()
    style = lambda edge: page.evaluate("(id) => window.editor.cy.getElementById(id).style('line-style')", edge)  # noqa: E731
    assert (style("/States/Call a function/Catch/0"), style("/States/Prepare/Next")) == ("dashed", "solid"), "Catch edges drawn apart"
    zoom = lambda: page.evaluate("window.editor.cy.zoom()")  # noqa: E731
    pan = lambda: page.evaluate("window.editor.cy.pan()")  # noqa: E731

    before = zoom()
    page.get_by_test_id("zoom-plus").click()
    assert zoom() > before
    page.get_by_test_id("zoom-minus").click()
    page.get_by_test_id("zoom-minus").click()
    assert zoom() < before

    # The wheel zooms and dragging the open canvas pans.
    spot = editor.empty_spot()
    page.mouse.move(*spot)
    wheeled = zoom()
    page.mouse.wheel(0, -400)
    page.wait_for_function("(z) => window.editor.cy.zoom() !== z", arg=wheeled)
    start = pan()
    spot = editor.empty_spot()
    editor.drag(spot, (spot[0] + 90, spot[1] + 60))
    moved = pan()
    assert (round(moved["x"] - start["x"]), round(moved["y"] - start["y"])) == (90, 60)

    # The overview shows the whole machine; a click on it moves the view there.
    overview = page.locator(".sf-minimap")
    assert overview.is_visible()
    frame = page.locator(".sf-minimap-frame").bounding_box()
    assert frame and frame["width"] > 0
    before = pan()
    box = overview.bounding_box()
    page.mouse.click(box["x"] + box["width"] - 6, box["y"] + box["height"] - 6)
    assert pan() != before
    page.get_by_test_id("zoom-map").click()
    assert not overview.is_visible()
    page.get_by_test_id("zoom-fit").click()
    assert all(editor.canvas.in_view(pointer) for pointer in ("#start", "#end"))


def test_states_are_dragged_out_of_branches_deleted_and_transitions_dragged_away(page: Any) -> None:
    editor = Editor(page).open()
    shout = "/States/Fan out/Branches/0/States/Shout"
    editor.drag(editor.canvas.point(shout), editor.empty_spot())
    states = editor.definition["States"]
    assert "Shout" in states, "dragged out of its branch onto the open canvas"
    assert "Shout" not in states["Fan out"]["Branches"][0]["States"]

    # Dragging again along an existing transition removes it.
    assert states["Prepare"]["Next"] == "Pause"
    editor.connect("/States/Prepare", "/States/Pause")
    prepare = editor.definition["States"]["Prepare"]
    assert "Next" not in prepare and prepare["End"] is True
    editor.connect("/States/Prepare", "/States/Pause")
    assert editor.definition["States"]["Prepare"]["Next"] == "Pause"

    # A selected state goes with Delete; what led to it leads to its Next.
    editor.select("/States/Pause")
    page.keyboard.press("Delete")
    editor.settle()
    states = editor.definition["States"]
    assert "Pause" not in states and states["Prepare"]["Next"] == "Fan out"


def test_the_palette_offers_the_fn_functions_or_says_why_it_cannot(page: Any) -> None:
    editor = Editor(page).open(empty=True)
    assert "charge-card" in page.get_by_test_id("palette-functions").inner_text()
    editor.click_palette("palette-fn-billing-charge-card")
    assert editor.definition["States"]["charge-card"] == {"Type": "Task", "Resource": "fn:billing/charge-card", "End": True}

    editor = Editor(page).open(empty=True, query="&fn-down")
    assert "could not be reached" in page.get_by_test_id("palette-functions-problem").inner_text()
    editor.click_palette("palette-Task")
    assert editor.definition["States"]["Task"]["Type"] == "Task"
