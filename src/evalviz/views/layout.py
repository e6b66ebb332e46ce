"""`hconcat` and `vconcat`: several Components laid out side by side or one above another, in one chart."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

import pyarrow as pa

from evalviz.errors import EvalvizError
from evalviz.rendering.component import Component
from evalviz.rendering.concat_parts import ALONE_KEYS, PARTS, fitted_sizes, rename_scales

# Keys only a top-level Vega-Lite spec may hold; a concatenated view takes them from its parent.
_TOP_LEVEL_ONLY = ("$schema", "config", "autosize", "padding", "background", "usermeta", "datasets")
_INDEPENDENT = ("x", "y", "color", "fill", "opacity", "size", "shape", "stroke")


def hconcat(*components: Component | Iterable[Component]) -> Component:
    """Components side by side, in one chart: each keeps its own scales, legends, tooltips and links, and its
    layout: a chart of `width` x `height` takes the room it takes alone, its plot area fitted by Vega as alone.

    Example:
        >>> import evalviz as ev
        >>> evals = ev.Data.from_file("examples/data/evals.parquet")
        >>> both = ev.hconcat(ev.scores_heatmap(evals, width=450),
        ...                   ev.scores_heatmap(evals, agg="max", width=450))
    """
    return _concat("hconcat", components)


def vconcat(*components: Component | Iterable[Component]) -> Component:
    """Components one above another, in one chart: each keeps its own scales, legends, tooltips and links, and
    its layout, as in `hconcat`.

    Example:
        >>> import evalviz as ev
        >>> evals = ev.Data.from_file("examples/data/evals.parquet")
        >>> both = ev.vconcat(ev.scores_heatmap(evals), ev.scores_heatmap(evals, orientation="vertical"))
    """
    return _concat("vconcat", components)


def _flatten(components: tuple[Component | Iterable[Component], ...]) -> list[Component]:
    flat: list[Component] = []
    for item in components:
        if isinstance(item, Component):
            flat.append(item)
        elif isinstance(item, Iterable) and not isinstance(item, str | bytes | dict):
            flat.extend(_flatten(tuple(item)))
        else:
            raise EvalvizError(
                f"hconcat and vconcat take Components (charts evalviz made), not {type(item).__name__}."
            )
    return flat


def _concat(kind: str, given: tuple[Component | Iterable[Component], ...]) -> Component:
    components = _flatten(given)
    if not components:
        raise EvalvizError(f"{kind} needs at least one Component.")
    link_fields = [c.spec.get("usermeta", {}).get("evalviz", {}).get("link_field") for c in components]
    link_field = next((f for f in link_fields if f), None)

    children: list[dict[str, Any]] = []
    datasets: dict[str, pa.Table] = {}
    inline: dict[str, Any] = {}
    tooltips: dict[str, Any] = {}
    parts: list[dict[str, Any]] = []
    for i, (component, own_link) in enumerate(zip(components, link_fields, strict=True)):
        spec = copy.deepcopy(component.spec)
        prefix = f"c{i}_"
        spec_inline = spec.get("datasets", {})
        rename = {name: prefix + name for name in [*component.datasets, *spec_inline]}
        _rename_data(spec, rename)
        # With independent scales Vega-Lite names a child's scales "concat_<i>_<name>": expressions follow.
        scope = f"concat_{i}_"
        rename_scales(spec, lambda name, scope=scope: scope + name)
        meta = spec.get("usermeta", {}).get("evalviz", {})
        # Vega-Lite names a child's marks "concat_<i>_<name>": its tooltip rows follow.
        tooltips.update({f"{scope}{name}": rows for name, rows in meta.get("tooltips", {}).items()})
        parts += _parts(spec, [kind, i], scope)
        child = {k: v for k, v in spec.items() if k not in _TOP_LEVEL_ONLY}
        plot_size = meta.get("plot_size")
        if plot_size and fitted_sizes(spec):
            # Vega-Lite sizes a concatenated chart by its plot area. Until the renderer fits it as alone (see
            # evalviz.rendering.concat_parts), the plot area is the chart's own estimate of it.
            child["width"], child["height"] = plot_size
        if own_link and own_link != link_field:
            # One click handler serves the whole chart: this child's links move to the shared field name.
            child["transform"] = [{"calculate": f"datum[{_js_string(own_link)}]", "as": link_field},
                                  *child.get("transform", [])]
        children.append(child)
        datasets.update({rename[name]: table for name, table in component.datasets.items()})
        inline.update({rename[name]: rows for name, rows in spec_inline.items()})

    first = components[0].spec
    spec: dict[str, Any] = {
        "$schema": first.get("$schema", "https://vega.github.io/schema/vega-lite/v6.json"),
        kind: children,
        "resolve": {
            "scale": dict.fromkeys(_INDEPENDENT, "independent"),
            "legend": dict.fromkeys(("color", "fill", "opacity", "size", "shape", "stroke"), "independent"),
        },
        "usermeta": {"evalviz": {"link_field": link_field, "renderer": "svg", "tooltips": tooltips, PARTS: parts}},
    }
    if "config" in first:
        spec["config"] = copy.deepcopy(first["config"])
    if inline:
        spec["datasets"] = inline
    return Component.from_parts(spec, datasets)


def _parts(spec: dict[str, Any], path: list[str | int], scope: str) -> list[dict[str, Any]]:
    """The record of the parts a renderer fits as alone (see evalviz.rendering.concat_parts): this chart, when
    Vega fits it into its size, and the parts of a concatenation it holds, under their paths from the parent."""
    own = [{"path": path, "scope": scope, "alone": {k: spec[k] for k in ALONE_KEYS if k in spec}}]
    nested = spec.get("usermeta", {}).get("evalviz", {}).get(PARTS, [])
    return (own if fitted_sizes(spec) else []) + [
        {"path": [*path, *p["path"]], "scope": scope + p["scope"], "alone": p["alone"]} for p in nested
    ]


def _js_string(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _rename_data(node: Any, rename: dict[str, str]) -> None:
    """Point every named-data reference ({"data": {"name": ...}}) at the dataset's new name, in place."""
    if isinstance(node, dict):
        data = node.get("data")
        if isinstance(data, dict) and isinstance(data.get("name"), str) and data["name"] in rename:
            data["name"] = rename[data["name"]]
        for key, value in node.items():
            if key != "datasets":
                _rename_data(value, rename)
    elif isinstance(node, list):
        for item in node:
            _rename_data(item, rename)
