/**
 * The mini overview: a second, small cytoscape instance showing the whole graph, with the
 * main canvas's viewport drawn on it; click or drag on it to move the main view there.
 * (cytoscape-navigator, the usual extension for this, is no longer maintained.)
 */

import cytoscape from 'cytoscape';

import { stylesheet } from './style.js';

const OVERRIDES = [
  { selector: 'node', style: { label: '', 'background-image': 'none' } },
  { selector: 'node.edge-label', style: { display: 'none' } },
  { selector: 'node.state', style: { 'border-width': 3 } },
];

export function createMinimap(main, container) {
  const mini = cytoscape({
    container,
    style: [...stylesheet(), ...OVERRIDES],
    userZoomingEnabled: false,
    userPanningEnabled: false,
    boxSelectionEnabled: false,
    autoungrabify: true,
    autounselectify: true,
  });
  const frame = document.createElement('div');
  frame.className = 'sf-minimap-frame';
  container.append(frame);

  const showViewport = () => {
    if (mini.destroyed() || main.destroyed()) return;
    const extent = main.extent();
    const zoom = mini.zoom();
    const pan = mini.pan();
    const left = Math.max(0, extent.x1 * zoom + pan.x);
    const top = Math.max(0, extent.y1 * zoom + pan.y);
    const right = Math.min(container.clientWidth, extent.x2 * zoom + pan.x);
    const bottom = Math.min(container.clientHeight, extent.y2 * zoom + pan.y);
    Object.assign(frame.style, { left: `${left}px`, top: `${top}px`, width: `${Math.max(0, right - left)}px`, height: `${Math.max(0, bottom - top)}px` });
  };

  /** Copy the main graph: its elements carry their routes and box sizes as data. */
  const sync = () => {
    mini.batch(() => {
      mini.elements().remove();
      // Nodes only: the overview shows where things are, and edges would double its cost.
      mini.add(main.nodes().jsons());
    });
    mini.resize();
    mini.fit(undefined, 8);
    showViewport();
  };

  const moveTo = (event) => {
    const rect = container.getBoundingClientRect();
    const zoom = mini.zoom();
    const pan = mini.pan();
    const x = (event.clientX - rect.left - pan.x) / zoom;
    const y = (event.clientY - rect.top - pan.y) / zoom;
    main.pan({ x: main.width() / 2 - x * main.zoom(), y: main.height() / 2 - y * main.zoom() });
  };
  let dragging = false;
  const down = (event) => {
    dragging = true;
    container.setPointerCapture?.(event.pointerId);
    moveTo(event);
  };
  const move = (event) => dragging && moveTo(event);
  const up = () => (dragging = false);
  container.addEventListener('pointerdown', down);
  container.addEventListener('pointermove', move);
  container.addEventListener('pointerup', up);

  const classes = () => {
    // Status and problem classes change without a re-render; mirror them.
    mini.batch(() => main.nodes().forEach((node) => mini.getElementById(node.id()).classes(node.classes())));
  };

  main.on('viewport resize', showViewport);

  return {
    sync,
    classes,
    destroy() {
      main.off('viewport resize', showViewport);
      mini.destroy();
      frame.remove();
    },
  };
}
