import assert from 'node:assert/strict';
import { test } from 'node:test';

import { fieldsFor, pathText, pathValue, queryLanguage, withField } from './fields.js';

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

test('a state uses its own query language, else the machine\'s, else JSONPath', () => {
  assert.equal(queryLanguage({ Type: 'Pass' }, {}), 'JSONPath');
  assert.equal(queryLanguage({ Type: 'Pass' }, { QueryLanguage: 'JSONata' }), 'JSONata');
  assert.equal(queryLanguage({ Type: 'Pass', QueryLanguage: 'JSONata' }, {}), 'JSONata');
});

test('a state shows the fields of its query language, and any other it still has', () => {
  const keys = (type, options) => fieldsFor(type, options).map((f) => f.key);
  assert.ok(keys('Task', { language: 'JSONata' }).includes('Arguments'));
  assert.ok(!keys('Task', { language: 'JSONata' }).includes('Parameters'));
  assert.ok(keys('Task', { language: 'JSONata', state: { Parameters: {} } }).includes('Parameters'));
  assert.ok(!keys('Map', { language: 'JSONata' }).includes('Arguments'), 'a Map takes ItemSelector, not Arguments');
  assert.ok(!keys('Succeed', { language: 'JSONPath' }).includes('Assign'), 'Succeed and Fail assign nothing');
});
