"""`hconcat` and `vconcat`: several Components laid out side by side or one above another, in one chart."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from typing import Any

import pyarrow as pa

from evalviz.errors import EvalvizError
from evalviz.rendering.component import Component

# Keys only a top-level Vega-Lite spec may hold; a concatenated view takes them from its parent.
_TOP_LEVEL_ONLY = ("$schema", "config", "autosize", "padding", "background", "usermeta", "datasets")
# Where Vega-Lite specs hold expressions that may name a scale: scale('color', ...).
_EXPRESSION_KEYS = {"test", "expr", "calculate", "filter", "signal"}
_SCALE_CALL = re.compile(r"scale\(\s*(['\"])([^'\"]+)\1")
_INDEPENDENT = ("x", "y", "color", "fill", "opacity", "size", "shape", "stroke")


def hconcat(*components: Component | Iterable[Component]) -> Component:
    """Components side by side, in one chart: each keeps its own scales, legends, tooltips and links.

    Example:
        >>> import evalviz as ev
        >>> evals = ev.Data.from_file("examples/data/evals.parquet")
        >>> both = ev.hconcat(ev.scores_heatmap(evals, width=450),
        ...                   ev.scores_heatmap(evals, agg="max", width=450))
    """
    return _concat("hconcat", components)


def vconcat(*components: Component | Iterable[Component]) -> Component:
    """Components one above another, in one chart: each keeps its own scales, legends, tooltips and links.

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
    for i, (component, own_link) in enumerate(zip(components, link_fields, strict=True)):
        spec = copy.deepcopy(component.spec)
        prefix = f"c{i}_"
        spec_inline = spec.get("datasets", {})
        rename = {name: prefix + name for name in [*component.datasets, *spec_inline]}
        _rename_data(spec, rename)
        # With independent scales Vega-Lite names a child's scales "concat_<i>_<name>": expressions follow.
        _rescope_scales(spec, f"concat_{i}_")
        meta = spec.get("usermeta", {}).get("evalviz", {})
        plot_size = meta.get("plot_size")
        # Vega-Lite names a child's marks "concat_<i>_<name>": its tooltip rows follow.
        tooltips.update({f"concat_{i}_{name}": rows for name, rows in meta.get("tooltips", {}).items()})
        child = {k: v for k, v in spec.items() if k not in _TOP_LEVEL_ONLY}
        if plot_size and "width" in child and "height" in child:
            # The child was sized to fit its whole outer size; inside a concat its plot area is what counts.
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
        "usermeta": {"evalviz": {"link_field": link_field, "renderer": "svg", "tooltips": tooltips}},
    }
    if "config" in first:
        spec["config"] = copy.deepcopy(first["config"])
    if inline:
        spec["datasets"] = inline
    return Component.from_parts(spec, datasets)


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


def _rescope_scales(node: Any, prefix: str) -> None:
    """Prefix the scale names that expressions call (scale('color', ...)), in place."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in _EXPRESSION_KEYS and isinstance(value, str):
                node[key] = _SCALE_CALL.sub(lambda m: f"scale({m[1]}{prefix}{m[2]}{m[1]}", value)
            else:
                _rescope_scales(value, prefix)
    elif isinstance(node, list):
        for item in node:
            _rescope_scales(item, prefix)
