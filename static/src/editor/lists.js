/**
 * List editors for the inspector: Choice rules, Retry and Catch. Each takes the list and
 * `onChange(newList)`; every card edits one item and can move or remove it.
 */

import { isObject } from '../asl/pointer.js';
import { OPERATORS, isSimple, operandKind, operatorOf, ruleText } from '../asl/rules.js';
import { h } from '../ui/dom.js';
import { GLYPHS } from '../ui/glyphs.js';
import { jsonInput, numberInput, row, selectInput, textInput } from './fields.js';

function moved(list, from, to) {
  const out = [...list];
  const [item] = out.splice(from, 1);
  out.splice(to, 0, item);
  return out;
}

function card(title, subtitle, list, index, onChange, body) {
  const tool = (glyph, label, action, disabled = false) =>
    h('button', { type: 'button', class: 'sf-icon-btn sf-small', title: label, 'aria-label': label, html: GLYPHS[glyph], disabled, onclick: action });
  return h(
    'div',
    { class: 'sf-card' },
    h(
      'div',
      { class: 'sf-card-head' },
      h('span', { class: 'sf-card-title' }, title),
      subtitle ? h('span', { class: 'sf-card-sub', title: subtitle }, subtitle) : null,
      h(
        'span',
        { class: 'sf-card-tools' },
        tool('up', 'Move up', () => onChange(moved(list, index, index - 1)), index === 0),
        tool('down', 'Move down', () => onChange(moved(list, index, index + 1)), index === list.length - 1),
        tool('trash', 'Remove', () => onChange(list.filter((_, i) => i !== index))),
      ),
    ),
    body,
  );
}

const replaced = (list, index, item) => list.map((old, i) => (i === index ? item : old));

/** ErrorEquals as a comma-separated line. */
function errorsInput(errors, onCommit, key) {
  return textInput((errors ?? []).join(', '), (text) => onCommit(text.split(',').map((e) => e.trim()).filter(Boolean)), { 'data-key': key, placeholder: 'States.ALL' });
}

function nextSelect(value, names, onCommit, key, { allowNone = false } = {}) {
  const options = [...(allowNone || !names.includes(value) ? [['', allowNone ? '— none —' : '— choose a state —']] : []), ...names.map((n) => [n, n])];
  return selectInput(value ?? '', options, (v) => onCommit(v || undefined), { 'data-key': key });
}

// ------------------------------------------------------------------ Choice rules

function coerce(value, kind) {
  if (kind === 'number') return Number.isFinite(Number(value)) ? Number(value) : 0;
  if (kind === 'boolean') return value === true || value === 'true';
  return typeof value === 'string' ? value : value === undefined ? '' : String(value);
}

function operandInput(rule, operator, onCommit, key) {
  const kind = operandKind(operator);
  const value = rule[operator];
  if (kind === 'boolean') return selectInput(String(value ?? true), ['true', 'false'], (v) => onCommit(v === 'true'), { 'data-key': key });
  if (kind === 'number') return numberInput(value, (v) => onCommit(v ?? 0), { 'data-key': key });
  return textInput(value, (v) => onCommit(v), { 'data-key': key, placeholder: kind === 'path' ? '$.other' : kind === 'timestamp' ? '2026-01-01T00:00:00Z' : '' });
}

/** A copy of `object` without its undefined keys. */
const defined = (object) => Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined));

/**
 * One rule's form: its test (a Condition in JSONata; Variable, operator and value, or JSON
 * for compound tests, in JSONPath), the variables it assigns, its Output (JSONata) and
 * where it leads. Changing the test keeps the rest of the rule.
 */
