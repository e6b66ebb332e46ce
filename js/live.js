// Charts that re-query in the kernel (the live widget only; kernel side: src/evalviz/rendering/requery.py).
// A chart whose view was given `filter_by` is drawn again in the kernel over the rows its selection keeps:
// when the selection changes, the page sends the chart's active clauses in a "requery" request, and the answer
// (the new spec and Arrow tables) replaces the chart's data in place (Vega changesets, no new embed) when only
// the data changed (the renderer aside), or draws the chart anew when the spec changed too. Axes that follow
// filters take their domains from the data (sorted by position fields), so swapping the data re-scales them.
//
// Requests are not delayed: one is sent at once when none is out; changes made while one is out are gathered
// into one request, sent when its answer arrives, with the clauses as they are then (the latest wins).
// Timing marks: `evalviz:requery-asked` / `-answered` (the channel), `evalviz:requery-drawn` (detail: the
// prefix, how: "data" or "embed", and the milliseconds since the change that asked).
import { changeset } from "vega";
import { drawChart } from "./chart.js";
import { readContract } from "./contract.js";
import { active, subscribe } from "./selections.js";

// The client a chart filters as (its own clause is left out under crossfilter): the contract's, when it has one.
function clientOf(spec, selection) {
  const filters = readContract(spec).filters || [];
  const own = filters.find((filter) => filter.selection === selection);
  return own ? own.client : null;
}

// Whether the spec `next` draws the chart `shown` draws, its data aside: the renderer (svg or canvas, picked by
// the number of marks) is left as shown, so a chart whose cells only changed swaps them in place.
function sameChart(next, shown) {
  const plain = (spec) => {
    const meta = (spec.usermeta && spec.usermeta.evalviz) || {};
    return JSON.stringify({ ...spec, usermeta: { ...spec.usermeta, evalviz: { ...meta, renderer: null } } });
  };
  return plain(next) === plain(shown);
}

// Swap every dataset of `view` for the answer's rows; resolves once the view has run.
async function replaceData(view, tables) {
  for (const [name, rows] of Object.entries(tables)) {
    view.change(name, changeset().remove(() => true).insert(rows));
  }
  await view.runAsync();
}

/**
 * The chart drawer of a live widget: `live` maps an item's prefix to the selection filtering it (the widget's
 * `live` traitlet); other charts are drawn as on any page.
 */
export function liveChartDrawer(channel, live) {
  return async (el, item, datasets, context) => {
    const selection = live[item.prefix || ""];
    if (!selection) return drawChart(el, item.spec, datasets, context);
    return drawLiveChart(el, item, datasets, context, { channel, selection });
  };
}

async function drawLiveChart(el, item, datasets, context, { channel, selection }) {
  const host = document.createElement("div");
  const note = document.createElement("p");
  note.className = "evalviz-live-note";
  note.hidden = true;
  el.replaceChildren(host, note);
  let spec = item.spec;
  let drawn = await drawChart(host, spec, datasets, context);
  // What scripts, tests and benchmarks read of a chart, on `el` whichever drawing is current. The note a page
  // without a kernel shows for filters it cannot apply (js/chart_selections.js) is taken off: the kernel
  // applies them here.
  const mirror = () => {
    const offline = host.querySelector(".evalviz-filter-note");
    if (offline) offline.remove();
    el.evalvizView = drawn.view;
    el.dataset.evalvizState = "ready";
    requestAnimationFrame(() => {
      el.dataset.evalvizPaintedAt = String(performance.now());
    });
  };
  mirror();
  const client = clientOf(spec, selection);
  const stateKey = () => JSON.stringify(active(selection, client));
  // The kernel drew the chart over every row: the key of a selection that filters nothing.
  let shownKey = JSON.stringify({ ...active(selection, client), clauses: [] });
  let out = false; // a request is out
  let again = false; // the selection changed while it was out
  let changedAt = 0;
  let closed = false;
  let requeries = 0;
  let drawing = Promise.resolve();

  const show = async (answer, began) => {
    const next = answer.payload.spec;
    let how = "data";
    if (sameChart(next, spec)) {
      await replaceData(drawn.view, answer.tables);
    } else {
      how = "embed";
      drawn.finalize();
      drawn = await drawChart(host, next, answer.tables, context);
      spec = next;
    }
    mirror();
    note.hidden = !answer.payload.note;
    note.textContent = answer.payload.note || "";
    requeries += 1;
    el.dataset.evalvizRequeries = String(requeries);
    performance.mark("evalviz:requery-drawn", {
      detail: { prefix: item.prefix || "", how, ms: performance.now() - began },
    });
  };

  const ask = async () => {
    if (closed) return;
    const key = stateKey();
    if (key === shownKey) return;
    out = true;
    again = false;
    const began = changedAt;
    el.dataset.evalvizState = "requerying";
    const { resolve, clauses } = active(selection, client);
    let answer = null;
    try {
      answer = await channel.request("requery", { prefix: item.prefix || "", resolve, clauses });
    } catch (error) {
      // The chart stays as it was; the reason is said beneath it.
      note.hidden = false;
      note.textContent = `Could not filter in the kernel: ${error.message}`;
      el.dataset.evalvizState = "ready";
    }
    out = false;
    if (closed) return;
    if (again) ask(); // the kernel starts on the latest clauses while this answer is drawn
    if (answer) {
      shownKey = key;
      drawing = drawing.then(() => (closed ? null : show(answer, began))); // answers are drawn in order
      await drawing;
    }
  };

  const changed = () => {
    changedAt = performance.now();
    if (out) again = true;
    else ask();
  };
  const unsubscribe = subscribe(selection, changed);
  if (stateKey() !== shownKey) changed(); // the selection already filters (another output set it)
  return {
    get view() {
      return drawn.view;
    },
    finalize() {
      closed = true;
      unsubscribe();
      drawn.finalize();
    },
  };
}
