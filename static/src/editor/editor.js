/**
 * The graph editor.
 *
 *   const editor = mountEditor(element, {
 *     definition,                 // the ASL definition to start from (an empty machine if absent)
 *     functions: [{app, name, resource}],   // Fn functions for the palette's Task items
 *     functionsProblem: '',       // why there are none (the Fn server is down), shown in the palette
 *     validate: async (definition) => [{path, message}],   // the server's validator
 *     onChange: (definition, {dirty}) => {},
 *   });
 *   await editor.ready;
 *   editor.definition; editor.dirty; editor.markSaved(); editor.setDefinition(d);
 *   editor.undo(); editor.redo(); editor.select(pointer); editor.setMode('design' | 'code');
 *   editor.problems; await editor.validateNow(); editor.exportSvg(); editor.exportPng();
 *   editor.destroy();
 *
 * Events on `element` (CustomEvent detail): `sf-change` {definition, dirty},
 * `sf-dirty` {dirty}, `sf-problems` {problems}, `sf-select` {selection}.
 *
 * Every edit is a pure function from definition to definition (asl/edit.js) recorded in a
 * History; the canvas, the code view and the inspector are all redrawn from the present
 * definition, so they cannot drift apart.
 */

import * as edits from '../asl/edit.js';
import { EditError } from '../asl/edit.js';
import { toGraph } from '../asl/graph.js';
import { History } from '../asl/history.js';
import { get, isObject, parseStatePointer, statePointer } from '../asl/pointer.js';
import { placeProblems } from '../asl/problems.js';
import { exportPng, exportSvg, svgText } from '../graph/export.js';
import { debounce, h } from '../ui/dom.js';
import { createStage } from '../ui/stage.js';
import { createCodeView } from './codeview.js';
import { attachGestures } from './gestures.js';
import { createInspector } from './inspector.js';
import { createPalette } from './palette.js';
import { createProblemsPanel } from './problems-panel.js';
import { bindKeys } from './keyboard.js';
import { buildShell } from './shell.js';

const format = (definition) => `${JSON.stringify(definition, null, 2)}\n`;

function normalise(definition) {
  return isObject(definition) ? structuredClone(definition) : { StartAt: '', States: {} };
}

/** The state that ends a machine, to extend the chain from when nothing else says where. */
function lastState(definition, machine) {
  const table = get(definition, machine)?.States;
  if (!isObject(table)) return undefined;
  const names = Object.keys(table);
  const ending = names.filter((n) => table[n]?.End === true);
  const name = ending.at(-1) ?? names.at(-1);
  return name === undefined ? undefined : statePointer(machine, name);
}

