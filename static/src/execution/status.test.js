import assert from 'node:assert/strict';
import { test } from 'node:test';

import { demo } from '../testing/machines.js';
import { ExecutionState, isStale, locateStep, mostUrgent } from './status.js';

let sequence = 0;
const step = (state_name, status, extra = {}) => ({ sequence: ++sequence, state_name, status, attempt: 0, branch: [], ...extra });

test('it finds the state of a step inside branches and iterations', () => {
  const place = locateStep(demo(), step('Double', 'SUCCEEDED', { branch: [['Fan out', 1], ['Double each', 2]] }));
  assert.equal(place.pointer, '/States/Fan out/Branches/1/States/Double each/ItemProcessor/States/Double');
  assert.deepEqual(place.frames.map((f) => [f.kind, f.index]), [['branch', 1], ['iteration', 2]]);
  assert.equal(locateStep(demo(), step('Nope', 'RUNNING')), undefined);
});

test('it colours visited states and leaves the others out', () => {
  const run = new ExecutionState(demo(), [step('Prepare', 'SUCCEEDED'), step('Pause', 'RUNNING')]);
  const statuses = run.statuses();
  assert.equal(statuses.get('/States/Prepare').status, 'succeeded');
  assert.equal(statuses.get('/States/Pause').status, 'running');
  assert.equal(statuses.has('/States/Done'), false);
});

test('a newer copy of a step replaces the older one', () => {
  const run = new ExecutionState(demo());
  const first = step('Pause', 'RUNNING');
  run.apply(first);
  run.apply({ ...first, status: 'SUCCEEDED' });
  assert.equal(run.statuses().get('/States/Pause').status, 'succeeded');
  assert.equal(run.steps.length, 1);
});

test('an older copy of a step arriving late does not undo a newer one', () => {
  const run = new ExecutionState(demo());
  const open = step('Call a function', 'RUNNING', { attempt: 1, exited_at: null });
  const done = { ...open, status: 'SUCCEEDED', exited_at: '2026-01-01T00:00:01Z' };
  run.apply(done);
  assert.equal(run.apply(open), false);
  assert.equal(run.apply({ ...open, attempt: 0 }), false);
  assert.equal(run.statuses().get('/States/Call a function').status, 'retried');
  assert.equal(isStale(open, { ...open, attempt: 2 }), false);
  assert.equal(isStale(undefined, open), false);
});

test('a failure its frame went on from was caught; one it did not was a failure', () => {
  const caught = new ExecutionState(demo(), [step('Call a function', 'FAILED', { error: 'States.TaskFailed' }), step('Check', 'SUCCEEDED')]);
  assert.equal(caught.statuses().get('/States/Call a function').status, 'caught');
  const failed = new ExecutionState(demo(), [step('Call a function', 'FAILED', { error: 'States.TaskFailed' })]);
  assert.equal(failed.statuses().get('/States/Call a function').status, 'failed');
});

test('a state that needed more than one attempt was retried', () => {
  const run = new ExecutionState(demo(), [step('Call a function', 'SUCCEEDED', { attempt: 1 })]);
  assert.equal(run.statuses().get('/States/Call a function').status, 'retried');
  assert.equal(run.statuses().get('/States/Call a function').attempts, 2);
});

test('Map iterations show together, or one at a time', () => {
  const inMap = (index, status) => step('Double', status, { branch: [['Fan out', 1], ['Double each', index]] });
  const run = new ExecutionState(demo(), [inMap(0, 'SUCCEEDED'), inMap(1, 'FAILED'), inMap(2, 'RUNNING')]);
  const double = '/States/Fan out/Branches/1/States/Double each/ItemProcessor/States/Double';
  const map = '/States/Fan out/Branches/1/States/Double each';
  assert.equal(run.statuses().get(double).status, 'running');
  assert.equal(run.statuses().get(double).visits, 3);
  assert.equal(run.statuses({ [map]: 0 }).get(double).status, 'succeeded');
  assert.equal(run.statuses({ [map]: 1 }).get(double).status, 'failed');
  assert.deepEqual(run.children(map), [
    { index: 0, status: 'succeeded' },
    { index: 1, status: 'failed' },
    { index: 2, status: 'running' },
  ]);
  assert.deepEqual(run.children('/States/Fan out').map((b) => b.index), [1]);
});

test('the most urgent status wins', () => {
  assert.equal(mostUrgent(['succeeded', 'caught', 'running']), 'running');
  assert.equal(mostUrgent([]), 'not-reached');
});

test('it lists the transitions taken, frame by frame', () => {
  const run = new ExecutionState(demo(), [
    step('Prepare', 'SUCCEEDED'),
    step('Shout', 'SUCCEEDED', { branch: [['Fan out', 0]] }),
    step('Pause', 'SUCCEEDED'),
  ]);
  assert.deepEqual([...run.transitions()], ['/States/Prepare -> /States/Pause']);
});

test('it lists the visible steps of one state', () => {
  const run = new ExecutionState(demo(), [step('Prepare', 'SUCCEEDED'), step('Pause', 'SUCCEEDED')]);
  assert.deepEqual(run.stepsOf('/States/Pause').map((s) => s.state_name), ['Pause']);
});
