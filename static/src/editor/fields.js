/**
 * The inspector's fields: which field each state type has, grouped in sections, and one
 * input per kind of value. A field reads its value from the state and hands back a new
 * state body through `onChange`; an input that does not parse (bad JSON, a letter in a
 * number) is marked and changes nothing.
 */

import { isObject } from '../asl/pointer.js';
import { h } from '../ui/dom.js';

const ALL = ['Task', 'Pass', 'Choice', 'Wait', 'Parallel', 'Map', 'Succeed', 'Fail'];
const NOT_FAIL = ALL.filter((t) => t !== 'Fail');
const WORKERS = ['Task', 'Parallel', 'Map'];

export const SECTIONS = [
  { id: 'state', title: 'State' },
  { id: 'flow', title: 'Next step' },
  { id: 'io', title: 'Input and output' },
  { id: 'errors', title: 'Error handling' },
  { id: 'advanced', title: 'Advanced', closed: true },
];

const JSONPATH = 'JSONPath';
const JSONATA = 'JSONata';

/**
 * `{key, label, kind, section, types, language?, help?, options?}`; kinds: text, path,
 * number, count (a number, or a `{% %}` expression in JSONata), json, select, and the
 * composite ones the inspector draws itself. `language` limits a field to one query
 * language (as the server's validator does); a field without it belongs to both.
 */
