/**
 * The execution view: the machine's graph with each state coloured by what happened to it,
 * a legend, a navigator for Map iterations and Parallel branches, and a details card for
 * the state clicked.
 *
 *   const view = mountExecutionGraph(element, {definition, steps, onSelect, details: true});
 *   await view.ready;                 // laid out and all on the canvas
 *   view.applyStep(step);             // a step from the API or the socket (new or updated)
 *   view.setSteps(steps);             // many at once, e.g. the catch-up fetch after a reconnect
 *   view.showIteration(mapPointer, index | null);   // one Map iteration, or all
 *   view.showBranch(parallelPointer, index | null); // focus one Parallel branch, or none
 *   view.select(pointer); view.destroy();
 *
 * `onSelect({pointer, name, type, status, steps})` is called when a state is clicked; the
 * element also receives a `sf-select` CustomEvent with the same detail.
 */

import { toGraph } from '../asl/graph.js';
import { STATUS_COLORS } from '../graph/style.js';
import { fill, h } from '../ui/dom.js';
import { GLYPHS } from '../ui/glyphs.js';
import { createStage } from '../ui/stage.js';
import { ExecutionState, STATUSES, STATUS_LABELS } from './status.js';

const STATUS_CLASSES = STATUSES.map((status) => `status-${status}`).join(' ');

function legend() {
  return h(
    'div',
    { class: 'sf-legend', 'aria-label': 'Legend' },
    STATUSES.map((status) =>
      h('span', { class: 'sf-legend-item' }, h('span', { class: `sf-swatch sf-swatch-${status}`, style: `background:${STATUS_COLORS[status].fill};border-color:${STATUS_COLORS[status].border}` }), STATUS_LABELS[status]),
    ),
  );
}

function chip(status) {
  return h('span', { class: `sf-chip sf-chip-${status}` }, STATUS_LABELS[status] ?? status);
}

