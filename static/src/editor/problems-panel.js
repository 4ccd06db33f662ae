/**
 * The problems panel under the editor: what the validator (or the JSON parser) says, each
 * problem with where it is. Clicking one selects the state it concerns.
 */

import { split } from '../asl/pointer.js';
import { fill, h } from '../ui/dom.js';
import { GLYPHS } from '../ui/glyphs.js';

/** `/States/Fan out/Branches/0/States/Shout/Parameters` -> `Fan out › Branch 1 › Shout › Parameters`. */
export function where(path) {
  const parts = split(path ?? '');
  const out = [];
  for (let i = 0; i < parts.length; i += 1) {
    if (parts[i] === 'States' && i + 1 < parts.length) continue;
    if (parts[i] === 'Branches' && /^\d+$/.test(parts[i + 1] ?? '')) {
      out.push(`Branch ${Number(parts[i + 1]) + 1}`);
      i += 1;
      continue;
    }
    if (parts[i] === 'ItemProcessor' || parts[i] === 'Iterator') {
      out.push('Iteration');
      continue;
    }
    out.push(parts[i]);
  }
  return out.length ? out.join(' › ') : 'Definition';
}

export function createProblemsPanel(element, { onPick }) {
  let open = true;
  const list = h('ol', { class: 'sf-problem-list', 'data-testid': 'problems' });
  const count = h('span', { class: 'sf-count' }, '0');
  const toggle = h('button', { type: 'button', class: 'sf-problems-toggle', 'aria-expanded': 'true' }, h('span', { class: 'sf-problems-title' }, 'Problems'), count);
  toggle.addEventListener('click', () => {
    open = !open;
    toggle.setAttribute('aria-expanded', String(open));
    element.classList.toggle('sf-collapsed', !open);
  });
  element.append(toggle, list);

  return {
    /** `problems`: `[{path, message}]`; `checking`: a validation is under way. */
    render({ problems = [], checking = false } = {}) {
      count.textContent = checking ? '…' : String(problems.length);
      count.classList.toggle('sf-count-bad', problems.length > 0);
      if (!problems.length) {
        fill(list, h('li', { class: 'sf-problem sf-ok' }, h('span', { html: GLYPHS.check }), checking ? 'Checking…' : 'No problems: the validator accepts this definition.'));
        return;
      }
      fill(
        list,
        problems.map((problem) =>
          h(
            'li',
            { class: 'sf-problem', tabindex: 0, role: 'button', dataset: { path: problem.path ?? '' }, onclick: () => onPick(problem), onkeydown: (e) => e.key === 'Enter' && onPick(problem) },
            h('span', { class: 'sf-problem-icon', html: GLYPHS.warning }),
            h('span', { class: 'sf-problem-message' }, problem.message),
            h('span', { class: 'sf-problem-where' }, where(problem.path)),
          ),
        ),
      );
    },

    open() {
      open = true;
      toggle.setAttribute('aria-expanded', 'true');
      element.classList.remove('sf-collapsed');
    },
  };
}
