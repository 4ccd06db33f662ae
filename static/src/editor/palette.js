/**
 * The palette: the eight state types, and a Task for each Fn function the page passed in.
 * Click an item to add it (after the selected state); drag it onto the canvas to put it
 * where it is dropped. Dragging uses pointer events, not HTML drag and drop, so the canvas
 * can show the drop target as the pointer moves.
 *
 * `createPalette(element, {functions, functionsProblem, onAdd, onHover})`: `functions` are
 * `[{app, name, resource}]`, each a Task item whose Resource is `resource`
 * (`fn:<app>/<name>`); `functionsProblem` says why there are none (the Fn server is down)
 * and is shown in their place. `onAdd(item, point | null)` where item is
 * `{type, name?, resource?}` and point the page coordinates of a drop;
 * `onHover(point | null)` follows a drag.
 */

import { DESCRIPTIONS } from '../asl/templates.js';
import { iconSvg } from '../graph/icons.js';
import { h } from '../ui/dom.js';

const GROUPS = [
  { title: 'Actions', types: ['Task'] },
  { title: 'Flow', types: ['Choice', 'Parallel', 'Map', 'Pass', 'Wait', 'Succeed', 'Fail'] },
];

const DRAG_THRESHOLD = 4;

export function createPalette(element, { functions = [], functionsProblem = '', onAdd, onHover = () => {} }) {
  const item = (spec, label, description, testid) => {
    const button = h(
      'button',
      { type: 'button', class: 'sf-palette-item', title: description, 'data-testid': testid, dataset: { type: spec.type } },
      h('span', { class: 'sf-palette-icon', html: iconSvg(spec.type, 24) }),
      h('span', { class: 'sf-palette-text' }, h('span', { class: 'sf-palette-name' }, label), h('span', { class: 'sf-palette-desc' }, description)),
    );
    dragSource(button, spec);
    return button;
  };

  let ghost = null;
  const dragSource = (button, spec) => {
    let start = null;
    let dragging = false;
    button.addEventListener('pointerdown', (event) => {
      if (event.button !== 0) return;
      start = { x: event.clientX, y: event.clientY };
      dragging = false;
      button.setPointerCapture(event.pointerId);
    });
    button.addEventListener('pointermove', (event) => {
      if (!start) return;
      if (!dragging && Math.hypot(event.clientX - start.x, event.clientY - start.y) > DRAG_THRESHOLD) {
        dragging = true;
        ghost = h('div', { class: 'sf-drag-ghost' }, h('span', { html: iconSvg(spec.type, 18) }), spec.name ?? spec.type);
        document.body.append(ghost);
      }
      if (dragging) {
        ghost.style.transform = `translate(${event.clientX + 10}px, ${event.clientY + 10}px)`;
        onHover({ x: event.clientX, y: event.clientY });
      }
    });
    const finish = (event, cancelled) => {
      if (!start) return;
      const wasDragging = dragging;
      start = null;
      dragging = false;
      ghost?.remove();
      ghost = null;
      onHover(null);
      if (cancelled) return;
      onAdd(spec, wasDragging ? { x: event.clientX, y: event.clientY } : null);
    };
    button.addEventListener('pointerup', (event) => finish(event, false));
    button.addEventListener('pointercancel', (event) => finish(event, true));
    // Keyboard: Enter and Space click, which adds after the selection.
    button.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        onAdd(spec, null);
      }
    });
  };

  const sections = GROUPS.map((group) =>
    h('section', { class: 'sf-palette-group' }, h('h3', {}, group.title), group.types.map((type) => item({ type }, type, DESCRIPTIONS[type], `palette-${type}`))),
  );
  if (functions.length || functionsProblem) {
    sections.push(
      h(
        'section',
        { class: 'sf-palette-group', 'data-testid': 'palette-functions' },
        h('h3', {}, 'Fn functions'),
        functions.map((fn) => item({ type: 'Task', name: fn.name, resource: fn.resource }, fn.name, fn.app ? `${fn.app} · ${fn.resource}` : fn.resource, `palette-fn-${fn.app ? `${fn.app}-` : ''}${fn.name}`)),
        functionsProblem ? h('p', { class: 'sf-palette-note', role: 'note', 'data-testid': 'palette-functions-problem' }, `Not available: ${functionsProblem}`) : null,
      ),
    );
  }
  element.append(h('div', { class: 'sf-palette-scroll' }, sections, h('p', { class: 'sf-palette-tip' }, 'Click to add after the selected state, or drag onto the canvas.')));
}
