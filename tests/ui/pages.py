"""Page helpers for the UI tests: where things are on the canvas, and the gestures a
person makes there (click, drag from the palette, drag a transition)."""

from __future__ import annotations

from typing import Any

Point = tuple[float, float]


class Canvas:
    """Reads a mounted component's cytoscape canvas (``window[name].cy``)."""

    def __init__(self, page: Any, name: str) -> None:
        self.page = page
        self.name = name

    def point(self, element_id: str, where: str = "center") -> Point:
        """Page coordinates of an element (its centre, or just inside its top edge), after
        fitting the graph to the view if the element is not wholly in sight, as a person
        would before reaching for it."""
        if not self.in_view(element_id):
            self.page.get_by_test_id("zoom-fit").first.click()
        box = self.page.evaluate(
            """([name, id]) => {
                const cy = window[name].cy;
                const element = cy.getElementById(id);
                if (element.empty()) return null;
                const rect = cy.container().getBoundingClientRect();
                const box = element.renderedBoundingBox({includeLabels: false});
                return {x1: rect.left + box.x1, x2: rect.left + box.x2, y1: rect.top + box.y1, y2: rect.top + box.y2};
            }""",
            [self.name, element_id],
        )
        assert box is not None, f"{element_id} is not on the canvas"
        x = (box["x1"] + box["x2"]) / 2
        if where == "top":
            return x, box["y1"] + 10
        return x, (box["y1"] + box["y2"]) / 2

    def in_view(self, element_id: str) -> bool:
        return self.page.evaluate(
            """([name, id]) => {
                const cy = window[name].cy;
                const element = cy.getElementById(id);
                if (element.empty()) return false;
                const b = element.renderedBoundingBox({includeLabels: false});
                const rect = cy.container().getBoundingClientRect();
                const overlays = [...cy.container().parentElement.querySelectorAll('.sf-minimap, .sf-zoom')]
                    .map((o) => o.getBoundingClientRect())
                    .map((o) => ({x1: o.left - rect.left, x2: o.right - rect.left, y1: o.top - rect.top, y2: o.bottom - rect.top}));
                const overlaps = overlays.some((o) => !(b.x2 < o.x1 || b.x1 > o.x2 || b.y2 < o.y1 || b.y1 > o.y2));
                return b.x1 >= 0 && b.y1 >= 0 && b.x2 <= rect.width && b.y2 <= rect.height && !overlaps;
            }""",
            [self.name, element_id],
        )

    def classes(self, element_id: str) -> list[str]:
        return self.page.evaluate("([name, id]) => window[name].cy.getElementById(id).classes()", [self.name, element_id])

    def ids(self, selector: str) -> list[str]:
        return self.page.evaluate("([name, s]) => window[name].cy.$(s).map((e) => e.id())", [self.name, selector])


class Editor:
    """The editor harness (tests/ui/harness/editor.html), mounted as ``window.editor``."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.canvas = Canvas(page, "editor")

    def open(self, *, empty: bool = False, query: str = "") -> Editor:
        self.page.goto("/tests/ui/harness/editor.html?validator=server" + ("&empty" if empty else "") + query)
        self.page.wait_for_function("window.editor !== undefined")
        self.page.evaluate("window.editor.ready")
        self.settle()
        return self

    def settle(self) -> None:
        """Wait until every edit so far is laid out, drawn and validated."""
        self.page.evaluate("window.editor.settled()")

    @property
    def definition(self) -> dict[str, Any]:
        return self.page.evaluate("window.editor.definition")

    @property
    def problems(self) -> list[dict[str, str]]:
        return self.page.evaluate("window.editor.problems")

    def status(self) -> str:
        return self.page.get_by_test_id("status").inner_text().strip()

    def drag(self, start: Point, end: Point, steps: int = 12) -> None:
        mouse = self.page.mouse
        mouse.move(*start)
        mouse.down()
        mouse.move(start[0] + 8, start[1] + 8, steps=2)
        mouse.move(*end, steps=steps)
        mouse.up()
        self.settle()

    def palette_item(self, testid: str) -> Point:
        item = self.page.get_by_test_id(testid)
        item.scroll_into_view_if_needed()
        box = item.bounding_box()
        return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2

    def click_palette(self, testid: str) -> None:
        self.page.get_by_test_id(testid).click()
        self.settle()

    def drop_palette(self, testid: str, at: Point) -> None:
        start = self.palette_item(testid)
        self.drag(start, at)

    def empty_spot(self) -> Point:
        """A point on the canvas at least 40 px from every element, overlays included."""
        spot = self.page.evaluate(
            """() => {
                const cy = window.editor.cy;
                const rect = cy.container().getBoundingClientRect();
                const boxes = cy.nodes().map((n) => n.renderedBoundingBox());
                const overlays = [...document.querySelectorAll('.sf-minimap, .sf-zoom')].map((e) => e.getBoundingClientRect());
                for (let y = 50; y < rect.height - 50; y += 30) {
                    for (let x = 50; x < rect.width - 50; x += 30) {
                        const clear = boxes.every((b) => x < b.x1 - 40 || x > b.x2 + 40 || y < b.y1 - 40 || y > b.y2 + 40);
                        const px = rect.left + x, py = rect.top + y;
                        const free = overlays.every((o) => px < o.left - 10 || px > o.right + 10 || py < o.top - 10 || py > o.bottom + 10);
                        if (clear && free) return [px, py];
                    }
                }
                return null;
            }"""
        )
        assert spot is not None, "no empty spot left on the canvas"
        return spot[0], spot[1]

    def connect(self, source: str, target: str) -> None:
        """Drag from the handle under ``source`` to ``target``."""
        self.canvas.point(target)  # both in sight before the gesture starts
        self.page.mouse.move(*self.canvas.point(source))
        end = self.canvas.point(target)
        port = self.page.locator(f'[data-testid="port"][data-source="{source}"]:not(.sf-hidden)')
        port.wait_for()
        box = port.bounding_box()
        start = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        self.drag(start, end, steps=16)

    def select(self, element_id: str) -> None:
        """Click an element on the canvas."""
        self.page.mouse.click(*self.canvas.point(element_id))
        self.settle()

    def choose(self, pointer: str) -> None:
        """Select by pointer, as the page or a problem link does (for boxes whose centre
        holds other states)."""
        self.page.evaluate("(p) => window.editor.select(p)", pointer)
        self.settle()

    def fields(self) -> list[str]:
        return self.page.evaluate("[...document.querySelectorAll('.sf-inspector [data-field]')].map((e) => e.dataset.field)")

    def code_text(self) -> str:
        return self.page.evaluate("window.editor.code")
