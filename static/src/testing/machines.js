/**
 * Test helpers: the repository's machine files (tests/machines, examples/machines) as
 * definitions, so the model layer is checked against the same machines as the server.
 * Node-only; the bundle never imports this module.
 */

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function walk(dir) {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? walk(path) : path.endsWith('.json') ? [path] : [];
  });
}

/** `[{name, definition}]` for every machine file in the repository. */
export function repositoryMachines() {
  const out = [];
  for (const dir of ['tests/machines', 'examples/machines']) {
    for (const path of walk(join(ROOT, dir))) {
      const document = JSON.parse(readFileSync(path, 'utf8'));
      // Some test files wrap the definition with its input and expectations.
      const definition = document && typeof document === 'object' && 'definition' in document ? document.definition : document;
      if (definition && typeof definition === 'object' && 'States' in definition) {
        out.push({ name: relative(ROOT, path), definition });
      }
    }
  }
  return out;
}

/**
 * The demo machine as the model tests know it (a copy of examples/machines/demo.asl.json,
 * kept here so the example can grow without changing what these tests assert): every
 * state type, a Parallel holding a Map, a Retry and a Catch.
 */
export function demo() {
  return JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'demo.json'), 'utf8'));
}