export const FIELDS = [
  { key: 'Comment', label: 'Comment', kind: 'text', section: 'state', types: ALL },
  { key: 'QueryLanguage', label: 'Query language', kind: 'language', section: 'state', types: ALL },
  { key: 'Resource', label: 'Function', kind: 'resource', section: 'state', types: ['Task'], help: 'fn:<app>/<function>, a function id, or an invoke URL' },
  { key: 'Wait', label: 'Wait for', kind: 'wait', section: 'state', types: ['Wait'] },
  { key: 'Error', label: 'Error', kind: 'text', section: 'state', types: ['Fail'], help: 'An error name, or in JSONata a {% %} expression' },
  { key: 'Cause', label: 'Cause', kind: 'text', section: 'state', types: ['Fail'], help: 'A message, or in JSONata a {% %} expression' },
  { key: 'ErrorPath', label: 'Error path', kind: 'path', section: 'state', types: ['Fail'], language: JSONPATH },
  { key: 'CausePath', label: 'Cause path', kind: 'path', section: 'state', types: ['Fail'], language: JSONPATH },
  { key: 'ItemsPath', label: 'Items path', kind: 'path', section: 'state', types: ['Map'], language: JSONPATH, help: 'Where the array to iterate over is, e.g. $.items' },
  { key: 'Items', label: 'Items', kind: 'json', section: 'state', types: ['Map'], language: JSONATA, help: 'An array, or a {% %} expression giving one (default: the input)' },
  { key: 'MaxConcurrency', label: 'Max concurrency', kind: 'count', section: 'state', types: ['Map'], help: '0 means no limit' },
  { key: 'ProcessorMode', label: 'Processing mode', kind: 'processor', section: 'state', types: ['Map'] },
  { key: 'Branches', label: 'Branches', kind: 'branches', section: 'state', types: ['Parallel'] },

  { key: 'InputPath', label: 'Input path', kind: 'path', section: 'io', types: NOT_FAIL, language: JSONPATH, help: 'The part of the input this state sees ($ for all of it)' },
  { key: 'Parameters', label: 'Parameters', kind: 'json', section: 'io', types: ['Task', 'Pass', 'Parallel', 'Map'], language: JSONPATH, help: 'A template for the input; keys ending in .$ take paths' },
  { key: 'Arguments', label: 'Arguments', kind: 'json', section: 'io', types: ['Task', 'Parallel'], language: JSONATA, help: 'What the state works on: JSON with {% %} expressions' },
  { key: 'ItemSelector', label: 'Item selector', kind: 'json', section: 'io', types: ['Map'] },
  { key: 'Result', label: 'Result', kind: 'json', section: 'io', types: ['Pass'], language: JSONPATH, help: 'A fixed result, instead of the input' },
  { key: 'ResultSelector', label: 'Result selector', kind: 'json', section: 'io', types: WORKERS, language: JSONPATH },
  { key: 'ResultPath', label: 'Result path', kind: 'path', section: 'io', types: ['Task', 'Pass', 'Parallel', 'Map'], language: JSONPATH, help: 'Where the result goes in the input; null discards it' },
  { key: 'OutputPath', label: 'Output path', kind: 'path', section: 'io', types: NOT_FAIL, language: JSONPATH },
  { key: 'Output', label: 'Output', kind: 'json', section: 'io', types: NOT_FAIL, language: JSONATA, help: 'The state\'s output: JSON with {% %} expressions ($states.result, $states.input)' },
  { key: 'Assign', label: 'Assign variables', kind: 'json', section: 'io', types: ['Task', 'Pass', 'Choice', 'Wait', 'Parallel', 'Map'], help: 'Variables to set after the state, e.g. {"total": "{% $states.result.total %}"} or {"total.$": "$.total"}' },

  { key: 'TimeoutSeconds', label: 'Timeout (seconds)', kind: 'count', section: 'errors', types: ['Task'] },
  { key: 'HeartbeatSeconds', label: 'Heartbeat (seconds)', kind: 'count', section: 'errors', types: ['Task'] },
  { key: 'ToleratedFailurePercentage', label: 'Tolerated failure %', kind: 'count', section: 'errors', types: ['Map'] },
  { key: 'ToleratedFailureCount', label: 'Tolerated failure count', kind: 'count', section: 'errors', types: ['Map'] },
  { key: 'Retry', label: 'Retry', kind: 'retry', section: 'errors', types: WORKERS },
  { key: 'Catch', label: 'Catch', kind: 'catch', section: 'errors', types: WORKERS },

  { key: 'Label', label: 'Label', kind: 'text', section: 'advanced', types: ['Map'] },
  { key: 'ItemReader', label: 'Item reader', kind: 'json', section: 'advanced', types: ['Map'] },
  { key: 'ItemBatcher', label: 'Item batcher', kind: 'json', section: 'advanced', types: ['Map'] },
  { key: 'ResultWriter', label: 'Result writer', kind: 'json', section: 'advanced', types: ['Map'] },
  { key: 'MaxConcurrencyPath', label: 'Max concurrency path', kind: 'path', section: 'advanced', types: ['Map'], language: JSONPATH },
  { key: 'ToleratedFailurePercentagePath', label: 'Tolerated failure % path', kind: 'path', section: 'advanced', types: ['Map'], language: JSONPATH },
  { key: 'ToleratedFailureCountPath', label: 'Tolerated failure count path', kind: 'path', section: 'advanced', types: ['Map'], language: JSONPATH },
  { key: 'TimeoutSecondsPath', label: 'Timeout path', kind: 'path', section: 'advanced', types: ['Task'], language: JSONPATH },
  { key: 'HeartbeatSecondsPath', label: 'Heartbeat path', kind: 'path', section: 'advanced', types: ['Task'], language: JSONPATH },
  { key: 'Credentials', label: 'Credentials', kind: 'json', section: 'advanced', types: ['Task'] },
];

/** The query language a state uses: its own QueryLanguage, else the machine's (JSONPath by default). */
export function queryLanguage(state, definition) {
  const own = isObject(state) ? state.QueryLanguage : undefined;
  if (own === JSONPATH || own === JSONATA) return own;
  return isObject(definition) && definition.QueryLanguage === JSONATA ? JSONATA : JSONPATH;
}

/**
 * The fields of a state `type` in `language`; a field of the other language is kept when
 * `state` has it, so that it can be seen and removed (the validator flags it).
 */
export function fieldsFor(type, { language = JSONPATH, state = {} } = {}) {
  return FIELDS.filter((field) => field.types.includes(type) && (!field.language || field.language === language || field.key in state));
}

// The ASL fields behind the inspector's composite inputs, and those of its "Next step" section.
const COMPOSITE = {
  Wait: (language) => (language === JSONATA ? ['Seconds', 'Timestamp'] : ['Seconds', 'Timestamp', 'SecondsPath', 'TimestampPath']),
  ProcessorMode: () => ['ItemProcessor', 'Iterator'],
};
const FLOW = { Choice: ['Choices', 'Default'], Succeed: [], Fail: [] };

/**
 * Every ASL field (besides Type) that the inspector edits on a state of `type` in
 * `language`: what a test holds against the server validator's list, so that neither can
 * gain a field the other lacks.
 */
