/** The model layer in one import: pure functions over ASL definitions, no DOM. */

export { toGraph, fromGraph } from './graph.js';
export * as edit from './edit.js';
export { History } from './history.js';
export { placeProblems } from './problems.js';
export { ruleText } from './rules.js';
export { STATE_TYPES } from './templates.js';
