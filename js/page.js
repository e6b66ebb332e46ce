// The bootstrap of a standalone page or a notebook / Quarto HTML output: the renderer travels inside it as a
// gzip-compressed, base64 IIFE bundle (EVALVIZ_RENDERER, put in by js/build.mjs), is unpacked by the browser's
// DecompressionStream and run with an indirect eval (allowed by the page's script-src 'unsafe-eval', which Vega's
// expressions need anyway), then draws every chart not drawn yet. Nothing is fetched.
//
// A notebook or Quarto document carries this script once, in its first evalviz output; the others carry a loader
// of about a kilobyte (js/loader.js) that finds the renderer here, on globalThis by build (EVALVIZ_BUILD), or is
// drawn by it when it runs later. Several on one page (a page embedding outputs) unpack and run the renderer once. The bootstrap runs as a module script: it
// waits for the document, and ignores any AMD loader (require.js) the page holds; the bundle sees `define` as
// undefined (js/build.mjs) and runs strict, as a module would.
/* global EVALVIZ_RENDERER, EVALVIZ_BUILD */
import { base64Bytes, gunzip } from "./bytes.js";

async function unpack() {
  const source = new TextDecoder().decode(await gunzip(base64Bytes(EVALVIZ_RENDERER)));
  (0, eval)(`${source}\n//# sourceURL=evalviz.js`);
  return globalThis.evalviz;
}

function showFailure(error) {
  console.error(error);
  for (const el of document.querySelectorAll("div.evalviz-chart:not([data-evalviz-state])")) {
    const box = document.createElement("pre");
    box.className = "evalviz-error";
    box.textContent = `evalviz could not start its renderer: ${error && error.message ? error.message : error}`;
    el.replaceChildren(box);
    el.dataset.evalvizState = "error";
  }
}

function drawAll(renderer) {
  // Outputs that waited for the renderer and, finding none, said so (js/loader.js) are drawn now.
  for (const note of document.querySelectorAll(".evalviz-renderer-missing")) note.remove();
  return renderer.renderAll();
}

// Unpacked once the browser is idle (at most IDLE_MS later): in a live notebook the widget view, drawing the same
// chart with the widget's own copy of the renderer, comes first, and this output, hidden by it, is not drawn.
const IDLE_MS = 1000;
const idle = () => new Promise((resolve) => {
  if (globalThis.requestIdleCallback) requestIdleCallback(() => resolve(), { timeout: IDLE_MS });
  else setTimeout(resolve, 0);
});
const renderers = (globalThis.__evalvizRenderers ||= {});
renderers[EVALVIZ_BUILD] ||= idle().then(unpack);
renderers[EVALVIZ_BUILD].then(drawAll, showFailure);
