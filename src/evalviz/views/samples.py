"""`sample_heatmap`: one cell per (model, sample), coloured by the sample's score over its epochs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from evalviz.charts import Filter, Interaction
from evalviz.data.table import Data
from evalviz.errors import EvalvizError
from evalviz.query.aggregates import Aggregate
from evalviz.query.cell_filters import groupable
from evalviz.query.distinct import distinct_count_sql
from evalviz.rendering.component import Component
from evalviz.views.axis_groups import AxisGroups, parse_groups
from evalviz.views.axis_order import names_axes, needs_arranging
from evalviz.views.binned_requery import GroupedRows
from evalviz.views.binning import MIN_CELL_PIXELS, BinnedAxis, BinnedGrid, axis_ranks, binned_grid, capacity
from evalviz.views.chart import hover_note
from evalviz.views.formatting import count_text
from evalviz.views.grid import Grid, GridColumns, aggregate_grid
from evalviz.views.grid_filters import GridLinks, grid_links
from evalviz.views.grid_marks import Labels
from evalviz.views.heatmap import (
    DEFAULT_WIDTH,
    GOLDEN,
    GridDrawing,
    aggregation_note,
    draw_grid,
    grid_options,
    with_notes,
)
from evalviz.views.linking import Linking
from evalviz.views.options import (
    DEFAULT_ORIENTATION,
    NOT_GIVEN,
    TICK_ROTATIONS,
    CellOptions,
    ColorScale,
    Legend,
    ScaleType,
    ViewOptions,
    checked_chart_options,
    checks_arguments,
    extra_layers,
)
from evalviz.views.regions import Region, RegionSource
from evalviz.views.roles import MODEL, MODEL_DISPLAY, fallback_column, keyed_by, optional_column, optional_link
from evalviz.views.scores import Orientation, check_orientation, link_title
from evalviz.views.sorting import GridSort, Sort, parse_sort

if TYPE_CHECKING:
    from evalviz.interaction.selection import Selection
    from evalviz.views.heatmap import Marks

SAMPLE_FORMAT = "{:.2g}"  # per-sample scores are mostly 0, 1 or a fraction of epochs: "0", "1", "0.5"
TASK_COLUMNS = ("task_display_name", "task_name")
SEPARATOR = " \u00b7 "  # between a task and a sample id when a table holds several tasks
# Pixels of a chart's width and height taken by axis labels, titles and the legend rather than cells.
AXES_WIDTH, AXES_HEIGHT = 230, 110
DRILL_CELL_PIXELS = 10  # the size of a single sample's cell after a drill-down
REGION_NOTE = "A region of the binned chart, at full resolution."


@checks_arguments(options=TICK_ROTATIONS)
def sample_heatmap(
    data: Data,
    id: str = "id",
    id_label: str | None = None,
    model_name: str = "model_display_name",
    model_label: str | None = None,
    score_value: str | None = None,
    cell: CellOptions | None = None,
    tip: bool = True,
    title: str | None = None,
    marks: Marks = None,
    height: int | None = None,
    width: int | None = None,
    legend: Legend = NOT_GIVEN,
    sort: GridSort = "ascending",
    groups: Mapping[str, Mapping[str, Sequence[Any]]] | None = None,
    color_scale: ScaleType = "linear",
    exponent: float | None = None,
    orientation: Orientation = DEFAULT_ORIENTATION,
    link: str | None = "log_viewer",
    agg: Aggregate = "mean",
    error: str | None = "error",
    filter_by: Selection | None = None,
    target: Selection | None = None,
    highlight: bool = False,
    subtitle: str | None = None,
    **attributes: Any,
) -> Component:
    """Heatmap of per-sample scores by model, from an inspect_ai samples table (one row per sample and epoch).

    The epochs of one (sample, model) are aggregated in DuckDB (`agg`, mean by default) into one cell whose
    tooltip says how many rows it holds; clicking a cell opens the sample in the log viewer. Samples a model
    has no score for are drawn grey, with a legend entry. A sample whose epochs all failed (a non-empty `error`)
    is an error cell, dark with a cross, whose tooltip gives the error. A sample with an epoch that failed
    beside good ones, or a bin of a binned chart holding a failed sample, shows the mean of the good rows and
    is marked "partly failed", its tooltip saying how many rows failed and why; a click opens the epoch that
    failed. When the table holds several tasks (told apart by `task_name`), sample ids are shown with their
    task ("Arithmetic · 3"), since ids repeat across tasks; cells are keyed by the task and id themselves, so two
    samples whose labels read alike stay two cells (tasks sharing a display name are shown by `task_name`;
    models sharing one, by display name and `model` id).

    Args:
        data: A samples table, e.g. from `inspect_ai.analysis.samples_df`.
        id: Column of sample ids.
        id_label: Title of the sample axis ("Sample").
        model_name: Column of model names (falls back to `model` when `model_display_name` is absent).
        model_label: Title of the model axis ("Model").
        score_value: The score column to colour by, e.g. "score_match" (required: a samples table has one
            column per scorer).
        cell: How cells and annotations are drawn (annotations show when the cells are large enough).
        tip: Show a tooltip on hover.
        title: Chart title.
        marks: Extra Altair layers drawn on top.
        height: Outer height in pixels (width / 1.618 by default).
        width: Outer width in pixels (700 by default).
        legend: None hides the legend; a string titles it.
        sort: "ascending" (easiest samples right, best models on top), "descending", None (input order) or
            "cluster" (samples that models score alike next to each other, and models alike; at most 1,000
            labels per clustered axis). Explicit orders are a mapping {"x": [...], "y": [...]} (a list of labels
            or "cluster" per axis: {"y": "cluster"} clusters the models alone). A binned chart is clustered
            before it is binned.
        groups: Axis groups drawn as labelled brackets, e.g. {"y": {"Open": [models], "API": [models]}} (axes
            as drawn: give `orientation` with them); each group's labels are kept together, in the order given,
            and sorted within it. An axis binned for its size takes no groups (a bin would mix them).
        color_scale: "linear", "log" (scores above 0 only: a binned cell holding a 0 is refused too), "sqrt" or
            "power" (with `exponent`).
        exponent: The power of color_scale="power".
        orientation: "horizontal" (samples on x, models on y) or "vertical" (models on x, samples on y). Left
            out, a sample set too large for the chart runs along its longer side, unless `sort` or `groups` name
            an axis: they then name the axes of the horizontal chart, which is drawn.
        link: Column of log viewer URLs (ignored when the default column is absent).
        agg: How the epochs of one cell combine: "mean", "median", "min", "max" or "sum".
        error: Column of each sample's error message, empty when it ran (ignored when the default column is
            absent).
        filter_by: A Selection whose clauses filter the rows (samples and epochs): a filtered cell shows the
            `agg` of the epochs kept, a mean of the rows, not of other means (see `ev.heatmap`). A binned chart
            is filtered in the live widget only; a saved page says so when a filter is set.
        target: A Selection a click on a cell publishes into: its sample (with its task) and model; shift-click
            adds a cell. A binned chart's clicks drill down instead.
        highlight: Fade the cells the selections leave out instead of removing them.
        subtitle: A line below the title; the chart's own notes (rows per cell, values not written) follow it.
        **attributes: e.g. `x_tick_rotate=90`, or Vega-Lite top-level properties.

    Example:
        >>> import evalviz as ev
        >>> samples = ev.Data.from_file("examples/data/samples.parquet")
        >>> chart = ev.sample_heatmap(samples.filter("task_name = 'capitals'"), score_value="score_match")
    """
    width, height = checked_chart_options(width=width, height=height, cell=cell, attributes=attributes)
    check_orientation(orientation)
    options, rotate = grid_options(attributes, title=title, subtitle=subtitle, width=width, height=height,
                                   legend=legend, tip=tip)
    marks = extra_layers(marks)
    axis_groups, scale, order = parse_groups(groups), ColorScale(color_scale, exponent), parse_sort(sort, ("x", "y"))
    arranging = needs_arranging(order, axis_groups)
    score_value = _score_column(data, score_value)
    data.require_columns(id, score_value, purpose="sample_heatmap")
    link = optional_link(data, link)
    error = optional_column(data, error, "error")
    [(model_name, model_group)] = keyed_by(data, (fallback_column(data, model_name, MODEL_DISPLAY, MODEL), MODEL),
                                           taken=(id, score_value, link, error))
    task = _several_tasks(data)
    width = width or DEFAULT_WIDTH
    height = height or round(width / GOLDEN)
    max_cells = (capacity(width - AXES_WIDTH), capacity(height - AXES_HEIGHT))

    horizontal = GridColumns(x=id, y=model_name, fill=score_value, link=link, error=error, x_group=task,
                             y_group=model_group, separator=SEPARATOR)
    # Counted in the horizontal orientation first; clusters and groups name the axes as drawn, so wait for it.
    ranks = axis_ranks(data, horizontal, None if arranging else sort)
    if (orientation is DEFAULT_ORIENTATION and ranks[0].num_rows > min(max_cells) and height > width
            and not names_axes(order, axis_groups)):
        orientation = "vertical"  # more samples than the short side can show: they go along the long side
    sample = (id, id_label or "Sample")
    model = (model_name, model_label or "Model")
    (x, x_label), (y, y_label) = (sample, model) if orientation == "horizontal" else (model, sample)
    columns = GridColumns(x=x, y=y, fill=score_value, link=link, error=error,
                          x_group=task if x == id else model_group, y_group=task if y == id else model_group,
                          separator=SEPARATOR)
    scorer = score_value.removeprefix("score_")
    labels = Labels(x=x_label, y=y_label, fill=f"Score ({scorer})" if scorer else "Score", link=link_title(link))
    cell = cell or CellOptions()
    keys = (*(c for c in TASK_COLUMNS if c in data.columns), *(c for c in (model_name, model_group) if c), id)
    drawing = _SampleDrawing(
        data=data, columns=columns, agg=agg, task=task, options=options, keys=keys,
        linking=Linking.of(filter_by, target, highlight),
        drawing=GridDrawing(labels, cell=replace(cell, annot_fmt=cell.annot_fmt or SAMPLE_FORMAT), scale=scale,
                            groups=axis_groups, rotate=rotate, marks=marks),
    )
    counts = (ranks[0].num_rows, ranks[1].num_rows) if x == id else (ranks[1].num_rows, ranks[0].num_rows)
    binned = [axis for axis, count, room in zip("xy", counts, max_cells, strict=True) if count > room]
    _check_groups_unbinned(axis_groups, binned, counts, labels)
    if x != id or arranging:  # the axes swapped ("ascending" runs each its own way), or clustered or grouped
        ranks = axis_ranks(data, columns, order, agg=agg, groups=axis_groups)
    if binned:
        return drawing.binned(ranks, max_cells, order)
    return drawing.full(order)


def _check_groups_unbinned(groups: AxisGroups, binned: list[str], counts: tuple[int, int], labels: Labels) -> None:
    """Raise when an axis that is binned for its size has groups: a bin of consecutive values would mix them."""
    for axis in binned:
        if groups.on(axis):
            name = labels.x if axis == "x" else labels.y
            raise EvalvizError(
                f"groups on the {axis} axis ({name}): its {count_text(counts['xy'.index(axis)])} values are more "
                "than the chart has room for, so they are binned, and a bin would mix groups. Group the other "
                "axis, filter the table, or give a larger width or height."
            )


def _score_column(data: Data, score_value: str | None) -> str:
    """The score column to colour by: a samples table has one per scorer, so the caller names it."""
    if score_value is None:
        scores = [c for c in data.columns if c.startswith("score_")]
        listing = ", ".join(repr(c) for c in scores) if scores else "none (no column starts with 'score_')"
        raise EvalvizError(
            "sample_heatmap needs score_value, the score column to colour the cells by. Score columns "
            f"present: {listing}."
        )
    return score_value


@dataclass(frozen=True)
class _SampleDrawing:
    """Everything a sample heatmap is drawn from, so a drill-down can draw a region of it the same way."""

    data: Data
    columns: GridColumns
    agg: str
    task: str | None
    drawing: GridDrawing
    options: ViewOptions
    keys: tuple[str, ...] = ()  # the columns that decide how the chart is drawn: tasks, models, sample ids last
    linking: Linking = field(default_factory=Linking)

    def full(self, sort: object) -> Component:
        """One cell per (sample, model), following the chart's selections."""
        links = grid_links(self.data, self.columns, self.linking, self.agg)
        grid = aggregate_grid(self.data, links.columns if links else self.columns, agg=self.agg, sort=sort,
                              groups=self.drawing.groups)
        return self.draw(grid, links=links)

    def draw(self, grid: Grid, note: str | None = None, value_range: tuple[float, float] | None = None,
             plot_size: tuple[int, int] | None = None, links: GridLinks | None = None) -> Component:
        """The chart of a grid of single samples: the whole table (with its `links` to selections), or a
        drill-down's region, which keeps the overview's colour span and plot area (see `GridDrawing`)."""
        notes = [note, aggregation_note(grid, self.agg, tip=self.options.tip)]
        if self.task is not None:
            notes.append(f"Sample ids are shown with their task (task{SEPARATOR}id).")
        return draw_grid(grid, replace(self.drawing, value_range=value_range, plot_size=plot_size),
                         with_notes(self.options, *notes), links=links)

    def binned(self, ranks: tuple[pa.Table, pa.Table], max_cells: tuple[int, int], sort: Sort,
               grid: BinnedGrid | None = None) -> Component:
        """More samples (or models) than pixels: DuckDB bins them, and a click drills down to full detail.
        `grid`: the bins, computed already (a filter answered from grouped rows: `_SampleDrill.refiltered`)."""
        binned = grid or binned_grid(self.data, self.columns, ranks, agg=self.agg, max_cells=max_cells)
        labels = self.drawing.labels
        described = [f"{count_text(axis.count)} {name.lower()}s in {count_text(axis.n_bins)} cells of up to "
                     f"{count_text(axis.size)}"
                     for axis, name in ((binned.x, labels.x), (binned.y, labels.y)) if axis.binned]
        order = "by mean score" if sort.by_value else "clustered" if sort.clustered else "in the given order"
        # True wherever the chart is shown: only a live notebook answers a click with a region.
        subtitle = (hover_note(f"Binned ({order}): {'; '.join(described)}", "hover a cell for what it holds",
                               tip=self.options.tip) + " In a live notebook, a click on a cell shows its samples one "
                    "by one; a saved file holds this overview only.")
        binned_labels = replace(
            labels,
            x=f"{labels.x} (binned)" if binned.x.binned else labels.x,
            y=f"{labels.y} (binned)" if binned.y.binned else labels.y,
            x_members=f"{labels.x}s in this cell",
            y_members=f"{labels.y}s in this cell",
        )
        # The colours span single samples' scores (a bin's min and max), not only bin means, so that a region
        # drilled into keeps the overview's colours.
        cells = binned.grid.cells
        lows, highs = pc.min(cells["low_value"]).as_py(), pc.max(cells["high_value"]).as_py()
        value_range = None if lows is None else (lows, highs)
        drawing = replace(self.drawing, labels=binned_labels, cell=replace(self.drawing.cell, inset=0, annotate=False),
                          value_range=value_range)
        filtered = self.linking.filter_by is not None  # the live widget swaps in the cells of the rows kept
        follow = (filtered and not drawing.groups.on("x"), filtered and not drawing.groups.on("y"))
        overview = draw_grid(binned.grid, drawing, with_notes(self.options, subtitle), drill=True,
                             follow=follow)
        overview = self._binned_filter(overview)
        regions = RegionSource(self.data, self.columns, agg=self.agg, ranks=ranks)
        drill = _SampleDrill(drawing=self, binned=binned, regions=regions, max_cells=max_cells,
                             value_range=value_range, plot_size=overview.chart.plot_size, sort=sort,
                             groups=self._grouped_rows(sort) if grid is None else None)
        return Component.from_parts(overview.chart, overview.datasets, drilldown=drill)


    def _grouped_rows(self, sort: Sort) -> GroupedRows | None:
        """The rows grouped to answer the chart's `filter_by` in the live widget (`views.binned_requery`): by the
        selection's columns and those that decide how the chart is drawn; None when no filter is given or the
        cells do not add up from groups (a median, a clustered axis)."""
        selection = self.linking.filter_by
        if selection is None or sort.clustered or not groupable(self.columns, self.agg):
            return None
        return GroupedRows(self.data, self.columns, self.agg, lambda: [*selection.columns, *self.keys],
                           input_order=sort.needs_input_order)

    def _binned_filter(self, overview: Component) -> Component:
        """The binned overview in its `filter_by` selection: a bin mixes samples, so the page answers no filter
        and says so (the live widget re-queries); its clicks drill down, so it publishes nothing."""
        selection = self.linking.filter_by
        if selection is None:
            return overview
        keys = [c for c in (*self.columns.read[:2], self.columns.x_group, self.columns.y_group) if c]
        why = "this chart is binned (a cell holds many samples), so filters apply in the live widget only"
        interaction = Interaction(filters=(Filter(selection, {}, dict.fromkeys([*keys, *selection.columns], why)),))
        return Component.from_parts(replace(overview.chart, interaction=interaction), overview.datasets,
                                    drilldown=overview.drilldown)


