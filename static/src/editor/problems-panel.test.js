import assert from 'node:assert/strict';
import { test } from 'node:test';

import { where } from './problems-panel.js';

test('it names where a problem is the way the canvas shows it', () => {
  assert.equal(where('/States/Fan out/Branches/0/States/Shout/Parameters'), 'Fan out › Branch 1 › Shout › Parameters');
  assert.equal(where('/States/Each/ItemProcessor/StartAt'), 'Each › Iteration › StartAt');
  assert.equal(where('/States/Check/Choices/0/Next'), 'Check › Choices › 0 › Next');
  assert.equal(where(''), 'Definition');
  assert.equal(where('/States'), 'States');
});
