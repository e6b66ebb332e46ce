"""The parts of a concatenated chart, each sized as it is alone.

Alone, a chart is fitted into its outer size by Vega (autosize "fit"): the plot area is what remains after the
axes, legend and title took their room, measured in the fonts the page has. Inside a concatenation Vega-Lite
cannot fit a part (it lays a concatenation out around fixed plot areas), so the concatenation records, in its
renderer contract (`RendererContract.parts`), each part that was fitted and what it was fitted into ("alone":
autosize, width, height). Before drawing, each renderer lays every such part out alone with Vega, in the same
fonts, and gives it in the concatenation the plot area Vega fitted: the part keeps its outer size and its whole
layout. The page does this in `js/parts.js`, the static export (`static_export`) here.

A part is named by its place ("c0", "c1_c0"), and Vega-Lite names its scales, marks and datasets from that name
alone or inside the concatenation: a part is laid out alone as it is written, nothing renamed.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

from evalviz.rendering.contract import FittedPart, RendererContract

FITTED = {"fit": ("width", "height"), "fit-x": ("width",), "fit-y": ("height",)}

PlotSize = Callable[[dict[str, Any]], tuple[float, float]]


def fitted_sizes(spec: Mapping[str, Any]) -> tuple[str, ...]:
    """The sizes ("width", "height") that Vega fits a spec's whole chart into, by its autosize.

    Example:
        >>> fitted_sizes({"autosize": {"type": "fit", "contains": "padding"}, "width": 400, "height": 300})
        ('width', 'height')
    """
    autosize = spec.get("autosize")
    kind = autosize.get("type") if isinstance(autosize, Mapping) else autosize
    return tuple(s for s in FITTED.get(kind, ()) if isinstance(spec.get(s), int | float))


def alone(document: Mapping[str, Any], part: FittedPart) -> dict[str, Any]:
    """A part of a concatenated chart as a chart of its own: as it is written there, with the size and autosize
    it had alone, the concatenation's config and the datasets.

    `document` is the concatenation's spec with its datasets written in ("datasets": {name: rows}).
    """
    spec = {**copy.deepcopy(_at(document, part.path)), **part.alone}
    for key in ("$schema", "config", "datasets"):
        if key in document:
            spec[key] = document[key]
    signals = [p for p in document.get("params", []) if "select" not in p]  # a filter's, read by its parts too
    if signals:
        spec["params"] = [*spec.get("params", []), *signals]
    return spec


def fit_parts(document: Mapping[str, Any], plot_size: PlotSize) -> dict[str, Any]:
    """The concatenation's spec with each recorded part's plot area set to the one Vega fits it alone
    (`plot_size` lays a chart out and returns its plot width and height). A spec without parts is returned
    as it is.

    Example:
        >>> fit_parts({"mark": "point"}, lambda spec: (0, 0))
        {'mark': 'point'}
    """
    parts = RendererContract.of_spec(document).parts
    fitted = {key: value if key == "datasets" else copy.deepcopy(value) for key, value in document.items()}
    for part in parts:
        width, height = plot_size(alone(document, part))
        child = _at(fitted, part.path)
        for name, value in zip(("width", "height"), (width, height), strict=True):
            if name in fitted_sizes(part.alone):
                child[name] = value
    return fitted


def _at(spec: Mapping[str, Any], path: tuple[str | int, ...]) -> Any:
    node: Any = spec
    for key in path:
        node = node[key]
    return node
