import assert from 'node:assert/strict';
import { test } from 'node:test';

import { History } from './history.js';

test('it undoes and redoes whole definitions', () => {
  const history = new History({ n: 0 });
  history.push({ n: 1 });
  history.push({ n: 2 });
  assert.deepEqual(history.undo(), { n: 1 });
  assert.deepEqual(history.undo(), { n: 0 });
  assert.equal(history.undo(), undefined);
  assert.deepEqual(history.redo(), { n: 1 });
  assert.ok(history.canRedo);
});

test('a new edit after an undo forgets the redo branch', () => {
  const history = new History({ n: 0 });
  history.push({ n: 1 });
  history.undo();
  history.push({ n: 5 });
  assert.equal(history.canRedo, false);
  assert.deepEqual(history.present, { n: 5 });
});

test('it records nothing when nothing changed', () => {
  const history = new History({ n: 0 });
  assert.equal(history.push({ n: 0 }), false);
  assert.equal(history.canUndo, false);
});

test('it is dirty until the page marks the present saved, and again after an undo past it', () => {
  const history = new History({ n: 0 });
  assert.equal(history.dirty, false);
  history.push({ n: 1 });
  assert.equal(history.dirty, true);
  history.markSaved();
  assert.equal(history.dirty, false);
  history.undo();
  assert.equal(history.dirty, true);
});

test('it keeps at most `limit` steps back', () => {
  const history = new History(0, { limit: 3 });
  for (let n = 1; n <= 10; n += 1) history.push(n);
  let steps = 0;
  while (history.undo() !== undefined) steps += 1;
  assert.equal(steps, 3);
});
