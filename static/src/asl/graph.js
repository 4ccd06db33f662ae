/**
 * An ASL definition as a graph, and back.
 *
 * `toGraph(definition)` returns `{nodes, edges, machines}`:
 *
 * - nodes: `{id, kind, parent, label, ...}` where kind is
 *   `state` (id = its pointer, with `name`, `type`, `machine`, `data`),
 *   `branch` / `processor` (the container of a Parallel branch or a Map processor; id = the
 *   machine's pointer, parent = the Parallel or Map state), `start` / `end` (one pair per
 *   machine: `<machine>#start`, `<machine>#end`).
 *   A Parallel or Map state is the parent of its containers, so it draws as a box around them.
 * - edges: `{id, kind, source, target, label}` where id is the pointer of the field that
 *   makes the transition (`/States/A/Next`, `/States/C/Choices/0`, `/States/C/Default`,
 *   `/States/T/Catch/1`, `<machine>/StartAt`, `/States/A/End`) and kind is `next`,
 *   `choice`, `default`, `catch`, `start` or `end`. A transition to a state that does not
 *   exist draws nothing: the validator reports it on the source state.
 * - machines: `{id, kind, parent, data, order}`: the machine's own fields (States left as a
 *   placeholder) and its state names in document order.
 *
 * A state's `data` is its JSON with nested machines left as placeholders (`Branches` keeps
 * one `null` per branch, `ItemProcessor`/`Iterator` are `null`), so `fromGraph` can put
 * every key back in its place: `fromGraph(toGraph(d))` equals `d`, key order included.
 */

import { childMachines, isObject, join, statePointer } from './pointer.js';
import { ruleText, shorten } from './rules.js';

const TERMINAL = new Set(['Succeed', 'Fail']);

export function toGraph(definition) {
  const graph = { nodes: [], edges: [], machines: [] };
  addMachine(graph, '', definition, null, 'root');
  return graph;
}

function addMachine(graph, pointer, machine, parent, kind) {
  const table = isObject(machine) && isObject(machine.States) ? machine.States : {};
  const data = isObject(machine) ? { ...machine } : machine;
  if (isObject(data) && 'States' in data) data.States = null;
  graph.machines.push({ id: pointer, kind, parent, data, order: Object.keys(table) });

  const start = `${pointer}#start`;
  const end = `${pointer}#end`;
  graph.nodes.push({ id: start, kind: 'start', parent, label: 'Start', machine: pointer });
  graph.nodes.push({ id: end, kind: 'end', parent, label: 'End', machine: pointer });

  const names = new Set(Object.keys(table));
  const target = (name) => (typeof name === 'string' && names.has(name) ? statePointer(pointer, name) : null);
  const edge = (id, kind, source, to, label = '', title = label) => {
    if (to) graph.edges.push({ id, kind, source, target: to, label, title });
  };

  if (isObject(machine)) edge(join(pointer, 'StartAt'), 'start', start, target(machine.StartAt));

  for (const [name, state] of Object.entries(table)) {
    const id = statePointer(pointer, name);
    const type = isObject(state) && typeof state.Type === 'string' ? state.Type : '?';
    const children = childMachines(id, state);
    graph.nodes.push({ id, kind: 'state', parent, label: name, name, type, machine: pointer, data: placeholders(state, children) });
    for (const child of children) {
      const label = child.kind === 'branch' ? `Branch ${child.index + 1}` : 'Iteration';
      graph.nodes.push({ id: child.pointer, kind: child.kind, parent: id, label, key: child.key, index: child.index });
      addMachine(graph, child.pointer, child.machine, child.pointer, child.kind);
    }
    if (!isObject(state)) continue;

    if (Array.isArray(state.Choices)) {
      state.Choices.forEach((rule, i) => {
        const text = ruleText(rule);
        edge(join(id, 'Choices', i), 'choice', id, target(rule?.Next), shorten(text), text);
      });
    }
    edge(join(id, 'Default'), 'default', id, target(state.Default), 'Default');
    edge(join(id, 'Next'), 'next', id, target(state.Next));
    if (Array.isArray(state.Catch)) {
      state.Catch.forEach((catcher, i) => {
        const errors = Array.isArray(catcher?.ErrorEquals) ? catcher.ErrorEquals.join(', ') : '?';
        edge(join(id, 'Catch', i), 'catch', id, target(catcher?.Next), shorten(`Catch ${errors}`), `Catch ${errors}`);
      });
    }
    if (state.End === true || TERMINAL.has(type)) edge(join(id, 'End'), 'end', id, end);
  }
}

function placeholders(state, children) {
  if (!isObject(state) || children.length === 0) return state;
  const data = { ...state };
  for (const child of children) {
    if (child.key === 'Branches') data.Branches = data.Branches.map(() => null);
    else data[child.key] = null;
  }
  return data;
}

/** The definition a graph was made from (see the module comment). */
export function fromGraph(graph) {
  const nodes = new Map(graph.nodes.map((node) => [node.id, node]));
  const machines = new Map(graph.machines.map((machine) => [machine.id, machine]));

  const buildMachine = (pointer) => {
    const { data, order } = machines.get(pointer);
    if (!isObject(data)) return structuredClone(data);
    const out = {};
    for (const [key, value] of Object.entries(data)) {
      out[key] = key === 'States' ? buildStates(pointer, order) : structuredClone(value);
    }
    return out;
  };

  const buildStates = (pointer, order) => {
    const out = {};
    for (const name of order) out[name] = buildState(nodes.get(statePointer(pointer, name)).data, statePointer(pointer, name));
    return out;
  };

  const buildState = (data, id) => {
    if (!isObject(data)) return structuredClone(data);
    const out = {};
    for (const [key, value] of Object.entries(data)) {
      if (key === 'Branches' && data.Type === 'Parallel' && Array.isArray(value)) {
        out.Branches = value.map((_, i) => buildMachine(join(id, 'Branches', i)));
      } else if ((key === 'ItemProcessor' || key === 'Iterator') && data.Type === 'Map') {
        out[key] = buildMachine(join(id, key));
      } else {
        out[key] = structuredClone(value);
      }
    }
    return out;
  };

  return buildMachine('');
}
