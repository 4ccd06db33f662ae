/**
 * Edits of a definition, as pure functions: each takes a definition and returns a new one
 * (the argument is never changed), so a history of definitions is all undo needs.
 *
 * States are named by pointer (`/States/Fan out/Branches/0/States/Shout`), machines by
 * machine pointer ("" for the top level). An edit that makes no sense (a name already
 * taken, a transition out of a Succeed state) throws `EditError` with a sentence to show.
 * An edit that leaves the definition invalid in a way a person will fix next (a Choice rule
 * whose target was deleted) is allowed: the validator points at it.
 */

import { get, isObject, machines, parseStatePointer, split, statePointer } from './pointer.js';
import { NO_TRANSITION, emptyMachine, newState, uniqueName } from './templates.js';

export class EditError extends Error {
  name = 'EditError';
}

// ---------------------------------------------------------------- helpers

function clone(definition) {
  return isObject(definition) ? structuredClone(definition) : { StartAt: '', States: {} };
}

function machineIn(definition, pointer) {
  const machine = get(definition, pointer);
  if (!isObject(machine)) throw new EditError(`There is no state machine at ${pointer || 'the top level'}`);
  if (!isObject(machine.States)) machine.States = {};
  return machine;
}

function stateIn(definition, pointer) {
  const { machine, name } = parseStatePointer(pointer);
  const table = machineIn(definition, machine).States;
  if (!(name in table)) throw new EditError(`There is no state named "${name}"`);
  return { machine, name, table, state: table[name] };
}

/** Every state name in the definition: AWS wants them unique across all machines. */
export function stateNames(definition) {
  const names = new Set();
  for (const { machine } of machines(definition)) {
    if (isObject(machine) && isObject(machine.States)) Object.keys(machine.States).forEach((n) => names.add(n));
  }
  return names;
}

/** The same object with key `from` renamed to `to` (or `to` inserted after `from`), order kept. */
function rekey(table, from, to, value, { insertAfter = false } = {}) {
  const out = {};
  for (const [key, v] of Object.entries(table)) {
    if (key === from && !insertAfter) out[to] = value;
    else out[key] = v;
    if (key === from && insertAfter) out[to] = value;
  }
  if (!(to in out)) out[to] = value;
  return out;
}

function replaceStates(machine, table) {
  machine.States = table;
}

/** Calls `visit(holder, key)` for every field of a machine's states that names a state. */
function eachTransition(table, visit) {
  for (const state of Object.values(table)) {
    if (!isObject(state)) continue;
    if ('Next' in state) visit(state, 'Next');
    if ('Default' in state) visit(state, 'Default');
    for (const list of [state.Choices, state.Catch]) {
      if (Array.isArray(list)) list.forEach((item) => isObject(item) && 'Next' in item && visit(item, 'Next'));
    }
  }
}

function canTransition(state) {
  return isObject(state) && !NO_TRANSITION.has(state.Type);
}

function endHere(state) {
  delete state.Next;
  if (canTransition(state)) state.End = true;
}

function usesJsonata(definition, state) {
  return (state?.QueryLanguage ?? definition?.QueryLanguage) === 'JSONata';
}

// ---------------------------------------------------------------- states

/**
 * Add a state of `type` (or the given `state` body) to `machine`.
 * With `after` (a state pointer in the same machine) it is spliced into the flow after that
 * state; a machine without a valid StartAt starts with it. Returns `{definition, pointer}`.
 */
export function addState(definition, { type, machine = '', name, after, resource, state } = {}) {
  const out = clone(definition);
  const target = machineIn(out, machine);
  const body = state ? structuredClone(state) : newState(type, { resource });
  const taken = stateNames(out);
  const chosen = uniqueName(name || body.Type, (n) => taken.has(n));

  let afterName;
  if (after && parseStatePointer(after).machine === machine && parseStatePointer(after).name in target.States) {
    afterName = parseStatePointer(after).name;
    const previous = target.States[afterName];
    if (previous?.Type === 'Choice') {
      if (!previous.Default) previous.Default = chosen;
    } else if (canTransition(previous)) {
      if (typeof previous.Next === 'string' && canTransition(body)) {
        body.Next = previous.Next;
        delete body.End;
      }
      previous.Next = chosen;
      delete previous.End;
    }
  }
  replaceStates(target, afterName ? rekey(target.States, afterName, chosen, body, { insertAfter: true }) : { ...target.States, [chosen]: body });
  if (typeof target.StartAt !== 'string' || !(target.StartAt in target.States)) target.StartAt = chosen;
  return { definition: out, pointer: statePointer(machine, chosen) };
}

