"""How a chart takes part in selections: filtered (or faded) by them, and publishing what the user does into them.

The one mechanism every view uses. A view gives its `LayerChart` an `Interaction`:

    Interaction(filters=(Filter(selection, {"model": "x_v"}),),
                publish=(Publish(target, "click", {"x_v": "model"}, marks=("cells",)),))

and `LayerChart` writes the rest, once for every layer reading the chart's data:

- a Vega signal per filter (a top-level param named after the chart's client id; a concatenation lifts its
  parts' signals to its own top level), which the renderer (`js/chart.js`) keeps equal to the selection's
  active clauses, their columns renamed to the datum fields that hold them;
- a filter transform `evalvizKeeps(<signal>, datum)` (the expression function `js/chart.js` registers: it keeps
  a row as `js/selections.js` keeps a row, reading the datum fields) ahead of the chart's own transforms; with
  `highlight`, a calculate of `evalviz_kept` instead, and every layer's opacity faded to FADED where it is false;
- `then`: transforms turning the filtered rows into the drawn ones, when the filter reads rows finer than the
  marks (`source`: a table grouped by the marks' keys and the filter columns, re-aggregated after filtering, so
  that a filtered mean is the mean of the filtered rows);
- the contract's `filters` and `publish` entries (`rendering.contract.FilterEntry`, `PublishEntry`), and the
  chart's `shared()` selections, declared on the page before it is drawn.

A view chooses which source columns it can answer (`Filter.fields`) and says why it cannot answer the others
(`Filter.unanswered`: the page then shows a note, never a wrong number). `views.interaction` holds the options
views take (`filter_by`, `target`, `highlight`) and builds the Interaction of the common cases.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from evalviz.interaction.selection import Selection, each_once
from evalviz.rendering.contract import FilterEntry, PublishEntry

KEPT = "evalviz_kept"  # the datum field a highlight computes: whether the selections keep the mark
FADED = 0.2  # the opacity of a mark a highlight leaves out
KEEPS = "evalvizKeeps"  # the Vega expression function (registered by js/chart_selections.js)
_KEEPS_CALL = re.compile(rf"{KEEPS}\([A-Za-z0-9_]+, datum\)")


def static_spec(node: Any) -> Any:
    """A finished spec as a renderer without the page's selections draws it (vl-convert, for PNG and SVG): every
    `evalvizKeeps(...)` test keeps every row, so the chart is drawn whole, as it is before any filter.

    Example:
        >>> static_spec({"transform": [{"filter": "evalvizKeeps(ev_chart_1_f0, datum)"}]})
        {'transform': [{'filter': 'true'}]}
    """
    if isinstance(node, str):
        return _KEEPS_CALL.sub("true", node)
    if isinstance(node, Mapping):
        return {key: static_spec(value) for key, value in node.items()}
    if isinstance(node, list):
        return [static_spec(item) for item in node]
    return node


def new_client() -> str:
    """A fresh id for a chart: the source of its clauses and the prefix of its signals."""
    return f"ev_chart_{uuid.uuid4().hex[:12]}"


@dataclass(frozen=True)
class Filter:
    """A selection that filters a chart's rows (or fades its marks).

    Attributes:
        selection: The selection.
        fields: Source column -> the datum field holding its value, in the rows the filter reads.
        unanswered: Source column -> why a clause on it cannot be applied on the page (shown as a note).
        highlight: Fade the marks left out rather than removing them.
        own: Read every clause, the chart's own included (a chart highlighting what the user selected in it);
            else the clauses active for the chart ("crossfilter" leaves its own out).
    """

    selection: Selection
    fields: Mapping[str, str]
    unanswered: Mapping[str, str] = field(default_factory=dict)
    highlight: bool = False
    own: bool = False


@dataclass(frozen=True)
class Publish:
    """What the user does in a chart that becomes its clause in a selection (see `PublishEntry`).

    Attributes:
        selection: The selection published into.
        how: "click", "legend" or "interval".
        fields: Datum field -> the source column it holds (the key parts of a clicked mark; for "interval", the
            one continuous field brushed).
        marks: The layers whose clicks publish (or whose data the legend names; the first holds the brush).
        key: For "legend": the datum field the legend's entries are values of.
        channel: For "interval": the axis brushed, "x" or "y".
    """

    selection: Selection
    how: Literal["click", "legend", "interval"]
    fields: Mapping[str, str]
    marks: tuple[str, ...]
    key: str | None = None
    channel: Literal["x", "y"] = "x"


@dataclass(frozen=True)
class Interaction:
    """A chart's filters and publishers, and how its drawn rows follow filters (see the module).

    Attributes:
        client: The chart's id (its clauses' source, its signals' prefix).
        filters: The selections that filter or fade it.
        publish: What it publishes.
        source: The dataset the filters read, in place of the chart's data (rows finer than the marks).
        then: Transforms after the filters, turning the filtered `source` rows into the drawn rows.
        reads: Other datasets `then` reads (by `DatasetName`), listed so that compositions rename them.
        also: Layers reading datasets of their own (a best step's rule, a sample's row) whose rows carry the
            filters' fields too: the filters keep (or fade) their rows as they do the chart's.

    Example:
        >>> s = Selection.intersect()
        >>> chart = Interaction(client="c", filters=(Filter(s, {"model": "x_v"}),))
        >>> chart.transforms("")
        [{'filter': 'evalvizKeeps(c_f0, datum)'}]
    """

    client: str = field(default_factory=new_client)
    filters: tuple[Filter, ...] = ()
    publish: tuple[Publish, ...] = ()
    source: str | None = None
    then: tuple[Mapping[str, Any], ...] = ()
    reads: tuple[str, ...] = ()
    also: tuple[str, ...] = ()

    def signal(self, index: int) -> str:
        """The Vega signal of the filter at `index`."""
        return f"{self.client}_f{index}"

    @property
    def brush(self) -> str:
        """The Vega-Lite param (and signal) of the chart's interval brush."""
        return f"{self.client}_brush"

    @property
    def highlights(self) -> bool:
        """Whether some filter fades marks rather than removing them."""
        return any(f.highlight for f in self.filters)

    def signals(self) -> list[dict[str, Any]]:
        """The top-level params the filters' signals are (their value is set by the renderer)."""
        return [{"name": self.signal(i), "value": None} for i in range(len(self.filters))]

    def transforms(self, scope: str) -> list[dict[str, Any]]:  # noqa: ARG002 - signals are named by client
        """The transforms ahead of the chart's own: filters, `then`, and the highlight's calculate."""
        out: list[dict[str, Any]] = [{"filter": f"{KEEPS}({self.signal(i)}, datum)"}
                                     for i, f in enumerate(self.filters) if not f.highlight]
        out += [dict(t) for t in self.then]
        return out + self._kept()

    def layer_transforms(self, name: str) -> list[dict[str, Any]]:
        """The transforms ahead of a layer's own when it is among `also`: the filters, and the highlight's
        calculate (no `then`: its rows are drawn as they are)."""
        if name not in self.also:
            return []
        return [{"filter": f"{KEEPS}({self.signal(i)}, datum)"} for i, f in enumerate(self.filters)
                if not f.highlight] + self._kept()

    def _kept(self) -> list[dict[str, Any]]:
        """The highlight's calculate of whether the faded filters keep a row (none without a highlight)."""
        faded = [f"{KEEPS}({self.signal(i)}, datum)" for i, f in enumerate(self.filters) if f.highlight]
        return [{"calculate": " && ".join(faded), "as": KEPT}] if faded else []

    def faded(self, unit: dict[str, Any]) -> dict[str, Any]:
        """A layer's unit with its opacity faded where the highlight leaves its mark out (a layer with an
        opacity encoding of its own keeps it)."""
        encoding = dict(unit.get("encoding", {}))
        if "opacity" in encoding:
            return unit
        mark = unit.get("mark", {})
        full = mark.get("opacity", 1) if isinstance(mark, Mapping) else 1
        encoding["opacity"] = {"condition": {"test": f"datum.{KEPT} !== false", "value": full}, "value": FADED}
        return {**unit, "encoding": encoding}

    def clickable_legend(self, unit: dict[str, Any]) -> dict[str, Any]:
        """A layer's unit whose colour legend's entries take clicks (Vega-Lite draws them inert by default).

        The legend's symbol opacity is fixed (1 unless given): otherwise a layer with an opacity encoding (a
        highlight's fading) makes Vega-Lite write the legend's `encode` itself, dropping the clickable one."""
        encoding = dict(unit.get("encoding", {}))
        for channel in ("color", "fill", "stroke"):
            legend = encoding.get(channel, {}).get("legend")
            if isinstance(legend, Mapping):
                clickable = {"interactive": True, "update": {"cursor": {"value": "pointer"}}}
                encode = {**legend.get("encode", {}), "symbols": clickable, "labels": clickable}
                legend = {"symbolOpacity": 1, **legend, "encode": encode}
                encoding[channel] = {**encoding[channel], "legend": legend}
        return {**unit, "encoding": encoding}

    def brush_param(self, publish: Publish) -> dict[str, Any]:
        """The Vega-Lite interval param an "interval" publisher brushes with."""
        return {"name": self.brush, "select": {"type": "interval", "encodings": [publish.channel]}}

    def contract(self, scope: str) -> tuple[tuple[FilterEntry, ...], tuple[PublishEntry, ...]]:
        """The contract's entries of the chart at `scope` (mark names scoped)."""
        filters = tuple(FilterEntry(selection=f.selection.name, client=None if f.own else self.client,
                                    signal=self.signal(i), fields=dict(f.fields), unanswered=dict(f.unanswered),
                                    highlight=f.highlight)
                        for i, f in enumerate(self.filters))
        publish = tuple(PublishEntry(selection=p.selection.name, client=self.client, how=p.how,
                                     marks=tuple(scope + m for m in p.marks), fields=dict(p.fields), key=p.key,
                                     param=self.brush if p.how == "interval" else None)
                        for p in self.publish)
        return filters, publish

    def shared(self) -> tuple[Selection, ...]:
        """The selections the chart reads or publishes into, each once."""
        return each_once([*(f.selection for f in self.filters), *(p.selection for p in self.publish)])

    def datasets(self) -> tuple[str, ...]:
        """The datasets the interaction reads besides the chart's layers'."""
        return tuple(name for name in (self.source, *self.reads) if name)
