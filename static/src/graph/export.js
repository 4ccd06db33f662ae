/** Download the whole graph as SVG (cytoscape-svg) or PNG (cytoscape's own renderer). */

function download(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The graph as SVG text. */
export function svgText(cy) {
  return cy.svg({ full: true, scale: 1, bg: '#ffffff' });
}

export function exportSvg(cy, filename = 'state-machine.svg') {
  download(new Blob([svgText(cy)], { type: 'image/svg+xml' }), filename);
}

export async function exportPng(cy, filename = 'state-machine.png') {
  const blob = await cy.png({ full: true, scale: 2, bg: '#ffffff', output: 'blob-promise' });
  download(blob, filename);
}
