"""The bundled renderer (vega, vega-lite, vega-embed, vega-tooltip, apache-arrow and ours) shipped in the package."""

from __future__ import annotations

import functools
from pathlib import Path

BUNDLE_PATH = Path(__file__).parent / "static" / "evalviz.js"


@functools.cache
def bundle_source() -> str:
    """The renderer's ESM source; built by `make build` (npm) or by the wheel build."""
    try:
        return BUNDLE_PATH.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RuntimeError(
            f"The evalviz JS bundle is missing ({BUNDLE_PATH}). In a source checkout run `make build`; "
            "an installed wheel always carries it, so reinstall evalviz."
        ) from None
