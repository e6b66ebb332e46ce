// The one renderer behind every target: the anywidget front end (default export of the ESM bundle) and
// standalone HTML (globalThis.evalviz.renderAll, called by the page's bootstrap, js/page.js, which runs the IIFE
// bundle).
import { arrowRows } from "./arrow.js";
import { base64Bytes, gunzip } from "./bytes.js";
import { createChannel } from "./channel.js";
import { drawItem } from "./items.js";
import { liveChartDrawer } from "./live.js";
import * as selections from "./selections.js";
import { showLive, staticDraws } from "./twin_outputs.js";
import "./layout.js";
import "./markdown.js";
import "./inputs/index.js";
import "./table.js";

function decodeDatasets(encoded, toBytes) {
  const out = {};
  for (const [name, value] of Object.entries(encoded || {})) out[name] = arrowRows(toBytes(value));
  return out;
}

// A page's datasets: their Arrow IPC streams one after another in one gzip stream (base64, `data`), each at
// [start, end) of the decompressed bytes (src/evalviz/rendering/transport.py, packed_ipc).
async function pageDatasets(payload) {
  const bytes = await gunzip(base64Bytes(payload.data));
  return decodeDatasets(payload.datasets, ([start, end]) => bytes.subarray(start, end));
}

function showError(el, error) {
  const box = document.createElement("pre");
  box.className = "evalviz-error";
  box.textContent = `evalviz could not draw this chart: ${error && error.message ? error.message : error}`;
  el.replaceChildren(box);
  el.dataset.evalvizState = "error";
}

// Standalone pages: every <div class="evalviz-chart"> holds its item (src/evalviz/rendering/items.py), packed
// Arrow datasets and shared params and selections in a <script type="application/json"> child. Rendering twice
// is harmless: drawn items are skipped, and so is a notebook's static output whose live widget view shows the
// chart (js/twin_outputs.js).
async function renderAll(root = document) {
  const charts = root.querySelectorAll("div.evalviz-chart:not([data-evalviz-state])");
  await Promise.all(
    Array.from(charts, async (el) => {
      el.dataset.evalvizState = "rendering";
      if (!(await staticDraws(el))) return;
      try {
        const payload = JSON.parse(el.querySelector("script.evalviz-payload").textContent);
        const target = el.querySelector("div.evalviz-target");
        await drawItem(target, payload.item, await pageDatasets(payload), {}, payload.shared);
        el.dataset.evalvizState = "ready";
      } catch (error) {
        showError(el, error);
        console.error(error);
      }
    }),
  );
}

// The notebook widget. A chart marked drillable (a binned overview) asks Python for a region at full
// resolution when a cell is clicked, a "drill" request on the widget's channel; the answer (a spec and Arrow
// tables) replaces the chart, and "Back" returns to the view it came from.
async function render({ model, el }) {
  let current = null;
  let shown = null;
  const history = [];
  const stopLive = showLive(el, model.get("output_id"), () => renderAll()); // the static output stays hidden
  const channel = createChannel(model);
  el.evalvizChannel = channel; // for scripts on the page: el.evalvizChannel.request(kind, payload)
  const drawLive = liveChartDrawer(channel, model.get("live") || {}); // charts that re-query in the kernel
  let drills = 0; // the latest drill-down asked: an older one answered after it is dropped

  const onSelect = (datum) => {
    model.set("selection", datum);
    model.save_changes();
  };
  const onDrill = async (datum) => {
    const asked = ++drills;
    el.dataset.evalvizState = "drilling";
    // Timing marks for benchmarks: the channel marks the ask and the answer's arrival ("evalviz:drill-asked",
    // "evalviz:drill-answered"), drawChart the region drawn.
    let answer = null;
    let failure = null;
    try {
      answer = await channel.request("drill", { datum });
    } catch (error) {
      failure = error;
    }
    if (asked !== drills) return;
    history.push(shown);
    if (failure) {
      // The reason, as text, where the region would have been; Back returns to the chart clicked.
      const box = document.createElement("pre");
      box.className = "evalviz-error";
      box.textContent = `Could not drill down: ${failure.message}`;
      place(box);
      el.dataset.evalvizState = "error";
      return;
    }
    show({ kind: "chart", spec: answer.payload.spec, prefix: "" }, answer.tables);
  };

  // What takes the chart's place: `content` below a Back button when there is a view to go back to.
  const place = (content) => {
    if (current) current.finalize();
    current = null;
    const children = [];
    if (history.length) {
      const back = document.createElement("button");
      back.className = "evalviz-back";
      back.textContent = "\u2190 Back";
      back.addEventListener("click", () => show(...Object.values(history.pop())));
      children.push(back);
    }
    el.replaceChildren(...children, content);
  };

  // `live`: the widget's own item, whose charts given filter_by re-query (a drilled region does not).
  const show = async (item, datasets, live = false) => {
    shown = { item, datasets, live };
    const target = document.createElement("div");
    target.className = "evalviz-target";
    place(target);
    try {
      const drillable = item.kind === "chart" && item.spec.usermeta && item.spec.usermeta.evalviz
        && item.spec.usermeta.evalviz.drill === true;
      const drawChart = live ? drawLive : null;
      const context = { onSelect, onDrill: drillable ? onDrill : null, channel, drawChart };
      current = await drawItem(target, item, datasets, context, model.get("shared") || []);
      el.dataset.evalvizState = "ready";
    } catch (error) {
      showError(el, error);
      console.error(error);
    }
  };

  const fromModel = () => show(model.get("item"), decodeDatasets(model.get("datasets"), (value) => value), true);
  model.on("change:item", fromModel);
  model.on("change:datasets", fromModel);
  await fromModel();
  const stopReporting = reportShared(model);
  return () => {
    model.off("change:item", fromModel);
    model.off("change:datasets", fromModel);
    stopReporting();
    stopLive();
    channel.close();
    if (current) current.finalize();
  };
}

const REPORT_DELAY_MS = 100; // the page's changes reach Python at most this often

// The page -> kernel side of params and selections: after changes (debounced), the widget's `state` traitlet
// gets the current clauses of each selection and value of each param it declares; Python sets its Param and
// Selection objects from it (src/evalviz/rendering/widget.py). Returns a function that stops reporting.
function reportShared(model) {
  const declared = model.get("shared") || [];
  let timer = null;
  const report = () => {
    timer = null;
    const state = {};
    for (const one of declared) {
      state[one.name] = one.kind === "param"
        ? { value: selections.paramValue(one.name) }
        : { clauses: selections.clauses(one.name) };
    }
    model.set("state", state);
    model.save_changes();
  };
  const schedule = () => {
    if (timer === null) timer = setTimeout(report, REPORT_DELAY_MS);
  };
  const stops = declared.map((one) => selections.subscribe(one.name, schedule));
  return () => {
    if (timer !== null) clearTimeout(timer);
    stops.forEach((stop) => stop());
  };
}

// `selections`: the page's params and selections, for scripts on the page (and tests) to read and publish.
globalThis.evalviz = { renderAll, selections };

export default { render };
