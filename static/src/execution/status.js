/**
 * What happened to each state of an execution, from its steps (the API's StepOutput:
 * `{sequence, state_name, state_type, branch: [[Parallel or Map name, index], …], status,
 * attempt, error, cause, …}`, one per state visit in a frame).
 *
 * A visit reads as: `running`, `succeeded`, `retried` (succeeded after more than one
 * attempt), `failed`, `caught` (failed, and its frame went on: a Catch took it), or
 * `aborted`. A state never visited is `not-reached`. A state visited in several frames
 * (Map iterations) shows the most pressing of them, unless one iteration is chosen.
 */

import { get, isObject, join, statePointer } from '../asl/pointer.js';

export const STATUSES = ['not-reached', 'running', 'succeeded', 'failed', 'caught', 'retried', 'aborted'];

export const STATUS_LABELS = {
  'not-reached': 'Not reached',
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
  caught: 'Caught error',
  retried: 'Retried',
  aborted: 'Aborted',
};

// Across iterations, the status a person should see first.
const URGENCY = ['running', 'failed', 'aborted', 'caught', 'retried', 'succeeded', 'not-reached'];

export function mostUrgent(statuses) {
  let best = 'not-reached';
  for (const status of statuses) if (URGENCY.indexOf(status) < URGENCY.indexOf(best)) best = status;
  return best;
}

/**
 * The frames a step ran in, outermost first: `[{pointer, kind, index}]` where pointer is the
 * Parallel or Map state and kind `branch` or `iteration`; and the pointer of its state.
 * Undefined when the step does not fit the definition (another version).
 */
export function locateStep(definition, step) {
  let machine = '';
  const frames = [];
  for (const [name, index] of Array.isArray(step.branch) ? step.branch : []) {
    const pointer = statePointer(machine, name);
    const state = get(definition, pointer);
    if (!isObject(state)) return undefined;
    if (state.Type === 'Parallel') {
      frames.push({ pointer, kind: 'branch', index });
      machine = join(pointer, 'Branches', index);
    } else if (state.Type === 'Map') {
      frames.push({ pointer, kind: 'iteration', index });
      machine = join(pointer, 'Iterator' in state && !('ItemProcessor' in state) ? 'Iterator' : 'ItemProcessor');
    } else {
      return undefined;
    }
  }
  const pointer = statePointer(machine, step.state_name);
  return get(definition, pointer) === undefined ? undefined : { pointer, frames };
}

/** The status of one visit; `wentOn` says whether its frame had a later step. */
export function visitStatus(step, wentOn) {
  switch (step.status) {
    case 'RUNNING':
      return 'running';
    case 'ABORTED':
      return 'aborted';
    case 'FAILED':
      return wentOn ? 'caught' : 'failed';
    default:
      return step.attempt > 0 ? 'retried' : 'succeeded';
  }
}

/**
 * True when `incoming` is an older picture of the step `held` shows (a socket may hand over
 * a database read that started before a push it already delivered): a step never goes from
 * exited back to open, nor back to an earlier attempt.
 */
export function isStale(held, incoming) {
  if (!held) return false;
  if (held.exited_at && !incoming.exited_at) return true;
  return !held.exited_at === !incoming.exited_at && (incoming.attempt ?? 0) < (held.attempt ?? 0);
}

/**
 * Steps of one execution, kept by sequence (a step arrives again each time it changes), with
 * the status of every state for a choice of Map iterations.
 */
export class ExecutionState {
  #definition;
  #steps = new Map(); // sequence -> {step, pointer, frames, frameKey}

  constructor(definition, steps = []) {
    this.#definition = definition;
    for (const step of steps) this.apply(step);
  }

