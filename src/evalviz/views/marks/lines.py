"""`lines`: Lines through the data in order, one per `detail`/`color` group."""

from __future__ import annotations

from typing import Any

from evalviz.charts.layer import Layer
from evalviz.views.marks.base import Tooltip, Where, layer, split_channels


def lines(name: str = "lines", *, tooltip: Tooltip = None, link: str | None = None, where: Where = None,
          calculate: dict[str, str] | None = None, data: str | None = None, **channels_and_mark: Any) -> Layer:
    """Lines through the data in order, one per `detail`/`color` group.

    Keywords that are Vega-Lite encoding channels (x, y, x2, y2, color, fill, opacity, shape, size, text, detail,
    xOffset, yOffset, ...) are encodings; any other keyword is a mark property.

    Example:
        >>> lines(x={"field": "a", "type": "nominal"}, opacity=0.5).mark["type"]
        'line'
    """
    channels, mark = split_channels(channels_and_mark)
    return layer(name, "line", channels, tooltip=tooltip, link=link, where=where, calculate=calculate, data=data,
                 **mark)
