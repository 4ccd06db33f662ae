/**
 * A cytoscape canvas that draws a graph model (`asl/graph.js`) laid out by dagre. Both the
 * editor and the execution view use it; the editor adds gestures on top.
 *
 * `render(graph, {fit, classes})` lays out and redraws, returning `{view, placed, ms,
 * layoutMs, drawMs, complete}`, or null once the canvas is destroyed. A big machine's first
 * view is drawn before the rest of it is on the canvas: `complete` resolves once all is.
 * `classes(element)`, given an element as `toElements` describes it, returns extra classes
 * for it (an execution's statuses): cytoscape then styles it once, not twice.
 */

import cytoscape from 'cytoscape';
import svg from 'cytoscape-svg';

import { toElements } from './elements.js';
import { layout } from './layout.js';
import { FONT, stylesheet } from './style.js';
import { viewOf } from './view.js';

cytoscape.use(svg);

let context;

const READABLE = 0.55; // the smallest zoom a first view opens at
const MARGIN = 36; // around a fitted graph, in screen pixels
const FIRST_VIEW_MIN = 150; // elements from which a first view is drawn before the rest
const SLICE = 200; // elements added per task after it

const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

/** After the next frame is painted (or at once, in a page that paints no frames). */
function afterPaint() {
  if (!globalThis.requestAnimationFrame || globalThis.document?.visibilityState !== 'visible') return nextTask();
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

/** The box around everything placed, in model coordinates (as cytoscape's boundingBox). */
function boxOf(placed) {
  let [x1, y1, x2, y2] = [Infinity, Infinity, -Infinity, -Infinity];
  const grow = (box) => {
    x1 = Math.min(x1, box.x);
    y1 = Math.min(y1, box.y);
    x2 = Math.max(x2, box.x + box.width);
    y2 = Math.max(y2, box.y + box.height);
  };
  for (const box of placed.nodes.values()) grow(box);
  for (const route of placed.edges.values()) if (route.label) grow(route.label);
  return { x1, y1, w: x2 - x1, h: y2 - y1 };
}

/**
 * `[now, later]`: the elements within (or half a screen around) `extent`, with every edge
 * both of whose ends are among them, and the rest, nodes before edges (an edge needs its
 * ends on the canvas).
 */
function splitByView(elements, extent) {
  const marginX = (extent.x2 - extent.x1) / 2;
  const marginY = (extent.y2 - extent.y1) / 2;
  const near = (element) => {
    const { x, y } = element.position;
    const w = (element.data.width ?? 0) / 2;
    const h = (element.data.height ?? 0) / 2;
    return x + w >= extent.x1 - marginX && x - w <= extent.x2 + marginX && y + h >= extent.y1 - marginY && y - h <= extent.y2 + marginY;
  };
  const shown = new Set();
  const now = [];
  const laterNodes = [];
  const laterEdges = [];
  for (const element of elements) {
    if (element.group !== 'nodes') continue;
    if (near(element)) {
      shown.add(element.data.id);
      now.push(element);
    } else laterNodes.push(element);
  }
  for (const element of elements) {
    if (element.group !== 'edges') continue;
    (shown.has(element.data.source) && shown.has(element.data.target) ? now : laterEdges).push(element);
  }
  return [now, [...laterNodes, ...laterEdges]];
}

/** Text width in px on the canvas's fonts; layout sizes boxes with it. */
function measure(text, kind) {
  context ??= document.createElement('canvas').getContext('2d');
  // Names are measured bold: box titles are, and the margin does plain names no harm.
  context.font = kind === 'label' ? `11px ${FONT}` : kind === 'name' ? `600 12px ${FONT}` : `12px ${FONT}`;
  return Math.ceil(context.measureText(String(text)).width);
}

/** The elements for `view` placed as `placed`, with the caller's extra classes. */
function elementsOf(view, placed, classes) {
  const elements = toElements(view, placed);
  if (classes) {
    for (const element of elements) {
      const extra = classes(element);
      if (extra) element.classes = element.classes ? `${element.classes} ${extra}` : extra;
    }
  }
  return elements;
}

/**
 * Make the canvas hold exactly `elements`: unchanged ones stay (cytoscape keeps their
 * style and bounds, which is most of the cost of drawing), changed ones are updated in
 * place, the rest removed or added. An edit thus costs what it changes.
 */
function sync(cy, elements) {
  const wanted = new Map(elements.map((element) => [element.data.id, element]));
  const stale = cy.elements().filter((element) => {
    const next = wanted.get(element.id());
    // An edge cannot change its ends, nor an element its kind: those are replaced.
    return !next || next.group !== element.group() || (next.group === 'edges' && (next.data.source !== element.data('source') || next.data.target !== element.data('target')));
  });
  stale.remove();
  const added = [];
  for (const element of elements) {
    const existing = cy.getElementById(element.data.id);
    if (existing.empty()) {
      added.push(element);
      continue;
    }
    if (JSON.stringify(existing.data()) !== JSON.stringify(element.data)) {
      existing.removeData();
      existing.data(element.data);
    }
    if (existing.classes().join(' ') !== element.classes) existing.classes(element.classes);
    if (element.position) existing.position(element.position);
    if (element.grabbable === false) existing.ungrabify();
    if (element.selectable === false) existing.unselectify();
  }
  if (added.length) cy.add(added);
}

export function createCanvas(container, { editable = false } = {}) {
  const cy = cytoscape({
    container,
    style: stylesheet(),
    minZoom: 0.08,
    maxZoom: 2.5,
    boxSelectionEnabled: false,
    autoungrabify: !editable,
    selectionType: 'single',
  });
  let current = { graph: null, view: null, placed: null };
  let renders = 0;

  /**
   * Zoom and pan to show `box` (model coordinates): as large as fits, never above 100%.
   * For the `whole` graph, one smaller than the view reads from the top; with `readable`,
   * one too big to read at READABLE opens at READABLE, at its start.
   */
  const look = (box, { whole = false, readable = false } = {}) => {
    const width = cy.width();
    const height = cy.height();
    const fitting = Math.min((width - 2 * MARGIN) / Math.max(box.w, 1), (height - 2 * MARGIN) / Math.max(box.h, 1));
    let zoom = Math.min(Math.max(fitting, cy.minZoom()), cy.maxZoom(), 1);
    if (whole && readable && zoom < READABLE) zoom = READABLE;
    // A whole graph smaller than the view, or too big to read whole, shows from its top.
    const fromTop = whole && zoom !== fitting;
    cy.viewport({
      zoom,
      pan: { x: width / 2 - (box.x1 + box.w / 2) * zoom, y: fromTop ? MARGIN - box.y1 * zoom : height / 2 - (box.y1 + box.h / 2) * zoom },
    });
  };

  const canvas = {
    cy,

    get current() {
      return current;
    },

    render(graph, { fit = false, classes } = {}) {
      if (cy.destroyed()) return null;
      const mine = ++renders;
      const started = performance.now();
      const view = viewOf(graph);
      const placed = layout(view, { measure });
      const laidOut = performance.now();
      const elements = elementsOf(view, placed, classes);
      let later = [];
      if (fit && cy.elements().empty() && elements.length >= FIRST_VIEW_MIN) {
        // A big machine's first view: what it opens on is styled and drawn first.
        look(boxOf(placed), { whole: true, readable: true });
        let now;
        [now, later] = splitByView(elements, cy.extent());
        cy.batch(() => cy.add(now));
      } else {
        const selected = cy.$(':selected').map((element) => element.id());
        cy.batch(() => {
          sync(cy, elements);
          for (const id of selected) cy.getElementById(id).select();
        });
        if (fit) canvas.fit(undefined, { readable: true });
      }
      current = { graph, view, placed };
      const drawn = performance.now();
      // The rest, a slice per task once the first view is painted: styling 500 elements
      // takes cytoscape a few hundred milliseconds that the operator would otherwise wait
      // through, and the page stays responsive between slices. A newer render adds
      // whatever it still lacks itself (sync), so the slices stop there.
      const complete = later.length
        ? afterPaint().then(async () => {
            for (let at = 0; at < later.length && mine === renders && !cy.destroyed(); at += SLICE) {
              const slice = later.slice(at, at + SLICE).filter((element) => cy.getElementById(element.data.id).empty());
              cy.batch(() => cy.add(slice));
              await nextTask();
            }
          })
        : Promise.resolve();
      return { ...current, ms: drawn - started, layoutMs: laidOut - started, drawMs: drawn - laidOut, complete };
    },

    /**
     * Fit `elements` (everything by default) in view, never above 100%. With `readable`,
     * never below a zoom where labels can still be read either: a big machine then opens
     * at its start, and the overview shows the rest.
     */
    fit(elements, { readable = false } = {}) {
      const target = elements ?? cy.elements();
      if (target.empty()) return;
      look(target.boundingBox(), { whole: !elements, readable });
    },

    /**
     * After an edit: a graph that fits the view at this zoom is brought wholly into view;
     * a bigger one is panned only as far as needed to show `focus` (a new state).
     */
    keepInView(focus) {
      const all = cy.elements();
      if (all.empty()) return;
      const box = all.boundingBox();
      const view = cy.extent();
      const inside = (b) => b.x1 >= view.x1 && b.x2 <= view.x2 && b.y1 >= view.y1 && b.y2 <= view.y2;
      if (box.w <= view.w - 40 && box.h <= view.h - 40) {
        if (!inside(box)) cy.pan({ x: cy.width() / 2 - (box.x1 + box.w / 2) * cy.zoom(), y: Math.min(36 - box.y1 * cy.zoom(), cy.height() / 2 - (box.y1 + box.h / 2) * cy.zoom()) });
        return;
      }
      const element = focus ? cy.getElementById(focus) : null;
      if (element?.nonempty() && !inside(element.boundingBox())) cy.center(element);
    },

    zoomBy(factor) {
      cy.zoom({ level: cy.zoom() * factor, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
    },

    /** The model position under a point of the page (clientX / clientY). */
    modelPoint(clientX, clientY) {
      const rect = container.getBoundingClientRect();
      const pan = cy.pan();
      const zoom = cy.zoom();
      return { x: (clientX - rect.left - pan.x) / zoom, y: (clientY - rect.top - pan.y) / zoom };
    },

    /** True when the page point lies over the canvas. */
    contains(clientX, clientY) {
      const rect = container.getBoundingClientRect();
      return clientX >= rect.left && clientX <= rect.right && clientY >= rect.top && clientY <= rect.bottom;
    },

    /**
     * The innermost node whose box holds a model point, among those `accept` takes:
     * a state over the box it sits in, a branch over its Parallel.
     */
    nodeAt(point, accept = () => true) {
      let best = null;
      let bestDepth = -1;
      cy.nodes().forEach((node) => {
        if (!accept(node)) return;
        const { x, y } = node.position();
        const w = node.width() / 2;
        const h = node.height() / 2;
        if (point.x < x - w || point.x > x + w || point.y < y - h || point.y > y + h) return;
        // A box and what it holds share a depth; the thing held wins.
        const depth = (node.data('depth') ?? 0) * 2 + (node.hasClass('box') || node.hasClass('branch') ? 0 : 1);
        if (depth > bestDepth) {
          best = node;
          bestDepth = depth;
        }
      });
      return best;
    },

    /** The boxes around a node, innermost first (a branch, then its Parallel, …). */
    boxesAround(node) {
      const out = [];
      for (let id = node.data('box'); id; id = cy.getElementById(id).data('box')) out.push(cy.getElementById(id));
      return out;
    },

    /** Everything drawn inside a box (ids extend the box's pointer). */
    inside(box) {
      const prefix = `${box.id()}/`;
      return cy.elements().filter((element) => element.id().startsWith(prefix) && !element.same(box));
    },

    destroy() {
      cy.destroy();
    },
  };
  return canvas;
}
