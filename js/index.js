// The one renderer behind every target: the anywidget front end (default export) and standalone HTML
// (globalThis.evalviz.renderAll, called by the page itself).
import { arrowRows, base64Bytes } from "./arrow.js";
import { drawChart } from "./chart.js";

function decodeDatasets(encoded, toBytes) {
  const out = {};
  for (const [name, value] of Object.entries(encoded || {})) out[name] = arrowRows(toBytes(value));
  return out;
}

function showError(el, error) {
  const box = document.createElement("pre");
  box.className = "evalviz-error";
  box.textContent = `evalviz could not draw this chart: ${error && error.message ? error.message : error}`;
  el.replaceChildren(box);
  el.dataset.evalvizState = "error";
}

// Standalone pages: every <div class="evalviz-chart"> holds its spec and base64 Arrow datasets in a
// <script type="application/json"> child. Rendering twice is harmless: drawn charts are skipped.
async function renderAll(root = document) {
  const charts = root.querySelectorAll("div.evalviz-chart:not([data-evalviz-state])");
  await Promise.all(
    Array.from(charts, async (el) => {
      el.dataset.evalvizState = "rendering";
      try {
        const payload = JSON.parse(el.querySelector("script.evalviz-payload").textContent);
        const target = el.querySelector("div.evalviz-target");
        await drawChart(target, payload.spec, decodeDatasets(payload.datasets, base64Bytes));
        el.dataset.evalvizState = "ready";
      } catch (error) {
        showError(el, error);
        console.error(error);
      }
    }),
  );
}

async function render({ model, el }) {
  let current = null;
  const draw = async () => {
    if (current) current.finalize();
    const target = document.createElement("div");
    target.className = "evalviz-target";
    el.replaceChildren(target);
    try {
      const datasets = decodeDatasets(model.get("datasets"), (value) => value);
      current = await drawChart(target, model.get("spec"), datasets, {
        onSelect: (datum) => {
          model.set("selection", datum);
          model.save_changes();
        },
      });
    } catch (error) {
      showError(el, error);
      console.error(error);
    }
  };
  model.on("change:spec", draw);
  model.on("change:datasets", draw);
  await draw();
  return () => {
    model.off("change:spec", draw);
    model.off("change:datasets", draw);
    if (current) current.finalize();
  };
}

globalThis.evalviz = { renderAll };

export default { render };
