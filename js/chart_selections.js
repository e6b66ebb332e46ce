// A chart's part in the page's selections (js/selections.js): filtered or faded by them, publishing clicks,
// legend clicks and brushes into them. Python's side: src/evalviz/charts/interaction.py, which writes, for each
// filter, a top-level signal and a transform `evalvizKeeps(<signal>, datum)`, and the contract's `filters` and
// `publish` entries (js/contract.js).
//
// A filter's signal holds the selection's clauses active for the chart, each clause's columns renamed to the
// datum fields holding them (the filter's `fields`). A clause on a column the chart did not ship is left out,
// and a note under the chart says so (as text): that filter needs the live widget, or the chart rebuilt.
import { expressionFunction } from "vega";
import { active, clauses, clear, keeps, publish, subscribe } from "./selections.js";

// Registered once, before any spec is parsed: whether the signal's clauses keep a datum.
expressionFunction("evalvizKeeps", (state, datum) => !state || keeps(state, (field) => datum[field]));

const has = (object, key) => Object.prototype.hasOwnProperty.call(object, key);

/** The state a filter's signal holds now: {resolve, clauses} over datum fields, and the columns left out. */
function filterState(filter) {
  const { resolve, clauses: list } = active(filter.selection, filter.client);
  const kept = [];
  const missing = [];
  const applied = [];
  for (const clause of list) {
    const gone = clause.fields.filter((column) => !has(filter.fields, column));
    if (gone.length) {
      for (const column of gone) missing.push({ column, why: has(filter.unanswered, column) ? filter.unanswered[column] : null });
      continue;
    }
    applied.push(...clause.fields);
    kept.push({ ...clause, fields: clause.fields.map((column) => filter.fields[column]) });
  }
  return { state: { resolve, clauses: kept }, missing, applied };
}

/** Set each filter's signal in `spec` (top-level params) to the registry's state before the chart is drawn, so
 * that a chart drawn after a filter was set never shows unfiltered first. */
export function seedSignals(spec, contract) {
  if (!contract.filters.length || !Array.isArray(spec.params)) return spec;
  const values = new Map(contract.filters.map((filter) => [filter.signal, filterState(filter).state]));
  return { ...spec, params: spec.params.map((p) => (values.has(p.name) ? { ...p, value: values.get(p.name) } : p)) };
}

function noteText(missing, applied) {
  const reasons = new Map(); // column -> its distinct reasons, in order (a concatenation's parts may differ)
  for (const { column, why } of missing) {
    if (!reasons.has(column)) reasons.set(column, []);
    if (!reasons.get(column).includes(why)) reasons.get(column).push(why);
  }
  // Building the chart after the input helps only a chart built without the column; the other reasons (a
  // median, a column varying inside a mark, too many groups) stay whenever the chart is built. A column some
  // parts of a concatenation apply and others do not is said to be left out of some parts.
  return Array.from(reasons, ([column, whys]) => {
    const where = applied.has(column) ? "some parts of this chart" : "this chart";
    const why = whys.map((w) => w || "the chart was built without that column").join("; ");
    const way = whys.every(Boolean)
      ? "It needs the live widget (a notebook with its kernel)."
      : "It needs the live widget (a notebook with its kernel), or the chart built after the input that filters on it.";
    return `The filter on "${column}" is not applied to ${where}: ${why}. ${way}`;
  }).join(" ");
}

// What a chart filtered down to nothing says (as the live widget does, src/evalviz/rendering/requery.py).
const NO_ROWS = "No rows match the selection.";

/** Whether the view drew any item of a data mark (a cell, a bar, a point): axes, legends and titles aside. */
function drawsData(view) {
  const walk = (mark) => (mark.items || []).some((item) =>
    mark.marktype === "group" ? (item.items || []).some(walk) : mark.role === "mark" && item.datum != null);
  return walk(view.scenegraph().root);
}

const sameRow = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);

/** Publish a click on `datum` as an "in" clause on the entry's fields: a click selects it alone (again: clears),
 * shift-click adds it to (or takes it out of) what is selected. */
function publishValue(entry, datum, additive) {
  const fields = Object.keys(entry.fields);
  const row = fields.map((field) => (datum[field] === undefined ? null : datum[field]));
  const mine = clauses(entry.selection).find((clause) => clause.source === entry.client);
  const selected = mine && mine.op === "in" ? mine.value : [];
  const chosen = selected.some((r) => sameRow(r, row));
  let rows;
  if (additive) rows = chosen ? selected.filter((r) => !sameRow(r, row)) : [...selected, row];
  else rows = chosen && selected.length === 1 ? [] : [row];
  if (!rows.length) {
    clear(entry.selection, entry.client);
    return;
  }
  publish(entry.selection, { source: entry.client, fields: fields.map((f) => entry.fields[f]), op: "in", value: rows });
}

