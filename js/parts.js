// The parts of a concatenated chart, each sized as it is alone. Vega-Lite cannot fit a part of a concatenation
// into an outer size, so the contract records each fitted part (contract.parts: its path in the spec and the size
// and autosize it had alone). Here Vega lays each such part out alone, in the page's fonts, and the part gets the
// plot area it had alone: its outer size and layout stay as they were. A part is named by its place, and Vega-Lite
// names its scales and marks from that name alone or concatenated, so it is laid out as it is written.
// src/evalviz/rendering/concat_parts.py does the same for PNG and SVG.
import { compile } from "vega-lite";
import { View, parse } from "vega";
import { readContract } from "./contract.js";

const FITTED = { fit: ["width", "height"], "fit-x": ["width"], "fit-y": ["height"] };

const at = (spec, path) => path.reduce((node, key) => node[key], spec);

function fittedSizes(alone) {
  const kind = alone.autosize && typeof alone.autosize === "object" ? alone.autosize.type : alone.autosize;
  return (FITTED[kind] || []).filter((size) => typeof alone[size] === "number");
}

// The part as a chart of its own: as written, with its own size, the chart's config and data.
function alone(spec, datasets, part) {
  const own = { ...at(spec, part.path), ...part.alone, datasets: { ...(spec.datasets || {}), ...datasets } };
  if (spec.config) own.config = spec.config;
  // The chart's top-level signals (a filter's, src/evalviz/charts/interaction.py) are read by its parts too.
  const signals = (spec.params || []).filter((p) => !p.select);
  if (signals.length) own.params = [...(own.params || []), ...signals];
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
  const { parts } = readContract(spec);
  if (!parts.length) return spec;
  const sizes = await Promise.all(parts.map((part) => plotSize(alone(spec, datasets, part), loader)));
  const fitted = structuredClone(spec);
  parts.forEach((part, i) => {
    const child = at(fitted, part.path);
    for (const size of fittedSizes(part.alone)) child[size] = sizes[i][size];
  });
  return fitted;
}
