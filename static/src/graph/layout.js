/**
 * Automatic layout with dagre's layered algorithm, top to bottom, one dagre graph per box:
 * the innermost boxes (Parallel branches, Map processors) are laid out first, and each box
 * then takes part in its parent's layout as one node of the size its contents need. dagre
 * also places the edge labels (Choice rules, Catch, Default) in rows of their own, so they
 * never overlap a state. dagre routes an edge through one point per row it crosses; those
 * routes are made orthogonal here (see `orthogonal`), which is how flowcharts read.
 *
 * dagre runs in the page and is quick from the first call (about 0.2 s for 200 states on a
 * cold page), so a machine is drawn at once and an edit that changes the shape never waits
 * for a worker.
 *
 * `layout(view, {measure})` -> `{nodes: Map<id, box>, edges: Map<id, route>, width, height}`
 * where a box is `{x, y, width, height}` (top-left, absolute) and a route is
 * `{start, end, bends: [{x, y}], label: box | undefined}` (a loop, from a state to itself,
 * has no start, end or bends: cytoscape draws it). The answer is shared by every
 * caller asking for the same input (treat it as read-only), and a big machine's is kept
 * across page loads (layout-cache.js).
 */

import dagre from '@dagrejs/dagre';

import { keep, MIN_NODES, recall } from './layout-cache.js';

export const SIZES = {
  state: { minWidth: 168, maxWidth: 248, height: 50 },
  start: { width: 64, height: 26 },
  end: { width: 64, height: 26 },
  label: { height: 18, padding: 12 },
};

// Space inside a box for its title; the whole machine gets a margin.
const PADDING = {
  root: { top: 24, left: 24, bottom: 24, right: 24 },
  parallel: { top: 44, left: 18, bottom: 18, right: 18 },
  map: { top: 44, left: 18, bottom: 18, right: 18 },
  branch: { top: 34, left: 14, bottom: 14, right: 14 },
};

// dagre's spacing. Every edge crosses a row of its own between two states (where its label
// goes), so `ranksep` is split in two gaps around it; horizontal runs of edges share a gap.
const SPACING = {
  default: { ranksep: 48, nodesep: 28, edgesep: 14 },
  // Branches side by side: with nothing linking them they all share one row.
  parallel: { ranksep: 24, nodesep: 24, edgesep: 14 },
};

// How far from a box's corner an edge may leave or enter it.
const INSET = 14;

// Part of every cache key (layout-cache.js): bump it when the placement code changes, so
// that layouts kept by browsers under the old code are not reused.
const REVISION = 1;

// The last layout asked for: an edit that leaves the shape alone (a field in the inspector,
// a comment), or the same machine mounted again, reuses it.
const memo = { key: '', placement: null };

/** A rough text width for tests and for lack of a canvas: 6.4 px a character at 11-12 px. */
export function approximate(text) {
  return Math.ceil(String(text).length * 6.4);
}

/** The size a node takes on the canvas. */
export function nodeSize(node, measure = approximate) {
  if (node.kind === 'start' || node.kind === 'end') return SIZES[node.kind];
  const text = Math.max(measure(node.label, 'name'), measure(node.type ?? '', 'type'));
  const { minWidth, maxWidth, height } = SIZES.state;
  return { width: Math.min(maxWidth, Math.max(minWidth, text + 64)), height };
}

function boxKind(node) {
  if (node.kind === 'branch') return 'branch';
  return node.type === 'Parallel' ? 'parallel' : 'map';
}

/**
 * What the layout depends on, level by level: every node's size (or, for a box, its minimum
 * size, padding and contents) and every edge with its label's size. Its JSON is the key of
 * the memo and of the cache: the same input always gives the same placement.
 */
function inputOf(view, measure) {
  const edgesIn = new Map();
  for (const edge of view.edges) {
    if (!edgesIn.has(edge.parent)) edgesIn.set(edge.parent, []);
    edgesIn.get(edge.parent).push(edge);
  }
  const edgeInput = (edge) => {
    const out = { id: edge.id, source: edge.source, target: edge.target };
    if (edge.label) out.label = { width: measure(edge.label, 'label') + SIZES.label.padding, height: SIZES.label.height };
    return out;
  };
  const level = (box, kind) => ({
    kind,
    nodes: view.children.get(box).map((node) => {
      const kids = view.children.get(node.id);
      if (!kids) return { id: node.id, ...nodeSize(node, measure) };
      // A box is at least as wide as its title.
      const min = { width: measure(node.label, 'name') + 140, height: kids.length ? 60 : 84 };
      return { id: node.id, min, box: level(node.id, boxKind(node)) };
    }),
    edges: (edgesIn.get(box) ?? []).map(edgeInput),
  });
  return level(null, 'root');
}

