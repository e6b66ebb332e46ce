// The loader of a notebook / Quarto output that does not carry the renderer (about a kilobyte): the renderer travels
// once per document, in the first evalviz output a kernel displayed (src/evalviz/rendering/document.py), whose
// bootstrap (js/page.js) keeps it on globalThis by build (EVALVIZ_BUILD) and draws every chart of the page.
//
// - The carrier already ran: draw this output's chart now.
// - It has not run yet (it comes later in the page, or JupyterLab attaches it later): nothing to do; the carrier
//   draws every chart not drawn when it runs.
// - No carrier turns up once the page has settled (the output that carried it was cleared or deleted): a note in
//   place of each chart not drawn says so and how to get it back. The carrier removes the notes if it runs later.
/* global EVALVIZ_BUILD */
const SETTLE_MS = 1500;
const NOTE =
  "This evalviz chart cannot draw: the renderer it needs travels once per notebook, in an earlier output, and " +
  "that output is not on this page (it was cleared or deleted). Run ev.include_renderer() in a cell, or run " +
  "the notebook again, then save it.";

function renderer() {
  return (globalThis.__evalvizRenderers || {})[EVALVIZ_BUILD];
}

function noteMissing() {
  if (renderer()) return;
  for (const el of document.querySelectorAll("div.evalviz-chart:not([data-evalviz-state])")) {
    if (el.querySelector(".evalviz-renderer-missing")) continue;
    const note = document.createElement("p");
    note.className = "evalviz-renderer-missing";
    note.style.cssText = "font:13px system-ui,sans-serif;color:#8a4b00;background:#fff7e6;padding:8px 12px;margin:0";
    note.textContent = NOTE;
    el.prepend(note);
  }
}

function settled(callback) {
  const later = () => setTimeout(callback, SETTLE_MS);
  if (document.readyState === "complete") later();
  else window.addEventListener("load", later, { once: true });
}

const ready = renderer();
if (ready) ready.then((r) => r.renderAll(), () => {}); // the carrier reports its own failure
else settled(noteMissing);
