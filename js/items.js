// Draws an item of a page (src/evalviz/rendering/items.py): a chart, an input, a table or a layout of items.
// Each kind is drawn by its own module, registered here by name.
import { drawChart } from "./chart.js";
import { declare } from "./selections.js";

const drawers = new Map();

/** Register `draw(el, item, datasets, context)` for items of `kind`; it returns {finalize()}. */
export function registerItem(kind, draw) {
  drawers.set(kind, draw);
}

/** The datasets a chart item reads: those named under its prefix, the prefix taken off. */
function ownDatasets(datasets, prefix) {
  if (!prefix) return datasets;
  const own = {};
  for (const [name, rows] of Object.entries(datasets)) {
    if (name.startsWith(prefix)) own[name.slice(prefix.length)] = rows;
  }
  return own;
}

// The live widget gives its own chart drawer (`context.drawChart(el, item, datasets, context)`, js/live.js).
registerItem("chart", (el, item, datasets, context) => {
  const own = ownDatasets(datasets, item.prefix);
  return context.drawChart ? context.drawChart(el, item, own, context) : drawChart(el, item.spec, own, context);
});

/** Draw `item` into `el`; `shared` declares the params and selections first. Returns {finalize()}. */
export async function drawItem(el, item, datasets, context = {}, shared = []) {
  for (const one of shared) declare(one);
  const draw = drawers.get(item && item.kind);
  if (!draw) throw new Error(`evalviz cannot draw an item of kind ${JSON.stringify(item && item.kind)}`);
  return draw(el, item, datasets, context);
}