export function layout(view, { measure = approximate } = {}) {
  const input = inputOf(view, measure);
  const key = JSON.stringify({ revision: REVISION, spacing: SPACING, padding: PADDING, inset: INSET, input });
  if (memo.key === key) return memo.placement;
  const big = view.nodes.length >= MIN_NODES;
  let placement = big ? recall(key) : undefined;
  if (!placement) {
    placement = place(input);
    // Stored once the page is idle: writing ~100 kB to localStorage must not delay the drawing.
    if (big) whenIdle(() => keep(key, placement));
  }
  Object.assign(memo, { key, placement });
  return placement;
}

function whenIdle(work) {
  if (globalThis.requestIdleCallback) globalThis.requestIdleCallback(work, { timeout: 2000 });
  else setTimeout(work, 0);
}

/** The placement of the whole machine, in absolute coordinates. */
function place(input) {
  const nodes = new Map();
  const edges = new Map();
  const root = arrange(input);
  const pad = PADDING.root;
  put(root, pad.left, pad.top, nodes, edges);
  return { nodes, edges, width: root.width + pad.left + pad.right, height: root.height + pad.top + pad.bottom };
}

/**
 * One level laid out with dagre, boxes first: `{width, height, nodes, edges, boxes}` in the
 * level's own coordinates, where `boxes` maps a box's id to its own arrangement and where
 * its contents start.
 */