@dataclass(frozen=True)
class _SampleDrill:
    """A binned sample heatmap's drill-down: a clicked bin becomes the region around it, one cell per sample."""

    drawing: _SampleDrawing
    binned: BinnedGrid
    regions: RegionSource
    max_cells: tuple[int, int]
    value_range: tuple[float, float] | None  # the overview's colour span and plot size, which regions keep
    plot_size: tuple[int, int]
    sort: Sort = field(default_factory=lambda: parse_sort("ascending"))
    groups: GroupedRows | None = None  # the rows grouped to answer `filter_by` in the live widget

    def __call__(self, datum: dict[str, Any]) -> Component:
        # Both axes zoom to cells large enough to point at one by one, around the clicked cell.
        xb, yb = _bin(datum, "xb", self.binned.x), _bin(datum, "yb", self.binned.y)
        x_start, x_stop = self.binned.x.window(xb, _zoomed(self.binned.x, self.max_cells[0]))
        y_start, y_stop = self.binned.y.window(yb, _zoomed(self.binned.y, self.max_cells[1]))
        grid = self.regions.grid(Region(x_start, x_stop, y_start, y_stop))
        return self.drawing.draw(grid, REGION_NOTE, value_range=self.value_range, plot_size=self.plot_size)

    def prepare(self) -> None:
        self.regions.keep_in_background()
        if self.groups is not None:
            self.groups.build_in_background()

    def refiltered(self, condition: str, params: Sequence[Any], fields: set[str]) -> Component | None:
        """The overview drawn again over the rows the SQL `condition` keeps (`?` bound to `params`; it reads the
        columns `fields`), from the grouped rows: what `sample_heatmap` draws over those rows. None when the
        groups cannot answer: not built yet, a field they lack, or a chart drawn otherwise over those rows (an
        axis binned that was not, or the other way; tasks or models told apart otherwise).

        Raises:
            EmptyDataError: no row is kept.
        """
        drawing = self.drawing
        kept = self.groups.kept(condition, params, fields) if self.groups is not None else None
        if kept is None or _several_tasks(kept) != drawing.task or not _keyed_alike(kept, drawing):
            return None
        ranks = axis_ranks(kept, drawing.columns, self.sort, agg=drawing.agg, groups=drawing.drawing.groups,
                           grouped=True)
        if not self._binned_alike((ranks[0].num_rows, ranks[1].num_rows)):
            return None
        grid = binned_grid(kept, drawing.columns, ranks, agg=drawing.agg, max_cells=self.max_cells, grouped=True)
        rows = replace(drawing, data=drawing.data.where(condition, params))
        return rows.binned(ranks, self.max_cells, self.sort, grid=grid)

    def _binned_alike(self, counts: tuple[int, int]) -> bool:
        """Whether axes of `counts` values are binned as this chart's are, and its sample axis holds more values
        than the short side has room for as it does (which decides the orientation when none is given)."""
        axes = (self.binned.x, self.binned.y)
        if any((count > room) != axis.binned for count, room, axis in zip(counts, self.max_cells, axes, strict=True)):
            return False
        samples = 0 if self.drawing.columns.x == self.drawing.keys[-1] else 1
        return (counts[samples] > min(self.max_cells)) == (axes[samples].count > min(self.max_cells))


