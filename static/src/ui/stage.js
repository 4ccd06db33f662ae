/**
 * The canvas area both components share: the cytoscape canvas, zoom buttons and the mini
 * overview (which can be hidden), stacked in one positioned box.
 */

import { createCanvas } from '../graph/canvas.js';
import { createMinimap } from '../graph/minimap.js';
import { h } from './dom.js';
import { GLYPHS } from './glyphs.js';

export function createStage(parent, { editable = false } = {}) {
  const canvasElement = h('div', { class: 'sf-canvas', 'data-testid': 'canvas' });
  const minimapElement = h('div', { class: 'sf-minimap', title: 'Overview: click or drag to move the view' });
  const button = (name, title, onclick) => h('button', { type: 'button', class: 'sf-icon-btn', title, 'aria-label': title, html: GLYPHS[name], onclick, 'data-testid': `zoom-${name}` });
  const zoom = h(
    'div',
    { class: 'sf-zoom' },
    button('plus', 'Zoom in', () => canvas.zoomBy(1.25)),
    button('minus', 'Zoom out', () => canvas.zoomBy(0.8)),
    button('fit', 'Fit to view', () => canvas.fit()),
    button('map', 'Show or hide the overview', () => minimapElement.classList.toggle('sf-hidden')),
  );
  const busy = h('div', { class: 'sf-busy sf-hidden', role: 'status' }, h('span', { class: 'sf-spinner' }), 'Laying out…');
  const stage = h('div', { class: 'sf-stage' }, canvasElement, zoom, minimapElement, busy);
  parent.append(stage);

  const canvas = createCanvas(canvasElement, { editable });
  const minimap = createMinimap(canvas.cy, minimapElement);
  let minimapTimer = null;
  let pending = 0; // renders under way

  return {
    element: stage,
    canvas,
    minimap,
    async render(graph, options) {
      // A big machine takes a moment to lay out: say so, unless it is quick.
      pending += 1;
      const slow = setTimeout(() => busy.classList.remove('sf-hidden'), 200);
      let result;
      try {
        result = await canvas.render(graph, options);
      } finally {
        clearTimeout(slow);
        pending -= 1;
        if (pending === 0) busy.classList.add('sf-hidden');
      }
      // The overview can wait until the canvas has been painted.
      if (result) {
        clearTimeout(minimapTimer);
        minimapTimer = setTimeout(() => !canvas.cy.destroyed() && minimap.sync(), 30);
      }
      return result;
    },
    destroy() {
      clearTimeout(minimapTimer);
      minimap.destroy();
      canvas.destroy();
      stage.remove();
    },
  };
}
