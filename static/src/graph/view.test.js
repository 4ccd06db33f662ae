import assert from 'node:assert/strict';
import { test } from 'node:test';

import { toGraph } from '../asl/graph.js';
import { demo } from '../testing/machines.js';
import { viewOf } from './view.js';

const view = viewOf(toGraph(demo()));
const node = (id) => view.nodes.find((n) => n.id === id);

test('a Map processor folds into the Map state’s box', () => {
  const map = '/States/Fan out/Branches/1/States/Double each';
  assert.equal(node(`${map}/ItemProcessor/States/Double`).parent, map);
  assert.equal(view.machineOf.get(map), `${map}/ItemProcessor`);
  assert.equal(node(`${map}/ItemProcessor`), undefined);
});

test('Parallel branches stay boxes inside their Parallel', () => {
  assert.equal(node('/States/Fan out/Branches/0').parent, '/States/Fan out');
  assert.equal(view.machineOf.get('/States/Fan out/Branches/0'), '/States/Fan out/Branches/0');
});

test('only the whole machine has Start and End markers; a box marks its first state', () => {
  assert.deepEqual(view.nodes.filter((n) => n.kind === 'start' || n.kind === 'end').map((n) => n.id), ['#start', '#end']);
  assert.equal(node('/States/Fan out/Branches/0/States/Shout').first, true);
  assert.ok(view.edges.every((e) => node(e.source) && node(e.target)));
});

test('an empty Parallel branch or Map is still a box', () => {
  const empty = viewOf(toGraph({ StartAt: 'M', States: { M: { Type: 'Map', ItemProcessor: { StartAt: '', States: {} }, End: true } } }));
  assert.deepEqual(empty.children.get('/States/M'), []);
});
