/**
 * A cytoscape canvas that draws a graph model (`asl/graph.js`) laid out by dagre. Both the
 * editor and the execution view use it; the editor adds gestures on top.
 *
 * `render(graph, {fit, classes})` lays out and redraws, returning `{view, placed, ms,
 * layoutMs, drawMs}`, or null once the canvas is destroyed. `classes(element)`, given an element as `toElements` describes it, returns extra
 * classes for it (an execution's statuses): cytoscape then styles it once, not twice.
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

/**
 * cytoscape's first frame draws every element into its layer textures at once (later ones
 * fill them lazily, in idle time), which on a 200-state machine costs the first sight about
 * 0.1 s more than drawing only what is in view. Marking the layer cache as already used
 * makes the first frame draw only what is visible; the textures then fill in as usual.
 * `lyrTxrCache.firstGet` is internal to cytoscape (pinned in package.json): if it is gone,
 * this does nothing and the first frame is merely slower.
 */
function drawVisibleFirst(cy) {
  const layers = cy.renderer()?.data?.lyrTxrCache;
  if (layers?.firstGet === true) layers.firstGet = false;
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
  drawVisibleFirst(cy);

  const canvas = {
    cy,

    get current() {
      return current;
    },

    render(graph, { fit = false, classes } = {}) {
      if (cy.destroyed()) return null;
      const started = performance.now();
      const view = viewOf(graph);
      const placed = layout(view, { measure });
      const laidOut = performance.now();
      const selected = cy.$(':selected').map((element) => element.id());
      cy.batch(() => {
        sync(cy, elementsOf(view, placed, classes));
        for (const id of selected) cy.getElementById(id).select();
      });
      current = { graph, view, placed };
      if (fit) canvas.fit(undefined, { readable: true });
      const drawn = performance.now();
      return { ...current, ms: drawn - started, layoutMs: laidOut - started, drawMs: drawn - laidOut };
    },

    /** Everything in view; small machines stay at 100% rather than blown up. */
    /**
     * Fit `elements` (everything by default) in view, never above 100%. With `readable`,
     * never below a zoom where labels can still be read either: a big machine then opens
     * at its start, and the overview shows the rest.
     */
    fit(elements, { readable = false } = {}) {
      cy.fit(elements, 36);
      if (readable && !elements && cy.zoom() < READABLE) {
        const box = cy.elements().boundingBox();
        cy.zoom(READABLE);
        cy.pan({ x: cy.width() / 2 - (box.x1 + box.w / 2) * READABLE, y: 36 - box.y1 * READABLE });
        return;
      }
      if (cy.zoom() <= 1) return;
      cy.zoom(1);
      if (elements) {
        cy.center(elements);
        return;
      }
      // A whole machine smaller than the view reads from the top of the canvas.
      cy.center();
      cy.pan({ x: cy.pan().x, y: 36 - cy.elements().boundingBox().y1 });
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
