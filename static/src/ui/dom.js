/**
 * A tiny element builder, so components read as the markup they make:
 * `h('button', {class: 'sf-btn', onclick: undo}, 'Undo')`.
 */

export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') element.addEventListener(key.slice(2), value);
    else if (key === 'class') element.className = value;
    else if (key === 'dataset') Object.assign(element.dataset, value);
    else if (key === 'html') element.innerHTML = value; // only ever our own SVG icons
    else if (key in element && typeof value !== 'string') element[key] = value;
    else element.setAttribute(key, value === true ? '' : value);
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace an element's children. */
export function fill(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

/** `fn` delayed until `ms` have passed without another call; `.flush()` runs it now. */
export function debounce(fn, ms) {
  let timer = null;
  let args = [];
  const run = () => {
    timer = null;
    fn(...args);
  };
  const debounced = (...latest) => {
    args = latest;
    clearTimeout(timer);
    timer = setTimeout(run, ms);
  };
  debounced.flush = () => {
    if (timer !== null) {
      clearTimeout(timer);
      run();
    }
  };
  debounced.cancel = () => clearTimeout(timer);
  return debounced;
}
