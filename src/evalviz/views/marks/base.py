"""What every mark function shares: one named layer from a mark type, encodings, tooltip rows, link and filters."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from evalviz.charts.layer import Layer
from evalviz.rendering.contract import TooltipRow

Encoding = Mapping[str, Any] | None
Tooltip = Sequence[TooltipRow] | None
Where = str | Sequence[str] | None


def layer(name: str, mark_type: str, encoding: Mapping[str, Encoding], *, tooltip: Tooltip = None,
          link: str | None = None, where: Where = None, calculate: Mapping[str, str] | None = None,
          data: str | None = None, **mark: Any) -> Layer:
    """A layer drawing `mark_type` with the given channels (None channels left out).

    `calculate` adds fields computed by Vega expressions before drawing ({"as": expression}), after `where`.

    Example:
        >>> layer("bars", "bar", {"x": {"field": "m", "type": "nominal"}, "color": None}).encoding
        {'x': {'field': 'm', 'type': 'nominal'}}
    """
    filters = [where] if isinstance(where, str) else list(where or [])
    transform = [{"filter": expression} for expression in filters]
    transform += [{"calculate": expression, "as": field} for field, expression in (calculate or {}).items()]
    return Layer(
        name=name,
        mark={"type": mark_type, **mark},
        encoding={channel: value for channel, value in encoding.items() if value is not None},
        transform=tuple(transform),
        tooltip=tuple(tooltip) if tooltip is not None else None,
        link=link,
        data=data,
    )


# Vega-Lite's encoding channels: a mark function's keywords with these names are encodings, the rest mark
# properties.
CHANNELS = frozenset({
    "x", "y", "x2", "y2", "xOffset", "yOffset", "xError", "xError2", "yError", "yError2", "theta", "theta2",
    "radius", "radius2", "color", "fill", "stroke", "opacity", "fillOpacity", "strokeOpacity", "strokeWidth",
    "strokeDash", "size", "angle", "shape", "text", "tooltip", "href", "url", "description", "detail", "key",
    "order",
})


def split_channels(given: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(encodings, mark properties) of a mark function's keywords.

    Example:
        >>> split_channels({"x": {"field": "a"}, "opacity": 0.5, "yOffset": {"expr": "bandwidth('y') / 2"}})
        ({'x': {'field': 'a'}}, {'opacity': 0.5, 'yOffset': {'expr': "bandwidth('y') / 2"}})
    """
    channels = {key: value for key, value in given.items()
                if key in CHANNELS and (value is None or isinstance(value, Mapping)) and not _is_expr_ref(value)}
    return channels, {key: value for key, value in given.items() if key not in channels}


def _is_expr_ref(value: object) -> bool:
    """Whether `value` is a Vega-Lite expression reference ({"expr": ...}): a mark property computed by Vega,
    never an encoding (a channel's definition holds a field, datum, value or condition)."""
    return isinstance(value, Mapping) and set(value) == {"expr"}
