"""PNG, SVG and PDF through vl-convert, which renders Vega-Lite offline without a browser.

The rule of the page holds here too: nothing is fetched. Data URLs are refused (`outgoing_spec`) and
vl-convert is allowed no base URL; image marks keep no link in the SVG and the PNG and PDF are drawn from that SVG,
so an image mark is drawn empty, as on the page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pyarrow as pa

from evalviz._optional import require
from evalviz.charts.interaction import static_spec
from evalviz.errors import OutputError
from evalviz.rendering.concat_parts import fit_parts
from evalviz.rendering.contract import RendererContract
from evalviz.rendering.outgoing import json_rows, outgoing_spec, spec_json

MAX_SCALE = 10  # a 700-pixel-wide chart becomes 7,000 pixels wide

# An <image> element as Vega writes it: attribute values in double quotes, with '"', '<' and '>' escaped.
_IMAGE_TAG = re.compile(r'<image\b(?:\s+[^\s=>]+="[^"]*")*\s*/?>')
_IMAGE_LINK = re.compile(r'\s(?:xlink:)?href="[^"]*"')


def inline_spec(spec: Mapping[str, Any], datasets: Mapping[str, pa.Table]) -> dict[str, Any]:
    """The spec with its named datasets written in as JSON rows, for renderers that take one JSON document."""
    merged = dict(spec)
    merged["datasets"] = {**spec.get("datasets", {}), **{n: json_rows(t) for n, t in datasets.items()}}
    return merged


def to_png(spec: Mapping[str, Any], datasets: Mapping[str, pa.Table], scale: float = 2) -> bytes:
    """The chart as PNG bytes, drawn from `to_svg`'s SVG; `scale` multiplies its size in pixels."""
    if isinstance(scale, bool) or not isinstance(scale, int | float) or not 0 < scale <= MAX_SCALE:
        raise OutputError(f"scale is a number above 0 and at most {MAX_SCALE} (2 by default), not {scale!r}.")
    vlc = require("vl_convert")
    svg = to_svg(spec, datasets)
    try:
        return vlc.svg_to_png(svg, scale=float(scale))
    except (ValueError, RuntimeError) as exc:
        raise OutputError(f"vl-convert could not draw the chart as PNG: {_first_lines(exc)}") from None


def to_pdf(spec: Mapping[str, Any], datasets: Mapping[str, pa.Table]) -> bytes:
    """The chart as a one-page PDF drawn from `to_svg`'s SVG: the page is the chart's size, a pixel a point, and
    its text is text (it can be searched and copied).

    Example:
        >>> import pyarrow as pa
        >>> spec = {"mark": "point", "data": {"name": "d"}, "encoding": {"x": {"field": "a", "type": "quantitative"}}}
        >>> to_pdf(spec, {"d": pa.table({"a": [1, 2]})})[:5]
        b'%PDF-'
    """
    vlc = require("vl_convert")
    svg = to_svg(spec, datasets)
    try:
        return vlc.svg_to_pdf(svg)
    except (ValueError, RuntimeError) as exc:
        raise OutputError(f"vl-convert could not draw the chart as PDF: {_first_lines(exc)}") from None


def to_svg(spec: Mapping[str, Any], datasets: Mapping[str, pa.Table]) -> str:
    """The chart as SVG text that links to nothing it would load."""
    vlc = require("vl_convert")
    document = inline_spec(outgoing_spec(static_spec(spec), datasets), datasets)
    text = spec_json(document)
    try:
        if RendererContract.of_spec(document).parts:  # each concatenated part is laid out as alone, as on the page
            text = spec_json(fit_parts(document, _plot_size))
        svg = vlc.vegalite_to_svg(text, allowed_base_urls=[])
    except (ValueError, RuntimeError) as exc:
        raise OutputError(f"vl-convert could not draw the chart: {_first_lines(exc)}") from None
    return _IMAGE_TAG.sub(lambda tag: _IMAGE_LINK.sub("", tag[0]), svg)


def _plot_size(spec: dict[str, Any]) -> tuple[float, float]:
    """The plot area Vega lays a chart out with: the size of the scenegraph's root frame."""
    frame = require("vl_convert").vegalite_to_scenegraph(spec_json(spec), allowed_base_urls=[])["scenegraph"]
    return frame["items"][0]["width"], frame["items"][0]["height"]


def _first_lines(exc: Exception) -> str:
    """vl-convert's reason, without the JavaScript or Rust stack trace after it."""
    kept = []
    for line in filter(str.strip, str(exc).splitlines()):
        if line.lstrip().startswith(("at ", "Stack backtrace")):
            break
        kept.append(line.strip())
    return " ".join(kept[:2]) or type(exc).__name__
