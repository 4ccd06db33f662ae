/**
 * The cytoscape stylesheet shared by the editor and the execution view. Sizes and edge
 * routes come from the layout (as data and per-element style); this file says how things
 * look. Status colours live here too so the legend and the canvas cannot disagree.
 */

export const FONT = '-apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif';

const INK = '#16191f';
const MUTED = '#5f6b7a';
const LINE = '#8d99a8';
const BORDER = '#b6bec9';
const ACCENT = '#0972d3';

/** Fill, border and text colour of a state for each execution status. */
export const STATUS_COLORS = {
  'not-reached': { fill: '#ffffff', border: '#c6ccd4', text: '#7d8998' },
  running: { fill: '#e6f1fc', border: '#0972d3', text: INK },
  succeeded: { fill: '#e9f6ec', border: '#1d8102', text: INK },
  failed: { fill: '#fdecea', border: '#d13212', text: INK },
  caught: { fill: '#fff4e5', border: '#e07700', text: INK },
  retried: { fill: '#f3ecfd', border: '#8a4fd8', text: INK },
  aborted: { fill: '#eef0f2', border: '#545b64', text: INK },
};

export function stylesheet() {
  const rules = [
    {
      // Boxes are drawn behind what they hold: z-index by depth (see elements.js).
      selector: 'node',
      style: { 'font-family': FONT, 'font-size': 12, color: INK, 'min-zoomed-font-size': 5, 'overlay-opacity': 0, 'z-index-compare': 'manual' },
    },
    // Only our own elements carry a z; edgehandles' temporary ones do not.
    { selector: 'node[z], edge[z]', style: { 'z-index': 'data(z)' } },
    {
      selector: 'node.state',
      style: {
        shape: 'round-rectangle',
        'corner-radius': 8,
        width: 'data(width)',
        height: 'data(height)',
        'background-color': '#ffffff',
        'border-width': 1,
        'border-color': BORDER,
        label: 'data(display)',
        'text-wrap': 'wrap',
        'text-max-width': 'data(textWidth)',
        'text-valign': 'center',
        'text-halign': 'center',
        'text-justification': 'left',
        'text-margin-x': 14,
        'line-height': 1.35,
        'background-image': 'data(icon)',
        'background-width': 22,
        'background-height': 22,
        'background-position-x': 12,
        'background-position-y': '50%',
        'background-clip': 'none',
        'background-image-containment': 'over',
        'background-image-smoothing': 'yes',
      },
    },
    {
      // Parallel and Map states hold their branches / iterations: a titled box.
      selector: 'node.state.box',
      style: {
        width: 'data(width)',
        height: 'data(height)',
        'background-color': '#f5f7f9',
        'border-color': BORDER,
        'text-valign': 'top',
        'text-halign': 'center',
        'text-margin-x': 0,
        'text-margin-y': 30,
        'font-weight': 600,
        label: 'data(title)',
        'background-position-x': 12,
        'background-position-y': 11,
      },
    },
    {
      selector: 'node.branch',
      style: {
        shape: 'round-rectangle',
        width: 'data(width)',
        height: 'data(height)',
        'corner-radius': 6,
        'background-color': '#ffffff',
        'border-width': 1,
        'border-style': 'dashed',
        'border-color': '#c3cad3',
        label: 'data(title)',
        'text-valign': 'top',
        'text-halign': 'center',
        'text-margin-y': 22,
        'font-size': 11,
        color: MUTED,
      },
    },
    {
      selector: 'node.marker',
      style: {
        shape: 'round-rectangle',
        'corner-radius': 13,
        width: 'data(width)',
        height: 'data(height)',
        'background-color': '#232f3e',
        'border-width': 0,
        label: 'data(label)',
        color: '#ffffff',
        'font-size': 11,
        'font-weight': 600,
        'text-valign': 'center',
        'text-halign': 'center',
      },
    },
    {
      selector: 'node.edge-label',
      style: {
        shape: 'round-rectangle',
        'corner-radius': 4,
        width: 'data(width)',
        height: 'data(height)',
        'background-color': '#ffffff',
        'border-width': 1,
        'border-color': '#d5dbe1',
        label: 'data(label)',
        'font-size': 11,
        color: '#414d5c',
        'text-valign': 'center',
        'text-halign': 'center',
      },
    },
    { selector: 'node.edge-label.catch', style: { color: '#9a4d00', 'border-color': '#f2c68c', 'background-color': '#fffaf2' } },
    { selector: 'node.edge-label.default', style: { color: MUTED, 'font-style': 'italic' } },
    {
      selector: 'edge',
      style: {
        width: 1.5,
        'line-color': LINE,
        'target-arrow-color': LINE,
        'target-arrow-shape': 'triangle',
        'arrow-scale': 0.9,
        'curve-style': 'straight',
        'overlay-opacity': 0,
        'z-index-compare': 'manual',
      },
    },
    {
      // The layout's route: exact endpoints, and the bends as segment points.
      selector: 'edge[?routed]',
      style: { 'source-endpoint': 'data(sourceEndpoint)', 'target-endpoint': 'data(targetEndpoint)' },
    },
    {
      selector: 'edge[?bent]',
      style: {
        'curve-style': 'round-segments',
        'edge-distances': 'endpoints',
        'segment-weights': 'data(segmentWeights)',
        'segment-distances': 'data(segmentDistances)',
        'segment-radii': 8,
      },
    },
    // A state's edge to itself (a Catch that tries it again): a loop on its right side.
    { selector: 'edge:loop', style: { 'curve-style': 'bezier', 'loop-direction': '90deg', 'loop-sweep': '-50deg', 'control-point-step-size': 110 } },
    { selector: 'edge.catch', style: { 'line-style': 'dashed', 'line-dash-pattern': [6, 4], 'line-color': '#e07700', 'target-arrow-color': '#e07700' } },
    { selector: 'edge.start, edge.end', style: { 'line-color': '#b6bec9', 'target-arrow-color': '#b6bec9' } },
    // Selection and problems (editor).
    { selector: 'node.state:selected', style: { 'border-width': 2, 'border-color': ACCENT, 'underlay-color': ACCENT, 'underlay-opacity': 0.12, 'underlay-padding': 4, 'underlay-shape': 'round-rectangle' } },
    { selector: 'edge:selected', style: { width: 3, 'line-color': ACCENT, 'target-arrow-color': ACCENT } },
    { selector: 'node.edge-label.selected', style: { 'border-color': ACCENT, color: ACCENT } },
    { selector: 'node.problem', style: { 'border-width': 2, 'border-color': '#d13212', 'border-style': 'solid', 'underlay-color': '#d13212', 'underlay-opacity': 0.1, 'underlay-padding': 5, 'underlay-shape': 'round-rectangle' } },
    { selector: 'edge.problem', style: { 'line-color': '#d13212', 'target-arrow-color': '#d13212' } },
    { selector: 'node.drop-target', style: { 'border-color': ACCENT, 'border-width': 2, 'border-style': 'solid', 'background-color': '#f0f7ff' } },
    { selector: 'node.dimmed, edge.dimmed', style: { opacity: 0.3 } },
    // Edge drawing (cytoscape-edgehandles).
    { selector: '.eh-ghost-edge, edge.eh-preview', style: { 'line-color': ACCENT, 'target-arrow-color': ACCENT, 'line-style': 'dashed', width: 2, 'curve-style': 'straight' } },
    { selector: '.eh-ghost-edge.eh-preview-active', style: { opacity: 0 } },
    { selector: 'node.connect-target', style: { 'border-color': ACCENT, 'border-width': 3, 'underlay-color': ACCENT, 'underlay-opacity': 0.15, 'underlay-padding': 6, 'underlay-shape': 'round-rectangle' } },
  ];
  for (const [status, colors] of Object.entries(STATUS_COLORS)) {
    rules.push({
      selector: `node.state.status-${status}`,
      style: { 'background-color': colors.fill, 'border-color': colors.border, color: colors.text, 'border-width': status === 'not-reached' ? 1 : 2 },
    });
  }
  // A box keeps its light fill (its states carry the colour); its border tells its status.
  rules.push({ selector: 'node.state.box', style: { 'background-color': '#f5f7f9' } });
  rules.push({ selector: 'node.state.status-aborted', style: { 'border-style': 'dashed' } });
  rules.push({ selector: 'node.state.status-running', style: { 'underlay-color': '#0972d3', 'underlay-opacity': 0.15, 'underlay-padding': 5, 'underlay-shape': 'round-rectangle' } });
  rules.push({ selector: 'edge.taken', style: { 'line-color': '#5f6b7a', 'target-arrow-color': '#5f6b7a', width: 2 } });
  return rules;
}
