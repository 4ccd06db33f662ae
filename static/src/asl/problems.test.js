import assert from 'node:assert/strict';
import { test } from 'node:test';

import { demo } from '../testing/machines.js';
import { toGraph } from './graph.js';
import { placeProblems } from './problems.js';

const ids = () => {
  const graph = toGraph(demo());
  return [...graph.nodes, ...graph.edges].map((e) => e.id);
};

test('it puts a problem on the deepest state or edge its path names', () => {
  const problems = [
    { path: '/States/Fan out/Branches/0/States/Shout/Parameters', message: 'bad' },
    { path: '/States/Check/Choices/0/Next', message: 'rule' },
    { path: '/States/Pause/Seconds', message: 'wait' },
    { path: '/States/Fan out/Branches/1/StartAt', message: 'branch' },
  ];
  const { byId, unplaced } = placeProblems(problems, ids());
  assert.deepEqual(byId.get('/States/Fan out/Branches/0/States/Shout'), [problems[0]]);
  assert.deepEqual(byId.get('/States/Check/Choices/0'), [problems[1]]);
  assert.deepEqual(byId.get('/States/Pause'), [problems[2]]);
  assert.deepEqual(byId.get('/States/Fan out/Branches/1/StartAt'), [problems[3]]);
  assert.deepEqual(unplaced, []);
});

test('it leaves problems of the whole document unplaced', () => {
  const problems = [{ path: '', message: 'not JSON' }, { path: '/TimeoutSeconds', message: 'too big' }];
  assert.deepEqual(placeProblems(problems, ids()).unplaced, problems);
});
