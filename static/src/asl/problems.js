/**
 * Where validation problems belong on the graph. The validator reports JSON pointers
 * (`/States/Fan out/Branches/0/States/Shout/Parameters`); the graph's node and edge ids are
 * pointers too, so a problem belongs to the deepest id its path starts with.
 */

/**
 * Group `problems` by the element they concern: `{byId: Map<id, problem[]>, unplaced: problem[]}`.
 * `ids` are the graph's node and edge ids; a problem on the top-level machine itself
 * (`""`, `/StartAt`, `/TimeoutSeconds`) stays unplaced.
 */
export function placeProblems(problems, ids) {
  const known = ids instanceof Set ? ids : new Set(ids);
  const byId = new Map();
  const unplaced = [];
  for (const problem of problems) {
    const id = owner(String(problem.path ?? ''), known);
    if (id === undefined) unplaced.push(problem);
    else byId.set(id, [...(byId.get(id) ?? []), problem]);
  }
  return { byId, unplaced };
}

/** The deepest id that `path` is, or lies under; undefined when none. */
export function owner(path, known) {
  let current = path;
  while (current !== '') {
    if (known.has(current)) return current;
    current = current.slice(0, current.lastIndexOf('/'));
  }
  return undefined;
}
