import assert from 'node:assert/strict';
import { test } from 'node:test';

import { isSimple, operandKind, ruleText, shorten } from './rules.js';

test('it reads comparisons with their operand', () => {
  assert.equal(ruleText({ Variable: '$.n', NumericGreaterThan: 10 }), '$.n > 10');
  assert.equal(ruleText({ Variable: '$.s', StringEquals: 'fail' }), '$.s == "fail"');
  assert.equal(ruleText({ Variable: '$.b', BooleanEquals: false }), '$.b == false');
  assert.equal(ruleText({ Variable: '$.a', NumericLessThanEqualsPath: '$.b' }), '$.a <= $.b');
  assert.equal(ruleText({ Variable: '$.s', StringMatches: 'log-*' }), '$.s matches "log-*"');
});

test('it reads timestamps as before and after, not as numbers', () => {
  assert.equal(ruleText({ Variable: '$.t', TimestampLessThan: '2016-03-14T01:59:00Z' }), '$.t before 2016-03-14T01:59:00Z');
  assert.equal(ruleText({ Variable: '$.t', TimestampGreaterThanEqualsPath: '$.u' }), '$.t at or after $.u');
});

test('it reads type tests both ways', () => {
  assert.equal(ruleText({ Variable: '$.x', IsPresent: true }), '$.x is present');
  assert.equal(ruleText({ Variable: '$.x', IsNull: false }), '$.x is not null');
});

test('it reads And, Or and Not with brackets where they matter', () => {
  const rule = {
    And: [
      { Variable: '$.a', NumericGreaterThan: 1 },
      { Or: [{ Variable: '$.b', IsPresent: true }, { Not: { Variable: '$.c', StringEquals: 'x' } }] },
    ],
  };
  assert.equal(ruleText(rule), '$.a > 1 and ($.b is present or not $.c == "x")');
});

test('it reads JSONata conditions without their braces', () => {
  assert.equal(ruleText({ Condition: '{% $states.input.n > 3 %}' }), '$states.input.n > 3');
});

test('it knows which rules the inspector edits as fields', () => {
  assert.ok(isSimple({ Variable: '$.x', StringEquals: 'a', Next: 'B' }));
  assert.ok(!isSimple({ And: [], Next: 'B' }));
  assert.ok(!isSimple({ Condition: '{% true %}', Next: 'B' }));
  assert.equal(operandKind('NumericEquals'), 'number');
  assert.equal(operandKind('StringEqualsPath'), 'path');
  assert.equal(operandKind('IsNull'), 'boolean');
});

test('it shortens long labels with an ellipsis', () => {
  assert.equal(shorten('abcdef', 4), 'abc…');
  assert.equal(shorten('abc', 4), 'abc');
});
