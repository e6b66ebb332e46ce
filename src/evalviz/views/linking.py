"""The arguments by which a view takes part in selections, in one place: `filter_by`, `target` and `highlight`.

A view takes them as keyword arguments, checks them with `Linking.of(...)` and gives the result to the chart it
draws; the chart's `Interaction` (`evalviz.charts.interaction`) does the rest. Adding them to a view takes two
lines: the three parameters (documented with `LINKING_ARGS`), and

    linking = Linking.of(filter_by, target, highlight)

then `linking.interaction(fields=..., unanswered=..., click=...)` for a chart whose drawn rows carry the
filter columns, or the grid's own path (`views.grid_filters`) for a chart aggregated from finer rows.

- `filter_by`: a Selection whose clauses filter the chart: marks of rows it leaves out are not drawn (with
  `highlight`, they fade instead), and axes keep only the categories left.
- `target`: a Selection a click on a mark publishes into (an "in" clause on the mark's key columns; shift-click
  adds, a click on it again or on empty space clears), and a click on a legend entry where the legend names
  models or tasks. A mark whose log link opened on a click opens it with Ctrl (Cmd) held instead.
- a brush (`Interval`, for views with a continuous axis of rows' values): dragging publishes the range into
  `target` as a "range" clause.
- `highlight`: the chart shows its selections by fading the marks left out (opacity 0.2) rather than removing
  them; with a `target`, the chart's own selection shows the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from evalviz.charts.interaction import Filter, Interaction, Publish
from evalviz.errors import ArgumentTypeError
from evalviz.interaction.selection import Selection, checked_selection


@dataclass(frozen=True)
class Interval:
    """A brush along a continuous axis: dragging on `layer` along `channel` publishes a "range" clause on
    `column`, the source of the datum field `field` the axis shows."""

    layer: str
    channel: Literal["x", "y"]
    field: str
    column: str


@dataclass(frozen=True)
class Linking:
    """A view's `filter_by`, `target` and `highlight`, checked.

    Example:
        >>> import evalviz as ev
        >>> Linking.of(ev.Selection.intersect(), None, False).active
        True
    """

    filter_by: Selection | None = None
    target: Selection | None = None
    highlight: bool = False

    @classmethod
    def of(cls, filter_by: Any, target: Any, highlight: Any) -> Linking:
        """The arguments after checking them: Selections (or None) and a boolean."""
        if not isinstance(highlight, bool):
            raise ArgumentTypeError(f"highlight is True or False, not {highlight!r}.")
        return cls(checked_selection(filter_by, "filter_by"), checked_selection(target, "target"), highlight)

    @property
    def active(self) -> bool:
        """Whether the chart takes part in any selection."""
        return self.filter_by is not None or self.target is not None

    def publishes(self, *columns: str | None) -> None:
        """Record in the target the source columns a click publishes (`Selection.add_columns`), so that charts
        built afterwards with it as `filter_by` ship them."""
        if self.target is not None:
            self.target.add_columns(*(c for c in columns if c is not None))

    def wanted(self) -> tuple[str, ...]:
        """The source columns the chart should be able to answer: those published into `filter_by`."""
        return self.filter_by.columns if self.filter_by is not None else ()

    def interaction(self, *, fields: Mapping[str, str], unanswered: Mapping[str, str] | None = None,
                    click: tuple[str, ...] = (), click_fields: Mapping[str, str] | None = None,
                    legend: tuple[str, str, Mapping[str, str]] | None = None, interval: Interval | None = None,
                    **drawn: Any) -> Interaction | None:
        """The chart's Interaction: filtered by `filter_by` over `fields` (source column -> datum field; the
        columns in `unanswered` are named in a note when a clause reads them), publishing clicks on the layers
        `click` as the datum fields `click_fields` (datum field -> source column) into `target`, and legend
        clicks when `legend` = (the layer whose data the legend names, the datum field of its entries, the datum
        fields published for an entry: datum field -> source column), and the
        range brushed along a continuous axis with `interval`. `drawn` goes to the Interaction (`source`,
        `then`, `reads`: rows re-aggregated after the filter)."""
        if not self.active:
            return None
        unanswered = dict(unanswered or {})
        filters: list[Filter] = []
        if self.filter_by is not None:
            filters.append(Filter(self.filter_by, dict(fields), unanswered, highlight=self.highlight))
        publish: list[Publish] = []
        if self.target is not None and click:
            publish.append(Publish(self.target, "click", dict(click_fields or {}), click))
            if legend is not None:
                publish.append(Publish(self.target, "legend", dict(legend[2]), (legend[0],), key=legend[1]))
            if self.highlight:  # the user's own choice shows: what the target's clauses leave out fades
                own = {column: field for field, column in (click_fields or {}).items()}
                if self.target is self.filter_by:
                    own, unanswered_own = {**fields, **own}, unanswered
                else:
                    unanswered_own = {}
                filters.append(Filter(self.target, own, unanswered_own, highlight=True, own=True))
        if self.target is not None and interval is not None:
            publish.append(Publish(self.target, "interval", {interval.field: interval.column}, (interval.layer,),
                                   channel=interval.channel))
        return Interaction(filters=tuple(filters), publish=tuple(publish), **drawn)
