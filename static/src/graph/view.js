/**
 * The graph model as drawn: a Map's processor folds into the Map state's own box (one box
 * per Map is plenty), Parallel branches stay boxes of their own, and every element knows the
 * box it sits in. Start and End markers are drawn for the whole machine only: inside a box
 * the first state sits at the top and the last ones at the bottom, as in Workflow Studio,
 * and leaving the inner markers out saves the layout a quarter of its nodes on big
 * machines. Shared by the layout, the cytoscape elements and the drop targets.
 */

/**
 * `{nodes, edges, children, machineOf}`: nodes and edges with `parent` set to their box
 * (null at the top level; a state that starts its box has `first`), `children` from a box
 * id (null for the top level) to its nodes,
 * and `machineOf` from a box id ('' for the top level) to the machine pointer whose states
 * it holds.
 */
export function viewOf(graph) {
  const folded = new Map(); // processor id -> its Map state id
  for (const node of graph.nodes) if (node.kind === 'processor') folded.set(node.id, node.parent);
  const box = (parent) => (folded.has(parent) ? folded.get(parent) : parent ?? null);

  const inner = (n) => (n.kind === 'start' || n.kind === 'end') && n.parent !== null;
  const dropped = new Set(graph.nodes.filter((n) => n.kind === 'processor' || inner(n)).map((n) => n.id));
  const starts = new Set(graph.edges.filter((e) => e.kind === 'start' && dropped.has(e.source)).map((e) => e.target));
  const nodes = graph.nodes
    .filter((n) => !dropped.has(n.id))
    .map((n) => ({ ...n, parent: box(n.parent), ...(starts.has(n.id) ? { first: true } : {}) }));
  const parentOf = new Map(nodes.map((n) => [n.id, n.parent]));
  const edges = graph.edges
    .filter((e) => !dropped.has(e.source) && !dropped.has(e.target))
    .map((e) => ({ ...e, parent: parentOf.get(e.source) ?? null }));

  // Every Parallel, Map and branch is a box, even while it is empty (a drop target).
  const children = new Map([[null, []]]);
  for (const node of nodes) {
    if (node.kind === 'branch' || (node.kind === 'state' && (node.type === 'Parallel' || node.type === 'Map'))) children.set(node.id, []);
  }
  for (const node of nodes) {
    if (!children.has(node.parent)) children.set(node.parent, []);
    children.get(node.parent).push(node);
  }

  const machineOf = new Map([['', '']]);
  for (const node of graph.nodes) {
    if (node.kind === 'branch') machineOf.set(node.id, node.id);
    if (node.kind === 'processor') machineOf.set(node.parent, node.id);
  }
  return { nodes, edges, children, machineOf };
}
