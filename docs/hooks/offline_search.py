"""mkdocs hook: search that works from the file system, without the network.

Material's search runs in a Web Worker, which a page opened from file:// may not start; its `offline` plugin
loads a shim for that (iframe-worker) from a CDN unless the site names one of its own in `extra.polyfills`.
mkdocs.yml names `assets/javascripts/iframe-worker-shim.js`, and this hook copies it into the site from the npm
package (a devDependency in package.json, installed by `npm ci`).
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

SHIM = Path(__file__).resolve().parents[2] / "node_modules" / "iframe-worker" / "shim" / "index.js"
SITE_PATH = "assets/javascripts/iframe-worker-shim.js"


def on_files(files: Files, config: MkDocsConfig) -> Files:
    if SITE_PATH not in config.extra.get("polyfills", []):
        raise PluginError(f"mkdocs.yml must name {SITE_PATH} in extra.polyfills, or search loads a shim from a CDN")
    if not SHIM.exists():
        raise PluginError(f"{SHIM} is missing: run `npm ci` (make build) first; offline search needs it")
    files.append(File.generated(config, SITE_PATH, content=SHIM.read_bytes()))
    return files
