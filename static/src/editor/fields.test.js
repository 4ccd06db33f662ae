import assert from 'node:assert/strict';
import { test } from 'node:test';

import { pathText, pathValue, withField } from './fields.js';

test('a new field goes before the transition fields', () => {
  const state = { Type: 'Task', Resource: 'fn:a/b', Catch: [], Next: 'X' };
  assert.deepEqual(Object.keys(withField(state, 'TimeoutSeconds', 3)), ['Type', 'Resource', 'TimeoutSeconds', 'Catch', 'Next']);
  assert.deepEqual(Object.keys(withField(state, 'Retry', [])), ['Type', 'Resource', 'Retry', 'Catch', 'Next']);
});

test('an existing field changes in place, and goes when set to undefined', () => {
  const state = { Type: 'Pass', Comment: 'a', End: true };
  assert.deepEqual(Object.keys(withField(state, 'Comment', 'b')), ['Type', 'Comment', 'End']);
  assert.deepEqual(withField(state, 'Comment', undefined), { Type: 'Pass', End: true });
});

test('path fields read null as null and nothing as absent', () => {
  assert.equal(pathValue(' null '), null);
  assert.equal(pathValue(''), undefined);
  assert.equal(pathValue('$.x'), '$.x');
  assert.equal(pathText(null), 'null');
});
