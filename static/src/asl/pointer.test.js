import assert from 'node:assert/strict';
import { test } from 'node:test';

import { demo } from '../testing/machines.js';
import { get, join, machines, parseStatePointer, split, statePointer, states } from './pointer.js';

test('it escapes ~ and / as RFC 6901 says', () => {
  assert.equal(join('', 'States', 'a/b~c'), '/States/a~1b~0c');
  assert.deepEqual(split('/States/a~1b~0c'), ['States', 'a/b~c']);
  assert.deepEqual(parseStatePointer(statePointer('/States/P/Branches/0', 'x/y')), { machine: '/States/P/Branches/0', name: 'x/y' });
});

test('it finds values by pointer', () => {
  assert.equal(get(demo(), '/States/Pause/Seconds'), 2);
  assert.equal(get(demo(), '/States/Fan out/Branches/1/States/Double each/MaxConcurrency'), 2);
  assert.equal(get(demo(), '/States/Nope/Seconds'), undefined);
});

test('it lists machines outermost first and states in document order', () => {
  assert.deepEqual(
    machines(demo()).map((m) => m.pointer),
    ['', '/States/Fan out/Branches/0', '/States/Fan out/Branches/1', '/States/Fan out/Branches/1/States/Double each/ItemProcessor'],
  );
  assert.equal(states(demo()).length, 10);
  assert.equal(states(demo())[0].pointer, '/States/Prepare');
});
