// Bundles the renderer with vega, vega-lite, vega-embed, vega-tooltip and apache-arrow into one ESM file
// that ships inside the Python package. Nothing is left to fetch at run time.
import { build } from "esbuild";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const outfile = path.join(root, "src", "evalviz", "rendering", "static", "evalviz.js");

const result = await build({
  entryPoints: [path.join(root, "js", "index.js")],
  outfile,
  write: false,
  bundle: true,
  format: "esm",
  minify: true,
  target: "es2020",
  legalComments: "none",
  // A page may already hold an AMD loader (require.js in Quarto and some notebook front ends). Any UMD
  // wrapper left inside a dependency must not hand itself to that loader instead of to our bundle.
  define: { define: "undefined" },
  // Stylesheets (the grid's) are bundled as text, which the page puts in a <style> element itself.
  loader: { ".css": "text" },
  logLevel: "warning",
});

// Written beside the bundle, then renamed over it: a process reading the bundle meanwhile gets the old one or
// the new one whole, never a part.
mkdirSync(path.dirname(outfile), { recursive: true });
const temporary = `${outfile}.${process.pid}.tmp`;
writeFileSync(temporary, result.outputFiles[0].contents);
renameSync(temporary, outfile);