def _bin(datum: dict[str, Any], key: str, axis: BinnedAxis) -> int:
    """The bin number `datum[key]` of a clicked cell, after checking the axis has that bin."""
    value = datum.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < axis.n_bins \
            or value != int(value):
        raise EvalvizError(f"The chart has no bin {key}={value!r}: its bins run from 0 to {axis.n_bins - 1}.")
    return int(value)


def _zoomed(axis: BinnedAxis, capacity: int) -> int:
    """How many values of `axis` a drill-down shows: cells of DRILL_CELL_PIXELS or more, and at least the
    clicked bin's values."""
    return max(capacity * MIN_CELL_PIXELS // DRILL_CELL_PIXELS, axis.size)


def _keyed_alike(data: Data, drawing: _SampleDrawing) -> bool:
    """Whether the models of `data` are keyed as the chart's are: by their names, or by their ids grouped under
    the names when names stand for several ids (`roles.keyed_by`)."""
    columns = drawing.columns
    for value, group in ((columns.x, columns.x_group), (columns.y, columns.y_group)):
        if group is not None and group != drawing.task and keyed_by(data, (group, value)) != [(value, group)]:
            return False
    return True


def _several_tasks(data: Data) -> str | None:
    """The task column that groups sample ids, when the table holds samples of more than one task (a NULL task
    is one of them): tasks are told apart by `task_name` (the key), and shown by their display names when
    those tell the same tasks apart."""
    present = [column for column in TASK_COLUMNS if column in data.columns]
    if not present:
        return None
    key = present[-1]  # task_name when the table has it
    tasks = data.run(distinct_count_sql(present))["k"][0].as_py()
    if tasks <= 1:
        return None
    shown = present[0]
    names = data.run(distinct_count_sql([shown]))["k"][0].as_py()
    return shown if names == tasks else key
