import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { demo } from '../testing/machines.js';
import {
  EditError,
  addBranch,
  addState,
  connect,
  connectToEnd,
  deleteState,
  disconnect,
  moveState,
  removeBranch,
  renameState,
  setStartAt,
  updateMachine,
  updateState,
} from './edit.js';
import { get } from './pointer.js';
import { STATE_TYPES } from './templates.js';

const chain = () => ({
  StartAt: 'A',
  States: {
    A: { Type: 'Pass', Next: 'B' },
    B: { Type: 'Task', Resource: 'fn:app/b', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'C' }], Next: 'C' },
    C: { Type: 'Choice', Choices: [{ Variable: '$.x', IsPresent: true, Next: 'A' }], Default: 'B' },
  },
});

describe('addState', () => {
  test('it adds any of the eight types, and the first one starts the machine', () => {
    let definition = { StartAt: '', States: {} };
    for (const type of STATE_TYPES) definition = addState(definition, { type }).definition;
    assert.deepEqual(Object.keys(definition.States), STATE_TYPES);
    assert.equal(definition.StartAt, 'Task');
    assert.equal(definition.States.Parallel.Branches.length, 2);
    assert.equal(definition.States.Map.ItemProcessor.ProcessorConfig.Mode, 'INLINE');
  });

  test('it never changes the definition it was given', () => {
    const before = chain();
    const frozen = JSON.stringify(before);
    addState(before, { type: 'Pass', after: '/States/A' });
    assert.equal(JSON.stringify(before), frozen);
  });

  test('it picks a name no other state has, in any machine', () => {
    const { definition, pointer } = addState(demo(), { type: 'Pass', name: 'Shout' });
    assert.equal(pointer, '/States/Shout 2');
    assert.ok('Shout 2' in definition.States);
  });

  test('after a state, it takes over that state’s Next', () => {
    const { definition } = addState(chain(), { type: 'Wait', after: '/States/A' });
    assert.deepEqual(Object.keys(definition.States), ['A', 'Wait', 'B', 'C']);
    assert.equal(definition.States.A.Next, 'Wait');
    assert.equal(definition.States.Wait.Next, 'B');
    assert.equal(definition.States.Wait.End, undefined);
  });

  test('after a state that ended the machine, it ends the machine instead', () => {
    const { definition } = addState({ StartAt: 'A', States: { A: { Type: 'Pass', End: true } } }, { type: 'Pass', after: '/States/A' });
    assert.deepEqual(definition.States, { A: { Type: 'Pass', Next: 'Pass' }, Pass: { Type: 'Pass', End: true } });
  });

  test('after a Choice, it becomes the Default when there is none', () => {
    const start = { StartAt: 'C', States: { C: { Type: 'Choice', Choices: [] } } };
    const { definition } = addState(start, { type: 'Succeed', after: '/States/C' });
    assert.equal(definition.States.C.Default, 'Succeed');
  });

  test('into an empty branch, it becomes the branch’s StartAt', () => {
    const start = addState({ StartAt: '', States: {} }, { type: 'Parallel' }).definition;
    const { definition, pointer } = addState(start, { type: 'Task', machine: '/States/Parallel/Branches/1', resource: 'fn:demo/echo' });
    assert.equal(pointer, '/States/Parallel/Branches/1/States/Task');
    assert.equal(get(definition, '/States/Parallel/Branches/1/StartAt'), 'Task');
    assert.equal(get(definition, '/States/Parallel/Branches/1/States/Task/Resource'), 'fn:demo/echo');
  });
});

describe('renameState', () => {
  test('it renames the state and every StartAt, Next, Default, rule and Catch naming it', () => {
    let definition = renameState(chain(), '/States/A', 'First');
    assert.equal(definition.StartAt, 'First');
    assert.equal(definition.States.C.Choices[0].Next, 'First');
    definition = renameState(definition, '/States/B', 'Second');
    assert.equal(definition.States.First.Next, 'Second');
    assert.equal(definition.States.C.Default, 'Second');
    definition = renameState(definition, '/States/C', 'Third');
    assert.equal(definition.States.Second.Next, 'Third');
    assert.equal(definition.States.Second.Catch[0].Next, 'Third');
    assert.deepEqual(Object.keys(definition.States), ['First', 'Second', 'Third']);
  });

  test('it renames inside branches', () => {
    const definition = renameState(demo(), '/States/Fan out/Branches/1/States/Double each/ItemProcessor/States/Double', 'Twice');
    assert.equal(get(definition, '/States/Fan out/Branches/1/States/Double each/ItemProcessor/StartAt'), 'Twice');
  });

  test('it refuses a name that is taken or empty', () => {
    assert.throws(() => renameState(chain(), '/States/A', 'B'), EditError);
    assert.throws(() => renameState(demo(), '/States/Prepare', 'Shout'), /already exists/);
    assert.throws(() => renameState(chain(), '/States/A', '  '), EditError);
  });
});

