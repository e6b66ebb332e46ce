// The page's params and selections: one registry per window, shared by every chart, input and table on it,
// whatever output carried them (one page, a composed chart, separate notebook cells). Python's side:
// src/evalviz/interaction/selection.py (Param, Selection, Clause); the kernel's SQL: query/filters.py.
//
// A clause is {source, fields, op, value}: "in" keeps rows whose fields' values are one of value's tuples
// (NULL matches NULL), "range" keeps value[0] <= x <= value[1], "contains" / "prefix" match text without case,
// "regexp" matches as written. A selection combines its clauses by its resolve: "single" (the latest alone),
// "intersect", "union", "crossfilter" (as intersect, a client's own clause left out).
import { RE2JS } from "re2js";

const REGISTRY_KEY = "__evalvizShared";
const registry = (globalThis[REGISTRY_KEY] ||= new Map()); // name -> {kind, resolve, clauses, value, listeners}

function entry(name) {
  if (!registry.has(name)) {
    registry.set(name, { kind: "selection", resolve: "intersect", clauses: new Map(), value: null, listeners: new Set() });
  }
  return registry.get(name);
}

function notify(name, origin) {
  for (const listener of entry(name).listeners) listener(origin);
}

/** Declare what the page was given ({name, kind, resolve, clauses} or {name, kind: "param", value}); a
 * name already declared (another output on the page) keeps its current state. */
export function declare(shared) {
  const known = registry.has(shared.name);
  const item = entry(shared.name);
  if (known) return item;
  item.kind = shared.kind;
  if (shared.kind === "param") {
    item.value = shared.value === undefined ? null : shared.value;
  } else {
    item.resolve = shared.resolve || "intersect";
    for (const clause of shared.clauses || []) item.clauses.set(clause.source, clause);
  }
  return item;
}

/** Put `clause` in place of its source's earlier clause (null `clause.value` with op "clear" removes it). */
export function publish(name, clause) {
  const item = entry(name);
  item.clauses.delete(clause.source);
  if (clause.op !== "clear") item.clauses.set(clause.source, clause);
  notify(name, clause.source);
}

/** Take out `source`'s clause. */
export function clear(name, source) {
  const item = entry(name);
  if (!item.clauses.delete(source)) return;
  notify(name, source);
}

export function setParam(name, value, origin = null) {
  entry(name).value = value;
  notify(name, origin);
}

export function paramValue(name) {
  return entry(name).value;
}

/** Every clause of a selection, oldest first (what the kernel is told). */
export function clauses(name) {
  return Array.from(entry(name).clauses.values());
}

/** The clauses that filter `client`, and how they combine: {resolve, clauses}. */
export function active(name, client) {
  const item = entry(name);
  let list = Array.from(item.clauses.values());
  if (item.resolve === "single") list = list.slice(-1);
  if (item.resolve === "crossfilter") list = list.filter((clause) => clause.source !== client);
  return { resolve: item.resolve, clauses: list };
}

/** Call `listener(origin)` after each change of `name`; returns a function that stops it. */
export function subscribe(name, listener) {
  const item = entry(name);
  item.listeners.add(listener);
  return () => item.listeners.delete(listener);
}

const same = (a, b) => a === b || (a instanceof Date && b instanceof Date && a.getTime() === b.getTime());

function clauseKeeps(clause, read) {
  if (clause.op === "in") {
    const values = clause.fields.map(read);
    return clause.value.some((row) => row.every((v, i) => same(v, values[i])));
  }
  const x = read(clause.fields[0]);
  if (x === null || x === undefined) return false;
  if (clause.op === "range") return x >= clause.value[0] && x <= clause.value[1];
  const text = String(x);
  if (clause.op === "contains") return text.toLowerCase().includes(String(clause.value).toLowerCase());
  if (clause.op === "prefix") return text.toLowerCase().startsWith(String(clause.value).toLowerCase());
  if (clause.op === "regexp") {
    const pattern = compiledPattern(clause.value);
    return pattern !== null && pattern.test(text); // a pattern still being typed matches nothing
  }
  return true;
}

// Patterns are matched by RE2's engine, as DuckDB matches them in the kernel: the same syntax, and time linear
// in the text (JavaScript's own engine takes exponential time on "(a+)+$", hanging the page).
const patterns = new Map();

/** `pattern` compiled (null when RE2 cannot compile it); the last few are kept, a filter tests many rows. */
export function compiledPattern(pattern) {
  if (!patterns.has(pattern)) {
    let compiled = null;
    try {
      compiled = RE2JS.compile(String(pattern));
    } catch {
      compiled = null;
    }
    if (patterns.size >= 64) patterns.delete(patterns.keys().next().value);
    patterns.set(pattern, compiled);
  }
  return patterns.get(pattern);
}

/** Whether a row is kept by {resolve, clauses}; `read(field)` gives the row's value of a source column. */
export function keeps(state, read) {
  if (!state || !state.clauses.length) return true;
  return state.resolve === "union"
    ? state.clauses.some((clause) => clauseKeeps(clause, read))
    : state.clauses.every((clause) => clauseKeeps(clause, read));
}

/** The columns the active clauses read, for finding those a shipped table cannot answer. */
export function fieldsRead(state) {
  return Array.from(new Set(state.clauses.flatMap((clause) => clause.fields)));
}
