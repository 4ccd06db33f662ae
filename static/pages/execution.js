/* The execution page. Rendered over HTTP first: the page's JSON holds the first steps and
 * events, the rest of the steps follow from the steps API by sequence (`?after=<last>`),
 * then the websocket /ws/executions/<id>/?after=<event id> keeps it fresh: `step` messages
 * repaint the graph and the steps table at once, `status` messages the header. Nothing is
 * fetched again whole: a reconnect names the last event held (the consumer sends what
 * changed since), the history grows by `?after=<last event>` (or a page at a time on
 * request), and a status change fetches the execution alone. Stop and re-run go through
 * the REST API. */
(function () {
  'use strict';
  const { h, api, all, duration, time, statusChip } = pages;
  const data = pages.readJson('page-data');
  let execution = data.execution;
  const steps = new Map(); // sequence -> step, as last received
  let selected = null; // a step's sequence
  const stepArrivals = []; // [{sequence, status, at, committedAt}] for the live-delay figures (tests, bench)
  const STEP_PAGE = 1000;
  const { isStale } = stepflow;

  const graph = stepflow.mountExecutionGraph(document.getElementById('graph'), {
    definition: data.definition,
    steps: [], // added below, with the table
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
  const order = []; // the sequences in the table, ascending

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

  /** Put a step in the table (new, or newer than the one shown); false if it was stale. */
  function upsert(step) {
    if (isStale(steps.get(step.sequence), step)) return false;
    steps.set(step.sequence, step);
    const tr = row(step);
    const old = rows.get(step.sequence);
    if (old) old.replaceWith(tr);
    else if (!order.length || step.sequence > order.at(-1)) {
      tbody.append(tr); // nearly always: steps arrive in sequence order
      order.push(step.sequence);
    } else {
      let low = 0;
      let high = order.length;
      while (low < high) {
        const middle = (low + high) >> 1;
        if (order[middle] < step.sequence) low = middle + 1;
        else high = middle;
      }
      rows.get(order[low]).before(tr);
      order.splice(low, 0, step.sequence);
    }
    rows.set(step.sequence, tr);
    if (step.sequence === selected) showStep(step);
    return true;
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
      variables(step),
      ].filter(Boolean),
    );
  }

  /** The workflow variables the step assigned, one row each; nothing if it assigned none. */
  function variables(step) {
    const assigned = Object.entries(step.assigned_variables ?? {});
    if (!assigned.length) return null;
    const table = h(
      'table',
      { class: 'pg-table pg-vars', 'data-testid': 'step-variables' },
      h('tbody', {}, assigned.map(([name, value]) => h('tr', {}, h('td', { class: 'pg-mono pg-strong', text: `$${name}` }), h('td', {}, json(value))))),
    );
    return block('Variables assigned', table);
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
  // The events shown so far, oldest first; more come a page at a time on request, and
  // live ones are appended once the table has reached the end.
  const events = document.querySelector('[data-testid="events"] tbody');
  const moreEvents = document.querySelector('[data-testid="more-events"]');
  let lastEvent = 0; // the id of the last event in the table
  let eventsShown = 0;
  let historyComplete = false;

  function appendEvents(list) {
    events.append(
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
    if (list.length) lastEvent = list.at(-1).id;
    eventsShown += list.length;
    const total = Math.max(execution.event_count ?? 0, lastEvent);
    historyComplete = lastEvent >= total;
    moreEvents.hidden = historyComplete;
    document.querySelector('[data-testid="event-count"]').textContent = historyComplete
      ? `${eventsShown} event${eventsShown === 1 ? '' : 's'}`
      : `${eventsShown} of ${total} events`;
  }

  async function fetchEvents(limit) {
    const answer = await api('GET', `/api/executions/${execution.id}/history/?order=asc&after=${lastEvent}&page_size=${limit}`);
    if (!answer.ok) throw new Error('could not load the history');
    appendEvents(answer.data.results);
  }

  moreEvents.addEventListener('click', async () => {
    if (historyLoading) return;
    moreEvents.disabled = historyLoading = true;
    try {
      await fetchEvents(STEP_PAGE);
    } catch {
      // offline: the button stays for another try
    }
    moreEvents.disabled = historyLoading = false;
  });

  let historyTimer = null;
  let historyLoading = false;
  async function refreshHistory() {
    historyTimer = null;
    if (!historyComplete && eventsShown >= STEP_PAGE) {
      appendEvents([]); // a long history grows on request, not with every step
      return;
    }
    if (historyLoading) return historySoon(); // one request at a time: no page twice
    historyLoading = true;
    try {
      await fetchEvents(STEP_PAGE);
    } catch {
      // offline: the next change tries again
    } finally {
      historyLoading = false;
    }
  }
  const historySoon = () => {
    if (historyTimer === null) historyTimer = setTimeout(refreshHistory, 400);
  };

  // ------------------------------------------------------------------ loading and live
  /** Steps from the API (a page of the initial load): into the table and the graph. */
  function addSteps(list) {
    const fresh = list.filter(upsert);
    if (fresh.length) graph.setSteps(fresh);
    recount();
  }

  /** The steps entered after the last one held, a page at a time (`?after=<sequence>`). */
  async function loadNewerSteps() {
    let next = `/api/executions/${execution.id}/steps/?order=asc&page_size=${STEP_PAGE}&after=${order.at(-1) ?? 0}`;
    while (next) {
      const answer = await api('GET', next);
      if (!answer.ok) throw new Error('could not load the steps');
      addSteps(answer.data.results);
      next = answer.data.next;
    }
  }

  async function refreshExecution() {
    const fresh = await api('GET', `/api/executions/${execution.id}/`);
    if (fresh.ok) execution = { ...execution, ...fresh.data, event_count: execution.event_count };
    paintExecution();
  }

  function onEvent(message) {
    if (message?.type === 'step') {
      const step = message.step;
      stepArrivals.push({ sequence: step.sequence, status: step.status, at: performance.timeOrigin + performance.now(), committedAt: message.committed_at ? Date.parse(message.committed_at) : null });
      if (!upsert(step)) return;
      graph.applyStep(step);
      recount();
      historySoon();
    } else if (message?.type === 'status') {
      const before = execution.status;
      execution = { ...execution, ...message.execution, machine: execution.machine };
      paintExecution();
      if (before !== execution.status) refreshExecution().catch(() => {}); // its output
      historySoon();
    }
  }

  async function catchUp() {
    // After a reconnect the consumer sends the steps that changed since the last event
    // held; the execution's output and the history come over HTTP.
    try {
      await refreshExecution();
    } catch {
      // offline: the next reconnect tries again
    }
    historySoon();
  }

  addSteps(data.steps);
  paintExecution();
  appendEvents(data.events);
  setInterval(() => execution.status === 'RUNNING' && paintDuration(), 1000);

  (async () => {
    try {
      await loadNewerSteps(); // a long run's steps beyond the first page
    } catch {
      // offline: the socket's catch-up still brings what changed after the render
    }
    window.executionPage.loaded = true;
    stepflow.follow(() => `/ws/executions/${execution.id}/?after=${execution.event_count}`, {
      onEvent,
      onReconnect: catchUp,
      onStatus: pages.liveBadge(document.querySelector('[data-testid="live-status"]')),
    });
  })();
})();
