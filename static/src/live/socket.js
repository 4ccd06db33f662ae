/**
 * Follow a live feed over a WebSocket, reconnecting with back-off.
 *
 *   const feed = follow('/ws/executions/<id>/', {        // or () => url, read at each (re)connect
 *     onEvent(data) {},          // each message, parsed from JSON (the raw text if it is not JSON)
 *     onReconnect() {},          // the socket is open again after a drop: re-fetch over HTTP to catch up
 *     onOpen({first}) {},        // every open, the first one included
 *     onStatus(status) {},       // 'connecting' | 'open' | 'waiting' (to reconnect) | 'closed'
 *   });
 *   feed.close();                // stop for good
 *
 * The page renders the current state over HTTP first and applies deltas from here; the
 * socket only ever costs freshness, never correctness (DESIGN.md, house rule 7). Messages
 * sent while the socket was down are lost by design, which is why `onReconnect` exists.
 * A page that fears the gap between its first HTTP render and the first open can also
 * catch up in `onOpen`.
 */

/** `url` as a ws:// or wss:// URL, resolved against the page's location. */
export function wsUrl(url, base = globalThis.location?.href) {
  const resolved = new URL(url, base);
  if (resolved.protocol === 'http:') resolved.protocol = 'ws:';
  if (resolved.protocol === 'https:') resolved.protocol = 'wss:';
  return resolved.href;
}

/**
 * Milliseconds to wait before reconnect attempt `attempt` (0 for the first): doubling from
 * `min` up to `max`, with jitter so a restarted server is not hit by every page at once.
 */
export function backoff(attempt, { min = 500, max = 30000, random = Math.random } = {}) {
  const ceiling = Math.min(max, min * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export function follow(url, options = {}) {
  const {
    onEvent = () => {},
    onReconnect = () => {},
    onOpen = () => {},
    onStatus = () => {},
    WebSocket: Socket = globalThis.WebSocket,
    setTimeout: later = globalThis.setTimeout.bind(globalThis),
    clearTimeout: cancel = globalThis.clearTimeout.bind(globalThis),
    target = globalThis.window,
    min,
    max,
    random,
  } = options;
  // A function names the URL afresh at each connect: a page resumes from what it holds.
  const address = () => wsUrl(typeof url === 'function' ? url() : url, options.base);

  let socket = null;
  let timer = null;
  let attempt = 0; // failed attempts since the last open
  let opened = 0;
  let closed = false;
  let status = '';

  const setStatus = (next) => {
    if (next !== status) onStatus((status = next));
  };

  const connect = () => {
    timer = null;
    if (closed) return;
    setStatus('connecting');
    socket = new Socket(address());
    socket.onopen = () => {
      attempt = 0;
      opened += 1;
      setStatus('open');
      onOpen({ first: opened === 1 });
      if (opened > 1) onReconnect();
    };
    socket.onmessage = (message) => {
      let data = message.data;
      try {
        data = JSON.parse(message.data);
      } catch {
        // not JSON: hand over the text as it came
      }
      onEvent(data);
    };
    socket.onclose = () => {
      socket = null;
      if (closed) return;
      setStatus('waiting');
      timer = later(connect, backoff(attempt, { min, max, random }));
      attempt += 1;
    };
    // An error is always followed by close, which schedules the reconnect.
    socket.onerror = () => {};
  };

  // Coming back online is the best moment to retry: skip the rest of the back-off.
  const online = () => {
    if (timer !== null) {
      cancel(timer);
      connect();
    }
  };
  target?.addEventListener?.('online', online);

  connect();

  return {
    get status() {
      return status;
    },
    close() {
      closed = true;
      if (timer !== null) cancel(timer);
      timer = null;
      target?.removeEventListener?.('online', online);
      if (socket) socket.close(1000);
      setStatus('closed');
    },
  };
}