/** Whether the chart's clause in the entry's selection is one a click published (not the range its brush did,
 * which the click ending a drag must not clear). */
function clickedClause(entry) {
  const mine = clauses(entry.selection).find((clause) => clause.source === entry.client);
  return Boolean(mine && mine.op === "in");
}

/** The datum of a drawn mark among `marks` whose `key` field is `value` (what a legend entry stands for). */
function markDatum(view, marks, key, value) {
  let found = null;
  const walk = (node) => {
    if (found || !node) return;
    const name = node.name ? node.name.replace(/_marks$/, "") : null;
    for (const item of node.items || []) {
      if (found) return;
      if (node.marktype === "group") {
        for (const child of item.items || []) walk(child);
      } else if (marks.includes(name) && item.datum && item.datum[key] === value) {
        found = item.datum;
      }
    }
  };
  walk(view.scenegraph().root);
  return found;
}

// A legend entry's value: its datum's value (symbol and label items alike sit in the entry's group).
function legendValue(item) {
  for (let node = item; node; node = node.mark && node.mark.group) {
    if (node.datum && has(node.datum, "value") && node.mark && String(node.mark.role || "").startsWith("legend")) {
      return { value: node.datum.value };
    }
  }
  return null;
}

/**
 * Link a drawn chart to the page's selections: keep its filters' signals up to date (a note in `noteBox` names
 * filters it cannot apply) and publish what the user does. Returns {publishesClick(markName), onClick(event,
 * item, markName), finalize()}; the chart's own click handler calls onClick for every click.
 */
export function linkChart(view, contract, noteBox) {
  const stops = [];
  let pending = null;
  let redraws = 0;
  const refresh = async () => {
    const missing = [];
    const applied = new Set(); // columns some filter of the chart applies
    let filtering = false; // some clause removes rows (a highlight only fades them)
    for (const filter of contract.filters) {
      const { state, missing: left, applied: used } = filterState(filter);
      missing.push(...left);
      used.forEach((column) => applied.add(column));
      filtering ||= !filter.highlight && state.clauses.length > 0;
      view.signal(filter.signal, state);
    }
    await view.runAsync();
    const empty = filtering && !drawsData(view);
    noteBox.textContent = [empty ? NO_ROWS : "", noteText(missing, applied)].filter(Boolean).join(" ");
    noteBox.hidden = !noteBox.textContent;
    noteBox.dataset.empty = String(empty);
    // How many times the chart was redrawn for its selections, and an event saying so: what scripts, tests and
    // benchmarks wait on.
    noteBox.dataset.redrawn = String(++redraws);
    noteBox.dispatchEvent(new CustomEvent("evalviz:filtered", { bubbles: true }));
  };
  // Several changes in one task (a brush dragged) redraw once.
  const schedule = () => {
    if (pending) return;
    pending = Promise.resolve().then(() => {
      pending = null;
      return refresh();
    });
  };
  for (const name of new Set(contract.filters.map((filter) => filter.selection))) stops.push(subscribe(name, schedule));
  if (contract.filters.length) refresh();

  for (const entry of contract.publish.filter((p) => p.how === "interval")) {
    const [field] = Object.keys(entry.fields);
    const listener = (_, value) => {
      const extent = value && value[field];
      if (Array.isArray(extent) && extent.length === 2) {
        const [low, high] = extent[0] <= extent[1] ? extent : [extent[1], extent[0]];
        publish(entry.selection, { source: entry.client, fields: [entry.fields[field]], op: "range", value: [low, high] });
      } else {
        clear(entry.selection, entry.client);
      }
    };
    view.addSignalListener(entry.param, listener);
    stops.push(() => view.removeSignalListener(entry.param, listener));
  }

  const clicks = contract.publish.filter((p) => p.how === "click");
  const legends = contract.publish.filter((p) => p.how === "legend");
  return {
    publishesClick: (mark) => clicks.some((entry) => entry.marks.includes(mark)),
    onClick(event, item, mark) {
      const additive = Boolean(event && event.shiftKey);
      const isMark = item && item.mark && item.mark.role === "mark" && item.datum && typeof item.datum === "object";
      const entry = legendValue(item || null);
      if (!isMark && entry && legends.length) {
        for (const legend of legends) {
          const datum = markDatum(view, legend.marks, legend.key, entry.value);
          if (datum) publishValue(legend, datum, additive);
        }
        return;
      }
      for (const click of clicks) {
        if (isMark && click.marks.includes(mark)) publishValue(click, item.datum, additive);
        else if (!isMark && !entry && clickedClause(click)) clear(click.selection, click.client); // on empty space
      }
    },
    finalize: () => stops.forEach((stop) => stop()),
  };
}
