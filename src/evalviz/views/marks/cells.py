"""`cells`: the cells of a grid, one rectangle per datum."""

from __future__ import annotations

from typing import Any

from evalviz.charts.layer import Layer
from evalviz.views.marks.base import Tooltip, Where, layer, split_channels


def cells(name: str = "cells", *, tooltip: Tooltip = None, link: str | None = None, where: Where = None,
          calculate: dict[str, str] | None = None, data: str | None = None, **channels_and_mark: Any) -> Layer:
    """Cells of a grid: one rectangle per datum, placed by band scales on x and y, coloured by `color` or `fill`.

    Keywords that are Vega-Lite encoding channels (x, y, x2, y2, color, fill, opacity, shape, size, text, detail,
    xOffset, yOffset, ...) are encodings; any other keyword is a mark property.

    Example:
        >>> cells(x={"field": "a", "type": "nominal"}, opacity=0.5).mark["type"]
        'rect'
    """
    channels, mark = split_channels(channels_and_mark)
    return layer(name, "rect", channels, tooltip=tooltip, link=link, where=where, calculate=calculate, data=data,
                 **mark)
