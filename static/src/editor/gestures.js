/**
 * What a person does on the editor's canvas: select states, transitions and branches;
 * drag from the round handle under a state to another state to connect them
 * (cytoscape-edgehandles draws the line); drag a state into a branch
 * or a Map, or out of one, to move it; find where a palette item is being dropped.
 *
 * Changes go through the editor's controller (`ctl.run`, `ctl.select`, `ctl.refresh`).
 */

import edgehandles from 'cytoscape-edgehandles';
import cytoscape from 'cytoscape';

import * as edits from '../asl/edit.js';
import { NO_TRANSITION } from '../asl/templates.js';
import { h } from '../ui/dom.js';

cytoscape.use(edgehandles);

// Succeed and Fail end their machine; everything else, Choice included, can lead on.
const canStart = (node) => node?.hasClass('state') && (node.data('type') === 'Choice' || !NO_TRANSITION.has(node.data('type')));

export function attachGestures(stage, ctl) {
  const { canvas } = stage;
  const { cy } = canvas;

  // ---------------------------------------------------------------- selection

  let hovered = null; // the state under the pointer

  cy.on('tap', (event) => {
    const target = event.target;
    if (target === cy) return ctl.select(null);
    if (target.isEdge()) return ctl.select({ kind: 'edge', id: target.id() });
    if (target.hasClass('edge-label')) return ctl.select({ kind: 'edge', id: target.data('edge') });
    if (target.hasClass('state')) return ctl.select({ kind: 'state', id: target.id() });
    if (target.hasClass('branch')) return ctl.select({ kind: 'branch', id: target.id() });
    return ctl.select(null);
  });

  /** Mirror the editor's selection on the canvas. */
  const showSelection = (selection) => {
    cy.batch(() => {
      cy.$(':selected').unselect();
      cy.$('.selected').removeClass('selected');
      if (!selection) return;
      const element = cy.getElementById(selection.id);
      element.select();
      if (selection.kind === 'edge') cy.getElementById(`${selection.id}#label`).addClass('selected');
    });
    // The handle stays with the state under the pointer, if any.
    if (selection?.kind === 'state' && !hovered) showPort(cy.getElementById(selection.id));
  };

  // ---------------------------------------------------------------- connect

  // edgehandles draws the line that follows the pointer; the target is found here, so a
  // drop anywhere on a Parallel or Map box (even over one of its branches) connects to it.
  const handles = cy.edgehandles({
    canConnect: () => false,
    snap: false,
    noEdgeEventsInDraw: true,
    disableBrowserGestures: true,
  });

  /** The state (or End marker) a transition from `source` would go to at `point`, or null. */
  const connectTarget = (point, source) => {
    const under = canvas.nodeAt(point, (n) => n.hasClass('state') || n.data('kind') === 'end');
    if (!under) return null;
    const machine = source.data('machine');
    const candidates = [under, ...canvas.boxesAround(under).filter((n) => n.hasClass('state'))];
    const target = candidates.find((n) => n.data('machine') === machine);
    if (!target || target.same(source)) return null;
    if (target.data('kind') === 'end' && source.data('type') === 'Choice') return null;
    return target;
  };

  // Transitions are made and removed the same way: dragging again along a Next (or a
  // Choice's Default) that is already there takes it away. A Choice gains a rule otherwise.
  const connectTo = (source, target) => {
    const existing = [`${source.id()}/Next`, `${source.id()}/Default`].map((id) => cy.getElementById(id)).find((edge) => edge.nonempty() && edge.data('target') === target.id());
    if (existing) ctl.run((d) => edits.disconnect(d, existing.id()), { select: null });
    else if (target.data('kind') === 'end') ctl.run((d) => edits.connectToEnd(d, source.id()));
    else ctl.run((d) => edits.connect(d, source.id(), target.id()).definition);
  };

  const port = h('div', { class: 'sf-port sf-hidden', title: 'Drag to another state to connect', 'data-testid': 'port' });
  stage.element.append(port);
  let portNode = null;
  let hideTimer = null;
  let drawing = false;

  const placePort = () => {
    if (!portNode || portNode.removed() || cy.destroyed()) return hidePort();
    const box = portNode.renderedBoundingBox({ includeLabels: false, includeOverlays: false });
    port.style.left = `${(box.x1 + box.x2) / 2}px`;
    port.style.top = `${box.y2}px`;
  };
  function showPort(node) {
    clearTimeout(hideTimer);
    if (drawing) return;
    if (!node || node.empty() || !canStart(node)) return hidePort();
    portNode = node;
    port.dataset.source = node.id();
    placePort();
    port.classList.remove('sf-hidden');
  }
  function hidePort() {
    if (drawing) return;
    portNode = null;
    port.classList.add('sf-hidden');
  }
  // The handle follows the pointer, and rests on the selected state otherwise. It lingers a
  // moment after the pointer leaves a state, so the pointer can reach it.
  const hideSoon = () => {
    clearTimeout(hideTimer);
    hideTimer = setTimeout(() => {
      const selected = ctl.selection?.kind === 'state' ? cy.getElementById(ctl.selection.id) : null;
      if (hovered && !hovered.removed()) showPort(hovered);
      else if (selected && selected.nonempty()) showPort(selected);
      else hidePort();
    }, 400);
  };
  cy.on('mouseover', 'node.state', (event) => {
    hovered = event.target;
    showPort(event.target);
  });
  cy.on('mouseout', 'node.state', (event) => {
    if (hovered?.same(event.target)) hovered = null;
    hideSoon();
  });
  cy.on('viewport', placePort);
  port.addEventListener('pointerenter', () => clearTimeout(hideTimer));
  port.addEventListener('pointerleave', () => !drawing && hideSoon());

  port.addEventListener('pointerdown', (event) => {
    if (!portNode || event.button !== 0) return;
    event.preventDefault();
    event.stopPropagation();
    port.setPointerCapture(event.pointerId);
    drawing = true;
    source = portNode;
    handles.start(portNode);
    handles.update(canvas.modelPoint(event.clientX, event.clientY));
  });
  let source = null;
  let target = null;
  port.addEventListener('pointermove', (event) => {
    if (!drawing) return;
    const point = canvas.modelPoint(event.clientX, event.clientY);
    handles.update(point);
    const next = connectTarget(point, source);
    if (target && (!next || !next.same(target))) target.removeClass('connect-target');
    target = next;
    target?.addClass('connect-target');
  });
  const endDraw = (event) => {
    if (!drawing) return;
    drawing = false;
    handles.stop();
    target?.removeClass('connect-target');
    const chosen = event.type === 'pointerup' ? connectTarget(canvas.modelPoint(event.clientX, event.clientY), source) : null;
    const from = source;
    source = null;
    target = null;
    hideSoon();
    if (chosen) connectTo(from, chosen);
  };
  port.addEventListener('pointerup', endDraw);
  port.addEventListener('pointercancel', endDraw);

  // ---------------------------------------------------------------- move into / out of boxes

  let boxes = []; // [{node, box}] as they were when the drag began
  let dragged = null;
  let moved = false;

  const containerAt = (point, node) => {
    let best = null;
    for (const { node: candidate, box } of boxes) {
      if (candidate.same(node) || candidate.id().startsWith(`${node.id()}/`)) continue;
      if (point.x < box.x1 || point.x > box.x2 || point.y < box.y1 || point.y > box.y2) continue;
      if (!best || candidate.data('depth') > best.data('depth')) best = candidate;
    }
    return best;
  };
  const machineOf = (container) => (container ? (canvas.current.view?.machineOf.get(container.id()) ?? container.data('machine')) : '');

  let carried = null; // what a dragged Parallel or Map box holds moves with it
  let last = null;
  cy.on('grab', 'node.state', (event) => {
    dragged = event.target;
    moved = false;
    boxes = cy.nodes('.branch, .box').map((node) => ({ node, box: node.boundingBox({ includeLabels: false }) }));
    carried = dragged.hasClass('box') ? canvas.inside(dragged).nodes() : null;
    last = { ...dragged.position() };
    hidePort();
  });
  cy.on('drag', 'node.state', (event) => {
    if (!dragged || !event.target.same(dragged)) return;
    moved = true;
    const now = dragged.position();
    carried?.shift({ x: now.x - last.x, y: now.y - last.y });
    last = { ...now };
    const container = containerAt(dragged.position(), dragged);
    cy.$('.drop-target').removeClass('drop-target');
    if (container && machineOf(container) !== dragged.data('machine')) container.addClass('drop-target');
  });
  cy.on('free', 'node.state', (event) => {
    if (!dragged || !event.target.same(dragged)) return;
    const node = dragged;
    dragged = null;
    carried = null;
    cy.$('.drop-target').removeClass('drop-target');
    if (!moved) return;
    // Dropped on a Parallel's frame (not in a branch) means beside the Parallel.
    const to = machineOf(containerAt(node.position(), node));
    if (to !== node.data('machine')) ctl.run((d) => edits.moveState(d, node.id(), to), { select: true });
    else ctl.refresh(); // put it back where the layout wants it
  });

  // ---------------------------------------------------------------- palette drops

  /** Where an item dropped at page point `point` goes: `{machine, after?, node?}`. */
  const dropTarget = (point) => {
    if (!point || !canvas.contains(point.x, point.y)) return null;
    const model = canvas.modelPoint(point.x, point.y);
    const node = canvas.nodeAt(model, (n) => n.hasClass('state') || n.hasClass('branch'));
    if (!node) return { machine: '' };
    if (node.hasClass('branch')) return { machine: node.id(), node };
    if (node.hasClass('box') && node.data('type') === 'Map') return { machine: machineOf(node), node };
    return { machine: node.data('machine'), after: node.id(), node };
  };

  const hover = (point) => {
    cy.$('.drop-target').removeClass('drop-target');
    dropTarget(point)?.node?.addClass('drop-target');
  };

  return {
    showSelection,
    dropTarget,
    hover,
    afterRender() {
      const node = hovered ?? portNode;
      if (node) showPort(cy.getElementById(node.id()));
    },
    destroy() {
      handles.destroy();
      port.remove();
    },
  };
}