function ruleBody(rule, index, names, set, asJson, jsonata) {
  const { Next: next, Assign: assign, Output: output, Comment: comment, ...test } = rule;
  const withTest = (t) => set(defined({ Comment: comment, ...t, Assign: assign, Output: output, Next: next }));
  const setPart = (key, value) => set(defined({ ...rule, [key]: value }));
  const parts = [];
  if (jsonata && !asJson && (Object.keys(test).length === 0 || (Object.keys(test).length === 1 && typeof test.Condition === 'string'))) {
    parts.push(row('Condition', textInput(test.Condition, (v) => withTest({ Condition: v }), { 'data-key': `rule-${index}-condition`, placeholder: '{% $states.input.total > 100 %}' }), 'A JSONata expression that gives true or false'));
  } else if (!asJson && isSimple(test)) {
    const operator = operatorOf(test);
    parts.push(
      row('Variable', textInput(test.Variable, (v) => withTest({ Variable: v, [operator]: test[operator] }), { 'data-key': `rule-${index}-variable`, placeholder: '$.value' })),
      h(
        'div',
        { class: 'sf-field-pair' },
        row('Operator', selectInput(operator, OPERATORS, (op) => withTest({ Variable: test.Variable, [op]: coerce(test[operator], operandKind(op)) }), { 'data-key': `rule-${index}-operator` })),
        row('Value', operandInput(test, operator, (v) => withTest({ Variable: test.Variable, [operator]: v }), `rule-${index}-value`)),
      ),
    );
  } else {
    parts.push(row('Condition (JSON)', jsonInput(test, (c) => c !== undefined && withTest(c), { 'data-key': `rule-${index}-json` })));
  }
  parts.push(row('Assign variables', jsonInput(assign, (v) => setPart('Assign', v), { 'data-key': `rule-${index}-assign`, placeholder: jsonata ? '{"seen": "{% $states.input.id %}"}' : '{"seen.$": "$.id"}' })));
  if (jsonata || output !== undefined) parts.push(row('Output', jsonInput(output, (v) => setPart('Output', v), { 'data-key': `rule-${index}-output` }), 'The state\'s output when this rule matches'));
  parts.push(row('Then go to', nextSelect(next, names, (n) => setPart('Next', n), `rule-${index}-next`)));
  return parts;
}

/** The Choice rules list; `names` are the states a rule may lead to. */
export function rulesEditor(rules, names, onChange, { jsonRules = new Set(), toggleJson = () => {}, jsonata = false } = {}) {
  const list = Array.isArray(rules) ? rules : [];
  const cards = list.map((rule, index) => {
    const simple = isObject(rule) && isSimple(testOf(rule));
    const asJson = jsonRules.has(index) || !isObject(rule);
    const body = isObject(rule) ? ruleBody(rule, index, names, (r) => onChange(replaced(list, index, r)), asJson, jsonata) : [];
    if (simple) body.push(h('button', { type: 'button', class: 'sf-btn sf-link', onclick: () => toggleJson(index) }, asJson ? 'Edit as fields' : 'Edit as JSON'));
    return card(`Rule ${index + 1}`, ruleText(rule), list, index, onChange, body);
  });
  const add = () => {
    const rule = jsonata ? { Condition: '{% true %}' } : { Variable: '$.value', StringEquals: 'yes' };
    onChange([...list, { ...rule, ...(names[0] ? { Next: names[0] } : {}) }]);
  };
  return h('div', { class: 'sf-list', dataset: { list: 'Choices' } }, cards, h('button', { type: 'button', class: 'sf-btn', onclick: add, 'data-action': 'add-rule' }, '+ Add rule'));
}

/** A rule without what surrounds its test. */
function testOf(rule) {
  const { Next: _n, Assign: _a, Output: _o, Comment: _c, ...test } = rule;
  return test;
}

// ------------------------------------------------------------------ Retry

