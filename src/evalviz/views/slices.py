"""`slice_metric_heatmap`: a metric per (slice, column), from a 2-D grid or from an analysis table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from evalviz.constants.long_form import COL, HIGH, LOW, METRIC, OPTIONAL, REASON, ROW, STATUS, VALUE, N
from evalviz.data.table import Data
from evalviz.errors import EvalvizError
from evalviz.query.distinct import distinct_values_sql
from evalviz.rendering.component import Component
from evalviz.views.axis_groups import parse_groups
from evalviz.views.grid import GridColumns, aggregate_grid
from evalviz.views.grid_filters import grid_links
from evalviz.views.grid_marks import Labels
from evalviz.views.heatmap import GridDrawing, aggregation_note, draw_grid, grid_options, with_notes
from evalviz.views.linking import Linking
from evalviz.views.options import (
    TICK_ROTATIONS,
    Annotate,
    CellOptions,
    ColorScale,
    ScaleType,
    check_annotate,
    checked_chart_options,
    checked_number,
    checks_arguments,
)
from evalviz.views.sorting import GridSort, label_text

if TYPE_CHECKING:
    from evalviz.interaction.selection import Selection


@checks_arguments(options=TICK_ROTATIONS)
def slice_metric_heatmap(
    grid_or_data: Data | np.ndarray | Sequence[Sequence[float]],
    row_labels: Sequence[Any] | None = None,
    col_labels: Sequence[Any] | None = None,
    *,
    row: str = ROW,
    col: str = COL,
    value: str = VALUE,
    metric_name: str = METRIC,
    title: str | None = None,
    annotate: Annotate = "auto",
    annot_fmt: str | None = None,
    sort: GridSort = None,
    groups: Mapping[str, Mapping[str, Sequence[Any]]] | None = None,
    cmap: str = "viridis",
    color_scale: ScaleType = "linear",
    exponent: float | None = None,
    center: float | None = None,
    vmin: float | None = None,
    vmax: float | None = None,
    width: int | None = None,
    height: int | None = None,
    tip: bool = True,
    filter_by: Selection | None = None,
    target: Selection | None = None,
    highlight: bool = False,
    subtitle: str | None = None,
    **attributes: Any,
) -> Component:
    """Heatmap of one metric over slices (rows) and columns (scorers, models, ...), seaborn-style.

    Takes either a 2-D grid (numpy array or nested lists; NaN for a missing value) with `row_labels` and
    `col_labels`, or a `Data` in long form with one row per cell: columns `row`, `col` and `value`, and
    optionally `low`, `high` (an interval shown in the tooltip), `n` (sample count), `status` ("ok",
    "skipped", "error") and `reason`. Skipped cells are drawn grey with their reason in the tooltip; error
    cells are dark with a cross. Rows and columns keep their input order, unless `sort` says otherwise
    (`sort="cluster"`, with `groups`, draws a clustered overlap heatmap). An infinite value is not
    coloured: its cell is flagged "infinite" with the value in the tooltip, and the colours span the finite
    values. Intervals of values that all lie in [0, 1] are clipped to [0, 1].

    Args:
        grid_or_data: The values: a 2-D array-like, or a long-form `Data`.
        row_labels, col_labels: Labels of the grid's rows and columns (default: their indices).
        row, col, value: Column names of a long-form `Data` (e.g. row="slice", col="scorer").
        metric_name: What the values are; titles the colour legend and the tooltip row.
        title: Chart title.
        annotate: Write each value on its cell: "auto" where the cells are large enough to hold the text, True on
            every cell, False on none.
        annot_fmt: Python format string of annotations and tooltips: "{:.3f}", "{:.0%}", "{:.2g}". By default
            three decimals, or none for whole numbers of an integer column (or integer array).
        sort: None (input order), "ascending", "descending" or "cluster" (similar rows next to each other, and
            similar columns). Explicit orders are a mapping {"x": [...], "y": [...]} per axis (x: the columns,
            y: the rows; a list of labels or "cluster").
        groups: Row and column groups drawn as labelled brackets, {"y": {"name": [row labels]}, "x": {...}}: each
            group's labels are kept together, in the order given, and sorted within it (see `ev.heatmap`).
        cmap: matplotlib colour map name: "viridis", "RdBu_r", "coolwarm", ...
        color_scale: "linear", "log" (values above 0 only), "sqrt" or "power" (with `exponent`).
        exponent: The power of color_scale="power".
        center: Centre of a diverging metric; the colour domain becomes symmetric around it.
        vmin, vmax: Ends of the colour scale (values beyond them take the end colours).
        width, height: Outer size in pixels (700, and width / 1.618 by default).
        tip: Show a tooltip on hover.
        filter_by: A Selection whose clauses filter the rows (of a long-form `Data`): a filtered cell shows the
            mean of the rows kept (see `ev.heatmap`).
        target: A Selection a click on a cell publishes into: its row and column values (shift-click adds).
        highlight: Fade the cells the selections leave out instead of removing them.
        subtitle: A line below the title; the chart's own notes (rows per cell, values not written) follow it.
        **attributes: e.g. `x_tick_rotate=45`, or Vega-Lite top-level properties.

    Example:
        >>> import numpy as np
        >>> import evalviz as ev
        >>> chart = ev.slice_metric_heatmap(
        ...     np.array([[0.91, 0.72], [0.65, np.nan]]), ["easy", "hard"], ["match", "includes"],
        ...     metric_name="accuracy", annot_fmt="{:.0%}",
        ... )
    """
    width, height = checked_chart_options(width=width, height=height, attributes=attributes)
    options, rotate = grid_options(attributes, title=title, subtitle=subtitle, width=width, height=height, tip=tip)
    domain = checked_number("vmin", vmin, optional=True), checked_number("vmax", vmax, optional=True)
    center = checked_number("center", center, optional=True)
    check_annotate("annotate", annotate)
    cell = CellOptions(annotate=annotate, annot_fmt=annot_fmt)
    axis_groups, scale = parse_groups(groups), ColorScale(color_scale, exponent)
    if isinstance(grid_or_data, Data):
        if row_labels is not None or col_labels is not None:
            raise EvalvizError(
                "row_labels and col_labels label a 2-D grid; a Data names its columns with row=, col= and "
                "value=."
            )
        data = grid_or_data
        data.require_columns(row, col, value, purpose="slice_metric_heatmap")
        _check_one_metric(data, row, col, value)
        optional = {name: name if name in data.columns and name not in (row, col, value) else None
                    for name in OPTIONAL}
        x_title, y_title = col, row
    else:
        data = _grid_data(grid_or_data, row_labels, col_labels)
        row, col, value = ROW, COL, VALUE
        optional = dict.fromkeys(OPTIONAL)
        x_title, y_title = None, None

    has_interval = bool(optional[LOW] and optional[HIGH])
    columns = GridColumns(
        x=col, y=row, fill=value, low=optional[LOW] if has_interval else None,
        high=optional[HIGH] if has_interval else None, size=optional[N], status=optional[STATUS],
        reason=optional[REASON],
    )
    links = grid_links(data, columns, Linking.of(filter_by, target, highlight), "mean")
    grid = aggregate_grid(data, links.columns if links else columns, sort=sort, view="slice_metric_heatmap",
                          groups=axis_groups)
    labels = Labels(x=x_title or "column", y=y_title or "row", fill=metric_name,
                    rows="rows" if grid.max_rows > 1 else None, interval="interval",
                    x_axis=x_title is not None, y_axis=y_title is not None)
    drawing = GridDrawing(labels, cell=cell, cmap=cmap, domain=domain, center=center, scale=scale,
                          groups=axis_groups, rotate=rotate)
    return draw_grid(grid, drawing, with_notes(options, aggregation_note(grid, "mean", tip=options.tip)), links=links)


# The kinds of numpy array a grid refuses, by dtype.kind: astype(float) would keep only part of their values.
_NOT_REAL = {"c": "complex numbers", "M": "dates and times", "m": "durations"}


def _grid_data(values: Any, row_labels: Sequence[Any] | None, col_labels: Sequence[Any] | None) -> Data:
    """A long-form Data (row, col, value) from a 2-D grid and its labels. Masked cells of a masked array have
    no value; complex numbers, dates and durations are refused rather than turned into reals."""
    missing = np.ma.getmaskarray(values) if np.ma.isMaskedArray(values) else None
    given = np.ma.getdata(values) if missing is not None else np.asarray(values)
    if given.dtype.kind in _NOT_REAL:
        raise EvalvizError(
            f"The grid holds {_NOT_REAL[given.dtype.kind]} ({given.dtype}), not real numbers: give the metric's "
            "values as floats (e.g. the real part, or a number of days) so that nothing is dropped unseen."
        )
    try:
        array = given.astype(float)
    except (TypeError, ValueError) as exc:
        raise EvalvizError(f"The grid must be a 2-D array of numbers: {exc}.") from exc
    if array.ndim != 2:
        raise EvalvizError(f"The grid must be 2-D (rows x columns); it has shape {array.shape}.")
    # Labels written as `sort` and `groups` write the labels they name (None: the NULL value, drawn "(null)").
    rows = [label_text(v) for v in (row_labels if row_labels is not None else range(array.shape[0]))]
    cols = [label_text(v) for v in (col_labels if col_labels is not None else range(array.shape[1]))]
    if (len(rows), len(cols)) != array.shape:
        raise EvalvizError(
            f"The grid has shape {array.shape} but row_labels x col_labels is {(len(rows), len(cols))}: "
            "give one label per row and one per column."
        )
    for name, labels in (("row_labels", rows), ("col_labels", cols)):
        repeated = sorted({v for v in labels if labels.count(v) > 1}, key=str)
        if repeated:
            raise EvalvizError(f"{name} repeat {repeated}; each row and column needs its own label.")
    if array.size == 0:
        raise EvalvizError("The grid is empty: it has no cells to draw.")
    table = pa.table({
        ROW: np.repeat(np.array(rows, dtype=object), len(cols)).tolist(),
        COL: np.tile(np.array(cols, dtype=object), len(rows)).tolist(),
        # Whole numbers stay integers (counts are drawn "6", not "6.000").
        VALUE: pa.array(given.ravel() if given.dtype.kind in "iu" else array.ravel(),
                        mask=None if missing is None else missing.ravel()),
    })
    return Data.from_dataframe(table)


def _check_one_metric(data: Data, row: str, col: str, value: str) -> None:
    """An analysis table may hold several metrics; one heatmap shows one."""
    if METRIC not in data.columns or METRIC in (row, col, value):
        return
    metrics = data.run(distinct_values_sql(METRIC, 11))["v"].to_pylist()
    if len(metrics) > 1:
        shown = ", ".join(repr(m) for m in metrics[:10]) + (", ..." if len(metrics) > 10 else "")
        raise EvalvizError(
            f"The table holds several metrics ({shown}); a heatmap shows one. Filter first, e.g. "
            f"data.filter(\"metric = {metrics[0]!r}\")."
        )