export function mountExecutionGraph(element, { definition, steps = [], onSelect, details = true } = {}) {
  const run = new ExecutionState(definition, steps);
  const iterations = {}; // Map state pointer -> the one iteration shown
  const branches = {}; // Parallel state pointer -> the branch in focus
  let selected = null;
  let painting = false;

  const frames = h('div', { class: 'sf-frames', 'data-testid': 'frames' });
  const bar = h('div', { class: 'sf-exec-bar' }, legend(), frames);
  const card = h('aside', { class: 'sf-details', 'data-testid': 'details' });
  const body = h('div', { class: `sf-exec-body${details ? '' : ' sf-no-details'}` });
  const root = h('div', { class: 'sf-root sf-execution' }, bar, body);
  element.append(root);
  const stage = createStage(body);
  if (details) body.append(card);
  const { cy } = stage.canvas;
  const graph = toGraph(definition);

  /**
   * What the run made of each element, as the class to give it: `status-…` for a state,
   * `taken` for an edge the run went along. Read from the steps held when called.
   */
  const looks = () => {
    const statuses = run.statuses(iterations);
    const taken = run.transitions(iterations);
    return ({ group, data }) => {
      if (group === 'nodes') return data.kind === 'state' ? `status-${statuses.get(data.id)?.status ?? 'not-reached'}` : '';
      const { source: from, target: to, kind } = data;
      // A caught failure left through its Catch, anything else through its normal flow.
      const caught = statuses.get(from)?.status === 'caught';
      const went =
        (taken.has(`${from} -> ${to}`) && caught === (kind === 'catch')) ||
        (kind === 'start' && statuses.has(to)) ||
        (kind === 'end' && ['succeeded', 'retried'].includes(statuses.get(from)?.status));
      return went ? 'taken' : '';
    };
  };

  const paint = () => {
    painting = false;
    if (cy.destroyed()) return;
    const look = looks();
    // Only what changed: cytoscape restyles every element whose classes are touched.
    cy.batch(() => {
      cy.nodes('.state').forEach((node) => {
        const status = look({ group: 'nodes', data: node.data() });
        if (!node.hasClass(status)) node.removeClass(STATUS_CLASSES).addClass(status);
      });
      cy.edges().forEach((edge) => {
        const went = look({ group: 'edges', data: edge.data() }) === 'taken';
        if (edge.hasClass('taken') !== went) edge.toggleClass('taken', went);
      });
    });
    stage.minimap.classes();
    paintFrames();
    if (selected) showDetails(selected);
  };
  // One paint per frame however many steps arrive: a fast run sends hundreds a second, and
  // a paint reads every step. The colour shows at the next frame either way.
  const schedule = () => {
    if (painting) return;
    painting = true;
    if (globalThis.document?.visibilityState === 'visible' && globalThis.requestAnimationFrame) requestAnimationFrame(paint);
    else setTimeout(paint, 50);
  };

  // ------------------------------------------------------------------ navigator

  const paintFrames = () => {
    const groups = [];
    for (const node of graph.nodes) {
      if (node.kind !== 'state' || (node.type !== 'Map' && node.type !== 'Parallel')) continue;
      const children = run.children(node.id, iterations);
      if (children.length === 0) continue;
      groups.push(node.type === 'Map' ? iterationPicker(node, children) : branchPicker(node, children));
    }
    fill(frames, groups.length ? groups : h('span', { class: 'sf-muted' }, 'Map iterations and Parallel branches appear here once they run.'));
  };

  const picker = (node, kindLabel, children, current, choose) => {
    const position = children.findIndex((c) => c.index === current);
    const select = h(
      'select',
      { class: 'sf-select', 'aria-label': `${node.name}: ${kindLabel}`, dataset: { pointer: node.id }, onchange: (event) => choose(event.target.value === '' ? null : Number(event.target.value)) },
      h('option', { value: '' }, `All ${kindLabel === 'branch' ? 'branches' : 'iterations'} (${children.length})`),
      children.map((c) => h('option', { value: String(c.index), selected: c.index === current }, `${kindLabel === 'branch' ? `Branch ${c.index + 1}` : `#${c.index}`} · ${STATUS_LABELS[c.status]}`)),
    );
    const step = (delta) => {
      const next = children[position < 0 ? (delta > 0 ? 0 : children.length - 1) : position + delta];
      if (next) choose(next.index);
    };
    return h(
      'div',
      { class: 'sf-frame-group' },
      h('span', { class: 'sf-frame-name', title: node.name }, node.name),
      h('button', { type: 'button', class: 'sf-icon-btn sf-small', title: `Previous ${kindLabel}`, 'aria-label': `Previous ${kindLabel}`, html: GLYPHS.prev, onclick: () => step(-1) }),
      select,
      h('button', { type: 'button', class: 'sf-icon-btn sf-small', title: `Next ${kindLabel}`, 'aria-label': `Next ${kindLabel}`, html: GLYPHS.next, onclick: () => step(1) }),
    );
  };

  const iterationPicker = (node, children) => picker(node, 'iteration', children, iterations[node.id] ?? null, (index) => api.showIteration(node.id, index));
  const branchPicker = (node, children) => picker(node, 'branch', children, branches[node.id] ?? null, (index) => api.showBranch(node.id, index));

  // ------------------------------------------------------------------ details

  const showDetails = (pointer) => {
    const node = graph.nodes.find((n) => n.id === pointer);
    if (!node) return;
    const status = run.statuses(iterations).get(pointer);
    const last = status?.last;
    const info = { pointer, name: node.name, type: node.type, status: status?.status ?? 'not-reached', steps: run.stepsOf(pointer, iterations) };
    if (details) {
      const row = (label, value) => (value === undefined || value === null || value === '' ? null : h('div', { class: 'sf-kv' }, h('span', {}, label), h('span', {}, String(value))));
      fill(
        card,
        h('div', { class: 'sf-details-head' }, h('strong', {}, node.name), chip(info.status)),
        h('div', { class: 'sf-muted' }, node.type),
        row('Visits', status?.visits),
        row('Attempts', status?.attempts),
        row('Entered', last?.entered_at),
        row('Exited', last?.exited_at),
        last?.error ? h('div', { class: 'sf-error-box' }, h('strong', {}, last.error), last.cause ? h('div', {}, last.cause) : null) : null,
        !status ? h('p', { class: 'sf-muted' }, 'This state has not run (in the iterations shown).') : null,
      );
    }
    return info;
  };

  cy.on('tap', 'node.state', (event) => {
    selected = event.target.id();
    const info = showDetails(selected);
    onSelect?.(info);
    element.dispatchEvent(new CustomEvent('sf-select', { detail: info }));
  });

  if (details) fill(card, h('p', { class: 'sf-muted' }, 'Click a state to see what happened in it.'));

  // Drawn in the run's colours from the start: styling 300 states twice costs a frame.
  const drawn = stage.render(graph, { fit: true, classes: looks() });
  const api = {
    // A big machine's first view is on the canvas once mounted; `ready` waits for the rest.
    ready: Promise.resolve(drawn?.complete).then(() => paint()),
    cy,

    applyStep(step) {
      if (run.apply(step)) schedule();
    },

    setSteps(all) {
      for (const step of all) run.apply(step);
      schedule();
    },

    showIteration(pointer, index) {
      if (index === null || index === undefined) delete iterations[pointer];
      else iterations[pointer] = index;
      paint();
    },

    showBranch(pointer, index) {
      if (index === null || index === undefined) delete branches[pointer];
      else branches[pointer] = index;
      cy.batch(() => {
        cy.elements().removeClass('dimmed');
        for (const [parallel, chosen] of Object.entries(branches)) {
          cy.nodes('.branch')
            .filter((branch) => branch.data('box') === parallel && branch.data('index') !== chosen)
            .forEach((branch) => branch.union(stage.canvas.inside(branch)).addClass('dimmed'));
        }
      });
      const focus = index === null || index === undefined ? undefined : cy.getElementById(`${pointer}/Branches/${index}`);
      stage.canvas.fit(focus && focus.nonempty() ? focus : undefined);
      paintFrames();
    },

    select(pointer) {
      cy.$(':selected').unselect();
      cy.getElementById(pointer).select();
      selected = pointer;
      return showDetails(pointer);
    },

    /** `Map<pointer, {status, visits, attempts, last}>` as painted now. */
    statuses() {
      return run.statuses(iterations);
    },

    destroy() {
      stage.destroy();
      root.remove();
    },
  };

  return api;
}
