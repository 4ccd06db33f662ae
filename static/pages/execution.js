/* The execution page. Rendered over HTTP first (the page's JSON), then kept fresh by the
 * websocket /ws/executions/<id>/?after=<event id>: `step` messages repaint the graph and the
 * steps table, `status` messages the header; after a reconnect the steps, the execution and
 * its history are fetched again over HTTP. Stop and re-run go through the REST API. */
(function () {
  'use strict';
  const { h, api, all, duration, time, statusChip } = pages;
  const data = pages.readJson('page-data');
  let execution = data.execution;
  const steps = new Map(); // sequence -> step, as last received
  let selected = null; // a step's sequence
  const stepArrivals = []; // [{sequence, status, at}] for the live-delay figures (tests)

  const graph = stepflow.mountExecutionGraph(document.getElementById('graph'), {
    definition: data.definition,
    steps: data.steps,
    onSelect: (info) => {
      const last = info.steps?.at(-1);
      if (last) select(last.sequence);
    },
  });
  window.executionGraph = graph;
  window.executionPage = { steps, stepArrivals, get execution() { return execution; } };

  // ------------------------------------------------------------------ the steps table
  const tbody = document.querySelector('[data-testid="steps"] tbody');
  const rows = new Map(); // sequence -> tr

  const frameLabel = (branch) => (Array.isArray(branch) && branch.length ? branch.map(([name, index]) => `${name}[${index}]`).join(' › ') : '');

  function row(step) {
    const status = step.status === 'FAILED' && step.exited_at ? 'FAILED' : step.status;
    const tr = h(
      'tr',
      { 'data-sequence': step.sequence, class: step.sequence === selected ? 'pg-selected' : '', onclick: () => select(step.sequence) },
      h('td', { class: 'pg-muted', text: String(step.sequence) }),
      h('td', { class: 'pg-strong', text: step.state_name }),
      h('td', { text: step.state_type }),
      h('td', { class: 'pg-muted pg-small', text: frameLabel(step.branch) }),
      h('td', {}, statusChip(status)),
      h('td', { class: 'pg-num', text: String((step.attempt ?? 0) + 1) }),
      h('td', { class: 'pg-small', text: time(step.entered_at) }),
      h('td', { class: 'pg-num pg-small', text: step.exited_at ? duration(step.entered_at, step.exited_at) : '…' }),
    );
    return tr;
  }

  function upsert(step) {
    steps.set(step.sequence, step);
    const tr = row(step);
    const old = rows.get(step.sequence);
    if (old) old.replaceWith(tr);
    else {
      // keep the table in sequence order; new steps almost always go last
      const after = [...rows.keys()].filter((s) => s > step.sequence).sort((a, b) => a - b)[0];
      if (after === undefined) tbody.append(tr);
      else rows.get(after).before(tr);
    }
    rows.set(step.sequence, tr);
    if (step.sequence === selected) showStep(step);
  }

  const countLabel = document.querySelector('[data-testid="step-count"]');
  const recount = () => (countLabel.textContent = `${steps.size} step${steps.size === 1 ? '' : 's'}`);

  // ------------------------------------------------------------------ details
  const json = (value) => h('pre', { class: 'pg-json', text: value === undefined ? '' : JSON.stringify(value, null, 2) });
  const block = (title, content) => h('div', { class: 'pg-io-block' }, h('h3', { text: title }), content);

  function showStep(step) {
    const box = document.getElementById('step-io');
    document.querySelector('[data-testid="selected-name"]').textContent = `${step.state_name} · #${step.sequence}`;
    box.replaceChildren(
      ...[
      step.error ? h('div', { class: 'pg-error-box' }, h('strong', { text: step.error }), h('div', { text: step.cause || '' })) : null,
      block('Input', json(step.input)),
      block('Output', step.exited_at ? json(step.output) : h('p', { class: 'pg-muted', text: 'Not finished yet.' })),
      ].filter(Boolean),
    );
  }

  function select(sequence) {
    selected = sequence;
    for (const [s, tr] of rows) tr.classList.toggle('pg-selected', s === sequence);
    const step = steps.get(sequence);
    if (step) showStep(step);
  }

  // ------------------------------------------------------------------ header and buttons
  const stopButton = document.querySelector('[data-testid="stop"]');
  const rerunButton = document.querySelector('[data-testid="rerun"]');
  const errorBanner = document.querySelector('[data-testid="execution-error"]');

  function paintDuration() {
    const running = execution.status === 'RUNNING';
    document.querySelector('[data-testid="duration"]').textContent = running ? `running for ${duration(execution.started_at)}` : `took ${duration(execution.started_at, execution.stopped_at)}`;
  }

  function paintExecution() {
    const running = execution.status === 'RUNNING';
    document.querySelector('[data-testid="execution-status"]').replaceChildren(statusChip(execution.status));
    paintDuration();
    stopButton.hidden = !(running && data.can_stop);
    rerunButton.hidden = !(data.can_start && execution.machine_live !== false);
    if (execution.error) {
      errorBanner.hidden = false;
      errorBanner.replaceChildren(h('strong', { text: execution.error }), ' ', execution.cause || '');
    } else errorBanner.hidden = true;
    document.getElementById('execution-io').replaceChildren(
      block('Input', json(execution.input)),
      block('Output', running ? h('p', { class: 'pg-muted', text: 'Not finished yet.' }) : json(execution.output)),
    );
  }

  stopButton.addEventListener('click', async () => {
    stopButton.disabled = true;
    const answer = await api('POST', `/api/executions/${execution.id}/stop/`, { cause: 'Stopped from the execution page.' });
    stopButton.disabled = false;
    if (answer.ok) {
      execution = { ...execution, ...answer.data };
      paintExecution();
      await catchUp();
    } else window.alert(pages.problemText(answer.data));
  });

  rerunButton.addEventListener('click', async () => {
    rerunButton.disabled = true;
    const answer = await api('POST', `/api/machines/${encodeURIComponent(execution.machine)}/executions/`, { input: execution.input });
    rerunButton.disabled = false;
    if (answer.ok) window.location.assign(`/executions/${answer.data.id}/`);
    else window.alert(pages.problemText(answer.data));
  });

  // ------------------------------------------------------------------ history
  const events = document.querySelector('[data-testid="events"] tbody');
  function paintEvents(list) {
    document.querySelector('[data-testid="event-count"]').textContent = `${list.length} event${list.length === 1 ? '' : 's'}`;
    events.replaceChildren(
      ...list.map((event) => {
        const details = Object.entries(event).find(([key]) => key.endsWith('EventDetails'))?.[1];
        return h(
          'tr',
          {},
          h('td', { class: 'pg-muted', text: String(event.id) }),
          h('td', { class: 'pg-strong', text: event.type }),
          h('td', { class: 'pg-small', text: time(event.timestamp) }),
          h('td', {}, details ? h('details', {}, h('summary', { text: details.name ?? details.resource ?? details.error ?? 'details' }), json(details)) : ''),
        );
      }),
    );
  }

  let historyTimer = null;
  async function refreshHistory() {
    historyTimer = null;
    try {
      paintEvents(await all(`/api/executions/${execution.id}/history/?order=asc&page_size=1000`));
    } catch {
      // offline: the next change tries again
    }
  }
  const historySoon = () => {
    if (historyTimer === null) historyTimer = setTimeout(refreshHistory, 400);
  };

  // ------------------------------------------------------------------ live
  async function catchUp() {
    try {
      const [fresh, list] = await Promise.all([api('GET', `/api/executions/${execution.id}/`), all(`/api/executions/${execution.id}/steps/?order=asc&page_size=1000`)]);
      if (fresh.ok) execution = { ...execution, ...fresh.data };
      list.forEach(upsert);
      graph.setSteps(list);
      recount();
      paintExecution();
      historySoon();
    } catch {
      // offline: the reconnect tries again
    }
  }

  function onEvent(message) {
    if (message?.type === 'step') {
      const step = message.step;
      stepArrivals.push({ sequence: step.sequence, status: step.status, at: performance.timeOrigin + performance.now() });
      graph.applyStep(step);
      upsert(step);
      recount();
      historySoon();
    } else if (message?.type === 'status') {
      const before = execution.status;
      execution = { ...execution, ...message.execution, machine: execution.machine };
      paintExecution();
      if (before !== execution.status) catchUp();
      else historySoon();
    }
  }

  for (const step of data.steps) upsert(step);
  recount();
  paintExecution();
  paintEvents(data.events);
  setInterval(() => execution.status === 'RUNNING' && paintDuration(), 1000);

  stepflow.follow(`/ws/executions/${execution.id}/?after=${execution.event_count}`, {
    onEvent,
    onReconnect: catchUp,
    onStatus: pages.liveBadge(document.querySelector('[data-testid="live-status"]')),
  });
})();
