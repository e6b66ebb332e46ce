"""What the renderer reads beside the Vega-Lite spec: the one typed description of it on the Python side.

It travels in the spec's `usermeta.evalviz` (Vega-Lite ignores usermeta); `js/contract.js` reads it on the page.
Marks are named by their Vega mark names (`<unit name>_marks` without the `_marks`), which `evalviz.charts` gives
every layer explicitly, so the same names hold in a chart alone and in a concatenation.

- `renderer`: "svg" or "canvas" (a chart of many cells draws faster on one canvas).
- `tooltips`: mark name -> the rows its tooltip shows, formatted on hover from the hovered datum.
- `links`: mark name -> the datum field holding the URL a click on that mark opens (http(s) only).
- `drill`: a click asks the kernel for the region around the clicked cell (binned overviews).
- `plot_size`: the plot area (width, height) a chart fitted into its outer size was estimated to get.
- `parts`: the parts of a concatenation that Vega fits into their own outer size (see `concat_parts`).
- `filters`: the selections that filter (or, with `highlight`, fade) the chart's marks (`FilterEntry`): the
  renderer pushes a selection's active clauses into the entry's Vega signal, which the chart's filter transform
  reads through the expression function `evalvizKeeps(signal, datum)` (`evalviz.charts.interaction`).
- `publish`: what the user does that the renderer publishes into a selection (`PublishEntry`): a click on a
  mark, a click on a legend entry, an interval brushed on a continuous axis.
- `actions`: the page shows the chart's actions menu (export as SVG/PNG); False for a printed figure
  (`figure_style`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

KEY = "evalviz"
Renderer = Literal["svg", "canvas"]
CANVAS_MIN_MARKS = 1000  # from this many marks on, one canvas draws faster than an SVG element per mark


def renderer_for(marks: int) -> Renderer:
    """The renderer of a chart drawing `marks` marks (cells, say): SVG, until one canvas draws them faster.

    Example:
        >>> renderer_for(10), renderer_for(5_000)
        ('svg', 'canvas')
    """
    return "canvas" if marks >= CANVAS_MIN_MARKS else "svg"


@dataclass(frozen=True)
class TooltipRow:
    """One row of a mark's tooltip: the datum's `field`, shown under `title`; a number through its d3 `format`.

    Example:
        >>> TooltipRow("value", "Score", ".3f").to_dict()
        {'field': 'value', 'title': 'Score', 'format': '.3f'}
    """

    field: str
    title: str
    format: str | None = None

    def to_dict(self) -> dict[str, str]:
        row = {"field": self.field, "title": self.title}
        if self.format is not None:
            row["format"] = self.format
        return row


@dataclass(frozen=True)
class FittedPart:
    """A part of a concatenation that Vega fits into its own outer size, as it is alone: where it is in the spec
    (`path`, the keys from the top) and the top-level properties it had alone (`alone`: autosize, width, height)."""

    path: tuple[str | int, ...]
    alone: Mapping[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"path": list(self.path), "alone": dict(self.alone)}


@dataclass(frozen=True)
class FilterEntry:
    """A selection that filters a chart: its clauses active for `client` are pushed into the Vega signal
    `signal`, with each source column renamed to the datum field that holds it (`fields`).

    Attributes:
        selection: The selection's name.
        client: Whose view of it ("crossfilter" leaves the client's own clause out); None reads every clause.
        signal: The Vega signal the chart's filter (or highlight) transform reads.
        fields: Source column -> the datum field holding its value in the rows the filter reads.
        unanswered: Source column -> why the page cannot apply a clause on it (a visible note says so).
        highlight: Marks left out fade instead of vanishing.

    Example:
        >>> FilterEntry("s", "c1", "c1_f0", {"model": "x_v"}).to_dict()["fields"]
        {'model': 'x_v'}
    """

    selection: str
    client: str | None
    signal: str
    fields: Mapping[str, str]
    unanswered: Mapping[str, str] = field(default_factory=dict)
    highlight: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"selection": self.selection, "client": self.client, "signal": self.signal,
                "fields": dict(self.fields), "unanswered": dict(self.unanswered), "highlight": self.highlight}


@dataclass(frozen=True)
class PublishEntry:
    """What the renderer publishes into a selection, as the clauses of `client`.

    Attributes:
        selection: The selection's name.
        client: The clauses' source (the chart's id; "crossfilter" does not filter it by them).
        how: "click" (an "in" clause on the clicked mark's `fields`; shift-click adds, a click on it again or on
            empty space clears), "legend" (a click on a legend entry: the marks whose `key` field is the entry's
            value give `fields`) or "interval" (the brush of the Vega-Lite interval param `param` on the datum
            field of `fields`: a "range" clause on its column).
        marks: The marks (contract names) whose clicks publish, or whose data the legend's entries name.
        fields: Datum field -> the source column it holds.
        key: For "legend": the datum field the legend's entries are values of.
        param: For "interval": the Vega-Lite param (and signal) of the brush.

    Example:
        >>> PublishEntry("s", "c1", "click", ("cells",), {"x_v": "model"}).to_dict()["how"]
        'click'
    """

    selection: str
    client: str
    how: Literal["click", "legend", "interval"]
    marks: tuple[str, ...]
    fields: Mapping[str, str]
    key: str | None = None
    param: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"selection": self.selection, "client": self.client, "how": self.how, "marks": list(self.marks),
                "fields": dict(self.fields), "key": self.key, "param": self.param}


@dataclass(frozen=True)
class RendererContract:
    """Everything the renderer reads besides Vega-Lite, for one chart (a concatenation merges its parts').

    Example:
        >>> contract = RendererContract(tooltips={"cells": (TooltipRow("x", "Task"),)}, links={"cells": "link"})
        >>> contract.to_usermeta()["evalviz"]["links"]
        {'cells': 'link'}
    """

    renderer: Renderer = "svg"
    tooltips: Mapping[str, tuple[TooltipRow, ...]] = field(default_factory=dict)
    links: Mapping[str, str] = field(default_factory=dict)
    drill: bool = False
    plot_size: tuple[int, int] | None = None
    parts: tuple[FittedPart, ...] = ()
    filters: tuple[FilterEntry, ...] = ()
    publish: tuple[PublishEntry, ...] = ()
    actions: bool = True

    def to_usermeta(self) -> dict[str, Any]:
        """The contract as it travels, under `usermeta.evalviz`."""
        meta: dict[str, Any] = {
            "renderer": self.renderer,
            "tooltips": {mark: [row.to_dict() for row in rows] for mark, rows in self.tooltips.items()},
            "links": dict(self.links),
            "drill": self.drill,
            "parts": [part.to_dict() for part in self.parts],
        }
        if self.plot_size is not None:
            meta["plot_size"] = list(self.plot_size)
        if self.filters:
            meta["filters"] = [entry.to_dict() for entry in self.filters]
        if self.publish:
            meta["publish"] = [entry.to_dict() for entry in self.publish]
        if not self.actions:
            meta["actions"] = False
        return {KEY: meta}

    @classmethod
    def of_spec(cls, spec: Mapping[str, Any]) -> RendererContract:
        """The contract a finished spec carries (an empty one when it carries none).

        Example:
            >>> RendererContract.of_spec({"mark": "point"}).drill
            False
        """
        usermeta = spec.get("usermeta")
        meta = usermeta.get(KEY) if isinstance(usermeta, Mapping) else None
        if not isinstance(meta, Mapping):
            return cls()
        plot_size = meta.get("plot_size")
        return cls(
            renderer="canvas" if meta.get("renderer") == "canvas" else "svg",
            tooltips={mark: tuple(TooltipRow(**row) for row in rows)
                      for mark, rows in meta.get("tooltips", {}).items()},
            links=dict(meta.get("links", {})),
            drill=meta.get("drill") is True,
            plot_size=(int(plot_size[0]), int(plot_size[1])) if plot_size else None,
            parts=tuple(FittedPart(tuple(p["path"]), p["alone"]) for p in meta.get("parts", [])),
            filters=tuple(FilterEntry(**f) for f in meta.get("filters", [])),
            publish=tuple(PublishEntry(**{**p, "marks": tuple(p["marks"])}) for p in meta.get("publish", [])),
            actions=meta.get("actions") is not False,
        )