function arrange(level) {
  const boxes = new Map();
  const graph = new dagre.graphlib.Graph({ multigraph: true });
  graph.setGraph({ rankdir: 'TB', ...(SPACING[level.kind] ?? SPACING.default), marginx: 0, marginy: 0 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const node of level.nodes) {
    if (!node.box) {
      graph.setNode(node.id, { width: node.width, height: node.height });
      continue;
    }
    const inner = arrange(node.box);
    const pad = PADDING[node.box.kind];
    const width = Math.max(node.min.width, inner.width + pad.left + pad.right);
    const height = Math.max(node.min.height, inner.height + pad.top + pad.bottom);
    // Contents centred across the box when its title makes it wider than they are.
    boxes.set(node.id, { inner, dx: pad.left + (width - pad.left - pad.right - inner.width) / 2, dy: pad.top });
    graph.setNode(node.id, { width, height });
  }
  for (const edge of level.edges) {
    const label = edge.label ? { ...edge.label, labelpos: 'c' } : {};
    graph.setEdge(edge.source, edge.target, label, edge.id);
  }
  dagre.layout(graph, { disableOptimalOrderHeuristic: true });

  const nodes = new Map();
  for (const node of level.nodes) {
    const { x, y, width, height } = graph.node(node.id);
    nodes.set(node.id, { x: x - width / 2, y: y - height / 2, width, height });
  }
  if (level.kind === 'parallel') {
    // Branches side by side read as columns: all as tall as the tallest, tops aligned.
    const height = Math.max(0, ...[...nodes.values()].map((box) => box.height));
    for (const box of nodes.values()) Object.assign(box, { y: 0, height });
  }
  const routes = orthogonal(level.edges.map((edge) => ({ edge, placed: graph.edge(edge.source, edge.target, edge.id) })), nodes);
  const { width, height } = graph.graph();
  return { width: width ?? 0, height: height ?? 0, nodes, edges: routes, boxes };
}

/** Copies `arranged` into `nodes` and `edges`, moved by (dx, dy), boxes' contents included. */
function put(arranged, dx, dy, nodes, edges) {
  const at = (p) => ({ x: p.x + dx, y: p.y + dy });
  for (const [id, box] of arranged.nodes) {
    nodes.set(id, { ...box, ...at(box) });
    const inside = arranged.boxes.get(id);
    if (inside) put(inside.inner, box.x + dx + inside.dx, box.y + dy + inside.dy, nodes, edges);
  }
  for (const [id, route] of arranged.edges) {
    edges.set(id, { start: route.start && at(route.start), end: route.end && at(route.end), bends: route.bends.map(at), label: route.label && { ...route.label, ...at(route.label) } });
  }
}

const clamp = (value, low, high) => Math.min(Math.max(value, low), high);

/**
 * Orthogonal routes from dagre's: dagre gives each edge one point per row it crosses (a
 * dummy node, which the layout kept clear of states) plus where it meets its two ends.
 * An edge leaves its source straight down (or up, for an edge going back) at the point
 * of its bottom nearest its first row point, runs vertically through the row points, and
 * turns only in the gaps between rows. Horizontal runs in the same gap that overlap are
 * given tracks of their own, spread across the gap.
 */
function orthogonal(edges, nodes) {
  // Every row's extent: states and labels in a row share its centre line.
  const rows = new Map();
  const row = (y, half) => {
    const key = Math.round(y);
    rows.set(key, Math.max(rows.get(key) ?? 0, half));
  };
  for (const box of nodes.values()) row(box.y + box.height / 2, box.height / 2);
  for (const { placed } of edges) {
    for (const point of placed.points.slice(1, -1)) row(point.y, 0);
    if (placed.width && placed.height) row(placed.y, placed.height / 2);
  }
  const extent = (y) => {
    const key = Math.round(y);
    const half = rows.get(key) ?? 0;
    return { top: key - half, bottom: key + half };
  };

  const runs = new Map(); // gap -> horizontal runs, to share out in tracks
  const routes = new Map();
  for (const { edge, placed } of edges) {
    const source = nodes.get(edge.source);
    const target = nodes.get(edge.target);
    const label = placed.width && placed.height ? { x: placed.x - placed.width / 2, y: placed.y - placed.height / 2, width: placed.width, height: placed.height } : undefined;
    if (edge.source === edge.target) {
      // A state's edge to itself (a Catch that tries it again): no route; cytoscape draws it
      // as a loop out of the state's right side (see style.js), next to its label.
      routes.set(edge.id, { points: [], label });
      continue;
    }
    const middle = placed.points.slice(1, -1);
    const mid = (box) => ({ x: box.x + box.width / 2, y: box.y + box.height / 2 });
    const first = middle[0] ?? mid(target);
    const last = middle.at(-1) ?? mid(source);
    const down = first.y > mid(source).y;
    const start = { x: clamp(first.x, source.x + INSET, source.x + source.width - INSET), y: down ? source.y + source.height : source.y, row: mid(source).y };
    const arrivesFromAbove = last.y < mid(target).y;
    const end = { x: clamp(last.x, target.x + INSET, target.x + target.width - INSET), y: arrivesFromAbove ? target.y : target.y + target.height, row: mid(target).y };

    const path = [start, ...middle.map((p) => ({ x: p.x, y: p.y, row: p.y })), end];
    const points = [{ x: start.x, y: start.y }];
    for (let i = 1; i < path.length; i += 1) {
      const a = path[i - 1];
      const b = path[i];
      if (Math.abs(a.x - b.x) >= 0.5) {
        // Turn in the gap between a's row and b's: its height is settled once all runs are known.
        const [upper, lower] = a.row < b.row ? [extent(a.row), extent(b.row)] : [extent(b.row), extent(a.row)];
        const run = { from: Math.min(a.x, b.x), to: Math.max(a.x, b.x), points: [{ x: a.x }, { x: b.x }] };
        const gap = `${upper.bottom}:${lower.top}`;
        if (!runs.has(gap)) runs.set(gap, { top: upper.bottom, bottom: lower.top, runs: [] });
        runs.get(gap).runs.push(run);
        points.push(...run.points);
      }
      points.push({ x: b.x, y: b.y });
    }
    routes.set(edge.id, { points, label });
  }

  for (const gap of runs.values()) {
    const tracks = [];
    const sorted = gap.runs.sort((a, b) => a.from - b.from || a.to - b.to);
    for (const run of sorted) {
      let track = tracks.findIndex((end) => end < run.from - SPACING.default.edgesep / 2);
      if (track < 0) track = tracks.push(0) - 1;
      tracks[track] = run.to;
      run.track = track;
    }
    for (const run of sorted) {
      const y = gap.top + ((run.track + 1) * (gap.bottom - gap.top)) / (tracks.length + 1);
      for (const point of run.points) point.y = y;
    }
  }

  const out = new Map();
  for (const [id, { points, label }] of routes) {
    if (!points.length) {
      out.set(id, { start: undefined, end: undefined, bends: [], label });
      continue;
    }
    const corners = straighten(points);
    out.set(id, { start: corners[0], end: corners.at(-1), bends: corners.slice(1, -1), label });
  }
  return out;
}

/** The points where a path turns: repeated points and points along a straight run dropped. */
function straighten(points) {
  const out = [];
  for (const p of points) {
    const q = out.at(-1);
    if (q && Math.abs(q.x - p.x) < 0.5 && Math.abs(q.y - p.y) < 0.5) continue;
    const o = out.at(-2);
    if (q && o && ((Math.abs(o.x - q.x) < 0.5 && Math.abs(q.x - p.x) < 0.5) || (Math.abs(o.y - q.y) < 0.5 && Math.abs(q.y - p.y) < 0.5))) out.pop();
    out.push({ x: p.x, y: p.y });
  }
  return out;
}
