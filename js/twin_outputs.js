// A chart shown in a notebook kernel is two outputs of one output id (src/evalviz/rendering/component.py,
// _show_live): the live widget view (its element marked data-evalviz-live-output), then the static HTML output (a
// div.evalviz-chart of that id). Whichever draws first, a notebook shows the chart once: the live view where the
// kernel is, else the static output (the notebook opened again without its kernel, an HTML export).
import { setShown, settleViewBefore } from "./notebook_outputs.js";

const staticOutputs = (id) => document.querySelectorAll(`div.evalviz-chart[id="${CSS.escape(id)}"]`);
const liveView = (id) => id && document.querySelector(`[data-evalviz-live-output="${CSS.escape(id)}"]`);

function hideStatic(chart) {
  setShown(chart, false);
  if (!chart.dataset.evalvizState) chart.dataset.evalvizState = "live"; // not drawn: the renderer skips it
}

// The widget view `el` of output `id` renders: it shows its own output and hides the static ones of its id.
// Returns what to call when the view goes: with no other view of the id left on the page (the kernel restarted),
// the static outputs still there show again, and `draw` draws those never drawn.
export function showLive(el, id, draw) {
  if (!id) return () => {};
  el.dataset.evalvizLiveOutput = id;
  setShown(el, true);
  staticOutputs(id).forEach(hideStatic);
  return () => {
    delete el.dataset.evalvizLiveOutput;
    setTimeout(() => { // outputs cleared with the view are gone by then
      if (liveView(id)) return;
      for (const chart of staticOutputs(id)) {
        if (chart.dataset.evalvizState === "live") delete chart.dataset.evalvizState;
        setShown(chart, true);
      }
      draw();
    }, 0);
  };
}

// Whether the static output `el` draws: not when a live view of its id shows the chart, or takes the place of the
// widget view output just before it (js/notebook_outputs.js).
export async function staticDraws(el) {
  const seen = liveView(el.id) ? "view" : await settleViewBefore(el);
  if (seen === "view" || liveView(el.id)) {
    setShown(el, false);
    el.dataset.evalvizState = "live";
    return false;
  }
  return true;
}
