// What every input shares (src/evalviz/interaction/inputs/base.py): its frame and label, and telling its target
// what it keeps. Every text shown (labels, options, notes) is set as text, never parsed as HTML.
import { clear, publish, setParam } from "../selections.js";

const FONT = "13px system-ui, sans-serif";

/** A new element `tag` with `className` and, when given, `text` as its text. */
export function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

/** Fill `el` with the input's box: returns it, to put the control in. */
export function frame(el, item) {
  el.classList.add("evalviz-input", `evalviz-input-${item.input}`);
  el.dataset.evalvizInput = item.input;
  el.style.font = FONT;
  el.style.display = "flex";
  el.style.flexDirection = "column";
  el.style.gap = "4px";
  el.style.maxWidth = "100%"; // a long label or option wraps (or is cut, in a drop-down) rather than widen the page
  el.style.boxSizing = "border-box";
  el.replaceChildren();
  return el;
}

/** A label element holding `text` (as text) before its control. */
export function labelled(text, control) {
  const label = element("label", "evalviz-input-label");
  label.style.display = "inline-flex";
  label.style.alignItems = "center";
  label.style.gap = "6px";
  label.style.maxWidth = "100%";
  const span = element("span", "evalviz-input-text", text || "");
  span.style.overflowWrap = "anywhere";
  label.append(span, control);
  return label;
}

/** A group of controls (checkboxes, radio buttons) under its legend. */
export function group(text) {
  const fieldset = element("fieldset", "evalviz-input-group");
  fieldset.style.border = "none";
  fieldset.style.margin = "0";
  fieldset.style.padding = "0";
  fieldset.style.display = "flex";
  fieldset.style.flexWrap = "wrap";
  fieldset.style.gap = "4px 12px";
  fieldset.style.minWidth = "0"; // a fieldset is as wide as its widest label otherwise
  if (text) {
    const legend = element("legend", "evalviz-input-text", text);
    legend.style.overflowWrap = "anywhere";
    fieldset.append(legend);
  }
  return fieldset;
}

/** The note below an input (values left out, a pattern that is not valid), or nothing when `text` is empty. */
export function note(text) {
  const box = element("div", "evalviz-input-note", text || "");
  box.style.color = "#666";
  box.style.fontSize = "11px";
  box.hidden = !text;
  return box;
}

/** The clause keeping rows whose column holds one of `values`; null (no clause) when there are none. */
export function keepValues(values) {
  return values.length ? { op: "in", value: values.map((v) => [v]) } : null;
}

/** Tell the target what the input now keeps: a selection gets `clause` ({op, value}; null takes the input's
 * clause out), a param `paramValue`. */
export function send(item, clause, paramValue) {
  const { kind, name } = item.target;
  if (kind === "param") {
    setParam(name, paramValue === undefined ? null : paramValue, item.id);
  } else if (clause) {
    publish(name, { source: item.id, fields: [item.column], op: clause.op, value: clause.value });
  } else {
    clear(name, item.id);
  }
}

export const nothingToFinalize = { finalize() {} };
