/**
 * One small icon per state type, drawn as inline SVG: the canvas uses them as node
 * backgrounds (data URIs) and the palette as markup, so nothing is fetched.
 */

export const TYPE_COLORS = {
  Task: '#0972d3',
  Pass: '#5f6b7a',
  Choice: '#7d3fc6',
  Wait: '#b4630b',
  Parallel: '#0b7a75',
  Map: '#0e7490',
  Succeed: '#1d7f3a',
  Fail: '#c0352b',
};

// White strokes on a 20x20 tile.
const GLYPHS = {
  Task: '<path d="M11 3.5 5.5 11H10l-1 5.5L14.5 9H10z" fill="#fff" stroke="none"/>',
  Pass: '<path d="M4.5 10h10M11 6.5l3.5 3.5-3.5 3.5"/>',
  Choice: '<path d="M10 4 16 10 10 16 4 10z"/>',
  Wait: '<circle cx="10" cy="10" r="5.8"/><path d="M10 6.8V10l2.2 1.6"/>',
  Parallel: '<path d="M6 5v10M10 5v10M14 5v10"/>',
  Map: '<rect x="4.5" y="7.5" width="8" height="8" rx="1.2"/><path d="M7.5 4.5h8v8"/>',
  Succeed: '<path d="M5 10.5 8.5 14 15 6.5"/>',
  Fail: '<path d="M6 6l8 8M14 6l-8 8"/>',
};

/** The icon of a state type as SVG markup (a neutral tile for unknown types). */
export function iconSvg(type, size = 20) {
  const color = TYPE_COLORS[type] ?? '#8d99a8';
  const glyph = GLYPHS[type] ?? '<path d="M10 6v5M10 14h.01"/>';
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 20 20">` +
    `<rect width="20" height="20" rx="5" fill="${color}"/>` +
    `<g fill="none" stroke="#fff" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round">${glyph}</g></svg>`
  );
}

const uris = new Map();

/** The icon as a data URI, for cytoscape's background-image. */
export function iconUri(type) {
  if (!uris.has(type)) uris.set(type, `data:image/svg+xml;utf8,${encodeURIComponent(iconSvg(type, 40))}`);
  return uris.get(type);
}
