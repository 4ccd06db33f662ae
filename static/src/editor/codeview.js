/**
 * The JSON code view: CodeMirror 6 with JSON highlighting, folding, search and lint marks.
 * Text typed here is handed to `onText`; text set from the canvas replaces only what
 * changed, so the cursor and scroll position stay where the person left them.
 */

import { json, jsonParseLinter } from '@codemirror/lang-json';
import { lintGutter, setDiagnostics } from '@codemirror/lint';
import { EditorState, Transaction } from '@codemirror/state';
import { EditorView, basicSetup } from 'codemirror';

import { FONT } from '../graph/style.js';
import { rangeOfPointer } from './json-pointer-range.js';

const theme = EditorView.theme({
  '&': { height: '100%', fontSize: '12.5px', backgroundColor: '#ffffff' },
  '.cm-scroller': { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace', lineHeight: '1.55' },
  '.cm-gutters': { backgroundColor: '#f7f8fa', borderRight: '1px solid #e3e7ec', color: '#8d99a8' },
  '.cm-activeLineGutter': { backgroundColor: '#eef3f9' },
  '.cm-activeLine': { backgroundColor: '#f5f9fe' },
  '.cm-tooltip': { fontFamily: FONT },
  '&.cm-focused': { outline: 'none' },
});

const parseLinter = jsonParseLinter();

export function createCodeView(parent, { text = '', onText = () => {} } = {}) {
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: text,
      extensions: [
        basicSetup,
        json(),
        lintGutter(),
        theme,
        EditorView.contentAttributes.of({ 'aria-label': 'State machine definition (JSON)' }),
        EditorView.updateListener.of((update) => {
          const typed = update.transactions.some((t) => t.docChanged && !t.annotation(Transaction.remote));
          if (typed) onText(update.state.doc.toString());
        }),
      ],
    }),
  });

  return {
    view,

    get text() {
      return view.state.doc.toString();
    },

    /** Show `next`, replacing only the changed middle of the text. */
    setText(next) {
      const current = view.state.doc.toString();
      if (next === current) return;
      let start = 0;
      while (start < current.length && start < next.length && current[start] === next[start]) start += 1;
      let end = 0;
      while (end < current.length - start && end < next.length - start && current[current.length - 1 - end] === next[next.length - 1 - end]) end += 1;
      view.dispatch({
        changes: { from: start, to: current.length - end, insert: next.slice(start, next.length - end) },
        annotations: [Transaction.remote.of(true), Transaction.addToHistory.of(false)],
      });
    },

    /** The JSON syntax error of the current text, as `{from, to, message}`, or null. */
    parseError() {
      const [first] = parseLinter(view);
      return first ? { from: first.from, to: first.to, message: first.message } : null;
    },

    /** Mark the text: the parse error, or each validation problem under its pointer. */
    mark({ parseError = null, problems = [] } = {}) {
      const diagnostics = parseError
        ? [{ ...parseError, severity: 'error' }]
        : problems.map((problem) => ({ ...rangeOfPointer(view.state, problem.path ?? ''), severity: 'error', message: problem.message, source: problem.path || undefined }));
      view.dispatch(setDiagnostics(view.state, diagnostics));
    },

    /** Put the cursor on the text of a pointer and bring it into view. */
    reveal(pointer) {
      const { from } = rangeOfPointer(view.state, pointer);
      view.dispatch({ selection: { anchor: from }, scrollIntoView: true });
    },

    focus() {
      view.focus();
    },

    get hasFocus() {
      return view.hasFocus;
    },

    destroy() {
      view.destroy();
    },
  };
}
