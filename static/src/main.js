/**
 * stepflow's browser bundle. Pages load static/dist/stepflow.js (+ stepflow.css) and call:
 *
 *   stepflow.mountEditor(element, {definition, functions, validate, onChange})
 *   stepflow.mountExecutionGraph(element, {definition, steps})
 *   stepflow.follow(url, {onEvent, onReconnect})
 *   stepflow.isStale(held, incoming)       // an older copy of a step than the one held
 *
 * The model layer (stepflow.asl) is exported too, for pages and tests.
 */

import './styles/stepflow.css';

export { mountEditor } from './editor/editor.js';
export { mountExecutionGraph } from './execution/execution.js';
export { isStale } from './execution/status.js';
export { follow } from './live/socket.js';
export * as asl from './asl/index.js';
