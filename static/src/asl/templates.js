/**
 * The eight state types and what a freshly added state of each looks like. New states end
 * their machine (`End: true`) so the definition stays close to valid while a person builds
 * it; Parallel and Map start with empty machines for states to be dropped into.
 */

export const STATE_TYPES = ['Task', 'Pass', 'Choice', 'Wait', 'Parallel', 'Map', 'Succeed', 'Fail'];

/** What the palette says about each type. */
export const DESCRIPTIONS = {
  Task: 'Call an Fn function',
  Pass: 'Pass or reshape input',
  Choice: 'Branch on a rule',
  Wait: 'Pause for a time',
  Parallel: 'Run branches at once',
  Map: 'Run steps per item',
  Succeed: 'Stop with success',
  Fail: 'Stop with an error',
};

/** States that may not have Next or End of their own. */
export const NO_TRANSITION = new Set(['Choice', 'Succeed', 'Fail']);

export function emptyMachine() {
  return { StartAt: '', States: {} };
}

/** A new state of `type`; `resource` fills a Task's Resource. */
export function newState(type, { resource } = {}) {
  switch (type) {
    case 'Task':
      return { Type: 'Task', Resource: resource || 'fn:app/function', End: true };
    case 'Pass':
      return { Type: 'Pass', End: true };
    case 'Choice':
      return { Type: 'Choice', Choices: [] };
    case 'Wait':
      return { Type: 'Wait', Seconds: 5, End: true };
    case 'Parallel':
      return { Type: 'Parallel', Branches: [emptyMachine(), emptyMachine()], End: true };
    case 'Map':
      return { Type: 'Map', ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, ...emptyMachine() }, End: true };
    case 'Succeed':
      return { Type: 'Succeed' };
    case 'Fail':
      return { Type: 'Fail', Error: 'Failed', Cause: 'Describe why.' };
    default:
      throw new Error(`unknown state type: ${type}`);
  }
}

/** `base`, or `base 2`, `base 3`… whichever `taken(name)` says is free. */
export function uniqueName(base, taken) {
  if (!taken(base)) return base;
  for (let n = 2; ; n += 1) {
    if (!taken(`${base} ${n}`)) return `${base} ${n}`;
  }
}
