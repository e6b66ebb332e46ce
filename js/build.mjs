// Bundles the renderer with vega, vega-lite, vega-embed, vega-tooltip and apache-arrow, in two forms that ship
// inside the Python package. Nothing is left to fetch at run time.
// - evalviz.js: an ES module, the notebook widget's front end (anywidget `_esm`).
// - evalviz.page.js: what every standalone page and notebook / Quarto HTML output inlines: a small bootstrap
//   (js/page.js) holding the renderer as a gzip-compressed, base64 IIFE bundle, which it unpacks and runs.
// - evalviz.loader.js: what every later notebook / Quarto output inlines instead (js/loader.js, about a kilobyte):
//   it waits for the renderer of the same build, carried once per document.
import { build } from "esbuild";
import { createHash } from "node:crypto";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { gzipSync } from "node:zlib";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const staticDir = path.join(root, "src", "evalviz", "rendering", "static");

const common = {
  bundle: true,
  write: false,
  minify: true,
  target: "es2020",
  legalComments: "none",
  // A page may already hold an AMD loader (require.js in Quarto and some notebook front ends). Any UMD
  // wrapper left inside a dependency must not hand itself to that loader instead of to our bundle.
  define: { define: "undefined" },
  // Stylesheets (the grid's) are bundled as text, which the page puts in a <style> element itself.
  loader: { ".css": "text" },
  logLevel: "warning",
};

async function bundled(options) {
  const result = await build({ ...common, ...options });
  return result.outputFiles[0].contents;
}

const entry = path.join(root, "js", "index.js");
const moduleBundle = await bundled({ entryPoints: [entry], format: "esm" });
// The page's copy runs through an indirect eval: strict, as the module is, and keeping its names to itself.
const pageBundle = await bundled({ entryPoints: [entry], format: "iife", banner: { js: '"use strict";' } });
const packed = gzipSync(pageBundle, { level: 9 }).toString("base64");
const buildId = createHash("sha256").update(pageBundle).digest("hex").slice(0, 16);
const bootstrap = await bundled({
  entryPoints: [path.join(root, "js", "page.js")],
  format: "esm",
  define: { EVALVIZ_RENDERER: JSON.stringify(packed), EVALVIZ_BUILD: JSON.stringify(buildId) },
});
const loader = await bundled({
  entryPoints: [path.join(root, "js", "loader.js")],
  format: "esm",
  define: { EVALVIZ_BUILD: JSON.stringify(buildId) },
});

// Each file is written beside its final name, then renamed over it: a process reading it meanwhile gets the old
// one or the new one whole, never a part.
function replace(name, contents) {
  const target = path.join(staticDir, name);
  const temporary = `${target}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, target);
}

mkdirSync(staticDir, { recursive: true });
replace("evalviz.page.js", bootstrap);
replace("evalviz.loader.js", loader);
replace("evalviz.js", moduleBundle);
