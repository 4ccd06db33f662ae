/**
 * The editor's frame: toolbar, palette, code view, canvas, inspector and problems panel,
 * laid out by CSS grid. Returns the elements the editor fills, and the toolbar's buttons.
 */

import { h } from '../ui/dom.js';
import { GLYPHS } from '../ui/glyphs.js';

export function buildShell(element, handlers) {
  const icon = (name, title, onclick, testid) => h('button', { type: 'button', class: 'sf-icon-btn', title, 'aria-label': title, html: GLYPHS[name], onclick, 'data-testid': testid });
  const modeButton = (mode, label) =>
    h('button', { type: 'button', 'aria-pressed': String(mode === 'design'), dataset: { mode }, onclick: () => handlers.setMode(mode), 'data-testid': `mode-${mode}` }, h('span', { html: GLYPHS[mode] }), label);

  const undo = icon('undo', 'Undo (Ctrl+Z)', handlers.undo, 'undo');
  const redo = icon('redo', 'Redo (Ctrl+Y)', handlers.redo, 'redo');
  const status = h('button', { type: 'button', class: 'sf-status', 'data-testid': 'status', onclick: handlers.showProblems }, 'Not checked');
  const modes = h('div', { class: 'sf-segmented', role: 'group', 'aria-label': 'View' }, modeButton('design', 'Design'), modeButton('code', 'Code'));
  const toolbar = h(
    'div',
    { class: 'sf-toolbar' },
    modes,
    h('div', { class: 'sf-toolbar-group' }, undo, redo),
    h('div', { class: 'sf-spacer' }),
    status,
    h(
      'div',
      { class: 'sf-toolbar-group' },
      h('button', { type: 'button', class: 'sf-btn', title: 'Export the graph as SVG', onclick: handlers.exportSvg, 'data-testid': 'export-svg' }, h('span', { html: GLYPHS.download }), 'SVG'),
      h('button', { type: 'button', class: 'sf-btn', title: 'Export the graph as PNG', onclick: handlers.exportPng, 'data-testid': 'export-png' }, h('span', { html: GLYPHS.download }), 'PNG'),
    ),
  );

  const palette = h('aside', { class: 'sf-palette', 'aria-label': 'States' });
  const code = h('section', { class: 'sf-code', 'aria-label': 'Definition (JSON)', 'data-testid': 'code' });
  const stageHost = h('div', { class: 'sf-stage-host' });
  const inspector = h('aside', { class: 'sf-inspector', 'aria-label': 'Inspector', 'data-testid': 'inspector' });
  const problems = h('section', { class: 'sf-problems', 'aria-label': 'Problems' });
  const toast = h('div', { class: 'sf-toast', role: 'status', 'aria-live': 'polite' });
  const main = h('div', { class: 'sf-main' }, palette, code, stageHost, inspector);
  const root = h('div', { class: 'sf-root sf-editor sf-mode-design' }, toolbar, main, problems, toast);
  element.append(root);

  let toastTimer = null;
  return {
    root,
    palette,
    code,
    stageHost,
    inspector,
    problems,
    undo,
    redo,
    status,
    setMode(mode) {
      root.classList.toggle('sf-mode-design', mode === 'design');
      root.classList.toggle('sf-mode-code', mode === 'code');
      for (const button of modes.querySelectorAll('button')) button.setAttribute('aria-pressed', String(button.dataset.mode === mode));
    },
    /** The status pill: a JSON error, checking, the problem count, or valid. */
    setStatus({ parseError, checking, checked, count }) {
      status.className = 'sf-status';
      const show = (kind, glyph, text) => {
        if (kind) status.classList.add(kind);
        status.innerHTML = glyph ? `${GLYPHS[glyph]}<span></span>` : '<span></span>';
        status.querySelector('span').textContent = text;
      };
      if (parseError) show('sf-status-bad', 'warning', 'JSON error');
      else if (checking) show('', '', 'Checking…');
      else if (!checked) show('', '', 'Not checked');
      else if (count) show('sf-status-bad', 'warning', `${count} problem${count === 1 ? '' : 's'}`);
      else show('sf-status-ok', 'check', 'Valid');
    },

    toast(message) {
      toast.textContent = message;
      toast.classList.add('sf-visible');
      clearTimeout(toastTimer);
      toastTimer = setTimeout(() => toast.classList.remove('sf-visible'), 3500);
    },
  };
}