export function mountEditor(element, { definition, functions = [], functionsProblem = '', validate, onChange } = {}) {
  const history = new History(normalise(definition));
  let selection = null;
  let problems = [];
  let placed = { byId: new Map(), unplaced: [] };
  let parseError = null;
  let checking = false;
  let validation = 0;
  let wasDirty = false;
  let graph = toGraph(history.present);

  const ui = buildShell(element, {
    undo: () => api.undo(),
    redo: () => api.redo(),
    setMode: (mode) => api.setMode(mode),
    exportSvg: () => api.exportSvg(),
    exportPng: () => api.exportPng(),
    showProblems: () => problemsPanel.open(),
  });
  const stage = createStage(ui.stageHost, { editable: true });
  const banner = h('div', { class: 'sf-banner sf-hidden', 'data-testid': 'banner' });
  const emptyHint = h('div', { class: 'sf-empty-hint sf-hidden' }, h('strong', {}, 'Start with a state'), 'Click a state in the palette, or drag it here.');
  stage.element.append(banner, emptyHint);
  const { cy } = stage.canvas;

  const emit = (name, detail) => element.dispatchEvent(new CustomEvent(name, { detail }));

  // ---------------------------------------------------------------- the controller

  const ctl = {
    functions,
    get definition() {
      return history.present;
    },
    get selection() {
      return selection;
    },
    problemsFor: (id) => placed.byId.get(id) ?? (id === '' ? placed.unplaced : []),

    /** Apply an edit; `{select: true}` selects the pointer it returns, `{select: null}` clears. */
    run(edit, options = {}) {
      let result;
      try {
        result = edit(history.present);
      } catch (error) {
        if (!(error instanceof EditError)) throw error;
        ui.toast(error.message);
        inspector.render();
        return false;
      }
      // Edits return a definition, or {definition, pointer} when they name a state.
      const next = isObject(result) && 'pointer' in result ? result.definition : result;
      if ('select' in options) selection = options.select === true && result?.pointer ? { kind: 'state', id: result.pointer } : options.select;
      commit(next);
      return true;
    },

    select(next) {
      selection = next;
      inspector.render();
      gestures.showSelection(selection);
      emit('sf-select', { selection });
    },

    refresh: () => refresh(),
  };

  const problemsPanel = createProblemsPanel(ui.problems, { onPick: (problem) => pick(problem) });
  const inspector = createInspector(ui.inspector, ctl);
  const gestures = attachGestures(stage, ctl);
  const code = createCodeView(ui.code, { text: format(history.present), onText: (text) => typed(text) });
  createPalette(ui.palette, { functions, functionsProblem, onAdd: (item, point) => add(item, point), onHover: (point) => gestures.hover(point) });

  // ---------------------------------------------------------------- changes

  function commit(next, { from } = {}) {
    if (history.push(next)) changed({ from });
    else {
      inspector.render();
      gestures.showSelection(selection);
    }
  }

  function changed({ from } = {}) {
    parseError = null;
    refresh({ from });
    validateSoon();
    const dirty = history.dirty;
    onChange?.(history.present, { dirty });
    emit('sf-change', { definition: history.present, dirty });
    if (dirty !== wasDirty) emit('sf-dirty', { dirty: (wasDirty = dirty) });
  }

  function exists(sel) {
    if (!sel) return true;
    if (sel.kind === 'edge') return graph.edges.some((e) => e.id === sel.id);
    return graph.nodes.some((n) => n.id === sel.id);
  }

  let rendering = Promise.resolve();
  let validating = Promise.resolve();

  function refresh(options) {
    rendering = redraw(options);
    return rendering;
  }

  async function redraw({ from, fit = false } = {}) {
    graph = toGraph(history.present);
    if (!exists(selection)) selection = null;
    if (from !== 'code') code.setText(format(history.present));
    banner.classList.add('sf-hidden');
    emptyHint.classList.toggle('sf-hidden', Object.keys(history.present.States ?? {}).length > 0);
    ui.undo.disabled = !history.canUndo;
    ui.redo.disabled = !history.canRedo;
    inspector.render();
    const result = stage.render(graph, { fit });
    if (!result) return;
    await result.complete;
    if (!fit) stage.canvas.keepInView(selection?.id);
    gestures.showSelection(selection);
    gestures.afterRender();
    paintProblems();
  }

  function add(item, point) {
    let machine = '';
    let after;
    if (point) {
      const target = gestures.dropTarget(point);
      if (!target) return; // dropped outside the canvas
      machine = target.machine;
      // Into a branch or a Map: at the end of its chain. On the open canvas: on its own,
      // to be connected by dragging.
      after = target.after ?? (target.node ? lastState(history.present, machine) : undefined);
    } else if (selection?.kind === 'state') {
      machine = parseStatePointer(selection.id).machine;
      after = selection.id;
    } else if (selection?.kind === 'branch') {
      machine = selection.id;
      after = lastState(history.present, machine);
    } else {
      after = lastState(history.present, '');
    }
    ctl.run((d) => edits.addState(d, { type: item.type, name: item.name, resource: item.resource, machine, after }), { select: true });
  }

  // Text typed in the code view: a valid object becomes the present definition; anything
  // else is a problem to show while the canvas keeps the last valid definition.
  const typed = debounce((text) => {
    let parsed;
    try {
      parsed = JSON.parse(text);
    } catch {
      parseError = code.parseError() ?? { from: 0, to: 0, message: 'The text is not valid JSON' };
      showParseError(parseError.message);
      return;
    }
    if (!isObject(parsed)) {
      parseError = { from: 0, to: Math.min(text.length, 1), message: 'A definition is a JSON object ({ … })' };
      showParseError(parseError.message);
      return;
    }
    parseError = null;
    if (history.push(parsed)) changed({ from: 'code' });
    else {
      refresh({ from: 'code' });
      validateSoon();
    }
  }, 300);

  function showParseError(message) {
    validation += 1; // a late answer about older text must not clear this
    checking = false;
    problems = [{ path: '', message: `The JSON is not valid: ${message}` }];
    placed = { byId: new Map(), unplaced: problems };
    code.mark({ parseError });
    problemsPanel.render({ problems });
    problemsPanel.open();
    setStatus();
    banner.textContent = 'The code has a JSON error: the canvas shows the last valid definition.';
    banner.classList.remove('sf-hidden');
    emit('sf-problems', { problems });
  }

  // ---------------------------------------------------------------- validation

  async function validateNow() {
    validateSoon.cancel();
    if (parseError || !validate) return problems;
    const mine = ++validation;
    checking = true;
    setStatus();
    problemsPanel.render({ problems, checking });
    let result;
    try {
      result = await validate(history.present);
    } catch (error) {
      result = [{ path: '', message: `The definition could not be checked: ${error.message ?? error}` }];
    }
    if (mine !== validation) return problems;
    checking = false;
    problems = (Array.isArray(result) ? result : []).map((p) => ({ path: String(p.path ?? ''), message: String(p.message ?? p) }));
    paintProblems();
    emit('sf-problems', { problems });
    return problems;
  }
  const validateSoon = debounce(() => {
    validating = validateNow();
  }, 250);

  function paintProblems() {
    if (parseError) return;
    const ids = new Set(cy.elements().map((e) => e.id()));
    placed = placeProblems(problems, ids);
    cy.batch(() => {
      cy.elements('.problem').removeClass('problem');
      for (const id of placed.byId.keys()) {
        cy.getElementById(id).addClass('problem');
        cy.getElementById(`${id}#label`).addClass('problem');
      }
    });
    stage.minimap.classes();
    code.mark({ problems });
    problemsPanel.render({ problems, checking });
    setStatus();
    inspector.render();
  }

  function setStatus() {
    ui.setStatus({ parseError: !!parseError, checking, checked: !!validate, count: problems.length });
  }

  /** A problem was clicked: select what it concerns and show it in the code. */
  function pick(problem) {
    const ids = new Set([...graph.nodes.map((n) => n.id), ...graph.edges.map((e) => e.id)]);
    let id = problem.path ?? '';
    while (id && !ids.has(id)) id = id.slice(0, id.lastIndexOf('/'));
    if (id) {
      const node = graph.nodes.find((n) => n.id === id);
      ctl.select(node ? { kind: node.kind === 'state' ? 'state' : 'branch', id } : { kind: 'edge', id });
      const element = cy.getElementById(id);
      if (element.nonempty()) cy.animate({ center: { eles: element }, duration: 200 });
    }
    code.reveal(problem.path ?? '');
  }

  // ---------------------------------------------------------------- keyboard

  const unbindKeys = bindKeys(ui.root, {
    undo: () => api.undo(),
    redo: () => api.redo(),
    remove: () => deleteSelection(),
    clear: () => ctl.select(null),
  });

  /** Remove what is selected; false when nothing was. */
  function deleteSelection() {
    if (!selection) return false;
    if (selection.kind === 'state') ctl.run((d) => edits.deleteState(d, selection.id), { select: null });
    else if (selection.kind === 'edge') ctl.run((d) => edits.disconnect(d, selection.id), { select: null });
    else if (selection.kind === 'branch' && /\/Branches\/\d+$/.test(selection.id)) ctl.run((d) => edits.removeBranch(d, selection.id), { select: null });
    else return false;
    return true;
  }

  // Layout changes (mode switch, page resize) change the canvas size.
  const resize = new ResizeObserver(() => {
    cy.resize();
    stage.minimap.sync();
  });
  resize.observe(stage.element);

  // ---------------------------------------------------------------- the API

  const api = {
    ready: null,
    cy,

    get definition() {
      return history.present;
    },
    get dirty() {
      return history.dirty;
    },
    get problems() {
      return problems;
    },
    get selection() {
      return selection;
    },
    /** The code view's text, as typed (it may not parse). */
    get code() {
      return code.text;
    },

    /** The page saved the definition (as a new version): not dirty any more. */
    markSaved() {
      history.markSaved();
      if (wasDirty) emit('sf-dirty', { dirty: (wasDirty = false) });
    },

    /** Replace the definition (an undoable edit); `{saved: true}` also marks it saved. */
    setDefinition(next, { saved = false } = {}) {
      commit(normalise(next));
      if (saved) api.markSaved();
    },

    undo() {
      if (history.undo() !== undefined) changed();
    },
    redo() {
      if (history.redo() !== undefined) changed();
    },

    select(pointer) {
      const node = graph.nodes.find((n) => n.id === pointer);
      ctl.select(pointer === null ? null : node ? { kind: node.kind === 'state' ? 'state' : 'branch', id: pointer } : { kind: 'edge', id: pointer });
    },

    setMode(mode) {
      ui.setMode(mode);
      if (mode === 'code') code.view.requestMeasure();
      requestAnimationFrame(() => {
        cy.resize();
        stage.canvas.fit();
        stage.minimap.sync();
      });
    },

    validateNow,

    /** Resolves once pending edits are drawn and checked (tests and pages wait on it). */
    async settled() {
      typed.flush();
      validateSoon.flush();
      await rendering;
      await validating;
      await rendering;
    },

    svg: () => svgText(cy),
    exportSvg: (filename) => exportSvg(cy, filename),
    exportPng: (filename) => exportPng(cy, filename),

    destroy() {
      unbindKeys();
      resize.disconnect();
      validateSoon.cancel();
      typed.cancel();
      gestures.destroy();
      code.destroy();
      stage.destroy();
      ui.root.remove();
    },
  };

  api.ready = refresh({ fit: true }).then(() => validateNow());
  return api;
}
