/**
 * JSON pointers (RFC 6901) name every place in a definition: a machine ("" for the top
 * level, "/States/Fan out/Branches/0" for a branch, "/States/Each/ItemProcessor" for a
 * Map's processor), a state ("/States/Fan out/Branches/0/States/Shout") and a field.
 * The server's validator reports problems with the same pointers, so one vocabulary
 * serves the graph ids, the edits and the problem highlights.
 */

/** One pointer segment, escaped as RFC 6901 says (`~` first, then `/`). */
export function escape(part) {
  return String(part).replaceAll('~', '~0').replaceAll('/', '~1');
}

export function unescape(part) {
  return part.replaceAll('~1', '/').replaceAll('~0', '~');
}

/** `join("", "States", "a/b")` -> `/States/a~1b`. */
export function join(base, ...parts) {
  return base + parts.map((part) => `/${escape(part)}`).join('');
}

/** The unescaped segments of a pointer: `/States/a~1b` -> `["States", "a/b"]`. */
export function split(pointer) {
  return pointer === '' ? [] : pointer.slice(1).split('/').map(unescape);
}

/** The pointer of state `name` in the machine at `machine`. */
export function statePointer(machine, name) {
  return join(machine, 'States', name);
}

/** `{machine, name}` of a state pointer (the inverse of `statePointer`). */
export function parseStatePointer(pointer) {
  const cut = pointer.lastIndexOf('/States/');
  if (cut < 0) throw new Error(`not a state pointer: ${pointer}`);
  return { machine: pointer.slice(0, cut), name: unescape(pointer.slice(cut + '/States/'.length)) };
}

/** The value at `pointer` inside `document`, or undefined. */
export function get(document, pointer) {
  let value = document;
  for (const part of split(pointer)) {
    if (value === null || typeof value !== 'object') return undefined;
    value = value[part];
  }
  return value;
}

export function isObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * The machines nested in a state: Parallel branches and a Map's ItemProcessor (or the
 * older Iterator), as `[{pointer, kind, index, key, machine}]`.
 */
export function childMachines(statePtr, state) {
  if (!isObject(state)) return [];
  const out = [];
  if (state.Type === 'Parallel' && Array.isArray(state.Branches)) {
    state.Branches.forEach((machine, index) => {
      out.push({ pointer: join(statePtr, 'Branches', index), kind: 'branch', index, key: 'Branches', machine });
    });
  }
  if (state.Type === 'Map') {
    for (const key of ['ItemProcessor', 'Iterator']) {
      if (key in state) out.push({ pointer: join(statePtr, key), kind: 'processor', index: 0, key, machine: state[key] });
    }
  }
  return out;
}

/** Every machine of a definition, outermost first: `[{pointer, machine, parentState}]`. */
export function machines(definition) {
  const out = [];
  const visit = (pointer, machine, parentState) => {
    out.push({ pointer, machine, parentState });
    const states = isObject(machine) && isObject(machine.States) ? machine.States : {};
    for (const [name, state] of Object.entries(states)) {
      const ptr = statePointer(pointer, name);
      for (const child of childMachines(ptr, state)) visit(child.pointer, child.machine, ptr);
    }
  };
  visit('', definition, null);
  return out;
}

/** Every state of a definition: `[{pointer, machine, name, state}]`, in document order. */
export function states(definition) {
  const out = [];
  for (const { pointer, machine } of machines(definition)) {
    const table = isObject(machine) && isObject(machine.States) ? machine.States : {};
    for (const [name, state] of Object.entries(table)) {
      out.push({ pointer: statePointer(pointer, name), machine: pointer, name, state });
    }
  }
  return out;
}
