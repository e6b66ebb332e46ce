"""Charts as objects: a chart of layers, and a concatenation of charts. Each writes its own spec, alone or as a
part of a concatenation, with the renderer contract of everything it holds."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from evalviz.charts.expressions import resolved
from evalviz.charts.interaction import Interaction
from evalviz.charts.layer import ForeignLayer, Layer
from evalviz.charts.shared_colours import shared_colours
from evalviz.errors import EvalvizError
from evalviz.interaction.selection import each_once
from evalviz.rendering.contract import FittedPart, Renderer, RendererContract, TooltipRow

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
# Top-level properties a part of a concatenation cannot hold: the concatenation takes them from its first part
# ("config"), or leaves them out.
TOP_LEVEL_ONLY = ("$schema", "config", "autosize", "padding", "background", "usermeta", "datasets")
# Every channel Vega-Lite gives a scale, and every channel it gives a legend (its ScaleResolveMap and
# LegendResolveMap): each part of a concatenation keeps its scales and legends to itself, so that no part's
# domain (its models in xOffset slots, its dash patterns) reaches another's.
INDEPENDENT_SCALES = ("x", "y", "xOffset", "yOffset", "color", "fill", "stroke", "opacity", "fillOpacity",
                      "strokeOpacity", "strokeWidth", "strokeDash", "size", "shape", "angle", "theta", "radius",
                      "time")
INDEPENDENT_LEGENDS = ("color", "fill", "stroke", "opacity", "fillOpacity", "strokeOpacity", "strokeWidth",
                       "strokeDash", "size", "shape", "angle", "time")
FIT = {"type": "fit", "contains": "padding"}


def _named(scope: str) -> dict[str, str]:
    """The name a chart takes at `scope`: Vega-Lite then names its scales and marks "<scope><name>"."""
    return {"name": scope[:-1]} if scope else {}


@dataclass(frozen=True)
class LayerChart:
    """Layers of marks over one dataset, with a size, a title and the renderer's settings.

    Attributes:
        layers: The marks, drawn in order (later ones on top).
        data: The dataset the layers read (by name; the tables travel beside the spec).
        width, height: The chart's size in pixels: its outer size when `fit`, else its plot area.
        fit: Vega fits the whole chart (axes, legends, title) into width x height.
        plot_size: The plot area a fitted chart is estimated to get (what it takes inside a concatenation until
            the renderer fits it as alone).
        title: A Vega-Lite title.
        transform: Transforms of the data all layers share.
        params: Vega-Lite params of the chart.
        resolve: How layers share scales and legends (Vega-Lite `resolve`).
        properties: Other Vega-Lite properties (the user's attributes: background, config, ...).
        renderer: "svg" or "canvas".
        drill: A click asks the kernel for the region around the clicked cell.
        interaction: The selections that filter the chart and those it publishes into (`charts.interaction`):
            their signals, filter transforms and contract entries are written here, for every layer reading
            the chart's data.

    Example:
        >>> chart = LayerChart((Layer("bars", {"type": "bar"}),), data="scores", width=300, height=200)
        >>> chart.to_spec()["layer"][0]["name"]
        'bars'
    """

    layers: tuple[Layer | ForeignLayer, ...]
    data: str | None = None
    width: int | None = None
    height: int | None = None
    fit: bool = False
    plot_size: tuple[int, int] | None = None
    title: Mapping[str, Any] | None = None
    transform: tuple[Mapping[str, Any], ...] = ()
    params: tuple[Mapping[str, Any], ...] = ()
    resolve: Mapping[str, Any] | None = None
    properties: Mapping[str, Any] = field(default_factory=dict)
    renderer: Renderer = "svg"
    drill: bool = False
    interaction: Interaction | None = None

    def to_spec(self) -> dict[str, Any]:
        """The chart's top-level Vega-Lite spec, its renderer contract in usermeta."""
        spec = {"$schema": SCHEMA, **self._body("")}
        _lift_signals(spec, self.signals())
        if self.fit:
            spec["autosize"] = dict(FIT)
        elif self.plot_size is not None:
            spec["autosize"] = {"type": "pad"}
        for key, value in self.properties.items():
            spec[key] = resolved(value, "")
        spec["usermeta"] = self.contract("").to_usermeta()
        return spec

    def part(self, scope: str, path: tuple[str | int, ...]) -> tuple[dict[str, Any], list[FittedPart]]:
        """The chart as a part of a concatenation at `scope` (its names prefixed), and the parts of it the
        renderer fits as alone (`path`: where the part is in the concatenation's spec)."""
        body = self._body(scope)
        body.update({k: resolved(v, scope) for k, v in self.properties.items() if k not in TOP_LEVEL_ONLY})
        if not self.fit:
            return body, []
        if self.plot_size is not None:
            body["width"], body["height"] = self.plot_size
        alone = {"autosize": dict(FIT), "width": self.width, "height": self.height}
        return body, [FittedPart(path, alone)]

    def contract(self, scope: str) -> RendererContract:
        """What the renderer reads for this chart's marks, named at `scope`."""
        tooltips: dict[str, tuple[TooltipRow, ...]] = {}
        links: dict[str, str] = {}
        for layer in self.layers:
            if isinstance(layer, Layer) and layer.tooltip is not None:
                tooltips[scope + layer.name] = layer.tooltip
            if isinstance(layer, Layer) and layer.link is not None:
                links[scope + layer.name] = layer.link
        filters, publish = self.interaction.contract(scope) if self.interaction else ((), ())
        return RendererContract(renderer=self.renderer, tooltips=tooltips, links=links, drill=self.drill,
                                plot_size=self.plot_size, filters=filters, publish=publish)

    def shared(self) -> tuple[Any, ...]:
        """The params and selections the chart's marks are filtered by or publish into."""
        return self.interaction.shared() if self.interaction else ()

    def signals(self) -> list[dict[str, Any]]:
        """The Vega-Lite params the chart needs at the top level of whatever spec holds it (its filters')."""
        return self.interaction.signals() if self.interaction else []

    def datasets(self) -> tuple[str, ...]:
        """The names of the datasets the chart reads."""
        own = [self.data] if self.data else []
        extra = list(self.interaction.datasets()) if self.interaction else []
        return tuple(dict.fromkeys([*own, *extra, *(layer.data for layer in self.layers
                                                    if isinstance(layer, Layer) and layer.data)]))

    def _body(self, scope: str) -> dict[str, Any]:
        names = [layer.name for layer in self.layers if isinstance(layer, Layer)]
        if len(set(names)) != len(names):
            raise EvalvizError(f"The layers of a chart need distinct names, not {names}.")
        body: dict[str, Any] = _named(scope)
        interaction = self.interaction
        data = interaction.source if interaction and interaction.source else self.data
        if data is not None:
            body["data"] = {"name": scope + data}
        if self.title is not None:
            body["title"] = resolved(self.title, scope)
        transform = [*(interaction.transforms(scope) if interaction else []), *self.transform]
        if transform:
            body["transform"] = resolved(transform, scope)
        if self.params:
            body["params"] = resolved(self.params, scope)
        body["layer"] = self._units(scope)
        if self.resolve is not None:
            body["resolve"] = dict(self.resolve)
        if self.width is not None:
            body["width"] = self.width
        if self.height is not None:
            body["height"] = self.height
        return body

    def _units(self, scope: str) -> list[dict[str, Any]]:
        """The layers' units, faded by a highlight and holding the brush when the interaction has them."""
        units = [layer.to_dict(scope) for layer in self.layers]
        interaction = self.interaction
        if interaction is None:
            return units
        names = [scope + layer.name if isinstance(layer, Layer) else None for layer in self.layers]
        units = [_filtered(unit, interaction.layer_transforms(layer.name)) if isinstance(layer, Layer) else unit
                 for layer, unit in zip(self.layers, units, strict=True)]
        if interaction.highlights:
            units = [interaction.faded(unit) if isinstance(layer, Layer) and (layer.data is None or
                                                                               layer.name in interaction.also)
                     else unit for layer, unit in zip(self.layers, units, strict=True)]
        for publish in interaction.publish:
            at = names.index(scope + publish.marks[0])
            if publish.how == "interval":
                units[at] = {**units[at], "params": [*units[at].get("params", []), interaction.brush_param(publish)]}
            elif publish.how == "legend":
                units[at] = interaction.clickable_legend(units[at])
        return units


def _filtered(unit: dict[str, Any], transforms: list[dict[str, Any]]) -> dict[str, Any]:
    """A layer's unit with `transforms` (its chart's filters) ahead of its own."""
    return {**unit, "transform": [*transforms, *unit.get("transform", [])]} if transforms else unit


def _lift_signals(spec: dict[str, Any], signals: list[dict[str, Any]]) -> None:
    """Put the filters' signals among the top-level params of `spec` (Vega-Lite lets a variable param live at
    the top level of any spec, and a concatenation's parts reach it there)."""
    if signals:
        spec["params"] = [*spec.get("params", []), *signals]


@dataclass(frozen=True)
class ConcatChart:
    """Charts side by side ("hconcat") or one above another ("vconcat"), each keeping its own scales, legends,
    tooltips, links and layout. The part at index i is named "c<i>" (within its parent's scope).

    Attributes:
        kind: "hconcat" or "vconcat".
        parts: The charts, in order.
        properties: Other Vega-Lite properties (its title, the user's attributes), kept alike when the
            concatenation is itself a part of another; those only a top-level spec holds (TOP_LEVEL_ONLY: config,
            background, ...) are written only when it is the whole chart.

    Example:
        >>> one = LayerChart((Layer("bars", {"type": "bar"}),), data="scores")
        >>> [part["name"] for part in ConcatChart("hconcat", (one, one)).to_spec()["hconcat"]]
        ['c0', 'c1']
    """

    kind: Literal["hconcat", "vconcat"]
    parts: tuple[Chart, ...]
    properties: Mapping[str, Any] = field(default_factory=dict)

    def to_spec(self) -> dict[str, Any]:
        """The concatenation's top-level spec, its parts' contracts merged in usermeta."""
        body, fitted = self.part("", ())
        spec = {"$schema": SCHEMA, **body}
        config = _first_config(self.parts)
        if config is not None:
            spec["config"] = config
        spec.update({key: resolved(value, "") for key, value in self.properties.items() if key in TOP_LEVEL_ONLY})
        _lift_signals(spec, self.signals())
        contract = self.contract("")
        spec["usermeta"] = RendererContract(
            renderer=contract.renderer, tooltips=contract.tooltips, links=contract.links, parts=tuple(fitted),
            filters=contract.filters, publish=contract.publish,
        ).to_usermeta()
        return shared_colours([spec])[0]  # a member keeps one colour in every part

    def part(self, scope: str, path: tuple[str | int, ...]) -> tuple[dict[str, Any], list[FittedPart]]:
        """The concatenation at `scope` and the parts in it the renderer fits as alone."""
        children, fitted = [], []
        for i, chart in enumerate(self.parts):
            child, inner = chart.part(f"{scope}c{i}_", (*path, self.kind, i))
            children.append(child)
            fitted += inner
        body = {**_named(scope), self.kind: children, "resolve": {
            "scale": dict.fromkeys(INDEPENDENT_SCALES, "independent"),
            "legend": dict.fromkeys(INDEPENDENT_LEGENDS, "independent"),
        }}
        body.update({k: resolved(v, scope) for k, v in self.properties.items() if k not in TOP_LEVEL_ONLY})
        return body, fitted

    def contract(self, scope: str) -> RendererContract:
        """The parts' contracts, merged: every mark keeps its rows and link under its scoped name."""
        contracts = [chart.contract(f"{scope}c{i}_") for i, chart in enumerate(self.parts)]
        return RendererContract(
            renderer="canvas" if any(c.renderer == "canvas" for c in contracts) else "svg",
            tooltips={mark: rows for c in contracts for mark, rows in c.tooltips.items()},
            links={mark: field for c in contracts for mark, field in c.links.items()},
            # Panels of one view share its client and signals: each filter is kept once.
            filters=tuple({entry.signal: entry for c in contracts for entry in c.filters}.values()),
            publish=tuple(entry for c in contracts for entry in c.publish),
        )

    def shared(self) -> tuple[Any, ...]:
        """The params and selections of every part, each once."""
        return each_once(one for chart in self.parts for one in chart.shared())

    def signals(self) -> list[dict[str, Any]]:
        """The filters' signals of every part, lifted to the concatenation's top level."""
        signals = {signal["name"]: signal for chart in self.parts for signal in chart.signals()}
        return list(signals.values())  # panels of one view share its client, and so its signals

    def datasets(self) -> tuple[str, ...]:
        """The names of the datasets the parts read, as named in the concatenation ("c0_cells")."""
        return tuple(f"c{i}_{name}" for i, chart in enumerate(self.parts) for name in chart.datasets())


def _first_config(charts: tuple[Chart, ...]) -> Any:
    """The Vega-Lite config of the first chart that has one, at any depth (a part cannot hold one of its own:
    the whole concatenation takes it)."""
    for chart in charts:
        if isinstance(chart, ConcatChart):
            inner = chart.properties.get("config", _first_config(chart.parts))
        else:
            inner = getattr(chart, "properties", {}).get("config")
        if inner is not None:
            return inner
    return None


@dataclass(frozen=True)
class FinishedChart:
    """A chart given as a finished Vega-Lite spec (`Component.from_parts`): drawn as it is, never composed."""

    spec: Mapping[str, Any]

    def to_spec(self) -> dict[str, Any]:
        return dict(self.spec)

    def part(self, scope: str, path: tuple[str | int, ...]) -> tuple[dict[str, Any], list[FittedPart]]:
        raise EvalvizError(
            "hconcat and vconcat compose the charts evalviz views return; this Component was made from a finished "
            "spec (Component.from_parts), whose names cannot be scoped. Concatenate the views themselves."
        )

    def contract(self, scope: str) -> RendererContract:  # noqa: ARG002 - never a part
        return RendererContract.of_spec(self.spec)

    def datasets(self) -> tuple[str, ...]:
        return ()

    def shared(self) -> tuple[Any, ...]:
        return ()

    def signals(self) -> list[dict[str, Any]]:
        return []


Chart = LayerChart | ConcatChart | FinishedChart
