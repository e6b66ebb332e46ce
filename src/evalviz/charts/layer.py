"""A layer of a chart: one mark with its encodings, its filters and its own tooltip rows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from evalviz.charts.expressions import resolved
from evalviz.rendering.contract import TooltipRow


@dataclass(frozen=True)
class Layer:
    """One Vega-Lite unit: a mark of the chart, named so that the renderer finds its tooltip rows and link.

    Attributes:
        name: The mark's name, unique within its chart ("cells", "annotations"); in a spec it is prefixed
            with the chart's scope in a composition.
        mark: Vega-Lite mark properties, with "type" ({"type": "rect", "cornerRadius": 2}).
        encoding: Vega-Lite encodings; values may hold `ScaleExpr`.
        transform: Vega-Lite transforms applied to this layer's data (filters first).
        tooltip: The rows its tooltip shows on hover (None: no tooltip).
        link: The datum field whose http(s) URL a click on the mark opens (None: no link).
        data: The dataset the layer reads; None reads its chart's.
        params: Vega-Lite params of this unit (selections).

    Example:
        >>> Layer("bars", {"type": "bar"}, {"x": {"field": "model", "type": "nominal"}}).to_dict("")["name"]
        'bars'
    """

    name: str
    mark: Mapping[str, Any]
    encoding: Mapping[str, Any] = field(default_factory=dict)
    transform: tuple[Mapping[str, Any], ...] = ()
    tooltip: tuple[TooltipRow, ...] | None = None
    link: str | None = None
    data: str | None = None
    params: tuple[Mapping[str, Any], ...] = ()

    def to_dict(self, scope: str) -> dict[str, Any]:
        """The unit's spec, its names (mark, scales, data) prefixed with `scope`."""
        mark = dict(self.mark)
        if self.tooltip is not None:
            mark["tooltip"] = {"content": "data"}  # the datum; the renderer formats it with the contract's rows
        if self.link is not None:
            mark.setdefault("cursor", "pointer")
        unit: dict[str, Any] = {"name": scope + self.name, "mark": resolved(mark, scope)}
        if self.data is not None:
            unit["data"] = {"name": scope + self.data}
        if self.transform:
            unit["transform"] = resolved(self.transform, scope)
        if self.encoding:
            unit["encoding"] = resolved(self.encoding, scope)
        if self.params:
            unit["params"] = resolved(self.params, scope)
        return unit


@dataclass(frozen=True)
class ForeignLayer:
    """A layer given as finished Vega-Lite (a user's Altair marks, as `to_dict()` wrote them): drawn as it is,
    over its chart's data unless it has its own, with its own tooltips. Its names are Vega-Lite's."""

    spec: Mapping[str, Any]

    def to_dict(self, scope: str) -> dict[str, Any]:  # noqa: ARG002 - a finished spec keeps its names
        return dict(self.spec)