export function fieldKeys(type, language = JSONPATH) {
  const keys = fieldsFor(type, { language }).flatMap((field) => (COMPOSITE[field.key] ? COMPOSITE[field.key](language) : [field.key]));
  return [...keys, ...(FLOW[type] ?? ['Next', 'End'])];
}

// Transitions and error handling read best last in the JSON.
const TAIL = ['Retry', 'Catch', 'Next', 'End'];

/** A copy of `state` with `key` set (a new key goes before the transition fields) or removed. */
export function withField(state, key, value) {
  if (key in state) {
    const out = {};
    for (const [k, v] of Object.entries(state)) {
      if (k !== key) out[k] = v;
      else if (value !== undefined) out[k] = value;
    }
    return out;
  }
  if (value === undefined) return { ...state };
  const rank = TAIL.indexOf(key);
  const out = {};
  let placed = false;
  for (const [k, v] of Object.entries(state)) {
    if (!placed && TAIL.indexOf(k) > rank) {
      out[key] = value;
      placed = true;
    }
    out[k] = v;
  }
  if (!placed) out[key] = value;
  return out;
}

// ------------------------------------------------------------------ inputs

/** A labelled row. */
export function row(label, input, help, key) {
  return h('label', { class: 'sf-field', dataset: key ? { field: key } : {} }, h('span', { class: 'sf-field-label' }, label), input, help ? h('span', { class: 'sf-help' }, help) : null);
}

export function textInput(value, onCommit, attrs = {}) {
  return h('input', { class: 'sf-input', type: 'text', value: value ?? '', spellcheck: false, onchange: (e) => onCommit(e.target.value), ...attrs });
}

export function numberInput(value, onCommit, attrs = {}) {
  const input = h('input', { class: 'sf-input', type: 'text', inputmode: 'decimal', value: value ?? '', ...attrs });
  input.addEventListener('change', () => {
    const text = input.value.trim();
    if (text === '') return onCommit(undefined);
    const number = Number(text);
    input.classList.toggle('sf-invalid', !Number.isFinite(number));
    if (Number.isFinite(number)) onCommit(number);
  });
  return input;
}

/** A number, or a `{% %}` JSONata expression (kept as text): TimeoutSeconds, MaxConcurrency, .... */
export function countInput(value, onCommit, attrs = {}) {
  const input = h('input', { class: 'sf-input', type: 'text', value: value ?? '', spellcheck: false, ...attrs });
  input.addEventListener('change', () => {
    const text = input.value.trim();
    if (text === '') return onCommit(undefined);
    const expression = text.startsWith('{%') && text.endsWith('%}');
    const number = Number(text);
    const ok = expression || Number.isFinite(number);
    input.classList.toggle('sf-invalid', !ok);
    input.title = ok ? '' : 'A number, or a {% %} expression';
    if (ok) onCommit(expression ? text : number);
  });
  return input;
}

export function jsonInput(value, onCommit, attrs = {}) {
  const text = value === undefined ? '' : JSON.stringify(value, null, 2);
  const area = h('textarea', { class: 'sf-textarea', spellcheck: false, rows: Math.min(8, Math.max(2, text.split('\n').length)), ...attrs });
  area.value = text;
  area.addEventListener('change', () => {
    if (area.value.trim() === '') return onCommit(undefined);
    try {
      const parsed = JSON.parse(area.value);
      area.classList.remove('sf-invalid');
      area.title = '';
      onCommit(parsed);
    } catch (error) {
      area.classList.add('sf-invalid');
      area.title = `Not JSON: ${error.message}`;
    }
  });
  return area;
}

export function selectInput(value, options, onCommit, attrs = {}) {
  return h(
    'select',
    { class: 'sf-select', onchange: (e) => onCommit(e.target.value), ...attrs },
    options.map((option) => {
      const [optionValue, label] = Array.isArray(option) ? option : [option, option || '—'];
      return h('option', { value: optionValue, selected: optionValue === (value ?? '') }, label);
    }),
  );
}

/** Path fields take a JSONPath, or null (written as null) where the spec allows it. */
export function pathValue(text) {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  if (trimmed === 'null') return null;
  return trimmed;
}

export function pathText(value) {
  return value === null ? 'null' : (value ?? '');
}

export { isObject };
