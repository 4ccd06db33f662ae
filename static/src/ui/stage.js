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
  const stage = h('div', { class: 'sf-stage' }, canvasElement, zoom, minimapElement);
  parent.append(stage);

  const canvas = createCanvas(canvasElement, { editable });
  const minimap = createMinimap(canvas.cy, minimapElement);
  let minimapTimer = null;

  return {
    element: stage,
    canvas,
    minimap,
    /** Lays out and draws `graph` (see canvas.render); the overview follows once all is drawn. */
    render(graph, options) {
      const result = canvas.render(graph, options);
      result?.complete.then(() => {
        clearTimeout(minimapTimer);
        minimapTimer = setTimeout(() => !canvas.cy.destroyed() && minimap.sync(), 30);
      });
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
