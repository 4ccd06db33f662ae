/**
 * Layouts kept across page loads. A first layout of 200 states costs a page about 0.2 s
 * (dagre's code is not yet warm), and operators open the same machine again and again: its
 * editor, its machine page, and an execution page per run, all of the same version. So a
 * big machine's placement is kept in localStorage under a hash of the layout's exact input
 * (graph, sizes measured in this browser's fonts, spacing, the layout's revision): the same
 * input gives the same answer, and any change gives a new key.
 *
 * `recall(key)` -> a placement or undefined; `keep(key, placement)`. Both swallow storage
 * errors (private mode, quota, storage switched off): the cache only ever saves time.
 * A placement is `{nodes: Map, edges: Map, width, height}` as `layout()` returns it.
 */

const PREFIX = 'stepflow.layout.';
const INDEX = `${PREFIX}index`;
const KEEP = 12; // machines remembered, most recently used first
export const MIN_NODES = 40; // smaller graphs lay out in a few milliseconds: not worth storing

function storage() {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null; // some browsers throw on access when storage is blocked
  }
}

/**
 * A 53-bit hash of the key (cyrb53) and its length: keys are layout inputs of ~100 kB, too
 * big to store as names, and crypto.subtle needs a secure context that a LAN install
 * served over plain HTTP lacks.
 */
export function digest(text) {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return `${(4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36)}.${text.length.toString(36)}`;
}

function readIndex(store) {
  try {
    const index = JSON.parse(store.getItem(INDEX) ?? '[]');
    return Array.isArray(index) ? index : [];
  } catch {
    return [];
  }
}

export function recall(key) {
  const store = storage();
  if (!store) return undefined;
  const name = digest(key);
  try {
    const text = store.getItem(PREFIX + name);
    if (!text) return undefined;
    const saved = JSON.parse(text);
    store.setItem(INDEX, JSON.stringify([name, ...readIndex(store).filter((n) => n !== name)]));
    return { nodes: new Map(saved.nodes), edges: new Map(saved.edges), width: saved.width, height: saved.height };
  } catch {
    return undefined;
  }
}

export function keep(key, placement) {
  const store = storage();
  if (!store) return;
  const name = digest(key);
  const text = JSON.stringify({ nodes: [...placement.nodes], edges: [...placement.edges], width: placement.width, height: placement.height });
  const index = [name, ...readIndex(store).filter((n) => n !== name)];
  try {
    for (const old of index.splice(KEEP)) store.removeItem(PREFIX + old);
    store.setItem(PREFIX + name, text);
    store.setItem(INDEX, JSON.stringify(index));
  } catch {
    // Full: forget the older half and give up on this one; the next page lays it out again.
    try {
      for (const old of index.splice(Math.ceil(index.length / 2))) store.removeItem(PREFIX + old);
      store.setItem(INDEX, JSON.stringify(index.slice(1)));
    } catch {
      // Storage is unusable: nothing more to do.
    }
  }
}
