// The parts of a concatenated chart, each sized as it is alone. Vega-Lite cannot fit a part of a concatenation
// into an outer size, so hconcat/vconcat record each fitted part (usermeta.evalviz.parts: its path in the spec,
// the prefix of its scale names there, and the size and autosize it had alone). Here Vega lays each such part
// out alone, in the page's fonts, and the part gets the plot area it had alone: its outer size and layout stay
// as they were. src/evalviz/rendering/concat_parts.py does the same for PNG and SVG.
import { compile } from "vega-lite";
import { View, parse } from "vega";

// The expression functions that name a scale as their first argument, and the keys holding expressions.
const SCALE_CALL = /\b(scale|invert|bandwidth|domain|range|copy|gradient)\(\s*(['"])([^'"]+)\2/g;
const EXPRESSION_KEYS = new Set(["test", "expr", "calculate", "filter", "signal"]);
const DATA_KEYS = new Set(["datasets", "values"]); // rows of data, never expressions
const FITTED = { fit: ["width", "height"], "fit-x": ["width"], "fit-y": ["height"] };

function renameScales(node, rename) {
  if (Array.isArray(node)) {
    node.forEach((item) => renameScales(item, rename));
  } else if (node && typeof node === "object") {
    for (const [key, value] of Object.entries(node)) {
      if (EXPRESSION_KEYS.has(key) && typeof value === "string") {
        node[key] = value.replace(SCALE_CALL, (_, fn, quote, name) => `${fn}(${quote}${rename(name)}${quote}`);
      } else if (!DATA_KEYS.has(key)) {
        renameScales(value, rename);
      }
    }
  }
}

const at = (spec, path) => path.reduce((node, key) => node[key], spec);

function fittedSizes(alone) {
  const kind = alone.autosize && typeof alone.autosize === "object" ? alone.autosize.type : alone.autosize;
  return (FITTED[kind] || []).filter((size) => typeof alone[size] === "number");
}

// The part as a chart of its own: its scales under their own names, its own size, the chart's config and data.
function alone(spec, datasets, part) {
  const child = structuredClone(at(spec, part.path));
  renameScales(child, (name) => (name.startsWith(part.scope) ? name.slice(part.scope.length) : name));
  const own = { ...child, ...part.alone, datasets: { ...(spec.datasets || {}), ...datasets } };
  if (spec.config) own.config = spec.config;
  return own;
}

async function plotSize(spec, loader) {
  const view = new View(parse(compile(spec).spec), { renderer: "none", loader });
  try {
    await view.runAsync();
    return { width: view.width(), height: view.height() };
  } finally {
    view.finalize();
  }
}

/** The spec with each recorded part's plot area the one Vega fits it alone; a spec without parts as it is. */
export async function fitParts(spec, datasets, loader) {
  const parts = (spec.usermeta && spec.usermeta.evalviz && spec.usermeta.evalviz.parts) || [];
  if (!parts.length) return spec;
  const sizes = await Promise.all(parts.map((part) => plotSize(alone(spec, datasets, part), loader)));
  const fitted = structuredClone(spec);
  parts.forEach((part, i) => {
    const child = at(fitted, part.path);
    for (const size of fittedSizes(part.alone)) child[size] = sizes[i][size];
  });
  return fitted;
}
