// JupyterLab's DOM around evalviz's two outputs of one chart in a notebook (src/evalviz/rendering/component.py,
// _show_live): the live widget view, then the static HTML output of the same output id. DOM-fragile by nature:
// written against JupyterLab 4 / Notebook 7 with @jupyter-widgets/jupyterlab-manager 5, and nbconvert's lab
// template. Elsewhere (VS Code, Quarto, a page) no JupyterLab output is found around a chart, and nothing is done.
//
// What JupyterLab does: each output of a cell is a `.jp-OutputArea-child` (a prompt, then the `.jp-OutputArea-output`
// its renderer draws in). A widget view's renderer shows "Loading widget..." until the widget manager has restored
// its models, then the view; when the kernel holds no such model (the notebook opened again without saved widget
// state, JupyterLab's default) it shows "Error displaying widget: model not found" for good, and "Error displaying
// widget" when the view failed. nbconvert, exporting without widget state, shows the output's text/plain instead,
// which evalviz leaves empty.

const LOADING = "Loading widget...";
const FAILED = "Error displaying widget"; // the start of both of jupyterlab-manager's error texts
const WAIT_MS = 5000; // how long a static output waits for the widget view before it to stop loading

// The element showing the output `el` is in: JupyterLab's output (with its prompt), else `el` itself.
function outputOf(el) {
  return el.closest(".jp-OutputArea-child") || el;
}

// Show or hide the output `el` is in.
export function setShown(el, shown) {
  outputOf(el).style.display = shown ? "" : "none";
}

// The rendered output just before the one `el` is in: its widget view, when it is evalviz's static output.
function outputBefore(el) {
  const child = el.closest(".jp-OutputArea-child");
  const before = child && child.previousElementSibling;
  return before ? before.querySelector(":scope > .jp-OutputArea-output") : null;
}

// What the output before a static one shows: "loading", "stale" (an error where the view would be, or an export's
// empty text), "view" (JupyterLab's widget renderer, a Panel holding the view: not a rendered mime type, which
// carries data-mime-type; once its view is disposed, as when the kernel restarts, it is emptied and hidden), or
// "other" (anything else, an export's widget view included).
function stateOf(output) {
  const text = output.textContent.trim();
  if (text === LOADING) return "loading";
  if (text.startsWith(FAILED)) return "stale";
  if (text === "" && output.dataset.mimeType === "text/plain") return "stale";
  const panel = output.classList.contains("lm-Panel") && !output.dataset.mimeType;
  return panel && output.childElementCount > 0 && !output.classList.contains("lm-mod-hidden") ? "view" : "other";
}

function stopsLoading(output) {
  return new Promise((resolve) => {
    const done = () => {
      observer.disconnect();
      clearTimeout(timer);
      resolve();
    };
    const observer = new MutationObserver(() => {
      if (stateOf(output) !== "loading") done();
    });
    const timer = setTimeout(done, WAIT_MS);
    observer.observe(output, { childList: true, characterData: true, subtree: true });
  });
}

// Before the static output `el` draws: wait for the widget view output before it to stop loading. Resolves "view"
// when a view takes its place (the static output then stays hidden; the view's own script follows), else "none";
// an error in the view's place, an export's empty text, or a view still loading after WAIT_MS is hidden (a view
// drawn later shows its output again).
export async function settleViewBefore(el) {
  const output = outputBefore(el);
  if (!output) return "none";
  if (stateOf(output) === "loading") await stopsLoading(output);
  const state = stateOf(output);
  if (state === "view") return "view";
  if (state !== "other") output.parentElement.style.display = "none";
  return "none";
}