  /** Record a step (new, or a newer version of one already seen); false if it fits no
   * state or is older than the version held. */
  apply(step) {
    if (isStale(this.#steps.get(step.sequence)?.step, step)) return false;
    const place = locateStep(this.#definition, step);
    if (!place) return false;
    const frameKey = JSON.stringify(step.branch ?? []);
    this.#steps.set(step.sequence, { step, ...place, frameKey });
    return true;
  }

  get steps() {
    return [...this.#steps.values()].sort((a, b) => a.step.sequence - b.step.sequence).map((entry) => entry.step);
  }

  /** The visible steps of one state, oldest first. */
  stepsOf(pointer, selection = {}) {
    return [...this.#steps.values()]
      .filter((entry) => entry.pointer === pointer && this.#visible(entry, selection))
      .sort((a, b) => a.step.sequence - b.step.sequence)
      .map((entry) => entry.step);
  }

  #visible(entry, selection) {
    return entry.frames.every((frame) => frame.kind !== 'iteration' || !(frame.pointer in selection) || selection[frame.pointer] === frame.index);
  }

  /**
   * `Map<pointer, {status, visits, attempts, last}>` for every state with visible steps.
   * `selection` maps a Map state's pointer to the iteration to show (absent: all of them).
   */
  statuses(selection = {}) {
    const lastInFrame = new Map();
    for (const entry of this.#steps.values()) {
      lastInFrame.set(entry.frameKey, Math.max(lastInFrame.get(entry.frameKey) ?? -1, entry.step.sequence));
    }
    const perFrame = new Map(); // pointer -> Map(frameKey -> latest entry)
    const visits = new Map();
    for (const entry of this.#steps.values()) {
      if (!this.#visible(entry, selection)) continue;
      visits.set(entry.pointer, (visits.get(entry.pointer) ?? 0) + 1);
      const frames = perFrame.get(entry.pointer) ?? new Map();
      const seen = frames.get(entry.frameKey);
      if (!seen || seen.step.sequence < entry.step.sequence) frames.set(entry.frameKey, entry);
      perFrame.set(entry.pointer, frames);
    }
    const out = new Map();
    for (const [pointer, frames] of perFrame) {
      const latest = [...frames.values()];
      const status = mostUrgent(latest.map((e) => visitStatus(e.step, lastInFrame.get(e.frameKey) > e.step.sequence)));
      const last = latest.reduce((a, b) => (a.step.sequence > b.step.sequence ? a : b)).step;
      const attempts = Math.max(...latest.map((e) => (e.step.attempt ?? 0) + 1));
      out.set(pointer, { status, visits: visits.get(pointer), attempts, last });
    }
    return out;
  }

  /**
   * The transitions the visible steps took, as a Set of `"<from pointer> -> <to pointer>"`:
   * consecutive steps of one frame.
   */
  transitions(selection = {}) {
    const byFrame = new Map();
    for (const entry of this.#steps.values()) {
      if (!this.#visible(entry, selection)) continue;
      if (!byFrame.has(entry.frameKey)) byFrame.set(entry.frameKey, []);
      byFrame.get(entry.frameKey).push(entry);
    }
    const out = new Set();
    for (const entries of byFrame.values()) {
      entries.sort((a, b) => a.step.sequence - b.step.sequence);
      for (let i = 1; i < entries.length; i += 1) out.add(`${entries[i - 1].pointer} -> ${entries[i].pointer}`);
    }
    return out;
  }

  /**
   * The branches or iterations seen under a Parallel or Map state, with the status of each:
   * `[{index, status}]` sorted by index. `selection` narrows enclosing Maps.
   */
  children(pointer, selection = {}) {
    const byIndex = new Map();
    for (const entry of this.#steps.values()) {
      const at = entry.frames.findIndex((frame) => frame.pointer === pointer);
      if (at < 0 || !this.#visible({ frames: entry.frames.slice(0, at) }, selection)) continue;
      const index = entry.frames[at].index;
      byIndex.set(index, [...(byIndex.get(index) ?? []), entry]);
    }
    return [...byIndex.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, entries]) => ({ index, status: frameStatus(entries) }));
  }
}

/** How one branch or iteration went: its last step says, unless something still runs. */
function frameStatus(entries) {
  if (entries.some((e) => e.step.status === 'RUNNING')) return 'running';
  const last = entries.reduce((a, b) => (a.step.sequence > b.step.sequence ? a : b));
  if (last.step.status === 'FAILED') return 'failed';
  if (last.step.status === 'ABORTED') return 'aborted';
  const failed = entries.filter((e) => e.step.status === 'FAILED').length;
  return failed ? 'caught' : entries.some((e) => e.step.attempt > 0) ? 'retried' : 'succeeded';
}