/** Rename a state and every StartAt, Next, Default and Catch that names it. */
export function renameState(definition, pointer, newName) {
  const out = clone(definition);
  const { machine, name, table, state } = stateIn(out, pointer);
  if (newName === name) return out;
  if (typeof newName !== 'string' || newName.trim() === '') throw new EditError('A state needs a name');
  if (newName.length > 80) throw new EditError('A state name has at most 80 characters');
  if (stateNames(out).has(newName)) throw new EditError(`A state named "${newName}" already exists`);
  const target = machineIn(out, machine);
  replaceStates(target, rekey(table, name, newName, state));
  if (target.StartAt === name) target.StartAt = newName;
  eachTransition(target.States, (holder, key) => {
    if (holder[key] === name) holder[key] = newName;
  });
  return out;
}

/**
 * Delete a state. What led to it now leads to its Next, so a chain stays a chain; without a
 * Next, `Next` fields become `End`, and Default / rule / Catch targets are removed (the
 * validator then points at rules left without a target).
 */
export function deleteState(definition, pointer) {
  const out = clone(definition);
  const { machine, name, table, state } = stateIn(out, pointer);
  const target = machineIn(out, machine);
  const successor = isObject(state) && typeof state.Next === 'string' && state.Next !== name && state.Next in table ? state.Next : undefined;
  delete table[name];
  eachTransition(table, (holder, key) => {
    if (holder[key] !== name) return;
    if (successor) holder[key] = successor;
    else if (key === 'Next' && 'Type' in holder) endHere(holder);
    else delete holder[key];
  });
  if (target.StartAt === name) target.StartAt = successor ?? Object.keys(table)[0] ?? '';
  return out;
}

/** Replace a state's body (the inspector's edits); its name stays. */
export function updateState(definition, pointer, body) {
  const out = clone(definition);
  const { table, name } = stateIn(out, pointer);
  table[name] = structuredClone(body);
  return out;
}

/** Replace a machine's own fields (Comment, StartAt, TimeoutSeconds…); its States stay, last. */
export function updateMachine(definition, pointer, fields) {
  const out = clone(definition);
  const machine = machineIn(out, pointer);
  const { States: states } = machine;
  const own = structuredClone(fields);
  delete own.States;
  // Edit in place: the top-level machine is the definition object itself.
  for (const key of Object.keys(machine)) delete machine[key];
  Object.assign(machine, own, { States: states });
  return out;
}

// ---------------------------------------------------------------- transitions

/**
 * Make a transition from one state to another in the same machine: a Next for most states,
 * a new rule for a Choice (a placeholder test for the inspector to refine). Returns
 * `{definition, edge}` with the pointer of the field that now holds the transition.
 */
export function connect(definition, from, to) {
  const out = clone(definition);
  const source = stateIn(out, from);
  const target = stateIn(out, to);
  if (source.machine !== target.machine) throw new EditError('A transition stays inside one machine (or one branch)');
  const state = source.state;
  if (!isObject(state) || state.Type === 'Succeed' || state.Type === 'Fail') {
    throw new EditError(`A ${state?.Type ?? 'broken'} state ends its machine: it has no transitions`);
  }
  if (state.Type === 'Choice') {
    if (!Array.isArray(state.Choices)) state.Choices = [];
    const rule = usesJsonata(out, state) ? { Condition: '{% true %}' } : { Variable: '$.value', IsPresent: true };
    state.Choices.push({ ...rule, Next: target.name });
    return { definition: out, edge: `${from}/Choices/${state.Choices.length - 1}` };
  }
  state.Next = target.name;
  delete state.End;
  return { definition: out, edge: `${from}/Next` };
}

