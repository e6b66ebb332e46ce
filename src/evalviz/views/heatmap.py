"""`heatmap`, and `draw_grid`: the chart of an aggregated grid that scores_heatmap, sample_heatmap and
slice_metric_heatmap are drawn with.

`grid.py` aggregates rows into cells in DuckDB; `draw_grid` composes the marks of `grid_marks.py` over them into
a chart (`evalviz.charts.LayerChart`), sized by `grid_layout.py`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from evalviz.charts import ForeignLayer, Layer, LayerChart
from evalviz.constants.statuses import COLORED, ERROR, FLAGS, INFINITE, PARTIAL
from evalviz.data.table import Data
from evalviz.query.aggregates import Aggregate
from evalviz.rendering.component import Component
from evalviz.rendering.contract import renderer_for
from evalviz.views.axis_groups import AxisGroups, parse_groups
from evalviz.views.cell_text import CellText, hidden_values_note, needed_size
from evalviz.views.chart import hover_note, title_line_count, title_spec
from evalviz.views.formatting import count_text, d3_format
from evalviz.views.grid import Grid, GridColumns, aggregate_grid
from evalviz.views.grid_filters import GridLinks, grid_interaction, grid_links, linked_cells, with_positions
from evalviz.views.grid_layout import TITLE_LINE, GridLayout, grid_layout
from evalviz.views.grid_marks import (
    MIN_GLYPH_SIZE,
    GridMarks,
    Labels,
    annotated,
    annotation_text,
    axes,
    check_log_values,
    color_scale,
    interval_text,
    opens_links,
    span,
    tooltip_rows,
)
from evalviz.views.group_spans import DATASET as GROUPS_DATASET
from evalviz.views.group_spans import GROUP_ZONE, span_layers, spans_table
from evalviz.views.linking import Linking
from evalviz.views.options import (
    NOT_GIVEN,
    TICK_ROTATIONS,
    CellOptions,
    ColorScale,
    Legend,
    ScaleType,
    ViewOptions,
    checked_chart_options,
    checked_domain,
    checked_number,
    checks_arguments,
    extra_layers,
)
from evalviz.views.sorting import GridSort

if TYPE_CHECKING:
    import altair as alt

    from evalviz.interaction.selection import Selection

    Marks = Sequence[alt.TopLevelMixin] | alt.TopLevelMixin | None

DATASET = "cells"
DEFAULT_WIDTH = 700
GOLDEN = 1.618
DEFAULT_FORMAT = "{:.3f}"
WHOLE_FORMAT = "{:,.0f}"  # the default for whole numbers of an integer column: "6", "1,024"


@dataclass(frozen=True)
class GridDrawing:
    """What a grid chart takes beyond the options every view takes (`ViewOptions`).

    Attributes:
        labels: What the axes, the colour and the tooltip rows are called.
        cell: How cells and their annotations are drawn.
        cmap, domain, center: The colour map, the colour scale's (vmin, vmax) and the centre of a diverging one.
        scale: The colour scale's type: linear, log, sqrt or power.
        groups: The axis groups drawn as labelled spans beside their axes (the grid is already in their order).
        value_range: What the colour scale spans (by default the cells' values), so that charts of parts of one
            table share colours.
        plot_size: The cells' area in pixels, around which the chart grows (rather than fitting the whole chart
            into its width x height): a region that replaces an overview keeps the overview's plot area.
        rotate: The angles of the x and y labels, counter-clockwise (None: chosen to fit).
        marks: The user's extra layers, drawn on top.
    """

    labels: Labels
    cell: CellOptions = field(default_factory=CellOptions)
    cmap: str = "viridis"
    domain: tuple[float | None, float | None] | None = None
    center: float | None = None
    scale: ColorScale = field(default_factory=ColorScale)
    groups: AxisGroups = field(default_factory=AxisGroups)
    value_range: tuple[float, float] | None = None
    plot_size: tuple[int, int] | None = None
    rotate: tuple[float | None, float | None] = (None, None)
    marks: tuple[ForeignLayer, ...] = ()


def grid_options(attributes: Mapping[str, Any], **options: Any) -> tuple[ViewOptions, tuple[Any, Any]]:
    """The options every view takes (`title`, `width`, ... given as keywords), with the `attributes` that are
    Vega-Lite properties; and the label angles a heatmap takes among its attributes (`x_tick_rotate`,
    `y_tick_rotate`).

    Example:
        >>> options, rotate = grid_options({"x_tick_rotate": 45, "background": "white"}, title="Scores")
        >>> dict(options.attributes), rotate
        ({'background': 'white'}, (45, None))
    """
    properties = {name: value for name, value in attributes.items() if name not in TICK_ROTATIONS}
    rotate = (attributes.get("x_tick_rotate"), attributes.get("y_tick_rotate"))
    return ViewOptions(attributes=properties, **options), rotate


def with_notes(options: ViewOptions, *notes: str | None) -> ViewOptions:
    """`options` whose subtitle is the user's line first (`options.subtitle`), then the view's own `notes`.

    Example:
        >>> with_notes(ViewOptions(subtitle="Run 3"), None, "Each cell shows the mean of its rows (up to 2).").subtitle
        'Run 3 Each cell shows the mean of its rows (up to 2).'
    """
    return replace(options, subtitle=" ".join(n for n in (options.subtitle, *notes) if n) or None)


@checks_arguments(options=TICK_ROTATIONS)
def heatmap(
    data: Data,
    x: str,
    y: str,
    fill: str,
    *,
    x_label: str | None = None,
    y_label: str | None = None,
    fill_label: str | None = None,
    agg: Aggregate = "mean",
    link: str | None = None,
    low: str | None = None,
    high: str | None = None,
    stderr: str | None = None,
    size: str | None = None,
    status: str | None = None,
    reason: str | None = None,
    error: str | None = None,
    cell: CellOptions | None = None,
    tip: bool = True,
    title: str | None = None,
    subtitle: str | None = None,
    marks: Marks = None,
    width: int | None = None,
    height: int | None = None,
    legend: Legend = NOT_GIVEN,
    sort: GridSort = "ascending",
    groups: Mapping[str, Mapping[str, Sequence[Any]]] | None = None,
    cmap: str = "viridis",
    color_scale: ScaleType = "linear",
    exponent: float | None = None,
    domain: tuple[float | None, float | None] | None = None,
    center: float | None = None,
    filter_by: Selection | None = None,
    target: Selection | None = None,
    highlight: bool = False,
    **attributes: Any,
) -> Component:
    """A grid of cells, one per (x, y), coloured by the `agg` of `fill` over the rows of that cell.

    Aggregation runs in DuckDB; only the cells travel to the browser. Several rows for one cell become one
    cell whose tooltip gives the row count. Cells are keyed by the values of `x` and `y` themselves: a NULL and
    the text "(null)" are two columns of the grid (both labelled "(null)"). Cells without a value (NaN, NULL, no
    row at all) are drawn in a neutral colour with a legend entry of their own; with a `status` column,
    "skipped" rows are neutral too and a cell whose rows all failed ("error", or an `error` message) is dark
    with a cross. A cell whose rows failed only in part keeps the value of the others, coloured, and is marked
    "partly failed" (a dark corner, with a legend entry; its tooltip says how many rows failed, and why). A
    cell of several rows opens the link of a failed one, when it has one. A cell whose value is infinite (an
    infinite row, or a sum that overflows) is flagged "infinite", drawn dark with an ∞ and its value ("inf" or
    "-inf") in the tooltip; it takes no part in the colour scale. Values are written with three decimals, whole
    numbers of an integer column without any; counts with thousands separators ("10,000"). A keyword argument
    that is neither a parameter nor a Vega-Lite top-level property is refused, naming the closest.

    Args:
        data: The table.
        x, y: Columns whose values become the columns and rows of the grid.
        fill: The numeric column that colours the cells.
        x_label, y_label, fill_label: Axis and legend titles (default: the column names).
        agg: How the rows of one cell combine: "mean", "median", "min", "max" or "sum".
        link: A column of URLs; clicking a cell opens its http(s) link in a new tab.
        low, high: Columns of an interval shown in the tooltip. When every value lies in [0, 1] (a score such
            as an accuracy), intervals are clipped to [0, 1]. A row with a score (not failed) whose stderr is
            negative, whose low is above its high, or whose value lies outside [low, high] is refused, naming it.
        stderr: A column of standard errors, shown as a 95% interval in the tooltip (instead of `low`, `high`).
        size, status, reason: Columns of a sample count, a row status ("ok", "skipped", "error"; inspect_ai's
            "started" and "cancelled" are errors, saying the eval did not finish) and why.
        error: A column of error messages: a row with a non-empty one failed, and its cell is an error.
        cell: How cells and their annotations are drawn (`CellOptions`).
        tip: Show a tooltip on hover.
        title, subtitle: Chart title and a line below it.
        marks: Extra Altair layers drawn on top; without data of their own they see the cells (columns x, y,
            value, n, status, ...; x and y are the labels, unless two axis values share a label: then the keys,
            with the labels in x_label and y_label).
        width, height: Outer size in pixels (700, and width / 1.618 by default; from 1 to 10,000).
        legend: None hides the legends, a string titles the colour legend.
        sort: "ascending" (highest values towards the top right), "descending", None (input order) or
            "cluster" (similar rows next to each other, and similar columns). Explicit orders are a mapping
            {"x": [...], "y": [...]} (or "cluster" for one axis alone). A clustered axis holds at most 1,000 labels.
        groups: Axis groups, {"y": {"Open": [labels], "Closed": [labels]}} (and/or "x"): each group's labels are
            kept together, in the order the groups are given (top to bottom, left to right), sorted within the
            group by `sort` (clustered within it for "cluster"), and drawn as a bracket with the group's name
            between the cells and the axis labels; labels in no group follow, under no bracket. A label the axis
            does not have, or one in two groups, is refused. See `views.axis_groups`.
        cmap: A matplotlib colour map name ("viridis", "RdBu_r", ...).
        color_scale: How values map to colours: "linear", "log" (every coloured value above 0, else an error
            naming the cell), "sqrt" or "power" (with `exponent`); the legend follows the same scale.
        exponent: The power of color_scale="power" (0.5 is "sqrt").
        domain: (vmin, vmax) of the colour scale; either may be None. Values in [0, 1] span [0, 1] (on a log
            scale: the values' own span).
        center: Centre of a diverging colour scale; the domain becomes symmetric around it (on a log, sqrt or
            power scale, it is the scale's midpoint instead). The domain's ends stay within ±4.5e307 (values
            beyond take the colour of the nearer end), so its span stays finite.
        filter_by: A Selection whose clauses filter the rows: a filtered cell shows the `agg` of the rows kept
            (see `views.grid_filters` for what a saved page can answer; the page names the filters it cannot).
        target: A Selection a click on a cell publishes into: its x and y values (shift-click adds a cell, a
            click on it again or on empty space clears); its link then opens with Ctrl (Cmd) held.
        highlight: Fade the cells the selections leave out instead of removing them.
        **attributes: `x_tick_rotate` / `y_tick_rotate` (degrees, counter-clockwise), or Vega-Lite top-level
            properties such as `background`.

    Example:
        >>> import evalviz as ev
        >>> data = ev.Data.from_file("examples/data/evals.parquet")
        >>> chart = ev.heatmap(data, x="task_display_name", y="model_display_name",
        ...                    fill="score_headline_value")
    """
    width, height = checked_chart_options(width=width, height=height, cell=cell, attributes=attributes)
    options, rotate = grid_options(attributes, title=title, width=width, height=height, legend=legend, tip=tip)
    axis_groups = parse_groups(groups)
    drawing = GridDrawing(
        Labels(x=x_label or x, y=y_label or y, fill=fill_label or fill,
               interval="interval" if low and high else "95% CI"),
        cell=cell or CellOptions(), cmap=cmap, domain=checked_domain(domain),
        center=checked_number("center", center, optional=True), scale=ColorScale(color_scale, exponent),
        groups=axis_groups, rotate=rotate, marks=extra_layers(marks),
    )
    linking = Linking.of(filter_by, target, highlight)
    columns = GridColumns(x=x, y=y, fill=fill, link=link, low=low, high=high, stderr=stderr, size=size,
                          status=status, reason=reason, error=error)
    links = grid_links(data, columns, linking, agg)
    grid = aggregate_grid(data, links.columns if links else columns, agg=agg, sort=sort, view="heatmap",
                          groups=axis_groups)
    return draw_grid(grid, drawing, replace(options, subtitle=subtitle if subtitle is not None
                                            else aggregation_note(grid, agg, tip=tip)), links=links)


def aggregation_note(grid: Grid, agg: str, *, tip: bool) -> str | None:
    """A subtitle saying that cells hold several rows, when some do; with tooltips (`tip`), where to read how many.

    Example:
        >>> import evalviz as ev
        >>> data = ev.Data.from_sql("SELECT 'a' AS t, 'm' AS m, 1.0 AS s UNION ALL SELECT 'a', 'm', 0.0")
        >>> aggregation_note(aggregate_grid(data, GridColumns(x="t", y="m", fill="s")), "mean", tip=False)
        'Each cell shows the mean of its rows (up to 2).'
    """
    most = grid.max_rows
    if most <= 1:
        return None
    return hover_note(f"Each cell shows the {agg} of its rows (up to {count_text(most)})",
                      "hover a cell for its row count", tip=tip)


def draw_grid(grid: Grid, drawing: GridDrawing, options: ViewOptions, *, drill: bool = False,
              links: GridLinks | None = None, follow: tuple[bool, bool] = (False, False)) -> Component:
    """The chart of an aggregated grid: its cells' marks composed over the cells, and its Component.

    With `drill`, a click on a cell asks the kernel for the region around it (a binned overview, whose caller
    gives the Component its drill-down) instead of opening its link. With `links` (`grid_filters.grid_links`,
    whose columns `grid` was aggregated with), the chart follows its `filter_by` selection, its axes keeping only
    the values left (an axis with groups keeps all, so that its brackets stay), and publishes clicks on cells
    into its `target`. `follow` (x, y): axes that take their values from the cells drawn, in the order of their
    positions, without `links` (a binned overview, which the live widget filters by swapping its cells).

    Example:
        >>> import evalviz as ev
        >>> columns = GridColumns(x="task_display_name", y="model_display_name", fill="score_headline_value")
        >>> grid = aggregate_grid(ev.Data.from_file("examples/data/evals.parquet"), columns)
        >>> chart = draw_grid(grid, GridDrawing(Labels(x="Task", y="Model", fill="Score")), ViewOptions(width=500))
        >>> [layer.name for layer in chart.chart.layers]
        ['cells', 'annotations']
    """
    width = DEFAULT_WIDTH if options.width is None else options.width
    height = round(width / GOLDEN) if options.height is None else options.height
    python_format = drawing.cell.annot_fmt or (WHOLE_FORMAT if grid.whole_numbers else DEFAULT_FORMAT)
    values_text = annotation_text(grid.values(), python_format)
    subtitle, layout = _laid_out(grid, drawing, options, (width, height), values_text)
    if options.height is None and layout.needed_height > height:  # a narrow chart's title lines take their room
        height = math.ceil(layout.needed_height)
        subtitle, layout = _laid_out(grid, drawing, options, (width, height), values_text)
    fmt = d3_format(python_format)
    linked = None
    if links is not None:
        grid = with_positions(grid)
        linked = linked_cells(links, grid)
    names = grid.cells.column_names
    spans = spans_table(drawing.groups, {"x": grid.x_order, "y": grid.y_order},
                        {"x": grid.x_labels, "y": grid.y_labels})
    marks = GridMarks(
        *axes(grid, drawing.labels, layout, drawing.cell.inset, _offsets(drawing.groups),
              follow=tuple(a or b for a, b in zip(follow, _follows(links, drawing.groups), strict=True))),
        value_rows=tooltip_rows(names, drawing.labels, fmt, ok=True) if options.tip else None,
        flag_rows=tooltip_rows(names, drawing.labels, fmt, ok=False) if options.tip else None,
        link="link" if opens_links(grid.cells) else None, band=layout.band(grid), cell=drawing.cell,
        legend_on=options.legend_on,
    )
    fit = drawing.plot_size is None  # Vega fits the whole chart (axes, legend and title) into width x height
    grouped = [] if spans is None else sorted(set(spans["axis"].to_pylist()))
    own = _layers(grid, drawing, options, marks, (python_format, values_text), linked.statuses() if linked else set())
    interaction, shipped = None, {}
    if links is not None and linked is not None:
        interaction, shipped = grid_interaction(links, linked, grid, cells=DATASET,
                                                click=tuple(layer.name for layer in own), bounded=_bounded(grid))
    chart = LayerChart(
        (*own, *span_layers(grouped, marks.x, marks.y, tip=options.tip), *drawing.marks), data=DATASET,
        width=width if fit else layout.plot_size[0], height=height if fit else layout.plot_size[1], fit=fit,
        plot_size=layout.plot_size, title=title_spec(options.title, subtitle, width),
        transform=(interval_text(fmt),) if "low" in names else (), properties=options.properties(),
        renderer=renderer_for(grid.cells.num_rows), drill=drill,
        interaction=interaction,
    )
    return Component.from_parts(chart, {DATASET: grid.cells, **({} if spans is None else {GROUPS_DATASET: spans}),
                                        **shipped})


def _follows(links: GridLinks | None, groups: AxisGroups) -> tuple[bool, bool]:
    """Whether the x and y axes follow the chart's filters: when it has one, on axes without groups."""
    filtered = links is not None and links.linking.filter_by is not None
    return filtered and not groups.on("x"), filtered and not groups.on("y")


def _bounded(grid: Grid) -> bool:
    """Whether every value lies in [0, 1], where intervals are clipped (as `query.cells` clips them)."""
    ends = span(grid.values())
    return bool(ends) and 0 <= ends[0] and ends[1] <= 1


def _offsets(groups: AxisGroups) -> tuple[float, float]:
    """The pixels between the cells and the x and y axes: room for the spans of a grouped axis."""
    return (GROUP_ZONE if groups.on("x") else 0, GROUP_ZONE if groups.on("y") else 0)


def _layers(grid: Grid, drawing: GridDrawing, options: ViewOptions, marks: GridMarks,
            written: tuple[str, CellText | None], filtered: set[str]) -> list[Layer]:
    """The grid's own marks, bottom to top: coloured cells, flagged cells, their glyphs, annotations (`written`:
    the values' Python format and their text), corners; for the statuses of the grid, and those its cells may take
    once filtered (`filtered`)."""
    python_format, values_text = written
    fmt = d3_format(python_format)
    values = grid.values()
    if drawing.scale.log:
        check_log_values(grid.cells, drawing.labels)
    scale = color_scale(drawing.value_range or span(values), cmap=drawing.cmap, domain=drawing.domain,
                        center=drawing.center, kind=drawing.scale)
    statuses = [s for s in (*COLORED, *FLAGS) if s in {*grid.statuses, *filtered}]
    flags = [s for s in statuses if s not in COLORED]
    layers = []
    if len(values):  # without any value there is nothing to colour, and no colour legend to show
        layers.append(marks.value_cells(scale, options.legend_title(drawing.labels.fill), fmt))
    if flags:
        layers.append(marks.flagged_cells(flags))
    if ERROR in flags and marks.glyphs_fit():
        layers.append(marks.crosses())
    if INFINITE in flags and marks.glyphs_fit():
        layers.append(marks.infinities())
    if annotated(drawing.cell, values_text, marks.band):
        layers.append(marks.annotations(fmt))
    if PARTIAL in statuses and marks.glyphs_fit():
        layers.append(marks.corners())
    return layers


def _laid_out(grid: Grid, drawing: GridDrawing, options: ViewOptions, size: tuple[int, int],
              values_text: CellText | None) -> tuple[str | None, GridLayout]:
    """The subtitle and the layout of a chart `size` (width, height) pixels large: partly failed cells too small
    to carry a corner, and values (`values_text`) not written for want of room ("auto" annotations), are told of
    in the subtitle, which then takes its room."""
    width, height = size

    def layout(subtitle: str | None, at: tuple[int, int] = size) -> GridLayout:
        return grid_layout(
            grid, width=at[0], height=at[1],
            legend_title=options.legend_title(drawing.labels.fill) if options.legend_on else None,
            title_lines=title_line_count(options.title, subtitle, at[0]), rotate=drawing.rotate,
            plot_size=drawing.plot_size, offsets=_offsets(drawing.groups),
        )

    def _offered(larger: tuple[int | None, int | None]) -> tuple[int | None, int | None]:
        """The sizes of `larger` a chart needs to write its values, laid out again at them (without the note):
        a width alone when the height it leaves (or grows to, when not given) suffices; none when they do not
        write them after all."""
        if larger[0] is not None and larger[1] is not None:
            alone = (larger[0], height if options.height is not None else round(larger[0] / GOLDEN))
            if values_text.fits(layout(subtitle, alone).band(grid)):
                return larger[0], None
        at = (larger[0] or width, larger[1] or height)
        return larger if values_text.fits(layout(subtitle, at).band(grid)) else (None, None)

    subtitle = options.subtitle
    laid_out = layout(subtitle)
    if PARTIAL in grid.statuses and min(laid_out.band(grid)) < MIN_GLYPH_SIZE:
        subtitle = " ".join(filter(None, (subtitle, _unmarked_note(grid, tip=options.tip))))
        laid_out = layout(subtitle)
    if drawing.cell.annotate != "auto" or values_text is None:
        return subtitle, laid_out
    noted = subtitle
    for _ in range(2):  # the note's lines take height from the cells: say it again of the cells left, if it differs
        band = laid_out.band(grid)
        if values_text.fits(band):
            break
        larger = (None, None) if drawing.plot_size is not None else \
            _offered(needed_size(values_text, band, laid_out.beside, (len(grid.x_order), len(grid.y_order))))
        note = hidden_values_note(values_text, band, tip=options.tip, larger=larger)
        if TITLE_LINE * title_line_count(options.title, " ".join(filter(None, (subtitle, note))), width) > height:
            note = hidden_values_note(values_text, band, tip=options.tip, short=True)  # taller than the chart
        if noted == " ".join(filter(None, (subtitle, note))):
            break
        noted = " ".join(filter(None, (subtitle, note)))
        laid_out = layout(noted)
    return noted, laid_out


def _unmarked_note(grid: Grid, *, tip: bool) -> str:
    """What a subtitle says of partly failed cells too small to carry a mark."""
    partial = grid.cells["status"].to_pylist().count(PARTIAL)
    if partial == 1:
        return hover_note("1 cell is partly failed (too small to mark): it shows the value of its good rows",
                          "hover it for why", tip=tip)
    return hover_note(f"{count_text(partial)} cells are partly failed (too small to mark): they show the value of "
                      "their good rows", "hover a cell for its failures", tip=tip)
