"""`intervals`: an interval as a rule from its low to its high end (an error bar), with optional caps."""

from __future__ import annotations

from typing import Any

from evalviz.charts.layer import Layer
from evalviz.views.marks.base import Tooltip, Where, layer, split_channels


def intervals(name: str = "intervals", *, tooltip: Tooltip = None, link: str | None = None, where: Where = None,
              calculate: dict[str, str] | None = None, data: str | None = None,
              **channels_and_mark: Any) -> Layer:
    """An interval as a rule from its low to its high end: give the band position on one axis (`x` for
    vertical intervals) and the two ends on the other (`y` and `y2`).

    Keywords that are Vega-Lite encoding channels are encodings; any other keyword is a mark property.

    Example:
        >>> ci = intervals(x={"field": "model", "type": "nominal"}, y={"field": "low", "type": "quantitative"},
        ...                y2={"field": "high"}, strokeWidth=1.5)
        >>> ci.mark["type"], sorted(ci.encoding)
        ('rule', ['x', 'y', 'y2'])
    """
    channels, mark = split_channels(channels_and_mark)
    return layer(name, "rule", channels, tooltip=tooltip, link=link, where=where, calculate=calculate, data=data,
                 **mark)
