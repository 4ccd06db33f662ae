/**
 * Cytoscape elements from the drawn view and its layout: every node where the layout put it,
 * at its size; edges along its routes (manual endpoints plus segment points); edge labels
 * as small nodes where the layout placed them.
 *
 * Parallel and Map boxes and Parallel branches are plain nodes drawn behind their contents
 * (z-index by depth), not cytoscape compound nodes: compound bounds cost cytoscape about
 * 200 ms on a 200-state machine, and the layout already says exactly where each box goes. The
 * hierarchy travels as data: `box` (the id of the enclosing box, '' at the top level) and
 * `depth`. Routes travel as data too, mapped by the stylesheet, so a copy of the elements
 * (the overview, an export) draws the same.
 */

import { iconUri } from './icons.js';

const center = (box) => ({ x: box.x + box.width / 2, y: box.y + box.height / 2 });

/** Names longer than this are cut on the canvas (the inspector shows them whole). */
const MAX_NAME = 30;

function short(name) {
  return name.length > MAX_NAME ? `${name.slice(0, MAX_NAME - 1)}…` : name;
}

/**
 * Segment weights and distances that make cytoscape draw through `points`, measured from
 * the line `a` -> `b` the way cytoscape does with `edge-distances: endpoints`.
 */
export function segments(a, b, points) {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const length = Math.hypot(dx, dy);
  if (length < 0.5) return null;
  const weights = [];
  const distances = [];
  for (const p of points) {
    weights.push(((p.x - a.x) * dx + (p.y - a.y) * dy) / (length * length));
    // cytoscape offsets by the normal (-dy, dx) / length.
    distances.push(((p.x - a.x) * -dy + (p.y - a.y) * dx) / length);
  }
  return { weights, distances };
}

/** The route as edge data; the stylesheet maps it (`edge[?routed]`, `edge[?bent]`). */
function routeData(route, sourceBox, targetBox) {
  if (!route?.start || !sourceBox || !targetBox) return {};
  const s = center(sourceBox);
  const t = center(targetBox);
  const data = {
    routed: true,
    sourceEndpoint: `${route.start.x - s.x}px ${route.start.y - s.y}px`,
    targetEndpoint: `${route.end.x - t.x}px ${route.end.y - t.y}px`,
  };
  const bent = route.bends.length ? segments(route.start, route.end, route.bends) : null;
  if (bent) Object.assign(data, { bent: true, segmentWeights: bent.weights, segmentDistances: bent.distances });
  return data;
}

// Drawing order: a box, then the edges inside it, then its states and labels.
const Z_BOX = 1;
const Z_EDGE = 4;
const Z_NODE = 6;
const zOf = (depth, layer) => depth * 10 + layer;

export function toElements(view, placed) {
  // How many boxes enclose an element: its box's depth, counted once per box.
  const parents = new Map(view.nodes.map((n) => [n.id, n.parent]));
  const depths = new Map();
  const levelOf = (box) => {
    if (!box) return 0;
    if (!depths.has(box)) depths.set(box, 1 + levelOf(parents.get(box)));
    return depths.get(box);
  };

  const elements = [];
  for (const node of view.nodes) {
    const box = placed.nodes.get(node.id);
    const isBox = view.children.has(node.id);
    const level = levelOf(node.parent);
    const data = { id: node.id, kind: node.kind, machine: node.machine, box: node.parent ?? '', depth: level, width: box?.width, height: box?.height, z: zOf(level, isBox ? Z_BOX : Z_NODE) };
    const element = { group: 'nodes', data, classes: [], position: box ? center(box) : { x: 0, y: 0 } };
    if (node.kind === 'state') {
      Object.assign(data, { name: node.name, type: node.type, icon: iconUri(node.type), display: `${short(node.name)}\n${node.type}`, textWidth: (box?.width ?? 200) - 56 });
      element.classes.push('state');
      if (isBox) {
        element.classes.push('box');
        data.title = `${short(node.name)}  ·  ${node.type}`;
      }
    } else if (node.kind === 'branch') {
      const empty = !view.nodes.some((n) => n.parent === node.id && n.kind === 'state');
      data.title = empty ? `${node.label} · drop states here` : node.label;
      data.index = node.index;
      element.classes.push('branch');
      element.grabbable = false;
    } else {
      data.label = node.label;
      element.classes.push('marker');
      Object.assign(element, { grabbable: false, selectable: false });
    }
    element.classes = element.classes.join(' ');
    elements.push(element);
  }

  for (const edge of view.edges) {
    const route = placed.edges.get(edge.id);
    const level = levelOf(edge.parent);
    elements.push({
      group: 'edges',
      data: { id: edge.id, source: edge.source, target: edge.target, kind: edge.kind, title: edge.title ?? edge.label, box: edge.parent ?? '', z: zOf(level, Z_EDGE), ...routeData(route, placed.nodes.get(edge.source), placed.nodes.get(edge.target)) },
      classes: edge.kind,
    });
    if (edge.label && route?.label) {
      const box = route.label;
      elements.push({
        group: 'nodes',
        data: { id: `${edge.id}#label`, edge: edge.id, label: edge.label, title: edge.title, width: box.width, height: box.height, kind: 'edge-label', box: edge.parent ?? '', depth: level, z: zOf(level, Z_NODE) },
        classes: `edge-label ${edge.kind}`,
        position: center(box),
        grabbable: false,
        selectable: false,
      });
    }
  }
  return elements;
}
