"""The bundled renderer (vega, vega-lite, vega-embed, vega-tooltip, apache-arrow and ours) shipped in the package,
in its two forms (js/build.mjs): the widget's ES module, and the page's compressed bootstrap; and the loader that
outputs not carrying the renderer inline instead."""

from __future__ import annotations

import functools
from pathlib import Path

STATIC = Path(__file__).parent / "static"
BUNDLE_PATH = STATIC / "evalviz.js"
PAGE_BUNDLE_PATH = STATIC / "evalviz.page.js"
LOADER_PATH = STATIC / "evalviz.loader.js"


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RuntimeError(
            f"The evalviz JS bundle is missing ({path}). In a source checkout run `make build`; "
            "an installed wheel always carries it, so reinstall evalviz."
        ) from None


@functools.cache
def bundle_source() -> str:
    """The renderer's ESM source (the notebook widget's front end); built by `make build` (npm) or by the wheel
    build.

    Example:
        >>> "export" in bundle_source()
        True
    """
    return _read(BUNDLE_PATH)


@functools.cache
def page_bundle_source() -> str:
    """The renderer as a page carries it: a small bootstrap holding the bundle gzip-compressed (base64), which it
    unpacks with the browser's DecompressionStream and runs, then draws every chart on the page not drawn yet.

    Example:
        >>> len(page_bundle_source()) < len(bundle_source()) / 2
        True
    """
    return _read(PAGE_BUNDLE_PATH)


@functools.cache
def loader_source() -> str:
    """The loader of a notebook or Quarto output that does not carry the renderer (js/loader.js, about a kilobyte):
    it draws its chart with the renderer an earlier output of the document carried, or says where it went.

    Example:
        >>> len(loader_source()) < 2_000
        True
    """
    return _read(LOADER_PATH)
