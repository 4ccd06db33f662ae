/**
 * Undo and redo as a history of whole definitions. Definitions are small (AWS caps them at
 * 1 MiB) and every edit returns a new one, so keeping snapshots is simpler and safer than
 * inverting edits.
 */

export class History {
  #past = [];
  #future = [];
  #present;
  #saved;
  #limit;

  constructor(initial, { limit = 200 } = {}) {
    this.#present = initial;
    this.#saved = JSON.stringify(initial);
    this.#limit = limit;
  }

  get present() {
    return this.#present;
  }

  get canUndo() {
    return this.#past.length > 0;
  }

  get canRedo() {
    return this.#future.length > 0;
  }

  /** True while the present differs from what was last marked saved. */
  get dirty() {
    return JSON.stringify(this.#present) !== this.#saved;
  }

  /** Record a new present; returns false (and records nothing) when nothing changed. */
  push(definition) {
    if (JSON.stringify(definition) === JSON.stringify(this.#present)) return false;
    this.#past.push(this.#present);
    if (this.#past.length > this.#limit) this.#past.shift();
    this.#present = definition;
    this.#future = [];
    return true;
  }

  /** Step back; returns the new present, or undefined when there is nothing to undo. */
  undo() {
    if (!this.canUndo) return undefined;
    this.#future.push(this.#present);
    this.#present = this.#past.pop();
    return this.#present;
  }

  redo() {
    if (!this.canRedo) return undefined;
    this.#past.push(this.#present);
    this.#present = this.#future.pop();
    return this.#present;
  }

  /** The page saved the present (as a new version): it is no longer dirty. */
  markSaved() {
    this.#saved = JSON.stringify(this.#present);
  }
}
