import assert from 'node:assert/strict';
import { test } from 'node:test';

import { backoff, follow, wsUrl } from './socket.js';

class FakeSocket {
  static made = [];
  constructor(url) {
    this.url = url;
    this.closedWith = null;
    FakeSocket.made.push(this);
  }
  open() {
    this.onopen?.();
  }
  send(data) {
    this.onmessage?.({ data });
  }
  drop() {
    this.onerror?.();
    this.onclose?.();
  }
  close(code) {
    this.closedWith = code;
  }
}

function clock() {
  const pending = [];
  return {
    pending,
    setTimeout: (fn, ms) => pending.push({ fn, ms }) && pending.length,
    clearTimeout: (id) => (pending[id - 1].fn = () => {}),
    fire() {
      const { fn } = pending.shift();
      fn();
    },
  };
}

const start = (extra = {}) => {
  FakeSocket.made = [];
  const timers = clock();
  const seen = { events: [], reconnects: 0, statuses: [], opens: [] };
  const feed = follow('/ws/executions/1/', {
    base: 'https://stepflow.example/executions/1/',
    WebSocket: FakeSocket,
    setTimeout: timers.setTimeout,
    clearTimeout: timers.clearTimeout,
    target: null,
    random: () => 1,
    onEvent: (data) => seen.events.push(data),
    onReconnect: () => (seen.reconnects += 1),
    onOpen: (info) => seen.opens.push(info),
    onStatus: (status) => seen.statuses.push(status),
    ...extra,
  });
  return { feed, timers, seen };
};

test('it turns page URLs into socket URLs', () => {
  assert.equal(wsUrl('/ws/x/', 'https://h.example/a/'), 'wss://h.example/ws/x/');
  assert.equal(wsUrl('/ws/x/', 'http://127.0.0.1:8000/'), 'ws://127.0.0.1:8000/ws/x/');
  assert.equal(wsUrl('ws://other/ws/', 'http://h/'), 'ws://other/ws/');
});

test('it backs off by doubling, up to a ceiling, with jitter', () => {
  const top = { random: () => 1 };
  assert.deepEqual([0, 1, 2, 3].map((n) => backoff(n, top)), [500, 1000, 2000, 4000]);
  assert.equal(backoff(20, top), 30000);
  assert.equal(backoff(0, { random: () => 0 }), 250);
});

test('it hands over each message, parsed when it is JSON', () => {
  const { seen } = start();
  const socket = FakeSocket.made[0];
  assert.equal(socket.url, 'wss://stepflow.example/ws/executions/1/');
  socket.open();
  socket.send('{"type": "step", "sequence": 3}');
  socket.send('plain');
  assert.deepEqual(seen.events, [{ type: 'step', sequence: 3 }, 'plain']);
});

test('after a drop it reconnects with growing delays and asks the page to catch up', () => {
  const { timers, seen } = start();
  FakeSocket.made[0].open();
  FakeSocket.made[0].drop();
  assert.equal(timers.pending[0].ms, 500);
  timers.fire();
  FakeSocket.made[1].drop(); // the server is still down
  assert.equal(timers.pending[0].ms, 1000);
  timers.fire();
  FakeSocket.made[2].open();
  assert.equal(seen.reconnects, 1);
  assert.deepEqual(seen.opens, [{ first: true }, { first: false }]);
  assert.deepEqual(seen.statuses, ['connecting', 'open', 'waiting', 'connecting', 'waiting', 'connecting', 'open']);
  FakeSocket.made[2].drop();
  assert.equal(timers.pending[0].ms, 500, 'an open resets the back-off');
});

test('close stops for good', () => {
  const { feed, timers, seen } = start();
  FakeSocket.made[0].open();
  feed.close();
  assert.equal(FakeSocket.made[0].closedWith, 1000);
  FakeSocket.made[0].drop();
  assert.equal(timers.pending.length, 0);
  assert.equal(seen.statuses.at(-1), 'closed');
  assert.equal(feed.status, 'closed');
});

test('coming back online skips the rest of the back-off', () => {
  const listeners = {};
  const target = { addEventListener: (name, fn) => (listeners[name] = fn), removeEventListener: () => {} };
  const { timers } = start({ target });
  FakeSocket.made[0].drop();
  assert.equal(timers.pending.length, 1);
  listeners.online();
  assert.equal(FakeSocket.made.length, 2);
});

test('a URL given as a function is read again at each reconnect', () => {
  FakeSocket.made.length = 0;
  const timers = clock();
  let after = 5;
  const feed = follow(() => `/ws/x/?after=${after}`, { WebSocket: FakeSocket, base: 'http://host/', ...timers, random: () => 0 });
  FakeSocket.made[0].open();
  after = 9;
  FakeSocket.made[0].drop();
  timers.fire();
  assert.deepEqual(FakeSocket.made.map((socket) => socket.url), ['ws://host/ws/x/?after=5', 'ws://host/ws/x/?after=9']);
  feed.close();
});
