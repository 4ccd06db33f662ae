/**
 * Where a JSON pointer lies in the code view's text, read from CodeMirror's JSON syntax
 * tree (so it works on the text as typed, whitespace and key order included). Used to put
 * the validator's problems under the right characters.
 */

import { ensureSyntaxTree, syntaxTree } from '@codemirror/language';

import { split } from '../asl/pointer.js';

function kids(node) {
  const out = [];
  for (let child = node.firstChild; child; child = child.nextSibling) out.push(child);
  return out;
}

const VALUE = new Set(['Object', 'Array', 'String', 'Number', 'True', 'False', 'Null']);

/**
 * `{from, to}` of the deepest part of `pointer` found in `state`'s document: the key of an
 * object member (where a person looks for it), an array item, or the whole document.
 */
export function rangeOfPointer(state, pointer) {
  // The editor parses lazily (the visible part first); a pointer may lie further down.
  const tree = ensureSyntaxTree(state, state.doc.length, 200) ?? syntaxTree(state);
  const text = (node) => state.doc.sliceString(node.from, node.to);
  let value = kids(tree.topNode).find((n) => VALUE.has(n.name));
  if (!value) return { from: 0, to: Math.min(state.doc.length, 1) };
  let range = { from: value.from, to: Math.min(value.to, value.from + 1) };
  for (const part of split(pointer)) {
    if (value.name === 'Object') {
      const property = kids(value).find((p) => {
        if (p.name !== 'Property') return false;
        const key = p.getChild('PropertyName');
        try {
          return key && JSON.parse(text(key)) === part;
        } catch {
          return false;
        }
      });
      if (!property) break;
      const key = property.getChild('PropertyName');
      range = { from: key.from, to: key.to };
      value = kids(property).find((n) => VALUE.has(n.name));
    } else if (value.name === 'Array') {
      const item = kids(value).filter((n) => VALUE.has(n.name))[Number(part)];
      if (!item) break;
      range = { from: item.from, to: Math.min(item.to, item.from + 200) };
      value = item;
    } else {
      break;
    }
    if (!value) break;
  }
  return range;
}
