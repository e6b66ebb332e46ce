"""`diff_plot`: paired differences per slice, a point and an interval each, against a line at zero.

It draws the tables of `evalviz.analysis.paired_diff_table` and `paired_diff_between_models` (columns slice,
delta, low, high, n, status, reason, baseline_value, candidate_value, baseline_name, candidate_name), or any
table with such columns. The rows are selected in DuckDB (`evalviz.query.diffs`); only the drawn rows, one per
slice, travel to the browser.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Set
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from evalviz.constants.long_form import (
    BASELINE_NAME,
    BASELINE_VALUE,
    CANDIDATE_NAME,
    CANDIDATE_VALUE,
    DELTA,
    HIGH,
    LOW,
    METRIC,
    REASON,
    SLICE,
    STATUS,
    N,
)
from evalviz.data.connection import quote_identifier
from evalviz.data.table import Data
from evalviz.errors import EvalvizError
from evalviz.query import diffs as sql
from evalviz.query.axes import NULL_LABEL
from evalviz.query.diffs import BETTER, NO_INTERVAL, RESULTS, UNCLEAR, WORSE, DiffColumns, RowOrder
from evalviz.query.grid_columns import filter_field
from evalviz.rendering.component import Component
from evalviz.views.diff_marks import DATASET, DiffDrawing, bounded_to, x_extent
from evalviz.views.formatting import d3_format
from evalviz.views.grid import check_numeric
from evalviz.views.grid_filters import mark_filters
from evalviz.views.linking import Linking
from evalviz.views.options import NOT_GIVEN, Legend, ViewOptions, checks_arguments
from evalviz.views.roles import optional_column
from evalviz.views.sorting import BarSort, check_order_matches, parse_sort

if TYPE_CHECKING:
    from evalviz.interaction.selection import Selection

__all__ = ["BETTER", "NO_INTERVAL", "UNCLEAR", "WORSE", "diff_plot"]

DEFAULT_X_LABEL = "Difference (candidate - baseline)"
NAMED_X_LABEL = "Difference ({candidate} - {baseline})"  # when the table names the two sides
MAX_METRICS_SHOWN = 10
_OPTIONAL = {"low": LOW, "high": HIGH, "n": N, "status": STATUS, "reason": REASON, "baseline": BASELINE_VALUE,
             "candidate": CANDIDATE_VALUE, "baseline_name": BASELINE_NAME, "candidate_name": CANDIDATE_NAME}
@checks_arguments()
def diff_plot(
    data: Data | Any,
    *,
    slice: str = SLICE,
    delta: str = DELTA,
    low: str | None = LOW,
    high: str | None = HIGH,
    n: str | None = N,
    status: str | None = STATUS,
    reason: str | None = REASON,
    baseline: str | None = BASELINE_VALUE,
    candidate: str | None = CANDIDATE_VALUE,
    baseline_name: str | None = BASELINE_NAME,
    candidate_name: str | None = CANDIDATE_NAME,
    title: str | None = None,
    subtitle: str | None = None,
    width: int | None = None,
    height: int | None = None,
    sort: BarSort = "descending",
    overall: str | None = "all",
    x_label: str | None = None,
    y_label: str | None = None,
    fmt: str = "{:+.3f}",
    higher_is_better: bool = True,
    legend: Legend = NOT_GIVEN,
    tip: bool = True,
    filter_by: Selection | None = None,
    target: Selection | None = None,
    highlight: bool = False,
    **attributes: Any,
) -> Component:
    """Paired differences per slice: a point at `delta` and a line from `low` to `high`, one row per slice,
    against a vertical line at zero.

    Colour and shape say how the interval reads: "better" (it lies wholly above zero; a triangle pointing
    right), "worse" (wholly below; pointing left) or "no clear difference" (it includes zero; a circle).
    Rows whose status is "skipped" or "error", or without a finite delta, are not dropped: a neutral marker
    sits on the zero line with the status and reason written beside it and in the tooltip; an infinite delta
    is flagged "infinite", its value ("inf" or "-inf") in the tooltip. An infinite end of an interval is drawn
    to the edge of the plot and read as such against zero; no infinity or NaN reaches the spec. The tooltip
    gives the slice, the difference, the interval, n, the baseline and candidate values (when the table has
    them, under the names of the two sides when the table names them) and the result. The overall slice
    (named by `overall`, as the analysis tables name it) stays on top, apart from the slices below it,
    whatever the sort. The rows are selected in DuckDB; only the drawn rows travel to the browser.

    Args:
        data: One row per slice, e.g. from `evalviz.analysis.paired_diff_table` or `paired_diff_between_models`
            (a `Data`, or a pyarrow Table or pandas / polars dataframe).
        slice, delta: Columns of the slice names and of the differences (candidate - baseline).
        low, high: Columns of the interval (used when the table has them; None leaves one out; a name other
            than the default must be a column of the table).
        n, status, reason: Columns of the sample count, the row's status ("ok", "skipped", "error") and why (used
            as `low` and `high` are).
        baseline, candidate: Columns of the two values compared, shown in the tooltip when present.
        baseline_name, candidate_name: Columns naming the two sides compared (the models, or the scorers), as
            the analysis tables have them: when each holds one name, the x axis says "Difference (Atlas Large -
            Atlas Small)" and the tooltip gives each value under its side's name.
        title, subtitle: Chart title and a line below it (by default the metric, when the table names one).
        width, height: Outer size in pixels (1 to 10000): 700 wide, and 50 + 28 px per slice (plus the title)
            high, at most 10000 (many slices then share it in thinner rows).
        sort: "descending" (largest difference on top), "ascending" (smallest on top; either way rows without
            a difference go last), None (input order) or a list of slice names (slices left out follow in
            input order; a name the table does not hold is ignored, but not all of them).
        overall: The name of the overall slice ("all" in the analysis tables): drawn on top in bold, set apart
            from the sorted slices by a line. None sorts it with the others.
        x_label, y_label: Axis titles (by default the x axis names the two sides compared, as far as the table
            names them, and the y axis is titled with the slice column).
        fmt: Python format string of the differences and intervals in the tooltip: "{:+.3f}", "{:+.1%}".
        higher_is_better: Whether a positive difference is an improvement (False for losses, error rates).
        legend: The legend of results: shown by default, None or False hides it, a string titles it.
        tip: Show a tooltip on hover.
        filter_by: A Selection whose clauses filter the rows. A row is one slice, so every column of the table
            holds one value per drawn row: each row ships the columns published into the selection, and a
            filter keeps or drops whole rows exactly, on a standalone page as in the live widget; slices left
            out leave no band. A column the table lacks is named on the page as not applied.
        target: A Selection a click on a row's point or interval publishes into: its slice (an "in" clause on
            the slice column; shift-click adds, a click on it again or on empty space clears). The legend's
            entries are results (better, worse...), not a column of the table: they publish nothing.
        highlight: Fade the rows the selections leave out instead of removing them.
        **attributes: Vega-Lite top-level properties such as `background`.

    Example:
        >>> import evalviz as ev
        >>> from evalviz.analysis import paired_diff_between_models
        >>> samples = ev.Data.from_file("examples/data/samples.parquet")
        >>> diffs = paired_diff_between_models(samples, "Atlas Small", "Atlas Large", score="match",
        ...                                    by="task", progress=False)
        >>> chart = ev.diff_plot(diffs, title="Atlas Large - Atlas Small")
        >>> len(chart.datasets["diffs"])  # the overall slice and four tasks
        5
    """
    options = ViewOptions(title=title, subtitle=subtitle, width=width, height=height, legend=legend, tip=tip,
                          attributes=attributes)
    properties = options.properties()
    order = _row_order(sort, overall)
    columns = _resolve_columns(data, slice=slice, delta=delta, low=low, high=high, n=n, status=status,
                               reason=reason, baseline=baseline, candidate=candidate, baseline_name=baseline_name,
                               candidate_name=candidate_name)
    metric = _one_metric(data, columns)
    names = _side_names(data, columns)
    linking = Linking.of(filter_by, target, highlight)
    filters = mark_filters(data, [quote_identifier(columns.slice)], linking, exclude=(columns.slice,))
    if linking.active:
        linking.publishes(columns.slice)
        columns = dataclasses.replace(columns, filters=filters.constant + filters.varying, raw_key=True)
    data = data.select(*columns.used())
    data.require_rows()
    _check_unique_slices(data, columns.slice)
    _check_intervals(data, columns)
    rows = data.run(sql.rows_sql(columns, order, higher_is_better=higher_is_better))
    check_order_matches(order.explicit, rows["slice"].to_pylist(), axis="slice")
    extent = x_extent(rows)
    rows = bounded_to(rows, extent)
    if linking.active:
        rows = rows.append_column("slice_pos", pa.array(range(rows.num_rows), pa.int64()))
    if subtitle is None and metric is not None:
        options = dataclasses.replace(options, subtitle=f"metric: {metric}")
    if x_label is None:
        x_label = NAMED_X_LABEL.format(**names) if names else DEFAULT_X_LABEL
    drawing = DiffDrawing(
        columns=columns, labels=rows["slice"].to_pylist(),
        results=[r for r in RESULTS if r in set(rows["result"].to_pylist())], extent=extent, fmt=d3_format(fmt),
        x_label=x_label, y_label=columns.slice if y_label is None else y_label, higher_is_better=higher_is_better,
        names=names, overall=overall, options=options, follow=linking.filter_by is not None,
    )
    interaction = linking.interaction(
        fields={columns.slice: "k_slice", **{c: filter_field(i) for i, c in enumerate(columns.filters)}},
        unanswered=filters.unanswered, click=("point", "interval", "flagged", "flag_text"),
        click_fields={"k_slice": columns.slice})
    chart = dataclasses.replace(drawing.chart(interaction), properties=properties)
    return Component.from_parts(chart, {DATASET: rows})


# -- columns, checks and order -------------------------------------------------------------------------------
def _row_order(sort: object, overall: str | None) -> RowOrder:
    """The order of the rows, from the one sort grammar: a set or a dict of slice names has no order."""
    if isinstance(sort, Set) or (isinstance(sort, Mapping) and set(sort) - {"y"}):
        raise EvalvizError(
            f"diff_plot's sort is 'descending', 'ascending', None or a list of slice names, not a "
            f"{type(sort).__name__}: give the slices in a list, in the order to draw them."
        )
    parsed = parse_sort(sort, axes=("y",), view="sort")
    explicit = tuple(NULL_LABEL if label is None else label for label in parsed.explicit_order("y") or ())
    return RowOrder(by_value=parsed.by_value, explicit=explicit, overall=overall)


def _resolve_columns(data: Data, **given: str | None) -> DiffColumns:
    """The columns of each role. `slice` and `delta` are required; an optional column left at its default name
    is used when present, and one named otherwise must be there."""
    for role in ("slice", "delta"):
        if not isinstance(given[role], str):
            raise EvalvizError(f"{role} names a column of the table, not {given[role]!r}.")
    data.require_columns(given["slice"], given["delta"], purpose="diff_plot")
    resolved: dict[str, str | None] = {"slice": given["slice"], "delta": given["delta"]}
    for role, default in _OPTIONAL.items():
        resolved[role] = optional_column(data, given[role], default)
        if resolved[role] is not None:
            data.require_columns(resolved[role], purpose=f"diff_plot's {role}")
    if (resolved["low"] is None) != (resolved["high"] is None):
        have, lack = ("low", "high") if resolved["low"] else ("high", "low")
        raise EvalvizError(
            f"The interval needs both ends: the table has {have}={resolved[have]!r} but no {lack} column "
            f"({lack}={given[lack]!r}). Columns present: {', '.join(repr(c) for c in data.columns)}."
        )
    for role in ("delta", "low", "high", "n", "baseline", "candidate"):
        if resolved[role] is not None:
            check_numeric(data, resolved[role], role)
    return DiffColumns(**resolved)


def _one_metric(data: Data, columns: DiffColumns) -> str | None:
    """The metric a table names in a `metric` column; a table of several metrics must be filtered first."""
    if METRIC not in data.columns or METRIC in columns.used():
        return None
    names = data.run(sql.metrics_sql(METRIC, MAX_METRICS_SHOWN + 1))["m"].to_pylist()
    if len(names) > 1:
        shown = ", ".join(repr(m) for m in names[:MAX_METRICS_SHOWN]) + (
            ", ..." if len(names) > MAX_METRICS_SHOWN else "")
        raise EvalvizError(
            f"The table holds several metrics ({shown}); diff_plot shows one. Filter first, e.g. "
            f"data.filter(\"metric = {names[0]!r}\")."
        )
    return names[0] if names else None


def _side_names(data: Data, columns: DiffColumns) -> dict[str, str] | None:
    """{"baseline": name, "candidate": name} when the table names each side with one name, else None."""
    if columns.baseline_name is None or columns.candidate_name is None:
        return None
    names = data.run(sql.side_names_sql(columns.baseline_name, columns.candidate_name)).to_pylist()[0]
    if names["nb"] != 1 or names["nc"] != 1 or not names["b"].strip() or not names["c"].strip():
        return None
    return {"baseline": names["b"], "candidate": names["c"]}


def _check_unique_slices(data: Data, column: str) -> None:
    """One row per slice: repeated slices (several metrics, scorers or runs) would be drawn on top of each
    other."""
    repeated = data.run(sql.repeated_slices_sql(column)).to_pylist()
    if repeated:
        shown = ", ".join(f"{r['s']!r} ({r['c']} rows)" for r in repeated)
        raise EvalvizError(
            f"diff_plot draws one row per slice, but some slices repeat: {shown}. Filter the table to one "
            "comparison first (one metric, one pair of models)."
        )


def _check_intervals(data: Data, columns: DiffColumns) -> None:
    """Refuse a row whose interval is upside down (low above high) or leaves out its own difference: either
    would be read wrongly against zero."""
    if columns.low is None:
        return
    wrong = data.run(sql.wrong_interval_sql(columns)).to_pylist()
    if wrong:
        row = wrong[0]
        problem = "low is above high" if row["lo"] > row["hi"] else "the difference lies outside its interval"
        raise EvalvizError(
            f"diff_plot cannot draw slice {row['s']!r}: {problem} (difference {row['d']!r}, interval "
            f"[{row['lo']!r}, {row['hi']!r}]). Check the {columns.low!r} and {columns.high!r} columns: an "
            "interval runs from its lower to its upper end and holds its estimate."
        )


