/**
 * The editor's keys: Ctrl/Cmd+Z undo, Ctrl/Cmd+Y or Ctrl/Cmd+Shift+Z redo, Delete or
 * Backspace remove the selection, Escape clears it. They act only while the editor is the
 * last thing the person clicked or tabbed into, and never while they type in a field or in
 * the code view (CodeMirror keeps its own undo for the text).
 */

const typing = (target) => target instanceof Element && !!target.closest('input, textarea, select, [contenteditable="true"], .cm-editor');

export function bindKeys(root, { undo, redo, remove, clear }) {
  let active = false;
  const onKey = (event) => {
    if (!active || typing(event.target)) return;
    const mod = event.ctrlKey || event.metaKey;
    const key = event.key.toLowerCase();
    if (mod && key === 'z' && !event.shiftKey) {
      event.preventDefault();
      undo();
    } else if (mod && (key === 'y' || (key === 'z' && event.shiftKey))) {
      event.preventDefault();
      redo();
    } else if (event.key === 'Delete' || event.key === 'Backspace') {
      if (remove()) event.preventDefault();
    } else if (event.key === 'Escape') {
      clear();
    }
  };
  const onPointer = (event) => {
    active = root.contains(event.target);
  };
  const onFocus = () => {
    active = true;
  };
  document.addEventListener('keydown', onKey);
  document.addEventListener('pointerdown', onPointer, true);
  root.addEventListener('focusin', onFocus);
  return () => {
    document.removeEventListener('keydown', onKey);
    document.removeEventListener('pointerdown', onPointer, true);
    root.removeEventListener('focusin', onFocus);
  };
}
