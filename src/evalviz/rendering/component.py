"""`Component`: what every view returns. It holds a chart's state and displays itself wherever it is."""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pyarrow as pa

from evalviz.charts.chart import Chart, ConcatChart, FinishedChart
from evalviz.charts.shared_colours import item_colours
from evalviz.errors import EvalvizError, OutputError
from evalviz.interaction.selection import each_once
from evalviz.rendering import document, static_export
from evalviz.rendering import html as html_target
from evalviz.rendering.environment import Frontend, detect_frontend, in_colab, quarto_wants_image
from evalviz.rendering.figure_style import Style, check_style, printed_layout, styled_item, styled_spec
from evalviz.rendering.files import replace_file
from evalviz.rendering.items import (
    Element,
    declarations,
    handlers_of,
    item_of,
    live_datasets,
    shared_of,
    unique_ids,
)

if TYPE_CHECKING:
    import altair as alt

    from evalviz.interaction.selection import Param, Selection
    from evalviz.rendering.requery import ViewCall


class DrillDown(Protocol):
    """What a binned overview answers a click on one of its cells with: that region at full resolution."""

    def __call__(self, datum: dict[str, Any]) -> Component:
        """The Component of the region around the clicked cell, whose datum is given."""

    def prepare(self) -> None:
        """Start, in the background, whatever makes answers fast; called when a live widget shows the chart."""


