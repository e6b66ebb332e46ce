"""`Component.to_altair`: the chart as Altair objects a user keeps editing, as charts Altair built itself.

Every unit view becomes an `alt.Chart` and every composition its Altair class holding them, so `add_params`,
`interactive`, `properties` and `alt.hconcat`/`alt.layer` work on it. The datasets are written in as inline
values (Altair gathers them into named datasets when it writes the spec). What only a top-level spec may hold
is left out where it has no effect, so the chart can be placed inside another: the chart is sized by its plot
area rather than fitted into an outer size, which is how it looks the same.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import altair as alt
import pyarrow as pa

from evalviz.charts.interaction import static_spec
from evalviz.rendering.contract import RendererContract
from evalviz.rendering.outgoing import json_rows, spec_json

# The Altair class of a composition, by the key holding its parts.
_COMPOSITIONS: dict[str, type[alt.TopLevelMixin]] = {
    "layer": alt.LayerChart, "hconcat": alt.HConcatChart, "vconcat": alt.VConcatChart, "concat": alt.ConcatChart,
}
# A Vega expression naming a scale of a part ("scale(\"c1_c0_color\"", "bandwidth('c0_y')"): the call, and the part.
_SCALE_CALL = re.compile(r"""((?:scale|bandwidth|invert|domain|range)\(\s*["'])(c\d+(?:_c\d+)*)_""")
# Altair writes "$schema" itself; usermeta is what evalviz's own renderer reads; the datasets are written in.
_LEFT_OUT = ("$schema", "usermeta", "datasets", "autosize")
# Altair's default theme sets only these, which do nothing for a chart given its width and height.
_THEME_SIZES = ("continuousWidth", "continuousHeight")


def to_altair(spec: Mapping[str, Any], datasets: Mapping[str, pa.Table]) -> alt.TopLevelMixin:
    """The chart as an editable Altair object with its data written in.

    Raises:
        OutputError: the spec holds a number JSON cannot carry (NaN, infinity), naming where.

    Example:
        >>> import evalviz as ev
        >>> chart = ev.scores_heatmap(ev.Data.from_file("examples/data/evals.parquet")).to_altair()
        >>> type(chart.layer[0]).__name__
        'Chart'
    """
    spec_json(spec)
    rows = {**spec.get("datasets", {}), **{name: json_rows(table) for name, table in datasets.items()}}
    return _altair(_positional(_with_values(_placeable(_inert_legends(static_spec(spec))), rows)))


def _inert_legends(node: Any) -> Any:
    """`node` with its legends' `encode` (the clicks a page's selections take) left out: it is outside Vega-Lite's
    schema, so Altair cannot read it, and away from an evalviz page nothing takes the clicks. The filters are
    left out before (`static_spec`): away from the page the chart is drawn whole, as its PNG and SVG are."""
    if isinstance(node, Mapping):
        copied = {key: _inert_legends(value) for key, value in node.items()}
        legend = copied.get("legend")
        if isinstance(legend, Mapping) and "encode" in legend:
            copied["legend"] = {key: value for key, value in legend.items() if key != "encode"}
        return copied
    if isinstance(node, list):
        return [_inert_legends(item) for item in node]
    return node


def _placeable(spec: Mapping[str, Any]) -> dict[str, Any]:
    """The spec without what would stop Altair placing it inside another chart, looking the same."""
    part = {key: value for key, value in spec.items() if key not in _LEFT_OUT}
    plot_size = RendererContract.of_spec(spec).plot_size
    if spec.get("autosize", {}).get("type") == "fit" and plot_size:
        part["width"], part["height"] = plot_size
    config = dict(part.pop("config", {}))
    view = {key: value for key, value in config.get("view", {}).items() if key not in _THEME_SIZES}
    config = {key: value for key, value in config.items() if key != "view"} | ({"view": view} if view else {})
    return part | ({"config": config} if config else {})


def _positional(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec with its parts unnamed, as Altair composes charts (a part named twice, in a chart a user
    concatenates with itself, would define its layout signals twice), and the scales its expressions name called
    by the names Vega-Lite then gives them by position: part "c1_c0"'s scales are "concat_1_concat_0_<channel>"."""
    positions: dict[str, str] = {}

    def unnamed(node: Any, position: str) -> Any:
        if not isinstance(node, Mapping):
            return [unnamed(item, position) for item in node] if isinstance(node, list) else node
        copied = dict(node)
        for key in ("hconcat", "vconcat", "concat"):
            if isinstance(node.get(key), list):
                parts = []
                for i, part in enumerate(node[key]):
                    named = f"{position}concat_{i}"
                    if isinstance(part, Mapping) and isinstance(part.get("name"), str):
                        positions[part["name"]] = named
                    parts.append(unnamed({k: v for k, v in part.items() if k != "name"}, f"{named}_"))
                copied[key] = parts
        return copied

    parts_unnamed = unnamed(spec, "")
    return _renamed_scales(parts_unnamed, positions)


def _renamed_scales(node: Any, positions: Mapping[str, str]) -> Any:
    """`node` with every scale a Vega expression names ("scale("c0_color", ...)") called by its part's position."""
    if isinstance(node, Mapping):
        return {key: _renamed_scales(value, positions) for key, value in node.items()}
    if isinstance(node, list):
        return [_renamed_scales(item, positions) for item in node]
    if isinstance(node, str) and "(" in node:
        return _SCALE_CALL.sub(lambda m: m[1] + positions.get(m[2], m[2]) + "_", node)
    return node


def _with_values(node: Any, rows: Mapping[str, list[dict[str, Any]]]) -> Any:
    """A copy of `node` whose references to named datasets ({"data": {"name": ...}}) hold the rows instead."""
    if isinstance(node, Mapping):
        data = node.get("data")
        copied = {key: _with_values(value, rows) for key, value in node.items()}
        if isinstance(data, Mapping) and data.get("name") in rows:
            copied["data"] = {"values": rows[data["name"]]}
        return copied
    if isinstance(node, list):
        return [_with_values(item, rows) for item in node]
    return node


def _altair(node: dict[str, Any]) -> alt.TopLevelMixin:
    for key, kind in _COMPOSITIONS.items():
        if key in node:
            chart = kind.from_dict({**node, key: []}, validate=False)
            setattr(chart, key, [_altair(part) for part in node[key]])
            return chart
    if "facet" in node or "repeat" in node:
        kind = alt.FacetChart if "facet" in node else alt.RepeatChart
        chart = kind.from_dict({key: value for key, value in node.items() if key != "spec"}, validate=False)
        chart.spec = _altair(node["spec"])
        return chart
    # A unit view's name is only evalviz's handle on a layer: Altair, lifting a parameter out of a composition,
    # would put every named layer in its views, and Vega refuses one selection defined in several layers.
    return alt.Chart.from_dict({key: value for key, value in node.items() if key != "name"}, validate=False)
