// The harness's validate(definition). With ?validator=server it POSTs to /__validate__,
// which the Playwright tests answer with stepflow's real validator (stepflow.asl.validate,
// no Django). Opened by hand from `python -m http.server`, a few checks written here stand in.
window.validateDefinition = async (definition) => {
  if (!new URLSearchParams(location.search).has('validator')) return fakeProblems(definition);
  try {
    const response = await fetch('/__validate__', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(definition) });
    if (response.ok) return await response.json();
  } catch {
    // no validator behind this server: fall through
  }
  return fakeProblems(definition);
};

function fakeProblems(definition) {
  const problems = [];
  const visit = (machine, base) => {
    const states = machine && typeof machine.States === 'object' ? machine.States : {};
    const names = Object.keys(states);
    if (!names.includes(machine.StartAt)) problems.push({ path: `${base}/StartAt`, message: `StartAt must name one of this machine's states` });
    for (const [name, state] of Object.entries(states)) {
      const path = `${base}/States/${name.replaceAll('~', '~0').replaceAll('/', '~1')}`;
      const terminal = ['Choice', 'Succeed', 'Fail'].includes(state.Type);
      if (!terminal && !state.Next && state.End !== true) problems.push({ path, message: 'A state needs Next or End' });
      if (state.Next && !names.includes(state.Next)) problems.push({ path: `${path}/Next`, message: `There is no state named "${state.Next}"` });
      if (state.Type === 'Choice' && !(state.Choices || []).length) problems.push({ path: `${path}/Choices`, message: 'A Choice state needs at least one rule' });
      (state.Branches || []).forEach((branch, i) => visit(branch, `${path}/Branches/${i}`));
      if (state.ItemProcessor) visit(state.ItemProcessor, `${path}/ItemProcessor`);
    }
  };
  visit(definition, '');
  return problems;
}
