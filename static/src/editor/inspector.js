/**
 * The inspector: a form for whatever is selected. A state gets every field of its type
 * (grouped as in fields.js, with list editors for Choice rules, Retry and Catch); a
 * transition, a branch and the machine itself get their own short forms.
 *
 * It edits through the editor's controller: `ctl.run(edit)` applies a pure edit
 * (`definition => definition | {definition, pointer}`), `ctl.select(selection)` moves the
 * selection, `ctl.definition` / `ctl.selection` / `ctl.functions` / `ctl.problemsFor(id)`
 * read.
 */

import * as edits from '../asl/edit.js';
import { parseEdge } from '../asl/edit.js';
import { get, isObject, machines, parseStatePointer, statePointer } from '../asl/pointer.js';
import { ruleText } from '../asl/rules.js';
import { NO_TRANSITION } from '../asl/templates.js';
import { iconSvg } from '../graph/icons.js';
import { fill, h } from '../ui/dom.js';
import { GLYPHS } from '../ui/glyphs.js';
import { SECTIONS, countInput, fieldsFor, jsonInput, numberInput, pathText, pathValue, queryLanguage, row, selectInput, textInput, withField } from './fields.js';
import { catchEditor, retryEditor, rulesEditor } from './lists.js';

const WAIT_MODES = ['Seconds', 'Timestamp', 'SecondsPath', 'TimestampPath'];
const WAIT_LABELS = { Seconds: 'Seconds', Timestamp: 'Until a time', SecondsPath: 'Seconds from a path', TimestampPath: 'Time from a path' };

/** The state names of a machine, for Next / Default / Catch selects. */
function namesIn(definition, machine, except) {
  const table = get(definition, machine)?.States;
  return isObject(table) ? Object.keys(table).filter((n) => n !== except) : [];
}

/** A readable name for a machine pointer: "Top level", "Fan out › Branch 2", "Each › Iteration". */
export function machineTitle(definition, pointer) {
  if (pointer === '') return 'Top level';
  const match = /^(.*)\/(Branches\/(\d+)|ItemProcessor|Iterator)$/.exec(pointer);
  if (!match) return pointer;
  const { name } = parseStatePointer(match[1]);
  return `${name} › ${match[3] !== undefined ? `Branch ${Number(match[3]) + 1}` : 'Iteration'}`;
}