describe('deleteState', () => {
  test('what led to it leads to its Next', () => {
    const definition = deleteState(chain(), '/States/B');
    assert.equal(definition.States.A.Next, 'C');
    assert.equal(definition.States.C.Default, 'C');
  });

  test('without a Next, Next fields become End and other targets go', () => {
    const definition = deleteState(chain(), '/States/C');
    assert.deepEqual(definition.States.B, { Type: 'Task', Resource: 'fn:app/b', Catch: [{ ErrorEquals: ['States.ALL'] }], End: true });
  });

  test('deleting the start moves StartAt along', () => {
    assert.equal(deleteState(chain(), '/States/A').StartAt, 'B');
  });
});

describe('connect and disconnect', () => {
  test('dragging from a state sets its Next', () => {
    const start = { StartAt: 'A', States: { A: { Type: 'Pass', End: true }, B: { Type: 'Pass', End: true } } };
    const { definition, edge } = connect(start, '/States/A', '/States/B');
    assert.deepEqual(definition.States.A, { Type: 'Pass', Next: 'B' });
    assert.equal(edge, '/States/A/Next');
  });

  test('dragging from a Choice adds a rule to refine', () => {
    const { definition, edge } = connect(chain(), '/States/C', '/States/B');
    assert.equal(edge, '/States/C/Choices/1');
    assert.deepEqual(definition.States.C.Choices[1], { Variable: '$.value', IsPresent: true, Next: 'B' });
  });

  test('a JSONata machine gets a Condition rule', () => {
    const start = { QueryLanguage: 'JSONata', ...chain() };
    assert.deepEqual(connect(start, '/States/C', '/States/B').definition.States.C.Choices[1], { Condition: '{% true %}', Next: 'B' });
  });

  test('dragging onto the End marker ends the machine there', () => {
    assert.deepEqual(connectToEnd(chain(), '/States/A').States.A, { Type: 'Pass', End: true });
    assert.throws(() => connectToEnd(chain(), '/States/C'), EditError);
  });

  test('it refuses transitions out of terminal states and across machines', () => {
    assert.throws(() => connect(demo(), '/States/Done', '/States/Prepare'), /ends its machine/);
    assert.throws(() => connect(demo(), '/States/Prepare', '/States/Fan out/Branches/0/States/Shout'), /inside one machine/);
  });

  test('removing an edge removes the field that drew it', () => {
    assert.deepEqual(disconnect(chain(), '/States/A/Next').States.A, { Type: 'Pass', End: true });
    assert.equal(disconnect(chain(), '/States/C/Default').States.C.Default, undefined);
    assert.deepEqual(disconnect(chain(), '/States/C/Choices/0').States.C.Choices, []);
    assert.equal(disconnect(chain(), '/States/B/Catch/0').States.B.Catch, undefined);
    assert.equal(disconnect(chain(), '/StartAt').StartAt, '');
  });

  test('setStartAt picks the first state of a machine', () => {
    assert.equal(setStartAt(chain(), '/States/C').StartAt, 'C');
  });
});

describe('moveState', () => {
  const withParallel = () => addState(chain(), { type: 'Parallel', after: '/States/C' }).definition;

  test('it moves a state into a branch, closing the gap it leaves', () => {
    const { definition, pointer } = moveState(withParallel(), '/States/B', '/States/Parallel/Branches/0');
    assert.equal(pointer, '/States/Parallel/Branches/0/States/B');
    assert.equal(definition.States.A.Next, 'C');
    const moved = get(definition, pointer);
    assert.equal(moved.End, true);
    assert.equal(moved.Next, undefined);
    assert.deepEqual(moved.Catch, [{ ErrorEquals: ['States.ALL'] }]);
    assert.equal(get(definition, '/States/Parallel/Branches/0/StartAt'), 'B');
  });

  test('it moves a state out of a branch, after a chosen state', () => {
    const inside = moveState(withParallel(), '/States/A', '/States/Parallel/Branches/1');
    const { definition } = moveState(inside.definition, inside.pointer, '', { after: '/States/B' });
    assert.equal(definition.States.B.Next, 'A');
    assert.equal(definition.States.A.Next, 'C');
    assert.deepEqual(get(definition, '/States/Parallel/Branches/1/States'), {});
  });

  test('it refuses to move a state inside itself', () => {
    const definition = withParallel();
    assert.throws(() => moveState(definition, '/States/Parallel', '/States/Parallel/Branches/0'), /inside itself/);
  });
});

describe('branches and machine fields', () => {
  test('it adds and removes Parallel branches', () => {
    const start = addState({ StartAt: '', States: {} }, { type: 'Parallel' }).definition;
    const three = addBranch(start, '/States/Parallel');
    assert.equal(three.States.Parallel.Branches.length, 3);
    assert.equal(removeBranch(three, '/States/Parallel/Branches/0').States.Parallel.Branches.length, 2);
    assert.throws(() => addBranch(chain(), '/States/A'), EditError);
  });

  test('it replaces a state body and a machine’s own fields, States last', () => {
    const body = { Type: 'Wait', Seconds: 3, Next: 'B' };
    assert.deepEqual(updateState(chain(), '/States/A', body).States.A, body);
    const definition = updateMachine(chain(), '', { Comment: 'hi', StartAt: 'B', TimeoutSeconds: 5 });
    assert.deepEqual(Object.keys(definition), ['Comment', 'StartAt', 'TimeoutSeconds', 'States']);
  });
});
