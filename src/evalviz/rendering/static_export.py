"""PNG and SVG through vl-convert, which renders Vega-Lite offline without a browser."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pyarrow as pa

from evalviz._optional import require


def inline_spec(spec: Mapping[str, Any], datasets: Mapping[str, pa.Table]) -> dict[str, Any]:
    """The spec with its named datasets written in, for renderers that take one JSON document."""
    merged = dict(spec)
    merged["datasets"] = {**spec.get("datasets", {}), **{n: t.to_pylist() for n, t in datasets.items()}}
    return merged


def to_png(spec: Mapping[str, Any], datasets: Mapping[str, pa.Table], scale: float = 2) -> bytes:
    """The chart as PNG bytes."""
    vlc = require("vl_convert")
    return vlc.vegalite_to_png(inline_spec(spec, datasets), scale=scale)


def to_svg(spec: Mapping[str, Any], datasets: Mapping[str, pa.Table]) -> str:
    """The chart as SVG text."""
    vlc = require("vl_convert")
    return vlc.vegalite_to_svg(inline_spec(spec, datasets))