export function retryEditor(retriers, onChange) {
  const list = Array.isArray(retriers) ? retriers : [];
  const cards = list.map((retrier, index) => {
    const set = (key, value) => {
      const out = { ...retrier };
      if (value === undefined || value === '') delete out[key];
      else out[key] = value;
      onChange(replaced(list, index, out));
    };
    return card(`Retrier ${index + 1}`, (retrier.ErrorEquals ?? []).join(', '), list, index, onChange, [
      row('Errors', errorsInput(retrier.ErrorEquals, (v) => set('ErrorEquals', v), `retry-${index}-errors`)),
      h(
        'div',
        { class: 'sf-field-pair' },
        row('Interval (s)', numberInput(retrier.IntervalSeconds, (v) => set('IntervalSeconds', v), { 'data-key': `retry-${index}-interval`, placeholder: '1' })),
        row('Max attempts', numberInput(retrier.MaxAttempts, (v) => set('MaxAttempts', v), { 'data-key': `retry-${index}-attempts`, placeholder: '3' })),
      ),
      h(
        'div',
        { class: 'sf-field-pair' },
        row('Backoff rate', numberInput(retrier.BackoffRate, (v) => set('BackoffRate', v), { 'data-key': `retry-${index}-backoff`, placeholder: '2.0' })),
        row('Max delay (s)', numberInput(retrier.MaxDelaySeconds, (v) => set('MaxDelaySeconds', v), { 'data-key': `retry-${index}-maxdelay` })),
      ),
      row('Jitter', selectInput(retrier.JitterStrategy ?? '', [['', 'None set'], 'FULL', 'NONE'], (v) => set('JitterStrategy', v || undefined), { 'data-key': `retry-${index}-jitter` })),
    ]);
  });
  const add = () => onChange([...list, { ErrorEquals: ['States.ALL'], IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2 }]);
  return h('div', { class: 'sf-list', dataset: { list: 'Retry' } }, cards, h('button', { type: 'button', class: 'sf-btn', onclick: add, 'data-action': 'add-retrier' }, '+ Add retrier'));
}

// ------------------------------------------------------------------ Catch

/** Catchers: errors, where the error goes (ResultPath in JSONPath, Output in JSONata), Assign, Next. */
export function catchEditor(catchers, names, onChange, { jsonata = false } = {}) {
  const list = Array.isArray(catchers) ? catchers : [];
  const cards = list.map((catcher, index) => {
    const set = (key, value) => {
      const out = { ...catcher };
      if (value === undefined) delete out[key];
      else out[key] = value;
      onChange(replaced(list, index, out));
    };
    return card(`Catcher ${index + 1}`, (catcher.ErrorEquals ?? []).join(', '), list, index, onChange, [
      row('Errors', errorsInput(catcher.ErrorEquals, (v) => set('ErrorEquals', v), `catch-${index}-errors`)),
      !jsonata || 'ResultPath' in catcher
        ? row('Result path', textInput(catcher.ResultPath === null ? 'null' : catcher.ResultPath, (v) => set('ResultPath', v.trim() === '' ? undefined : v.trim() === 'null' ? null : v.trim()), { 'data-key': `catch-${index}-resultpath`, placeholder: '$.error' }))
        : null,
      jsonata || 'Output' in catcher ? row('Output', jsonInput(catcher.Output, (v) => set('Output', v), { 'data-key': `catch-${index}-output`, placeholder: '{% $states.errorOutput %}' }), 'What the next state gets: $states.errorOutput holds Error and Cause') : null,
      row('Assign variables', jsonInput(catcher.Assign, (v) => set('Assign', v), { 'data-key': `catch-${index}-assign` })),
      row('Then go to', nextSelect(catcher.Next, names, (v) => set('Next', v), `catch-${index}-next`)),
    ]);
  });
  const add = () => onChange([...list, { ErrorEquals: ['States.ALL'], ...(names[0] ? { Next: names[0] } : {}) }]);
  return h('div', { class: 'sf-list', dataset: { list: 'Catch' } }, cards, h('button', { type: 'button', class: 'sf-btn', onclick: add, 'data-action': 'add-catcher' }, '+ Add catcher'));
}
