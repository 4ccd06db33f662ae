import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';

import { digest, keep, recall } from './layout-cache.js';

// localStorage as browsers have it, with a quota to overflow.
class Storage {
  constructor(quota = Infinity) {
    this.items = new Map();
    this.quota = quota;
  }
  getItem(name) {
    return this.items.has(name) ? this.items.get(name) : null;
  }
  setItem(name, value) {
    const used = [...this.items].reduce((sum, [k, v]) => sum + (k === name ? 0 : v.length), 0);
    if (used + value.length > this.quota) throw new Error('QuotaExceededError');
    this.items.set(name, String(value));
  }
  removeItem(name) {
    this.items.delete(name);
  }
}

const placement = (x) => ({
  nodes: new Map([['/States/A', { x, y: 0, width: 10, height: 10 }]]),
  edges: new Map([['/States/A/Next', { start: { x: 0, y: 0 }, end: { x: 0, y: 5 }, bends: [] }]]),
  width: 100,
  height: 50,
});

beforeEach(() => {
  globalThis.localStorage = new Storage();
});
afterEach(() => {
  delete globalThis.localStorage;
});

test('a kept layout comes back as it was stored, under the same input only', () => {
  keep('{"graph":1}', placement(7));
  const back = recall('{"graph":1}');
  assert.deepEqual(back, placement(7));
  assert.equal(recall('{"graph":2}'), undefined);
});

test('it remembers the twelve machines used last and forgets the rest', () => {
  for (let i = 0; i < 14; i += 1) keep(`input ${i}`, placement(i));
  recall('input 2'); // used again: now among the most recent
  keep('input 14', placement(14));
  assert.equal(recall('input 0'), undefined);
  assert.equal(recall('input 3'), undefined);
  assert.deepEqual(recall('input 2'), placement(2));
  assert.deepEqual(recall('input 14'), placement(14));
});

test('a full or missing storage costs a layout, never an error', () => {
  globalThis.localStorage = new Storage(300);
  keep('x'.repeat(10), placement(1));
  keep('y'.repeat(10), placement(2));
  assert.doesNotThrow(() => recall('y'.repeat(10)));
  delete globalThis.localStorage;
  assert.doesNotThrow(() => keep('z', placement(3)));
  assert.equal(recall('z'), undefined);
});

test('different inputs get different names', () => {
  const names = new Set(Array.from({ length: 2000 }, (_, i) => digest(`{"id":"#root","n":${i}}`)));
  assert.equal(names.size, 2000);
  assert.notEqual(digest('ab'), digest('ba'));
});
