// Draws one evalviz chart: a Vega-Lite spec whose datasets arrive separately as Arrow rows.
import embed from "vega-embed";
import { defaultLocale, loader as vegaLoader } from "vega";
import { Handler } from "vega-tooltip";
import { fitParts } from "./parts.js";
import { markName, readContract } from "./contract.js";
import { linkChart, seedSignals } from "./chart_selections.js";

const SAFE_PROTOCOLS = new Set(["http:", "https:"]);

// The note under a chart (filters it cannot apply), in the page's font. A chart its selections emptied
// (data-empty, js/chart_selections.js) shows the note in place of its drawing, under its title: the drawing of no
// rows would be an empty frame, laid out without its axis labels and so shifted.
const NOTE_STYLE_ID = "evalviz-filter-note-style";
const NOTE_CSS = `
.evalviz-filter-note{font:12px system-ui,sans-serif;color:#8a4b00;max-width:60em;margin-top:4px}
.evalviz-filter-note[data-empty=true]{position:absolute;inset:0;margin:0;max-width:none;display:flex;
  flex-direction:column;align-items:center;justify-content:center;gap:8px;box-sizing:border-box;padding:16px;
  border:1px dashed #d0d7de;border-radius:6px;font-size:13px;color:#59636e;text-align:center}
.evalviz-filter-note[data-empty=true]::before{content:attr(data-title);font-weight:600;color:#1f2328}
.evalviz-emptied{position:relative}
.evalviz-emptied .marks{visibility:hidden}`;

function addNoteStyle() {
  if (document.getElementById(NOTE_STYLE_ID)) return;
  const style = document.createElement("style");
  style.id = NOTE_STYLE_ID;
  style.textContent = NOTE_CSS;
  document.head.appendChild(style);
}

/** The chart's title as text ("" without one): what an emptied chart shows above its note. */
function titleText(spec) {
  const title = spec && spec.title;
  const text = title && typeof title === "object" && !Array.isArray(title) ? title.text : title;
  return [].concat(text ?? []).join(" ");
}

// Only http(s) URLs may be opened; anything else in the data stays text.
export function safeLink(value) {
  if (typeof value !== "string" || value === "") return null;
  try {
    const url = new URL(value);
    return SAFE_PROTOCOLS.has(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

// Nothing is ever loaded from outside the page: every URL a spec could name is refused.
function offlineLoader() {
  const loader = vegaLoader();
  loader.sanitize = (uri) => Promise.reject(new Error(`evalviz charts load no URLs (${uri})`));
  return loader;
}

// A mark whose tooltip is its datum has its rows in the contract's tooltips, under the mark's name: the
// rows are formatted when a cell is hovered, not for every cell when the chart is drawn. Values are shown as
// a Vega-Lite tooltip shows them: a number through its d3 format, anything else as it is.
function tooltipHandler(rowsByMark) {
  const base = new Handler({ theme: "light" });
  const locale = defaultLocale();
  const formats = new Map();
  const formatted = (row, value) => {
    if (row.format === undefined) {
      return value !== null && value !== undefined && value === value ? value : `${value}`; // NaN !== NaN
    }
    if (!formats.has(row.format)) formats.set(row.format, locale.format(row.format));
    return formats.get(row.format)(value);
  };
  return (handler, event, item, value) => {
    const name = markName(item);
    const rows = name ? rowsByMark[name] : null;
    if (rows && value && value === item.datum) {
      // A row without a value (a cell without a link, a scorer or an interval) is left out, not shown as "null".
      const present = rows.filter((row) => value[row.field] !== null && value[row.field] !== undefined);
      value = Object.fromEntries(present.map((row) => [row.title, formatted(row, value[row.field])]));
    }
    base.call(handler, event, item, value);
  };
}

function plainDatum(datum) {
  const out = {};
  for (const key of Object.keys(datum)) {
    const value = datum[key];
    if (value === null || ["string", "number", "boolean"].includes(typeof value)) out[key] = value;
  }
  return out;
}

/**
 * Render `spec` into `el` with `datasets` ({name: rows}). Returns the Vega view.
 * `onSelect(datum)` is called with the datum of a clicked mark; `onDrill(datum)`, when given, takes a click
 * on a cell instead of its link (a binned overview drills down rather than opening a page).
 *
 * A chart in selections (contract `filters` / `publish`, js/chart_selections.js) follows them and publishes into
 * them. A click on a mark that publishes clicks selects it; its link then opens only with Ctrl (Cmd on a Mac)
 * held. Marks that do not publish clicks open their links on a plain click, as before.
 */
export async function drawChart(el, spec, datasets, { onSelect, onDrill } = {}) {
  const contract = readContract(spec);
  const loader = offlineLoader();
  const fitted = await fitParts(spec, datasets, loader); // the parts of a concatenation, sized as alone
  const full = seedSignals({ ...fitted, datasets: { ...(spec.datasets || {}), ...datasets } }, contract);
  const result = await embed(el, full, {
    renderer: contract.renderer,
    // Export stays in the page; the editor link would leave it. A printed figure has no menu.
    actions: contract.actions ? { export: true, source: false, compiled: false, editor: false } : false,
    tooltip: tooltipHandler(contract.tooltips),
    loader,
  });
  // vega-embed stretches a chart whose autosize is "fit" to the page's width (class fit-x), which puts its
  // actions menu at the far right of the page. Our charts have a fixed width: the box keeps to it, and the
  // menu sits beside the chart.
  el.style.width = "fit-content";
  const view = result.view;
  // Filters the page's selections apply, or cannot: a note as text under the chart names the latter; a chart
  // they empty shows it in place of its drawing.
  addNoteStyle();
  const note = document.createElement("div");
  note.className = "evalviz-filter-note";
  note.hidden = true;
  note.dataset.title = titleText(spec);
  const showEmptied = () => el.classList.toggle("evalviz-emptied", note.dataset.empty === "true");
  note.addEventListener("evalviz:filtered", showEmptied);
  el.appendChild(note);
  const linked = linkChart(view, contract, note);
  view.addEventListener("click", (event, item) => {
    const name = markName(item);
    linked.onClick(event, item, name);
    // Only the chart's own marks count: axis labels and legend entries carry data too, but select nothing.
    const datum = item && item.mark && item.mark.role === "mark" ? item.datum : null;
    if (!datum || typeof datum !== "object") return;
    if (onDrill) onDrill(plainDatum(datum)); // first: the region is what the user waits for
    if (onSelect) onSelect(plainDatum(datum));
    if (onDrill) return;
    // A click that selects opens the mark's link only with Ctrl / Cmd held.
    if (linked.publishesClick(name) && !(event && (event.ctrlKey || event.metaKey))) return;
    // Each mark names the field of its link in the contract.
    const linkField = contract.links[name];
    const url = linkField ? safeLink(datum[linkField]) : null;
    if (url) window.open(url, "_blank", "noopener,noreferrer");
  });
  el.evalvizView = view;
  el.dataset.evalvizState = "ready";
  // When the drawn chart reached the screen, in ms since navigation: what benchmarks call first paint.
  requestAnimationFrame(() => {
    el.dataset.evalvizPaintedAt = String(performance.now());
  });
  el.dispatchEvent(new CustomEvent("evalviz:ready", { bubbles: true }));
  return {
    view,
    finalize: () => {
      linked.finalize();
      result.finalize();
    },
  };
}
