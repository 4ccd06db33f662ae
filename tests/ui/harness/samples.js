// Sample data for the harness pages: the demo machine (every state type, a Parallel
// holding a Map, a Retry and a Catch) and the steps of one run of it, shaped like the
// API's StepOutput.
window.sampleMachine = () => ({
  Comment: 'A tour of the eight state types.',
  StartAt: 'Prepare',
  TimeoutSeconds: 300,
  States: {
    Prepare: { Type: 'Pass', Parameters: { 'items.$': '$.items', 'greeting.$': '$.greeting' }, Next: 'Pause' },
    Pause: { Type: 'Wait', Seconds: 2, Next: 'Fan out' },
    'Fan out': {
      Type: 'Parallel',
      ResultPath: '$.parallel',
      Branches: [
        { StartAt: 'Shout', States: { Shout: { Type: 'Pass', Parameters: { 'shout.$': "States.Format('{}!', $.greeting)" }, End: true } } },
        {
          StartAt: 'Double each',
          States: {
            'Double each': {
              Type: 'Map',
              ItemsPath: '$.items',
              MaxConcurrency: 2,
              ItemProcessor: {
                ProcessorConfig: { Mode: 'INLINE' },
                StartAt: 'Double',
                States: { Double: { Type: 'Task', Resource: 'fn:demo/double', Retry: [{ ErrorEquals: ['States.Timeout'], MaxAttempts: 2 }], End: true } },
              },
              End: true,
            },
          },
        },
      ],
      Next: 'Call a function',
    },
    'Call a function': {
      Type: 'Task',
      Resource: 'fn:demo/echo',
      TimeoutSeconds: 30,
      Retry: [{ ErrorEquals: ['States.Timeout'], MaxAttempts: 1, IntervalSeconds: 1 }],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.task_error', Next: 'Check' }],
      ResultPath: '$.echo',
      Next: 'Check',
    },
    Check: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.greeting', StringEquals: 'fail', Next: 'Give up' },
        { And: [{ Variable: '$.items[0]', IsPresent: true }, { Variable: '$.items[0]', NumericGreaterThan: 100 }], Next: 'Wait a bit' },
      ],
      Default: 'Done',
    },
    'Wait a bit': { Type: 'Wait', SecondsPath: '$.items[0]', Next: 'Done' },
    'Give up': { Type: 'Fail', Error: 'DemoError', Cause: 'The greeting asked the demo to fail.' },
    Done: { Type: 'Succeed' },
  },
});

window.sampleSteps = () => {
  let sequence = 0;
  const t = (s) => `2026-05-04T10:00:${String(s).padStart(2, '0')}Z`;
  const step = (state_name, state_type, status, extra = {}) => {
    sequence += 1;
    return { sequence, state_name, state_type, branch: [], status, input: {}, output: status === 'SUCCEEDED' ? {} : null, error: '', cause: '', attempt: 0, entered_at: t(sequence), exited_at: status === 'RUNNING' ? null : t(sequence + 1), ...extra };
  };
  const map = (index) => [['Fan out', 1], ['Double each', index]];
  return [
    step('Prepare', 'Pass', 'SUCCEEDED'),
    step('Pause', 'Wait', 'SUCCEEDED'),
    step('Fan out', 'Parallel', 'SUCCEEDED'),
    step('Shout', 'Pass', 'SUCCEEDED', { branch: [['Fan out', 0]] }),
    step('Double each', 'Map', 'SUCCEEDED', { branch: [['Fan out', 1]] }),
    step('Double', 'Task', 'SUCCEEDED', { branch: map(0) }),
    step('Double', 'Task', 'SUCCEEDED', { branch: map(1), attempt: 1 }),
    step('Double', 'Task', 'SUCCEEDED', { branch: map(2) }),
    step('Call a function', 'Task', 'FAILED', { error: 'States.TaskFailed', cause: 'echo answered 502', attempt: 1 }),
    step('Check', 'Choice', 'SUCCEEDED'),
    step('Wait a bit', 'Wait', 'RUNNING'),
    step('Double', 'Task', 'SUCCEEDED', { branch: map(3) }),
    // Later, live:
    { ...step('Wait a bit', 'Wait', 'SUCCEEDED'), sequence: 11 },
    step('Done', 'Succeed', 'SUCCEEDED'),
  ];
};

// A machine of about `n` states for render timing: a chain of groups, each with a Task
// (Retry and Catch), a Choice (two rules and a Default), a Wait, a Parallel of two
// branches and a Map, as real machines mix them.
window.largeMachine = (n = 200, salt = '') => {
  const states = {};
  let count = 0;
  let group = 0;
  const names = [];
  while (count < n) {
    const g = group;
    const next = `Task ${g + 1}`;
    const after = (name) => name;
    states[`Task ${g}`] = {
      Type: 'Task',
      Resource: `fn:bench/step-${g}`,
      Retry: [{ ErrorEquals: ['States.Timeout'], MaxAttempts: 2 }],
      Catch: [{ ErrorEquals: ['States.ALL'], Next: `Recover ${g}` }],
      Next: `Route ${g}`,
    };
    states[`Recover ${g}`] = { Type: 'Pass', Result: { recovered: g }, Next: `Route ${g}` };
    states[`Route ${g}`] = {
      Type: 'Choice',
      Choices: [
        { Variable: '$.kind', StringEquals: `a${g}${salt}`, Next: `Pause ${g}` },
        { Variable: '$.count', NumericGreaterThan: g, Next: `Fan ${g}` },
      ],
      Default: `Each ${g}`,
    };
    states[`Pause ${g}`] = { Type: 'Wait', Seconds: 1, Next: `Fan ${g}` };
    states[`Fan ${g}`] = {
      Type: 'Parallel',
      Branches: [0, 1].map((b) => ({
        StartAt: `Left ${g}.${b}`,
        States: { [`Left ${g}.${b}`]: { Type: 'Pass', Next: `Right ${g}.${b}` }, [`Right ${g}.${b}`]: { Type: 'Pass', End: true } },
      })),
      Next: `Each ${g}`,
    };
    states[`Each ${g}`] = {
      Type: 'Map',
      ItemsPath: '$.items',
      ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: `Item ${g}`, States: { [`Item ${g}`]: { Type: 'Task', Resource: 'fn:bench/item', End: true } } },
      Next: after(next),
    };
    count += 6 + 4 + 1;
    names.push(g);
    group += 1;
  }
  states[`Task ${group}`] = { Type: 'Succeed' };
  return { Comment: `About ${n} states for render timing`, StartAt: 'Task 0', States: states };
};

window.countStates = (definition) => {
  let count = 0;
  const visit = (machine) => {
    for (const state of Object.values(machine.States || {})) {
      count += 1;
      (state.Branches || []).forEach(visit);
      if (state.ItemProcessor) visit(state.ItemProcessor);
    }
  };
  visit(definition);
  return count;
};
