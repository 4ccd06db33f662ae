import assert from 'node:assert/strict';
import { test } from 'node:test';

import { toGraph } from '../asl/graph.js';
import { demo, repositoryMachines } from '../testing/machines.js';
import { toElements, segments } from './elements.js';
import { layout } from './layout.js';
import { viewOf } from './view.js';

const view = viewOf(toGraph(demo()));
const placed = layout(view);

const inside = (inner, outer) => inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.width <= outer.x + outer.width && inner.y + inner.height <= outer.y + outer.height;
const overlap = (a, b) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
const onBorder = (p, box) =>
  p.x >= box.x - 0.5 && p.x <= box.x + box.width + 0.5 && p.y >= box.y - 0.5 && p.y <= box.y + box.height + 0.5 && (Math.abs(p.y - box.y) < 0.5 || Math.abs(p.y - box.y - box.height) < 0.5);

/** Every machine in the repository, laid out: a wide sample of real shapes. */
const everyMachine = repositoryMachines().map(({ name, definition }) => {
  const machineView = viewOf(toGraph(definition));
  return { name, view: machineView, placed: layout(machineView) };
});

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

test('a Choice keeps its rules in order from left to right, then Default', () => {
  const x = (id) => placed.edges.get(id).label.x;
  assert.ok(x('/States/Check/Choices/0') < x('/States/Check/Default'));
});

test('in every machine, routes are orthogonal and run from the border of one state to the border of the other', () => {
  for (const { name, view: v, placed: p } of everyMachine) {
    for (const edge of v.edges) {
      const route = p.edges.get(edge.id);
      if (edge.source === edge.target) {
        assert.equal(route.start, undefined, `${name}: ${edge.id} is a loop, drawn by the canvas`);
        continue;
      }
      const points = [route.start, ...route.bends, route.end];
      for (let i = 1; i < points.length; i += 1) {
        const [a, b] = [points[i - 1], points[i]];
        assert.ok(Math.abs(a.x - b.x) < 0.5 || Math.abs(a.y - b.y) < 0.5, `${name}: ${edge.id} has a slanted segment`);
      }
      assert.ok(onBorder(route.start, p.nodes.get(edge.source)), `${name}: ${edge.id} leaves its source's top or bottom`);
      assert.ok(onBorder(route.end, p.nodes.get(edge.target)), `${name}: ${edge.id} enters its target's top or bottom`);
    }
  }
});

test('in every machine, no route runs through a state other than its two ends', () => {
  for (const { name, view: v, placed: p } of everyMachine) {
    const states = v.nodes.filter((n) => !v.children.has(n.id));
    for (const edge of v.edges) {
      const route = p.edges.get(edge.id);
      if (!route.start) continue;
      const points = [route.start, ...route.bends, route.end];
      for (let i = 1; i < points.length; i += 1) {
        const run = { x: Math.min(points[i - 1].x, points[i].x), y: Math.min(points[i - 1].y, points[i].y) };
        Object.assign(run, { width: Math.max(points[i - 1].x, points[i].x) - run.x, height: Math.max(points[i - 1].y, points[i].y) - run.y });
        for (const state of states) {
          if (state.id === edge.source || state.id === edge.target) continue;
          const box = p.nodes.get(state.id);
          const shrunk = { x: box.x + 1, y: box.y + 1, width: box.width - 2, height: box.height - 2 };
          assert.ok(!overlap({ ...run, width: run.width || 0.01, height: run.height || 0.01 }, shrunk), `${name}: ${edge.id} runs through ${state.id}`);
        }
      }
    }
  }
});

test('in every machine, no two nodes of one box overlap, and no label covers a state', () => {
  for (const { name, view: v, placed: p } of everyMachine) {
    for (const siblings of v.children.values()) {
      for (let i = 0; i < siblings.length; i += 1) {
        for (let j = i + 1; j < siblings.length; j += 1) {
          assert.ok(!overlap(p.nodes.get(siblings[i].id), p.nodes.get(siblings[j].id)), `${name}: ${siblings[i].id} and ${siblings[j].id} overlap`);
        }
      }
    }
    const states = v.nodes.filter((n) => !v.children.has(n.id)).map((n) => p.nodes.get(n.id));
    for (const [id, route] of p.edges) {
      if (!route.label) continue;
      for (const box of states) assert.ok(!overlap(route.label, box), `${name}: the label of ${id} covers a state`);
    }
  }
});

test('Parallel branches stand side by side, tops aligned, as tall as the tallest', () => {
  const branches = view.children.get('/States/Fan out').map((n) => placed.nodes.get(n.id));
  assert.ok(branches.length >= 2);
  assert.equal(new Set(branches.map((b) => b.y)).size, 1);
  assert.equal(new Set(branches.map((b) => b.height)).size, 1);
  assert.ok(branches[0].x + branches[0].width <= branches[1].x);
});

test('elements carry positions, routes and the box each sits in', () => {
  const elements = toElements(view, placed);
  const byId = new Map(elements.map((e) => [e.data.id, e]));
  const shout = byId.get('/States/Fan out/Branches/0/States/Shout');
  assert.equal(shout.data.box, '/States/Fan out/Branches/0');
  assert.equal(shout.data.depth, 2);
  assert.ok(byId.get('/States/Fan out').classes.includes('box'));
  assert.ok(byId.get('/States/Fan out/Branches/0').data.z < shout.data.z, 'a box is drawn behind what it holds');
  assert.ok(byId.get('/States/Check/Default#label'), 'labels are nodes where the layout put them');
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

test('the same input gives the same answer, without laying out again; a new shape, a new one', () => {
  const again = layout(viewOf(toGraph(demo())));
  const before = layout(view);
  assert.equal(layout(view), before);
  assert.deepEqual(again, before);
  const renamed = viewOf(toGraph(demo()));
  const at = renamed.nodes.findIndex((n) => n.id === '/States/Prepare');
  renamed.nodes[at] = { ...renamed.nodes[at], label: 'A much longer name than before, for a wider box' };
  renamed.children.set(null, renamed.children.get(null).map((n) => (n.id === '/States/Prepare' ? renamed.nodes[at] : n)));
  const wider = layout(renamed);
  assert.notEqual(wider, before);
  assert.ok(wider.nodes.get('/States/Prepare').width > before.nodes.get('/States/Prepare').width);
});

test('shapes met while editing lay out too: no states, an empty branch or Map, a state on its own, a Next to nowhere', () => {
  const shapes = [
    { StartAt: '', States: {} },
    { StartAt: 'P', States: { P: { Type: 'Parallel', Branches: [{ StartAt: '', States: {} }, { StartAt: 'A', States: { A: { Type: 'Pass', End: true } } }], End: true } } },
    { StartAt: 'M', States: { M: { Type: 'Map', ItemProcessor: { StartAt: '', States: {} }, End: true } } },
    { StartAt: 'A', States: { A: { Type: 'Pass', End: true }, B: { Type: 'Pass', Next: 'B' } } },
    { StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Nowhere' } } },
  ];
  for (const definition of shapes) {
    const shape = viewOf(toGraph(definition));
    const out = layout(shape);
    for (const node of shape.nodes) {
      const box = out.nodes.get(node.id);
      assert.ok(box && Number.isFinite(box.x) && Number.isFinite(box.y) && box.width > 0 && box.height > 0, `${JSON.stringify(definition)}: ${node.id}`);
    }
    assert.ok(out.width > 0 && out.height > 0);
  }
});