export function createInspector(element, ctl) {
  const jsonRules = new Map(); // state pointer -> rule indexes shown as JSON

  const section = (title, children, { closed = false } = {}) =>
    children.filter(Boolean).length ? h('details', { class: 'sf-section', open: !closed }, h('summary', {}, title), h('div', { class: 'sf-section-body' }, children)) : null;

  const problemsBox = (id) => {
    const problems = ctl.problemsFor(id);
    if (!problems.length) return null;
    return h('div', { class: 'sf-inline-problems', role: 'alert' }, problems.map((p) => h('div', {}, h('span', { html: GLYPHS.warning }), p.message)));
  };

  // ---------------------------------------------------------------- state form

  function stateForm(pointer) {
    const definition = ctl.definition;
    const state = get(definition, pointer);
    const { machine, name } = parseStatePointer(pointer);
    if (!isObject(state)) return h('p', { class: 'sf-muted' }, `"${name}" is not a JSON object; fix it in the code view.`);
    const type = state.Type;
    const names = namesIn(definition, machine, name);
    const setState = (body) => ctl.run((d) => edits.updateState(d, pointer, body));
    const setField = (key, value) => setState(withField(state, key, value));
    const language = queryLanguage(state, definition);
    const jsonata = language === 'JSONata';

    const input = (field) => {
      const key = `field-${field.key}`;
      switch (field.kind) {
        case 'text':
          return row(field.label, textInput(state[field.key], (v) => setField(field.key, v === '' ? undefined : v), { 'data-key': key }), field.help, field.key);
        case 'path':
          return row(field.label, textInput(pathText(state[field.key]), (v) => setField(field.key, pathValue(v)), { 'data-key': key, placeholder: '$' }), field.help, field.key);
        case 'number':
          return row(field.label, numberInput(state[field.key], (v) => setField(field.key, v), { 'data-key': key }), field.help, field.key);
        case 'count':
          return row(field.label, countInput(state[field.key], (v) => setField(field.key, v), { 'data-key': key, placeholder: jsonata ? 'a number or {% … %}' : '' }), field.help, field.key);
        case 'language': {
          // A JSONata machine may not hold JSONPath states (AWS refuses them); the reverse is fine.
          const inherited = queryLanguage({}, definition);
          const choices = inherited === 'JSONata' && state.QueryLanguage !== 'JSONPath' ? ['JSONata'] : ['JSONPath', 'JSONata'];
          const options = [['', `Inherit (${inherited})`], ...choices.map((l) => [l, l])];
          return row(field.label, selectInput(state.QueryLanguage ?? '', options, (v) => setField('QueryLanguage', v || undefined), { 'data-key': key }), null, field.key);
        }
        case 'json':
          return row(field.label, jsonInput(state[field.key], (v) => setField(field.key, v), { 'data-key': key }), field.help, field.key);
        case 'select':
          return row(field.label, selectInput(state[field.key] ?? '', field.options.map((o) => [o, o || 'Inherit']), (v) => setField(field.key, v || undefined), { 'data-key': key }), field.help, field.key);
        case 'resource':
          return resourceField(state, setField, field);
        case 'wait':
          return waitField(state, setState, jsonata);
        case 'processor':
          return processorField(state, setField);
        case 'branches':
          return branchesField(state, pointer);
        case 'retry':
          return h('div', { class: 'sf-field' }, h('span', { class: 'sf-field-label' }, 'Retry'), retryEditor(state.Retry, (list) => setField('Retry', list.length ? list : undefined)));
        case 'catch':
          return h('div', { class: 'sf-field' }, h('span', { class: 'sf-field-label' }, 'Catch'), catchEditor(state.Catch, names, (list) => setField('Catch', list.length ? list : undefined), { jsonata }));
        default:
          return null;
      }
    };

    const fields = fieldsFor(type, { language, state });
    const rename = (v) => ctl.run((d) => ({ definition: edits.renameState(d, pointer, v), pointer: statePointer(machine, v) }), { select: true });
    const nameRow = row('Name', textInput(name, rename, { 'data-key': 'name', maxlength: 80 }), null, 'Name');
    const bySection = (id) => fields.filter((f) => f.section === id).map(input);

    return [
      h(
        'div',
        { class: 'sf-inspector-head' },
        h('span', { class: 'sf-type-icon', html: iconSvg(type, 28) }),
        h('div', { class: 'sf-inspector-title' }, h('strong', { title: name }, name), h('span', { class: 'sf-muted' }, `${type ?? 'Unknown'} state · ${machineTitle(definition, machine)}`)),
        h('button', { type: 'button', class: 'sf-icon-btn', title: 'Delete this state', 'aria-label': 'Delete this state', html: GLYPHS.trash, onclick: () => ctl.run((d) => edits.deleteState(d, pointer), { select: null }) }),
      ),
      problemsBox(pointer),
      ...SECTIONS.map(({ id, title, closed }) => {
        if (id === 'flow') return section(title, flowFields(state, pointer, machine, names, setState, setField));
        return section(title, id === 'state' ? [nameRow, ...bySection(id)] : bySection(id), { closed });
      }),
    ];
  }

  function resourceField(state, setField, field) {
    const listId = 'sf-functions';
    const functions = ctl.functions;
    const datalist = h('datalist', { id: listId }, functions.map((f) => h('option', { value: f.resource }, `${f.app} / ${f.name}`)));
    const known = functions.find((f) => f.resource === state.Resource);
    return row(
      field.label,
      h('div', {}, textInput(state.Resource, (v) => setField('Resource', v.trim() || undefined), { 'data-key': 'field-Resource', list: listId, placeholder: 'fn:app/function' }), datalist),
      known ? `${known.app} / ${known.name}` : field.help,
      'Resource',
    );
  }

  function waitField(state, setState, jsonata) {
    // JSONata has no *Path fields: Seconds and Timestamp take {% %} expressions instead.
    const modes = WAIT_MODES.filter((m) => !jsonata || !m.endsWith('Path') || m in state);
    const mode = WAIT_MODES.find((m) => m in state) ?? 'Seconds';
    const setMode = (next) => {
      const body = {};
      for (const [k, v] of Object.entries(state)) {
        if (k === mode) body[next] = next === 'Seconds' ? (Number(v) || 1) : next.endsWith('Path') ? '$.wait' : next === 'Timestamp' ? new Date(Date.now() + 60_000).toISOString().replace(/\.\d+Z$/, 'Z') : v;
        else body[k] = v;
      }
      if (!(mode in state)) body[next] = 1;
      setState(body);
    };
    const setValue = (value) => setState(withField(state, mode, value));
    const value = mode === 'Seconds' ? countInput(state[mode], (v) => setValue(v), { 'data-key': 'field-wait' }) : textInput(state[mode], (v) => setValue(v), { 'data-key': 'field-wait' });
    return h('div', { class: 'sf-field-pair' }, row('Wait', selectInput(mode, modes.map((m) => [m, WAIT_LABELS[m]]), setMode, { 'data-key': 'field-wait-mode' })), row('Value', value));
  }

  function processorField(state, setField) {
    const key = 'ItemProcessor' in state ? 'ItemProcessor' : 'Iterator';
    const processor = isObject(state[key]) ? state[key] : {};
    const mode = processor.ProcessorConfig?.Mode ?? 'INLINE';
    const setMode = (next) => setField(key, { ...processor, ProcessorConfig: { ...(processor.ProcessorConfig ?? {}), Mode: next } });
    return row('Processing mode', selectInput(mode, [['INLINE', 'Inline'], ['DISTRIBUTED', 'Distributed']], setMode, { 'data-key': 'field-mode' }), null, 'ProcessorMode');
  }

  function branchesField(state, pointer) {
    const branches = Array.isArray(state.Branches) ? state.Branches : [];
    return h(
      'div',
      { class: 'sf-field' },
      h('span', { class: 'sf-field-label' }, `Branches (${branches.length})`),
      h(
        'div',
        { class: 'sf-branch-list' },
        branches.map((branch, index) =>
          h(
            'div',
            { class: 'sf-branch-row' },
            h('button', { type: 'button', class: 'sf-btn sf-link', onclick: () => ctl.select({ kind: 'branch', id: `${pointer}/Branches/${index}` }) }, `Branch ${index + 1}`),
            h('span', { class: 'sf-muted' }, `${Object.keys(branch?.States ?? {}).length} states`),
            h('button', { type: 'button', class: 'sf-icon-btn sf-small', title: `Remove branch ${index + 1}`, 'aria-label': `Remove branch ${index + 1}`, html: GLYPHS.trash, onclick: () => ctl.run((d) => edits.removeBranch(d, `${pointer}/Branches/${index}`)) }),
          ),
        ),
      ),
      h('button', { type: 'button', class: 'sf-btn', 'data-action': 'add-branch', onclick: () => ctl.run((d) => edits.addBranch(d, pointer)) }, '+ Add branch'),
    );
  }

  function flowFields(state, pointer, machine, names, setState, setField) {
    const definition = ctl.definition;
    const out = [];
    if (state.Type === 'Choice') {
      const shown = jsonRules.get(pointer) ?? new Set();
      const toggleJson = (index) => {
        shown.has(index) ? shown.delete(index) : shown.add(index);
        jsonRules.set(pointer, shown);
        render();
      };
      const jsonata = queryLanguage(state, definition) === 'JSONata';
      out.push(h('div', { class: 'sf-field' }, h('span', { class: 'sf-field-label' }, 'Rules, tried in order'), rulesEditor(state.Choices, names, (list) => setField('Choices', list), { jsonRules: shown, toggleJson, jsonata })));
      out.push(row('Otherwise (Default)', selectInput(state.Default ?? '', [['', '— no default —'], ...names.map((n) => [n, n])], (v) => setField('Default', v || undefined), { 'data-key': 'field-Default' }), 'Where to go when no rule matches', 'Default'));
    } else if (NO_TRANSITION.has(state.Type)) {
      out.push(h('p', { class: 'sf-muted' }, `A ${state.Type} state ends its machine.`));
    } else {
      const value = state.End === true ? '#end' : (state.Next ?? '');
      const options = [...(value === '' ? [['', '— choose —']] : []), ['#end', 'End of the machine'], ...names.map((n) => [n, n])];
      const set = (v) => {
        let body = withField(withField(state, 'Next', undefined), 'End', undefined);
        body = v === '#end' ? withField(body, 'End', true) : v ? withField(body, 'Next', v) : body;
        setState(body);
      };
      out.push(row('Next state', selectInput(value, options, set, { 'data-key': 'field-Next' }), null, 'Next'));
    }
    const machineDoc = get(definition, machine);
    const starts = machineDoc?.StartAt === parseStatePointer(pointer).name;
    out.push(
      h(
        'div',
        { class: 'sf-flow-tools' },
        starts ? h('span', { class: 'sf-chip sf-chip-running' }, 'Start state') : h('button', { type: 'button', class: 'sf-btn', onclick: () => ctl.run((d) => edits.setStartAt(d, pointer)) }, 'Start here'),
        moveSelect(pointer, machine),
      ),
    );
    return out;
  }

  function moveSelect(pointer, machine) {
    const definition = ctl.definition;
    const targets = machines(definition)
      .map((m) => m.pointer)
      .filter((p) => !p.startsWith(`${pointer}/`));
    if (targets.length < 2) return null;
    return h(
      'label',
      { class: 'sf-move' },
      h('span', { class: 'sf-muted' }, 'In'),
      selectInput(machine, targets.map((p) => [p, machineTitle(definition, p)]), (to) => ctl.run((d) => edits.moveState(d, pointer, to), { select: true }), { 'data-key': 'move', 'aria-label': 'Move to' }),
    );
  }

  // ---------------------------------------------------------------- other selections

  function edgeForm(id) {
    const definition = ctl.definition;
    const { owner, field, index } = parseEdge(id);
    const from = field === 'StartAt' ? 'Start' : parseStatePointer(owner).name;
    const source = get(definition, owner);
    const target =
      field === 'StartAt' ? source?.StartAt : field === 'End' ? 'End' : field === 'Choices' || field === 'Catch' ? source?.[field]?.[index]?.Next : source?.[field];
    const what = {
      Next: 'Next',
      Default: 'Default (no rule matched)',
      Choices: `Rule ${index + 1}: ${ruleText(source?.Choices?.[index])}`,
      Catch: `Catch ${(source?.Catch?.[index]?.ErrorEquals ?? []).join(', ')}`,
      StartAt: 'Where the machine starts',
      End: 'End of the machine',
    }[field];
    return [
      h('div', { class: 'sf-inspector-head' }, h('div', { class: 'sf-inspector-title' }, h('strong', {}, 'Transition'), h('span', { class: 'sf-muted' }, `${from} → ${target ?? '?'}`))),
      problemsBox(id),
      h('div', { class: 'sf-section-body' }, h('p', {}, what), h('div', { class: 'sf-flow-tools' }, h('button', { type: 'button', class: 'sf-btn sf-danger', 'data-action': 'delete-edge', onclick: () => ctl.run((d) => edits.disconnect(d, id), { select: null }) }, 'Delete transition'), field !== 'StartAt' ? h('button', { type: 'button', class: 'sf-btn', onclick: () => ctl.select({ kind: 'state', id: owner }) }, `Edit ${from}`) : null), h('p', { class: 'sf-muted' }, 'Tip: select a transition on the canvas and press Delete.')),
    ];
  }

  function branchForm(id) {
    const definition = ctl.definition;
    const branch = get(definition, id) ?? {};
    const names = namesIn(definition, id);
    const setBranch = (key, value) => {
      const { States: _, ...own } = branch;
      ctl.run((d) => edits.updateMachine(d, id, value === undefined ? Object.fromEntries(Object.entries(own).filter(([k]) => k !== key)) : { ...own, [key]: value }));
    };
    return [
      h('div', { class: 'sf-inspector-head' }, h('div', { class: 'sf-inspector-title' }, h('strong', {}, machineTitle(definition, id)), h('span', { class: 'sf-muted' }, `${names.length} states`))),
      problemsBox(id),
      section('Branch', [
        row('Start at', selectInput(branch.StartAt ?? '', [['', '—'], ...names.map((n) => [n, n])], (v) => setBranch('StartAt', v), { 'data-key': 'branch-start' })),
        row('Comment', textInput(branch.Comment, (v) => setBranch('Comment', v || undefined), { 'data-key': 'branch-comment' })),
        h('p', { class: 'sf-muted' }, 'Drag states from the palette into the branch, or drag a state on the canvas into it.'),
        /\/Branches\/\d+$/.test(id) ? h('button', { type: 'button', class: 'sf-btn sf-danger', onclick: () => ctl.run((d) => edits.removeBranch(d, id), { select: null }) }, 'Remove this branch') : null,
      ]),
    ];
  }

  function machineForm() {
    const definition = ctl.definition;
    const names = namesIn(definition, '');
    const { States: _, ...own } = isObject(definition) ? definition : {};
    const set = (key, value) => {
      const next = { ...own };
      if (value === undefined) delete next[key];
      else next[key] = value;
      ctl.run((d) => edits.updateMachine(d, '', next));
    };
    return [
      h('div', { class: 'sf-inspector-head' }, h('div', { class: 'sf-inspector-title' }, h('strong', {}, 'State machine'), h('span', { class: 'sf-muted' }, `${names.length} top-level states`))),
      problemsBox(''),
      section('Definition', [
        row('Comment', textInput(own.Comment, (v) => set('Comment', v || undefined), { 'data-key': 'machine-comment' })),
        row('Start at', selectInput(own.StartAt ?? '', [['', '—'], ...names.map((n) => [n, n])], (v) => set('StartAt', v), { 'data-key': 'machine-start' })),
        row('Timeout (seconds)', numberInput(own.TimeoutSeconds, (v) => set('TimeoutSeconds', v), { 'data-key': 'machine-timeout' }), 'The whole execution fails with States.Timeout after this'),
        row('Query language', selectInput(own.QueryLanguage ?? '', [['', 'JSONPath (default)'], ['JSONata', 'JSONata']], (v) => set('QueryLanguage', v || undefined), { 'data-key': 'machine-ql' })),
      ]),
      h(
        'div',
        { class: 'sf-howto' },
        h('strong', {}, 'Building a machine'),
        h('ul', {}, h('li', {}, 'Click a state in the palette to add it after the selected one, or drag it where it belongs: onto a state, into a branch, or onto the canvas.'), h('li', {}, 'Drag from the round handle under a state to another state to connect them.'), h('li', {}, 'Select a state or a transition and press Delete to remove it.'), h('li', {}, 'Drag a state into a Parallel branch or a Map, or out of it, to move it.')),
      ),
    ];
  }

  // ---------------------------------------------------------------- render

  function render() {
    const active = document.activeElement;
    const focusKey = element.contains(active) ? active?.dataset?.key : undefined;
    const scroll = element.scrollTop;
    const selection = ctl.selection;
    let content;
    try {
      if (!selection) content = machineForm();
      else if (selection.kind === 'state') content = stateForm(selection.id);
      else if (selection.kind === 'edge') content = edgeForm(selection.id);
      else if (selection.kind === 'branch') content = branchForm(selection.id);
    } catch (error) {
      content = h('p', { class: 'sf-muted' }, `Nothing to show here: ${error.message}`);
    }
    fill(element, content);
    element.scrollTop = scroll;
    if (focusKey) element.querySelector(`[data-key="${CSS.escape(focusKey)}"]`)?.focus();
  }

  return { render };
}
