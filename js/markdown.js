// A markdown item: text rendered to HTML in Python (src/evalviz/publishing/markdown.py), put on the page after a
// second check here. The HTML is parsed in an inert <template> (nothing in it runs or loads), then only the
// elements and attributes Markdown makes are kept: any other element is replaced by its text, a link keeps its
// href only to an http(s) URL or a #fragment of the page.
import { registerItem } from "./items.js";

const ELEMENTS = new Set([
  "a", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "ol", "p", "pre",
  "s", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
]);

const headingId = (v) => /^[\p{L}\p{N}_-]+$/u.test(v);

// Attribute name -> whether a value is kept, by element.
const ATTRIBUTES = {
  a: { href: (v) => /^(https?:\/\/[^\s]|#)/i.test(v), title: () => true, target: (v) => v === "_blank",
    rel: (v) => v === "noopener noreferrer" },
  code: { class: (v) => /^language-[\w+#.-]+$/.test(v) },
  ol: { start: (v) => /^\d+$/.test(v) },
  td: { style: (v) => /^text-align:(left|center|right)$/.test(v) },
  th: { style: (v) => /^text-align:(left|center|right)$/.test(v) },
  ...Object.fromEntries(["h1", "h2", "h3", "h4", "h5", "h6"].map((h) => [h, { id: headingId }])),
};

const STYLE_ID = "evalviz-markdown-style";
const CSS = `
.evalviz-markdown{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;font-size:15px;line-height:1.5;
  color:#1f2328;max-width:60em;overflow-wrap:anywhere}
.evalviz-layout[data-direction=row]>.evalviz-markdown{flex:1 1 22em;min-width:16em}
.evalviz-layout[data-direction=column]>.evalviz-markdown{align-self:stretch}
.evalviz-markdown>:first-child{margin-top:0}.evalviz-markdown>:last-child{margin-bottom:0}
.evalviz-markdown h1,.evalviz-markdown h2,.evalviz-markdown h3,.evalviz-markdown h4{line-height:1.25;
  margin:1.2em 0 .5em;font-weight:600}
.evalviz-markdown h1{font-size:1.9em}.evalviz-markdown h2{font-size:1.45em;border-bottom:1px solid #d8dee4;
  padding-bottom:.2em}.evalviz-markdown h3{font-size:1.2em}.evalviz-markdown h4{font-size:1em}
.evalviz-markdown p,.evalviz-markdown ul,.evalviz-markdown ol,.evalviz-markdown pre,.evalviz-markdown table,
.evalviz-markdown blockquote{margin:0 0 .8em}
.evalviz-markdown ul,.evalviz-markdown ol{padding-left:1.6em}
.evalviz-markdown a{color:#0969da;text-decoration:underline}
.evalviz-markdown code{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:.88em;
  background:#eff1f3;border-radius:4px;padding:.1em .3em}
.evalviz-markdown pre{background:#f6f8fa;border-radius:6px;padding:.8em 1em;overflow:auto}
.evalviz-markdown pre code{background:none;padding:0;font-size:.85em}
.evalviz-markdown blockquote{border-left:4px solid #d0d7de;color:#59636e;padding:0 1em;margin-left:0}
.evalviz-markdown table{border-collapse:collapse;display:block;overflow:auto;max-width:100%}
.evalviz-markdown th,.evalviz-markdown td{border:1px solid #d0d7de;padding:.3em .7em}
.evalviz-markdown th{background:#f6f8fa;font-weight:600}
.evalviz-markdown tr:nth-child(2n) td{background:#fafbfc}
.evalviz-markdown hr{border:0;border-top:1px solid #d0d7de;margin:1.2em 0}`;

// The stylesheet, once per document (a notebook holds many pages).
function addStyle() {
  if (document.getElementById(STYLE_ID)) return;
  const style = document.createElement("style");
  style.id = STYLE_ID;
  style.textContent = CSS;
  document.head.appendChild(style);
}

/** The nodes of `node` that may stay on the page: kept elements with their kept attributes, text as text. */
function checked(node) {
  if (node.nodeType === Node.TEXT_NODE) return document.createTextNode(node.nodeValue);
  if (node.nodeType !== Node.ELEMENT_NODE) return null;
  const name = node.localName;
  if (!ELEMENTS.has(name)) return document.createTextNode(node.textContent);
  const kept = document.createElement(name);
  for (const { name: attribute, value } of node.attributes) {
    const keep = (ATTRIBUTES[name] || {})[attribute];
    if (keep && keep(value)) kept.setAttribute(attribute, value);
  }
  for (const child of node.childNodes) {
    const one = checked(child);
    if (one) kept.appendChild(one);
  }
  return kept;
}

/** The checked nodes of an HTML text, parsed where nothing in it runs or loads. */
export function markdownNodes(html) {
  const template = document.createElement("template");
  template.innerHTML = html;
  return Array.from(template.content.childNodes, checked).filter(Boolean);
}

registerItem("markdown", (el, item) => {
  addStyle();
  el.classList.add("evalviz-markdown");
  el.replaceChildren(...markdownNodes(typeof item.html === "string" ? item.html : ""));
  return { finalize: () => {} };
});