@dataclass(frozen=True, eq=False)
class Component:
    """A chart: a chart object (`evalviz.charts`) whose datasets are named in it and held apart as Arrow tables;
    `spec` is its Vega-Lite spec.

    It displays itself in Jupyter and VS Code (a widget), in Quarto (self-contained HTML, PNG for PDF) and
    writes standalone HTML, PNG and SVG.

    Example:
        >>> import evalviz as ev
        >>> chart = ev.scores_heatmap(ev.Data.from_file("examples/data/evals.parquet"))
        >>> chart.write_html("scores.html")  # doctest: +SKIP
    """

    chart: Chart | Element
    datasets: dict[str, pa.Table]
    # For binned overviews: answers a clicked cell with the Component of that region at full resolution.
    drilldown: DrillDown | None = field(default=None, repr=False)
    # The view call that drew it (`rendering.requery`), so a live widget can draw it again over filtered rows.
    call: ViewCall | None = field(default=None, repr=False)
    # The Components it was composed of (hconcat, vconcat), in order.
    parts: tuple[Component, ...] = field(default=(), repr=False)

    def __post_init__(self) -> None:
        # A page knows params and selections by name: two different ones of one name are refused now, by the call
        # that put them together (a view, hconcat, ev.page), before anything is drawn.
        shared_of(self.chart)

    @classmethod
    def from_parts(
        cls,
        spec: Chart | Element | dict[str, Any],
        datasets: dict[str, pa.Table],
        drilldown: DrillDown | None = None,
        parts: tuple[Component, ...] = (),
    ) -> Component:
        """A Component from a chart object (or a finished Vega-Lite spec, which hconcat/vconcat do not take) and
        its datasets; every dataset the chart names must be given. `parts`: the Components it composes."""
        chart = FinishedChart(spec) if isinstance(spec, dict) else spec
        return cls(chart=chart, datasets=dict(datasets), drilldown=drilldown, parts=tuple(parts))

    @functools.cached_property
    def spec(self) -> dict[str, Any]:
        """The Vega-Lite spec: datasets by name (not inlined), the renderer contract in `usermeta.evalviz`.

        Raises:
            OutputError: the Component holds inputs, tables or text, which are no Vega-Lite chart.
        """
        if isinstance(self.chart, Element):
            raise OutputError("This Component holds inputs, tables or text beside its charts, which no Vega-Lite "
                              "spec (nor PNG, SVG, PDF or Altair) can hold: write it with write_html, or show it in "
                              "a notebook.")
        return self.chart.to_spec()

    @functools.cached_property
    def item(self) -> dict[str, Any]:
        """What the renderer draws (`evalviz.rendering.items`): the chart, or the layout of inputs, tables and
        charts; a member keeps one colour in every chart of it (`item_colours`)."""
        return unique_ids(item_colours(item_of(self.chart)))

    @property
    def shared(self) -> list[dict[str, Any]]:
        """The params and selections the Component's parts share, as the page declares them (current values)."""
        return declarations(self.params.values())

    @property
    def params(self) -> dict[str, Param | Selection]:
        """The params and selections the Component uses (filters by, publishes into), by name. In a live widget
        they follow the page: read `selection.clauses` or `param.value`, or `observe` them.

        Example:
            >>> import evalviz as ev
            >>> models = ev.Selection.intersect(name="models")
            >>> chart = ev.scores_heatmap(ev.Data.from_file("examples/data/evals.parquet"), filter_by=models)
            >>> chart.params["models"] is models
            True
        """
        from evalviz.rendering.requery import live_parts

        filtering = [part.call.filter_by for part in live_parts(self).values() if part.call is not None]
        named = [one for one in [*shared_of(self.chart), *filtering] if one is not None]
        return {one.name: one for one in each_once(named)}

    # -- outputs --------------------------------------------------------------------------------------------------
    def to_html(self, title: str | None = None, style: Style = "screen") -> str:
        """One self-contained HTML page (bundle inlined, datasets as gzipped Arrow) that renders offline.

        `title` is the page's title (the chart's title by default); `style` is "screen" or "print"
        (`figure_style`: print-size text, no tooltips, no actions menu)."""
        check_style(style)
        if title is not None and not isinstance(title, str):
            raise OutputError(f"The page title is text (or None for the chart's title), not {title!r}.")
        figure = self._drawn_as(style)
        body = html_target.item_markup(styled_item(figure.item, style), figure.datasets, self.shared)
        return html_target.standalone_page(body, title=title or self._title() or "evalviz chart")

    # Each output is built whole before its file is touched, then replaces the file at once (`replace_file`):
    # a chart that cannot be written leaves the file that was there as it was, and a wrong path is found first.
    # A wrong style is found before the path.
    def write_html(self, path: str | os.PathLike[str], title: str | None = None, style: Style = "screen") -> Path:
        """Write `to_html(title, style)` to `path` and return the path."""
        check_style(style)
        return replace_file(path, lambda: self.to_html(title, style))

    def write_png(self, path: str | os.PathLike[str], scale: float = 2, style: Style = "screen") -> Path:
        """Write the chart as PNG (needs `evalviz[static]`); `scale` multiplies its size in pixels, `style` is
        "screen" or "print" (`figure_style`)."""
        check_style(style)
        return replace_file(path, lambda: static_export.to_png(*self._figure(style), scale=scale))

    def write_svg(self, path: str | os.PathLike[str], style: Style = "screen") -> Path:
        """Write the chart as SVG (needs `evalviz[static]`); `style` is "screen" or "print" (`figure_style`)."""
        check_style(style)
        return replace_file(path, lambda: static_export.to_svg(*self._figure(style)))

    def write_pdf(self, path: str | os.PathLike[str], style: Style = "screen") -> Path:
        """Write the chart as a one-page PDF the chart's size, a pixel a point, its text searchable (needs
        `evalviz[static]`); `style="print"` makes it a figure for a paper (`figure_style`).

        Example:
            >>> import evalviz as ev
            >>> chart = ev.scores_by_task(ev.Data.from_file("examples/data/evals.parquet"), width=480)
            >>> chart.write_pdf("scores.pdf", style="print")  # doctest: +SKIP
        """
        check_style(style)
        return replace_file(path, lambda: static_export.to_pdf(*self._figure(style)))

    def _figure(self, style: Style) -> tuple[dict[str, Any], dict[str, pa.Table]]:
        """The Vega-Lite spec in `style` and its datasets, for the static writers."""
        figure = self._drawn_as(style)
        return styled_spec(figure.spec, style), figure.datasets

    def _drawn_as(self, style: Style) -> Component:
        """The chart as `style` draws it. A print figure of a view's chart is the view drawn again, laid out for
        print-size labels (`figure_style.printed_layout`) and without tooltips, so that no note under its title
        speaks of hovering (when the chart's size leaves room for those labels); a composition of charts is
        composed again of its parts so drawn."""
        if style != "print":
            return self
        if self.call is None:
            return self._recomposed(tuple(part._drawn_as(style) for part in self.parts))
        changes = {"tip": False} if "tip" in self.call.arguments.signature.parameters else {}
        try:
            with printed_layout():
                return self.call.with_arguments(**changes)
        except EvalvizError:  # a size that leaves no room for print-size labels: the screen layout, restyled
            return self

    def _recomposed(self, parts: tuple[Component, ...]) -> Component:
        """The concatenation of charts composed again of `parts` (its parts drawn again, in order), its datasets
        named by part (`scoped_datasets`); itself when it is none, or when no part changed."""
        if not isinstance(self.chart, ConcatChart) or len(parts) != len(self.parts) or \
                all(new is old for new, old in zip(parts, self.parts, strict=True)):
            return self
        chart = dataclasses.replace(self.chart, parts=tuple(part.chart for part in parts))
        return dataclasses.replace(self, chart=chart, datasets=scoped_datasets(parts), parts=parts)

    def to_altair(self) -> alt.TopLevelMixin:
        """The chart as Altair objects with its data written in, to keep editing in Altair: layers are
        `alt.Chart`, so `add_params`, `interactive` and `alt.hconcat` work on it."""
        from evalviz.rendering.altair_export import to_altair  # Altair is imported for users who ask for it

        return to_altair(self.spec, self.datasets)

    # -- live widget ----------------------------------------------------------------------------------------------
    @functools.cached_property
    def widget(self) -> Any:
        """The anywidget that shows this chart in a notebook (created on first use). Its `channel` answers the
        browser's "drill" requests when the chart has a drill-down, and "requery" requests when charts in it
        were given `filter_by` (`rendering.requery`); `widget.channel.handle(kind, fn)` adds kinds. The page's
        changes to its params and selections reach `self.params`."""
        from evalviz.rendering.requery import live_parts
        from evalviz.rendering.widget import ChartWidget, LiveCharts, drill_handler, requery_handler

        live = LiveCharts(live_parts(self))
        handlers = handlers_of(self.chart)  # requests its elements answer (a table's pages)
        if self.drilldown is not None:
            self.drilldown.prepare()

            def drill(datum: dict[str, Any]) -> tuple[dict[str, Any], dict[str, pa.Table]]:
                # The chart as last drawn: over the rows its selection keeps, once it was re-queried.
                drilldown = live.latest("", self).drilldown or self.drilldown
                region = drilldown(datum)
                drilldown.prepare()  # a chart in use gets back what it gave up to make room for others
                return region.spec, region.datasets

            handlers["drill"] = drill_handler(drill)
        if live.charts:
            handlers["requery"] = requery_handler(live)
        return ChartWidget(self.item, live_datasets(self.chart, self.datasets), shared=self.shared, handlers=handlers,
                           params=self.params, live=live.selections())

    @property
    def selection(self) -> dict[str, Any] | None:
        """In the live widget: the datum of the cell the user last clicked, else None."""
        if "widget" not in self.__dict__:
            return None
        return self.widget.selection

    # -- display --------------------------------------------------------------------------------------------------
    @property
    def _ipython_display_(self) -> Callable[[], None] | None:
        """How IPython shows the Component in a kernel with a widget front end: `_show_live`, in two outputs.
        Elsewhere None, and IPython shows `_repr_mimebundle_`, one output. Google Colab shows each output in a
        frame of its own, where a widget view cannot hide the static output beside it: there it is one output too."""
        return self._show_live if detect_frontend() is Frontend.JUPYTER and not in_colab() else None

    def _show_live(self) -> None:
        """Display the live widget view, then the static HTML under the widget's output id. The view hides the
        static output of its id (js/notebook_outputs.js), so a live notebook shows the chart once; where no view
        draws (the notebook opened again without its kernel, its HTML export with or without widget state) the
        static output draws. It is the output that may carry the renderer (`rendering.document`), asked last."""
        from IPython.display import display

        markup = html_target.item_markup(self.item, self.datasets, self.shared, output_id=self.widget.output_id)
        view, metadata = self.widget._repr_mimebundle_()
        static = {"text/plain": repr(self), "text/html": html_target.with_script(
            markup, renderer=document.takes_renderer())}
        display({**view, "text/plain": ""}, metadata=metadata, raw=True)
        display(static, raw=True)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> tuple[dict[str, Any], dict]:
        frontend = detect_frontend()
        if frontend is Frontend.QUARTO and quarto_wants_image():
            if not isinstance(self.chart, Element):
                return {"image/png": static_export.to_png(self.spec, self.datasets)}, {}
            # PDF and Word cannot run script: an input is left out, a table or layout named as online only.
            note = "" if self.item["kind"] == "input" else "*An interactive table or layout: see the HTML version.*"
            return {"text/markdown": note, "text/plain": note}, {}
        # Self-contained HTML wherever no widget manager will draw the chart (Quarto, nbconvert, plain); the renderer
        # travels once per notebook and Quarto document, in the first output a kernel displays (rendering.document),
        # asked for last: an output whose formatting fails is not shown, and must not take the renderer.
        markup = html_target.item_markup(self.item, self.datasets, self.shared)
        bundle: dict[str, Any] = {}
        metadata: dict[str, Any] = {}
        if frontend is Frontend.JUPYTER:
            widget_bundle, metadata = self.widget._repr_mimebundle_()
            bundle.update(widget_bundle)
        if frontend is not Frontend.QUARTO:
            bundle["text/plain"] = repr(self)
        bundle["text/html"] = html_target.with_script(markup, renderer=document.takes_renderer())
        return bundle, metadata

    def _title(self) -> str | None:
        if isinstance(self.chart, Element):
            return None
        title = self.spec.get("title")
        if isinstance(title, dict):
            title = title.get("text")
        return title if isinstance(title, str) else None

    def __repr__(self) -> str:
        sizes = ", ".join(f"{name}: {table.num_rows} rows" for name, table in self.datasets.items())
        return f"<evalviz.Component {self._title() or 'chart'!r} ({sizes})>"


def scoped_datasets(parts: Sequence[Component]) -> dict[str, pa.Table]:
    """The datasets of a composition of `parts`: each part's under "c<i>_" (i its place), as its layout and
    the page read them.

    Example:
        >>> import evalviz as ev
        >>> part = ev.scores_heatmap(ev.Data.from_file("examples/data/evals.parquet"))
        >>> list(scoped_datasets([part, part]))
        ['c0_cells', 'c1_cells']
    """
    return {f"c{i}_{name}": table for i, part in enumerate(parts) for name, table in part.datasets.items()}
