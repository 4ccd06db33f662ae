/** Toolbar icons as inline SVG (16 px, currentColor), so buttons need no icon font. */

const icon = (body) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 16 16" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">${body}</svg>`;

export const GLYPHS = {
  undo: icon('<path d="M5.5 3.5 2.5 6.5l3 3"/><path d="M2.5 6.5h7a4 4 0 0 1 0 8h-2"/>'),
  redo: icon('<path d="m10.5 3.5 3 3-3 3"/><path d="M13.5 6.5h-7a4 4 0 0 0 0 8h2"/>'),
  plus: icon('<path d="M8 3v10M3 8h10"/>'),
  minus: icon('<path d="M3 8h10"/>'),
  fit: icon('<path d="M2.5 6V2.5H6M10 2.5h3.5V6M13.5 10v3.5H10M6 13.5H2.5V10"/>'),
  map: icon('<rect x="2" y="3" width="12" height="10" rx="1.5"/><rect x="8" y="8" width="4" height="3" rx=".5"/>'),
  download: icon('<path d="M8 2.5v8M4.5 7 8 10.5 11.5 7M3 13.5h10"/>'),
  trash: icon('<path d="M3 4.5h10M6.5 4.5V3h3v1.5M4.5 4.5l.6 9h5.8l.6-9"/>'),
  up: icon('<path d="m4 10 4-4 4 4"/>'),
  down: icon('<path d="m4 6 4 4 4-4"/>'),
  close: icon('<path d="m4 4 8 8M12 4l-8 8"/>'),
  warning: icon('<path d="M8 2 1.8 13h12.4z"/><path d="M8 6.5v3M8 11.5h.01"/>'),
  check: icon('<path d="m3.5 8.5 3 3 6-7"/>'),
  prev: icon('<path d="m10 3.5-4.5 4.5 4.5 4.5"/>'),
  next: icon('<path d="m6 3.5 4.5 4.5-4.5 4.5"/>'),
  design: icon('<rect x="2" y="2" width="5" height="4" rx="1"/><rect x="9" y="10" width="5" height="4" rx="1"/><path d="M4.5 6v3.5a1 1 0 0 0 1 1H9"/>'),
  code: icon('<path d="M5.5 4.5 2 8l3.5 3.5M10.5 4.5 14 8l-3.5 3.5"/>'),
};
