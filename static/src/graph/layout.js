/**
 * Automatic layout with ELK's layered algorithm (top to bottom, orthogonal edges), one
 * nested ELK graph per box so branches and Map processors are laid out inside their
 * parents. ELK also places the edge labels (Choice rules, Catch, Default), which keeps
 * them from overlapping; the renderer draws edges along ELK's routes.
 *
 * `layout(view, {measure})` -> Promise of `{nodes: Map<id, box>, edges: Map<id, route>}`
 * where a box is `{x, y, width, height}` (top-left, absolute) and a route is
 * `{start, end, bends: [{x, y}], label: box | undefined}`. The answer is shared by every
 * caller asking for the same input (treat it as read-only), and a big machine's is kept
 * across page loads (layout-cache.js).
 */

import { layoutWith, sharedElk } from './elk.js';
import { keep, MIN_NODES, recall } from './layout-cache.js';

// The last layout asked for, as a promise: a render that repeats it (an edit that leaves
// the shape alone, the same machine mounted again) waits for the same answer instead of
// asking ELK twice.
const memo = { elk: null, key: '', placement: null };

export const SIZES = {
  state: { minWidth: 168, maxWidth: 248, height: 50 },
  start: { width: 64, height: 26 },
  end: { width: 64, height: 26 },
  label: { height: 18, padding: 12 },
};

// Space inside a box for its title.
const PADDING = {
  parallel: '[top=44,left=18,bottom=18,right=18]',
  map: '[top=44,left=18,bottom=18,right=18]',
  branch: '[top=34,left=14,bottom=14,right=14]',
};

const BASE = {
  'elk.algorithm': 'layered',
  'elk.direction': 'DOWN',
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.layered.spacing.nodeNodeBetweenLayers': '36',
  'elk.spacing.nodeNode': '28',
  'elk.spacing.edgeNode': '16',
  'elk.spacing.edgeEdge': '12',
  'elk.spacing.edgeLabel': '4',
  'elk.layered.spacing.edgeNodeBetweenLayers': '16',
  'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
  'elk.edgeLabels.placement': 'CENTER',
  // Keep the document's order where it is free to: Choice rules left to right as listed.
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
  // Speed over polish: state machines are mostly chains, and ELK's defaults (thorough
  // crossing minimisation, greedy switching, packing components apart) cost seconds on
  // 200 states for little visible gain. Measured with bench/ui_render.py.
  'elk.layered.thoroughness': '1',
  'elk.layered.crossingMinimization.greedySwitch.type': 'OFF',
  'elk.separateConnectedComponents': 'false',
};

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

/** `elk`: an ELK instance (tests pass elkjs's in-process one); the shared worker otherwise. */
export async function layout(view, { measure = approximate, options: tuning = {}, elk = sharedElk() } = {}) {
  const base = { ...BASE, ...tuning };
  const edgesIn = new Map();
  for (const edge of view.edges) {
    if (!edgesIn.has(edge.parent)) edgesIn.set(edge.parent, []);
    edgesIn.get(edge.parent).push(edge);
  }

  const elkEdge = (edge) => {
    const out = { id: edge.id, sources: [edge.source], targets: [edge.target] };
    if (edge.label) {
      out.labels = [{ id: `${edge.id}#label`, text: edge.label, width: measure(edge.label, 'label') + SIZES.label.padding, height: SIZES.label.height }];
    }
    return out;
  };

  const elkNode = (node) => {
    const kids = view.children.get(node.id);
    if (!kids) return { id: node.id, ...nodeSize(node, measure) };
    const options = { ...base, 'elk.padding': PADDING[boxKind(node)] };
    if (node.type === 'Parallel') {
      // Branches side by side: with nothing linking them they all share one layer.
      options['elk.layered.spacing.nodeNodeBetweenLayers'] = '24';
      options['elk.spacing.nodeNode'] = '24';
    }
    // A box must be at least as wide as its title.
    options['elk.nodeSize.constraints'] = 'MINIMUM_SIZE';
    options['elk.nodeSize.minimum'] = `(${measure(node.label, 'name') + 140}, ${kids.length ? 60 : 84})`;
    return { id: node.id, layoutOptions: options, children: kids.map(elkNode), edges: (edgesIn.get(node.id) ?? []).map(elkEdge) };
  };

  const root = {
    id: '#root',
    layoutOptions: { ...base, 'elk.json.shapeCoords': 'ROOT', 'elk.json.edgeCoords': 'ROOT', 'elk.padding': '[top=24,left=24,bottom=24,right=24]' },
    children: view.children.get(null).map(elkNode),
    edges: (edgesIn.get(null) ?? []).map(elkEdge),
  };

  // Most edits (a field in the inspector, a comment) leave the graph's shape alone: the
  // same ELK input gives the same answer, so keep the last one and skip ELK.
  const key = JSON.stringify(root);
  if (memo.elk !== elk || memo.key !== key) {
    const big = view.nodes.length >= MIN_NODES && elk === sharedElk();
    const kept = big ? recall(key) : undefined;
    const placement = kept ? Promise.resolve(kept) : layoutWith(elk, root).then(placementOf);
    // Stored once the page is idle: writing ~100 kB to localStorage must not delay the drawing.
    if (big && !kept) placement.then((done) => whenIdle(() => keep(key, done)), () => {});
    Object.assign(memo, { elk, key, placement });
    // A failed layout must not stick: the next render asks ELK again.
    placement.catch(() => memo.placement === placement && Object.assign(memo, { elk: null, key: '', placement: null }));
  }
  return memo.placement;
}

function whenIdle(work) {
  if (globalThis.requestIdleCallback) globalThis.requestIdleCallback(work, { timeout: 2000 });
  else setTimeout(work, 0);
}

/** ELK's answer as `{nodes, edges, width, height}` with absolute coordinates. */
function placementOf(result) {
  const nodes = new Map();
  const edges = new Map();
  const visit = (elkGraph) => {
    for (const child of elkGraph.children ?? []) {
      nodes.set(child.id, { x: child.x, y: child.y, width: child.width, height: child.height });
      visit(child);
    }
    for (const edge of elkGraph.edges ?? []) {
      const section = edge.sections?.[0];
      if (!section) continue;
      const label = edge.labels?.[0];
      edges.set(edge.id, {
        start: section.startPoint,
        end: section.endPoint,
        bends: section.bendPoints ?? [],
        label: label && { x: label.x, y: label.y, width: label.width, height: label.height },
      });
    }
  };
  visit(result);
  return { nodes, edges, width: result.width, height: result.height };
}
