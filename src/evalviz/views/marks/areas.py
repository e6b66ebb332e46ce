"""`areas`: Areas between `y` and `y2` (a band around a line), one per `detail`/`color` group."""

from __future__ import annotations

from typing import Any

from evalviz.charts.layer import Layer
from evalviz.views.marks.base import Tooltip, Where, layer, split_channels


def areas(name: str = "areas", *, tooltip: Tooltip = None, link: str | None = None, where: Where = None,
          calculate: dict[str, str] | None = None, data: str | None = None, **channels_and_mark: Any) -> Layer:
    """Areas between `y` and `y2` (a band around a line), one per `detail`/`color` group.

    Keywords that are Vega-Lite encoding channels (x, y, x2, y2, color, fill, opacity, shape, size, text, detail,
    xOffset, yOffset, ...) are encodings; any other keyword is a mark property.

    Example:
        >>> areas(x={"field": "a", "type": "nominal"}, opacity=0.5).mark["type"]
        'area'
    """
    channels, mark = split_channels(channels_and_mark)
    return layer(name, "area", channels, tooltip=tooltip, link=link, where=where, calculate=calculate, data=data,
                 **mark)
