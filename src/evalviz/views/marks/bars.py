"""`bars`: Bars from zero (or `x2`/`y2`) to each datum's value."""

from __future__ import annotations

from typing import Any

from evalviz.charts.layer import Layer
from evalviz.views.marks.base import Tooltip, Where, layer, split_channels


def bars(name: str = "bars", *, tooltip: Tooltip = None, link: str | None = None, where: Where = None,
          calculate: dict[str, str] | None = None, data: str | None = None, **channels_and_mark: Any) -> Layer:
    """Bars from zero (or `x2`/`y2`) to each datum's value.

    Keywords that are Vega-Lite encoding channels (x, y, x2, y2, color, fill, opacity, shape, size, text, detail,
    xOffset, yOffset, ...) are encodings; any other keyword is a mark property.

    Example:
        >>> bars(x={"field": "a", "type": "nominal"}, opacity=0.5).mark["type"]
        'bar'
    """
    channels, mark = split_channels(channels_and_mark)
    return layer(name, "bar", channels, tooltip=tooltip, link=link, where=where, calculate=calculate, data=data,
                 **mark)
