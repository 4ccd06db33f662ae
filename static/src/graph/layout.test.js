import assert from 'node:assert/strict';
import { test } from 'node:test';

import ELK from 'elkjs/lib/elk.bundled.js';

import { toGraph } from '../asl/graph.js';
import { demo } from '../testing/machines.js';
import { toElements, segments } from './elements.js';
import { layout } from './layout.js';
import { viewOf } from './view.js';

// In-process ELK: node has no Web Worker, and the result is the same.
const elk = new ELK();
const view = viewOf(toGraph(demo()));
const placed = await layout(view, { elk });

const inside = (inner, outer) => inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.width <= outer.x + outer.width && inner.y + inner.height <= outer.y + outer.height;

test('it places every node, and every box around what it holds', () => {
  for (const node of view.nodes) assert.ok(placed.nodes.has(node.id), node.id);
  for (const node of view.nodes) {
    if (node.parent) assert.ok(inside(placed.nodes.get(node.id), placed.nodes.get(node.parent)), `${node.id} in ${node.parent}`);
  }
});

test('it lays the machine out from top to bottom', () => {
  const y = (id) => placed.nodes.get(id).y;
  assert.ok(y('#start') < y('/States/Prepare'));
  assert.ok(y('/States/Prepare') < y('/States/Pause'));
  assert.ok(y('/States/Check') < y('/States/Done'));
  assert.ok(y('/States/Done') < y('#end'));
});

test('it routes every edge and places the labels of rules, Default and Catch', () => {
  for (const edge of view.edges) assert.ok(placed.edges.has(edge.id), edge.id);
  assert.ok(placed.edges.get('/States/Check/Choices/0').label);
  assert.ok(placed.edges.get('/States/Call a function/Catch/0').label);
  assert.equal(placed.edges.get('/States/Prepare/Next').label, undefined);
});

test('elements carry positions, routes and the box each sits in', () => {
  const elements = toElements(view, placed);
  const byId = new Map(elements.map((e) => [e.data.id, e]));
  const shout = byId.get('/States/Fan out/Branches/0/States/Shout');
  assert.equal(shout.data.box, '/States/Fan out/Branches/0');
  assert.equal(shout.data.depth, 2);
  assert.ok(byId.get('/States/Fan out').classes.includes('box'));
  assert.ok(byId.get('/States/Fan out/Branches/0').data.z < shout.data.z, 'a box is drawn behind what it holds');
  assert.ok(byId.get('/States/Check/Default#label'), 'labels are nodes where ELK put them');
  assert.equal(byId.get('/States/Check/Default').data.routed, true);
});

test('segment points are measured the way cytoscape reads them back', () => {
  const a = { x: 0, y: 0 };
  const b = { x: 0, y: 100 };
  const { weights, distances } = segments(a, b, [{ x: 20, y: 50 }]);
  // cytoscape: point = a + w (b - a) + d * (-dy, dx) / |b - a|
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const length = Math.hypot(dx, dy);
  const x = a.x + weights[0] * dx + (distances[0] * -dy) / length;
  const y = a.y + weights[0] * dy + (distances[0] * dx) / length;
  assert.deepEqual([Math.round(x), Math.round(y)], [20, 50]);
});

test('asking for the same layout twice while ELK works asks ELK once', async () => {
  let calls = 0;
  const counting = { layout: (graph) => ((calls += 1), elk.layout(graph)) };
  const bigger = viewOf(toGraph({ ...demo(), Comment: 'another shape' }));
  bigger.nodes[1] = { ...bigger.nodes[1], label: 'Renamed for a new key' };
  const [first, second] = await Promise.all([layout(bigger, { elk: counting }), layout(bigger, { elk: counting })]);
  assert.equal(calls, 1);
  assert.equal(first, second);
});
