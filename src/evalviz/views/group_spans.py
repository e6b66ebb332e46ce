"""The marks of a grid's axis groups: a bracket beside the axis over each group's run of rows (or columns), named.

A grouped axis is moved out by GROUP_ZONE pixels (its `offset`), and the groups are drawn in the room between the
cells and the axis labels: left of the cells for y (names reading upwards: angle 270, since Vega-Lite's schema
takes mark angles from 0 to 360), below them for x. Each span is placed by the keys of its first and last axis
values on the cells' own band scale, so it covers exactly their cells; a name longer than its span is cut with an
ellipsis (Vega's `limit`), and the tooltip gives it whole.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pyarrow as pa

from evalviz.charts import Layer, ScaleExpr
from evalviz.rendering.contract import TooltipRow
from evalviz.views.axis_groups import AxisGroups
from evalviz.views.formatting import COUNT_FORMAT
from evalviz.views.marks import rules, text

DATASET = "groups"
GROUP_ZONE = 22  # pixels between the cells and a grouped axis's labels, for the brackets and names
BRACKET_GAP = 4  # pixels between the cells and a bracket
NAME_GAP = 3  # pixels between a bracket and its name
GROUP_FONT_SIZE = 11
BRACKET_INSET = 2  # pixels a bracket stops short of its span's ends, so that neighbouring spans stay apart
TOOLTIP = (TooltipRow("name", "group"), TooltipRow("count", "labels", COUNT_FORMAT))


def spans_table(groups: AxisGroups, orders: Mapping[str, Sequence[str]],
                labels: Mapping[str, Sequence[str]]) -> pa.Table | None:
    """One row per span of consecutive values in one group (axis, name, first, last: the keys of its first and
    last values, count), from each axis's keys (`orders`) and labels in drawing order; None without any.

    Example:
        >>> from evalviz.views.axis_groups import parse_groups
        >>> table = spans_table(parse_groups({"y": {"G": ["b", "c"]}}), {"x": [], "y": ["a", "b", "c"]},
        ...                     {"x": [], "y": ["a", "b", "c"]})
        >>> table.to_pylist()
        [{'axis': 'y', 'name': 'G', 'first': 'b', 'last': 'c', 'count': 2}]
    """
    rows = [{"axis": axis, "name": span.name, "first": orders[axis][span.first], "last": orders[axis][span.last],
             "count": span.last - span.first + 1}
            for axis in ("x", "y") if groups.on(axis) for span in groups.spans(axis, labels[axis])]
    if not rows:
        return None
    return pa.Table.from_pylist(rows, schema=pa.schema([("axis", pa.string()), ("name", pa.string()),
                                                        ("first", pa.string()), ("last", pa.string()),
                                                        ("count", pa.int64())]))


def span_layers(axes: Sequence[str], x: Mapping[str, Any], y: Mapping[str, Any], *, tip: bool) -> list[Layer]:
    """The brackets and names of the spans of `axes` ("x", "y"), over the cells' band encodings `x` and `y`."""
    tooltip = TOOLTIP if tip else None
    layers = []
    if "y" in axes:
        ends = {"y": {**y, "field": "first", "bandPosition": 0}, "y2": {"field": "last", "bandPosition": 1}}
        layers += [
            rules("y_group_brackets", **ends, x={"value": -BRACKET_GAP}, where="datum.axis === 'y'", data=DATASET,
                  tooltip=tooltip, strokeWidth=1.5, color="#444", yOffset=BRACKET_INSET, y2Offset=-BRACKET_INSET),
            text("y_group_names", x={"value": -BRACKET_GAP - NAME_GAP}, y={"value": _middle("y")},
                 text={"field": "name", "type": "nominal"}, where="datum.axis === 'y'", data=DATASET,
                 tooltip=tooltip, angle=270, align="center", baseline="bottom", limit=_length("y"), **_font()),
        ]
    if "x" in axes:
        below = ScaleExpr("range($y)[1]")  # the bottom of the cells
        ends = {"x": {**x, "field": "first", "bandPosition": 0}, "x2": {"field": "last", "bandPosition": 1}}
        layers += [
            rules("x_group_brackets", **ends, y={"value": _plus(below, BRACKET_GAP)}, where="datum.axis === 'x'",
                  data=DATASET, tooltip=tooltip, strokeWidth=1.5, color="#444", xOffset=BRACKET_INSET,
                  x2Offset=-BRACKET_INSET),
            text("x_group_names", x={"value": _middle("x")}, y={"value": _plus(below, BRACKET_GAP + NAME_GAP)},
                 text={"field": "name", "type": "nominal"}, where="datum.axis === 'x'", data=DATASET,
                 tooltip=tooltip, align="center", baseline="top", limit=_length("x"), **_font()),
        ]
    return layers


def _middle(axis: str) -> dict[str, ScaleExpr]:
    """The pixel position of the middle of a span on `axis`, as an expression over its band scale."""
    return {"expr": ScaleExpr(f"(scale(${axis}, datum.first) + scale(${axis}, datum.last) + bandwidth(${axis})) / 2")}


def _length(axis: str) -> dict[str, ScaleExpr]:
    """The length in pixels of a span on `axis`: what its name may take."""
    return {"expr": ScaleExpr(f"scale(${axis}, datum.last) - scale(${axis}, datum.first) + bandwidth(${axis})")}


def _plus(position: ScaleExpr, pixels: float) -> dict[str, ScaleExpr]:
    return {"expr": ScaleExpr(f"{position.template} + {pixels}")}


def _font() -> dict[str, Any]:
    return {"fontSize": GROUP_FONT_SIZE, "fontWeight": "bold", "color": "#333"}
