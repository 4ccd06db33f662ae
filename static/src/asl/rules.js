/**
 * Choice rules in a form a person reads at a glance on an edge label:
 * `{"Variable": "$.n", "NumericGreaterThan": 3}` -> `$.n > 3`.
 */

import { isObject } from './pointer.js';

// Operator -> [word, kind of operand]. Timestamps read as before/after so they are not
// mistaken for numbers; the *Path variants compare with another path, shown bare.
const COMPARISONS = {
  StringEquals: ['==', 'string'],
  StringLessThan: ['<', 'string'],
  StringGreaterThan: ['>', 'string'],
  StringLessThanEquals: ['<=', 'string'],
  StringGreaterThanEquals: ['>=', 'string'],
  StringMatches: ['matches', 'string'],
  NumericEquals: ['==', 'number'],
  NumericLessThan: ['<', 'number'],
  NumericGreaterThan: ['>', 'number'],
  NumericLessThanEquals: ['<=', 'number'],
  NumericGreaterThanEquals: ['>=', 'number'],
  BooleanEquals: ['==', 'boolean'],
  TimestampEquals: ['at', 'timestamp'],
  TimestampLessThan: ['before', 'timestamp'],
  TimestampGreaterThan: ['after', 'timestamp'],
  TimestampLessThanEquals: ['at or before', 'timestamp'],
  TimestampGreaterThanEquals: ['at or after', 'timestamp'],
};

const TESTS = {
  IsNull: 'null',
  IsPresent: 'present',
  IsNumeric: 'numeric',
  IsString: 'a string',
  IsBoolean: 'a boolean',
  IsTimestamp: 'a timestamp',
};

/** Every comparison operator a rule may use, for the inspector's select. */
export const OPERATORS = [
  ...Object.keys(COMPARISONS).flatMap((op) => [op, `${op}Path`]),
  ...Object.keys(TESTS),
];

/** The kind of value an operator compares with: string, number, boolean, timestamp or path. */
export function operandKind(operator) {
  if (operator.endsWith('Path')) return 'path';
  if (operator in TESTS) return 'boolean';
  return COMPARISONS[operator]?.[1] ?? 'string';
}

/** The comparison operator of a simple rule, or undefined for And/Or/Not/Condition. */
export function operatorOf(rule) {
  if (!isObject(rule)) return undefined;
  return Object.keys(rule).find((key) => OPERATORS.includes(key));
}

/** True when the inspector can edit the rule as Variable / operator / value. */
export function isSimple(rule) {
  return isObject(rule) && !('And' in rule || 'Or' in rule || 'Not' in rule || 'Condition' in rule) && !!operatorOf(rule);
}

function operand(value, kind) {
  if (kind === 'path') return String(value);
  if (kind === 'string') return JSON.stringify(value);
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A one-line reading of a Choice rule (or of any nested condition). */
export function ruleText(rule) {
  if (!isObject(rule)) return JSON.stringify(rule) ?? '?';
  if (typeof rule.Condition === 'string') {
    return rule.Condition.replace(/^\{%\s*/, '').replace(/\s*%\}$/, '');
  }
  if (Array.isArray(rule.And)) return rule.And.map((r) => wrap(r)).join(' and ') || 'and()';
  if (Array.isArray(rule.Or)) return rule.Or.map((r) => wrap(r)).join(' or ') || 'or()';
  if ('Not' in rule) return `not ${wrap(rule.Not)}`;
  const op = operatorOf(rule);
  const variable = rule.Variable ?? '?';
  if (!op) return `${variable} ?`;
  if (op in TESTS) return `${variable} is ${rule[op] === false ? 'not ' : ''}${TESTS[op]}`;
  const base = op.endsWith('Path') ? op.slice(0, -4) : op;
  const [word] = COMPARISONS[base];
  return `${variable} ${word} ${operand(rule[op], operandKind(op))}`;
}

function wrap(rule) {
  const text = ruleText(rule);
  return isObject(rule) && (rule.And || rule.Or) ? `(${text})` : text;
}

/** `text` cut to `max` characters with an ellipsis, for edge labels. */
export function shorten(text, max = 36) {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
