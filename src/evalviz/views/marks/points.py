"""`points`: Points (symbols) at each datum's position; `shape` and `size` may encode fields."""

from __future__ import annotations

from typing import Any

from evalviz.charts.layer import Layer
from evalviz.views.marks.base import Tooltip, Where, layer, split_channels


def points(name: str = "points", *, tooltip: Tooltip = None, link: str | None = None, where: Where = None,
          calculate: dict[str, str] | None = None, data: str | None = None, **channels_and_mark: Any) -> Layer:
    """Points (symbols) at each datum's position; `shape` and `size` may encode fields.

    Keywords that are Vega-Lite encoding channels (x, y, x2, y2, color, fill, opacity, shape, size, text, detail,
    xOffset, yOffset, ...) are encodings; any other keyword is a mark property.

    Example:
        >>> points(x={"field": "a", "type": "nominal"}, opacity=0.5).mark["type"]
        'point'
    """
    channels, mark = split_channels(channels_and_mark)
    return layer(name, "point", channels, tooltip=tooltip, link=link, where=where, calculate=calculate, data=data,
                 **mark)
