"""The parts of a concatenated chart, each sized as it is alone.

Alone, a chart is fitted into its outer size by Vega (autosize "fit"): the plot area is what remains after the
axes, legend and title took their room, measured in the fonts the page has. Inside a concatenation Vega-Lite
cannot fit a part (it lays a concatenation out around fixed plot areas), so `hconcat`/`vconcat` record, for each
part that was fitted, what it was fitted into ("alone": autosize, width, height, padding). Before drawing, each
renderer lays every such part out alone with Vega, in the same fonts, and gives it in the concatenation the plot
area Vega fitted: the part keeps its outer size and its whole layout. The page does this in `js/parts.js`, the
static export (`static_export`) here; both follow the record `hconcat`/`vconcat` write, as described below.

The record, in `usermeta.evalviz.parts`: a list of {"path": the keys from the concatenation's spec to the part
(["hconcat", 1, "vconcat", 0]), "scope": the prefix Vega-Lite gives the part's scale names there
("concat_1_concat_0_"), "alone": the top-level properties the part had alone}.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from typing import Any

PARTS = "parts"
# The expression functions that name a scale as their first argument: scale('color', ...), bandwidth('y'), ...
SCALE_CALL = re.compile(r"\b(scale|invert|bandwidth|domain|range|copy|gradient)\(\s*(['\"])([^'\"]+)\2")
# The spec keys whose string values are Vega expressions.
EXPRESSION_KEYS = frozenset({"test", "expr", "calculate", "filter", "signal"})
DATA_KEYS = frozenset({"datasets", "values"})  # rows of data, never expressions
# What a part keeps of its own spec when laid out alone: the rest of its top level comes from the concatenation.
ALONE_KEYS = ("autosize", "width", "height", "padding")
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


def rename_scales(node: Any, rename: Callable[[str], str]) -> None:
    """Rename, in place, the scales that expressions anywhere in `node` name (scale('color', ...) and the like);
    rows of inline data are left as they are.

    Example:
        >>> spec = {"encoding": {"color": {"test": "scale('color', datum.v) > 0"}}}
        >>> rename_scales(spec, lambda name: "concat_0_" + name)
        >>> spec["encoding"]["color"]["test"]
        "scale('concat_0_color', datum.v) > 0"
    """
    if isinstance(node, dict):
        for key, value in node.items():
            if key in EXPRESSION_KEYS and isinstance(value, str):
                node[key] = SCALE_CALL.sub(lambda m: f"{m[1]}({m[2]}{rename(m[3])}{m[2]}", value)
            elif key not in DATA_KEYS:
                rename_scales(value, rename)
    elif isinstance(node, list):
        for item in node:
            rename_scales(item, rename)


def alone(document: Mapping[str, Any], part: Mapping[str, Any]) -> dict[str, Any]:
    """A part of a concatenated chart as a chart of its own, as it was before it was concatenated: its scales
    under their own names, its own size and autosize, the concatenation's config and the datasets it uses.

    `document` is the concatenation's spec with its datasets written in ("datasets": {name: rows}).
    """
    child = copy.deepcopy(_at(document, part["path"]))
    scope = part["scope"]
    rename_scales(child, lambda name: name[len(scope):] if name.startswith(scope) else name)
    names = _dataset_names(child)
    spec = {**child, **part["alone"]}
    for key in ("$schema", "config"):
        if key in document:
            spec[key] = document[key]
    datasets = {name: rows for name, rows in document.get("datasets", {}).items() if name in names}
    return spec | ({"datasets": datasets} if datasets else {})


def parts_of(spec: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The parts of a concatenation that are fitted as alone (none for another chart)."""
    meta = spec.get("usermeta")
    parts = meta.get("evalviz", {}).get(PARTS) if isinstance(meta, Mapping) else None
    return parts if isinstance(parts, list) else []


def fit_parts(document: Mapping[str, Any], plot_size: PlotSize) -> dict[str, Any]:
    """The concatenation's spec with each recorded part's plot area set to the one Vega fits it alone
    (`plot_size` lays a chart out and returns its plot width and height). A spec without parts is returned
    as it is.

    Example:
        >>> fit_parts({"mark": "point"}, lambda spec: (0, 0))
        {'mark': 'point'}
    """
    parts = parts_of(document)
    fitted = {key: value if key == "datasets" else copy.deepcopy(value) for key, value in document.items()}
    for part in parts:
        width, height = plot_size(alone(document, part))
        child = _at(fitted, part["path"])
        for name, value in zip(("width", "height"), (width, height), strict=True):
            if name in fitted_sizes(part["alone"]):
                child[name] = value
    return fitted


def _at(spec: Mapping[str, Any], path: list[str | int]) -> Any:
    node: Any = spec
    for key in path:
        node = node[key]
    return node


def _dataset_names(node: Any) -> set[str]:
    """The named datasets a spec reads ({"data": {"name": ...}} at any depth)."""
    names: set[str] = set()
    if isinstance(node, dict):
        data = node.get("data")
        if isinstance(data, dict) and isinstance(data.get("name"), str):
            names.add(data["name"])
        for value in node.values():
            names |= _dataset_names(value)
    elif isinstance(node, list):
        for item in node:
            names |= _dataset_names(item)
    return names