/** Make a state end its machine (a drag onto the End marker): End instead of Next. */
export function connectToEnd(definition, pointer) {
  const out = clone(definition);
  const { state } = stateIn(out, pointer);
  if (!canTransition(state)) throw new EditError(`A ${state?.Type ?? 'broken'} state cannot take End`);
  const { table, name } = stateIn(out, pointer);
  const body = { ...state };
  delete body.Next;
  body.End = true;
  table[name] = body;
  return out;
}

/** The edge id's parts: the state (or machine, for StartAt) pointer, the field, the index. */
export function parseEdge(edgeId) {
  let match = /^(.*)\/(Choices|Catch)\/(\d+)$/.exec(edgeId);
  if (match) return { owner: match[1], field: match[2], index: Number(match[3]) };
  match = /^(.*)\/(Next|Default|End|StartAt)$/.exec(edgeId);
  if (match) return { owner: match[1], field: match[2] };
  throw new EditError(`not an edge: ${edgeId}`);
}

/**
 * Remove the transition an edge draws: a Next becomes End, a Default goes, a Choice rule or
 * a Catch is removed from its list, a StartAt is emptied.
 */
export function disconnect(definition, edgeId) {
  const out = clone(definition);
  const { owner, field, index } = parseEdge(edgeId);
  if (field === 'StartAt') {
    machineIn(out, owner).StartAt = '';
    return out;
  }
  const { state } = stateIn(out, owner);
  if (!isObject(state)) return out;
  if (field === 'Next') endHere(state);
  else if (field === 'Default' || field === 'End') delete state[field];
  else if (Array.isArray(state[field])) {
    state[field].splice(index, 1);
    if (state[field].length === 0 && field === 'Catch') delete state.Catch;
  }
  return out;
}

/** Set a machine's StartAt to one of its states. */
export function setStartAt(definition, pointer) {
  const out = clone(definition);
  const { machine, name } = stateIn(out, pointer);
  machineIn(out, machine).StartAt = name;
  return out;
}

// ---------------------------------------------------------------- machines

/**
 * Move a state into another machine (into a branch, out of one). It leaves its old flow as
 * `deleteState` would; its own transitions pointed into the old machine, so they go (Next
 * becomes End; rule, Default and Catch targets are cleared for the person to choose anew).
 * With `after`, it is spliced after that state of the new machine.
 */
export function moveState(definition, pointer, toMachine, { after } = {}) {
  const { machine, name, state } = stateIn(clone(definition), pointer);
  if (machine === toMachine) return { definition: clone(definition), pointer };
  if (toMachine.startsWith(`${pointer}/`)) throw new EditError('A state cannot move inside itself');
  if (!isObject(get(definition, toMachine))) throw new EditError(`There is no state machine at ${toMachine}`);
  const body = structuredClone(state);
  if (isObject(body)) {
    endHere(body);
    if (NO_TRANSITION.has(body.Type)) delete body.End;
    delete body.Default;
    for (const list of [body.Choices, body.Catch]) {
      if (Array.isArray(list)) list.forEach((item) => isObject(item) && delete item.Next);
    }
  }
  const removed = deleteState(definition, pointer);
  return addState(removed, { machine: toMachine, state: body, name, after });
}

/** Add an empty branch to a Parallel state. */
export function addBranch(definition, parallel) {
  const out = clone(definition);
  const { state } = stateIn(out, parallel);
  if (!isObject(state) || state.Type !== 'Parallel') throw new EditError('Only a Parallel state has branches');
  if (!Array.isArray(state.Branches)) state.Branches = [];
  state.Branches.push(emptyMachine());
  return out;
}

/** Remove a Parallel branch given its pointer (`…/Branches/1`). */
export function removeBranch(definition, branch) {
  const parts = split(branch);
  const index = Number(parts.at(-1));
  if (parts.at(-2) !== 'Branches' || !Number.isInteger(index)) throw new EditError(`not a branch: ${branch}`);
  const out = clone(definition);
  const parallel = branch.slice(0, branch.lastIndexOf('/Branches/'));
  const { state } = stateIn(out, parallel);
  state.Branches.splice(index, 1);
  return out;
}
