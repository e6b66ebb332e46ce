// The bootstrap of a standalone page or a notebook / Quarto HTML output: the renderer travels inside it as a
// gzip-compressed, base64 IIFE bundle (EVALVIZ_RENDERER, put in by js/build.mjs), is unpacked by the browser's
// DecompressionStream and run with an indirect eval (allowed by the page's script-src 'unsafe-eval', which Vega's
// expressions need anyway), then draws every chart not drawn yet. Nothing is fetched.
//
// Several outputs on one page each carry this script: the first unpacks and runs the renderer once per build
// (EVALVIZ_BUILD), the others wait for it and draw their own charts. The bootstrap runs as a module script: it
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

const renderers = (globalThis.__evalvizRenderers ||= {});
renderers[EVALVIZ_BUILD] ||= unpack();
renderers[EVALVIZ_BUILD].then((renderer) => renderer.renderAll(), showFailure);
