import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { demo, repositoryMachines } from '../testing/machines.js';
import { fromGraph, toGraph } from './graph.js';

const byId = (graph) => new Map([...graph.nodes, ...graph.edges].map((element) => [element.id, element]));

describe('toGraph', () => {
  const graph = toGraph(demo());
  const elements = byId(graph);

  test('it draws every state as a node named by its pointer', () => {
    const states = graph.nodes.filter((n) => n.kind === 'state').map((n) => n.id);
    assert.deepEqual(states.sort(), [
      '/States/Call a function',
      '/States/Check',
      '/States/Done',
      '/States/Fan out',
      '/States/Fan out/Branches/0/States/Shout',
      '/States/Fan out/Branches/1/States/Double each',
      '/States/Fan out/Branches/1/States/Double each/ItemProcessor/States/Double',
      '/States/Give up',
      '/States/Pause',
      '/States/Prepare',
    ]);
    assert.equal(elements.get('/States/Pause').type, 'Wait');
  });

  test('it nests Parallel branches and Map processors as containers', () => {
    assert.equal(elements.get('/States/Fan out/Branches/0').kind, 'branch');
    assert.equal(elements.get('/States/Fan out/Branches/0').parent, '/States/Fan out');
    assert.equal(elements.get('/States/Fan out/Branches/0/States/Shout').parent, '/States/Fan out/Branches/0');
    const processor = elements.get('/States/Fan out/Branches/1/States/Double each/ItemProcessor');
    assert.equal(processor.kind, 'processor');
    assert.equal(processor.parent, '/States/Fan out/Branches/1/States/Double each');
  });

  test('it marks the start and the end of every machine', () => {
    assert.equal(elements.get('/StartAt').source, '#start');
    assert.equal(elements.get('/StartAt').target, '/States/Prepare');
    assert.equal(elements.get('/States/Done/End').target, '#end');
    assert.equal(elements.get('/States/Give up/End').target, '#end');
    const branchStart = elements.get('/States/Fan out/Branches/0/StartAt');
    assert.equal(branchStart.source, '/States/Fan out/Branches/0#start');
    assert.equal(elements.get('/States/Fan out/Branches/0#start').parent, '/States/Fan out/Branches/0');
  });

  test('it labels Choice rules, the Default and Catch edges apart from normal flow', () => {
    const rule = elements.get('/States/Check/Choices/0');
    assert.deepEqual([rule.kind, rule.label, rule.target], ['choice', '$.greeting == "fail"', '/States/Give up']);
    assert.deepEqual([elements.get('/States/Check/Default').kind, elements.get('/States/Check/Default').label], ['default', 'Default']);
    const caught = elements.get('/States/Call a function/Catch/0');
    assert.deepEqual([caught.kind, caught.label, caught.target], ['catch', 'Catch States.ALL', '/States/Check']);
    assert.equal(elements.get('/States/Call a function/Next').kind, 'next');
  });

  test('it draws nothing for a transition to a state that does not exist', () => {
    const graph = toGraph({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Nowhere' } } });
    assert.equal(graph.edges.filter((e) => e.source === '/States/A').length, 0);
  });

  test('it tolerates documents that are not machines', () => {
    for (const document of [null, 3, [], { States: 'no' }, { States: { A: 7 } }]) {
      const graph = toGraph(document);
      assert.ok(graph.nodes.some((n) => n.kind === 'start'));
    }
  });
});

describe('fromGraph', () => {
  for (const { name, definition } of repositoryMachines()) {
    test(`it gives back ${name} exactly, key order included`, () => {
      const back = fromGraph(toGraph(definition));
      assert.deepEqual(back, definition);
      assert.equal(JSON.stringify(back), JSON.stringify(definition));
    });
  }

  test('it gives back Iterator (the older Map field), empty branches and odd values', () => {
    const definition = {
      Comment: 'odd',
      StartAt: 'M',
      States: {
        M: { Type: 'Map', Iterator: { StartAt: 'X', States: { X: { Type: 'Pass', End: true } } }, Next: 'P' },
        P: { Type: 'Parallel', Branches: [{ StartAt: '', States: {} }, { States: {} }], End: true, ResultPath: null },
        Weird: 42,
      },
    };
    assert.equal(JSON.stringify(fromGraph(toGraph(definition))), JSON.stringify(definition));
  });
});
