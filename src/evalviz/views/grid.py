"""Every heatmap's cells: rows of a `Data` aggregated into one cell per (x, y), in DuckDB.

Which statement runs on which table is decided here; the statements themselves are built in `evalviz.query`
(`query/cells.py`, `query/axes.py`). Only the cells leave DuckDB. `heatmap.py` draws them; nothing here knows
about Vega-Lite.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from evalviz.constants.statuses import COLORED, FLAGS
from evalviz.data.connection import quote_identifier as q
from evalviz.data.nested_scores import nested_value_error
from evalviz.data.number_text import reads_as_score
from evalviz.data.table import Data
from evalviz.data.types import describe, is_boolean, is_integer, is_json, is_numeric, is_text
from evalviz.errors import ColumnTypeError, EvalvizError
from evalviz.query.aggregates import AGGREGATES
from evalviz.query.cells import MIXED, example_text_sql, first_non_number_sql, ranked_grid_sql, sorted_grid_sql
from evalviz.query.grid_columns import GridColumns
from evalviz.views.axis_groups import AxisGroups
from evalviz.views.axis_order import arranged, check_sizes, needs_arranging
from evalviz.views.error_messages import check_error_messages
from evalviz.views.interval_checks import check_intervals
from evalviz.views.options import did_you_mean
from evalviz.views.sorting import Sort, parse_sort

# What other modules take from here. GridColumns and MIXED live in `evalviz.query` (query/grid_columns.py,
# query/cells.py) and are named here for the modules that import them from here.
__all__ = [
    "MIXED", "Grid", "GridColumns", "aggregate_grid", "check_agg", "check_numeric",
    "checked_intervals", "checked_source", "finished_grid", "registered", "sort_terms", "whole_numbers",
]


@dataclass(frozen=True)
class Grid:
    """The cells to draw and each axis: the keys of its values in drawing order, and their labels.

    `cells` has one row per (x, y) pair of the two axes, missing pairs included: x and y (the keys of the pair's
    axis values: unique on each axis, and the label itself unless another value has the same label), x_label and
    y_label (only when some key is not its label), value (finite, or null), n (rows in the cell), n_values (rows
    with a value), status ("ok", "partly failed", "no data", "skipped", "infinite", "error"), note (what the
    status means for this cell, null for "ok": "inf" for an infinite one, how many rows or samples failed for a
    partly failed one), and when the data has them: link (the link as given; only an http(s) URL opens), low
    and high (an interval), size (sum of the sample counts), reason, scorer.
    """

    cells: pa.Table
    x_order: list[str]
    y_order: list[str]
    x_labels: list[str]
    y_labels: list[str]
    whole_numbers: bool = False  # every value is a whole number of an integer column: drawn without decimals

    @property
    def max_rows(self) -> int:
        """The most rows any one cell aggregates."""
        return int(pc.max(self.cells["n"]).as_py() or 0)

    @property
    def statuses(self) -> list[str]:
        """The statuses present among the cells, the coloured ones first."""
        present = set(pc.unique(self.cells["status"]).to_pylist())
        return [s for s in (*COLORED, *FLAGS) if s in present]

    def values(self) -> pa.Array:
        """The values of the cells that have one, in cell order (as Arrow: a large grid's values stay there)."""
        return pc.drop_null(self.cells["value"]).combine_chunks()

    def matrix(self) -> np.ndarray:
        """The cells' values as a (y, x) array, NaN where a cell has no value."""
        values = pc.fill_null(self.cells["value"].cast(pa.float64()), float("nan")).to_numpy()
        return values.reshape(len(self.y_order), len(self.x_order))

    def permuted(self, x: list[int], y: list[int]) -> Grid:
        """The grid with its x values in the order of the positions `x`, and its y values in that of `y`.

        Example:
            >>> grid = Grid(pa.table({"value": [1.0, 2.0, 3.0, 4.0]}), ["a", "b"], ["p", "q"], ["a", "b"], ["p", "q"])
            >>> grid.permuted([1, 0], [0, 1]).cells["value"].to_pylist()
            [2.0, 1.0, 4.0, 3.0]
        """
        rows = (np.asarray(y)[:, None] * len(self.x_order) + np.asarray(x)[None, :]).ravel()
        return replace(self, cells=self.cells.take(pa.array(rows, pa.int64())),
                       x_order=[self.x_order[i] for i in x], y_order=[self.y_order[i] for i in y],
                       x_labels=[self.x_labels[i] for i in x], y_labels=[self.y_labels[i] for i in y])

    def relabelled(self, axis: str) -> dict[str, str]:
        """The keys of `axis` that are not their own label, with their labels."""
        keys, labels = (self.x_order, self.x_labels) if axis == "x" else (self.y_order, self.y_labels)
        return {key: label for key, label in zip(keys, labels, strict=True) if key != label}


def check_numeric(data: Data, column: str, role: str | None = None) -> None:
    """Raise when `column` does not hold numbers, naming its first value that is not one and that value's row
    (1-based, in the table as read). inspect_ai's letter scores (C, I, P, N, yes, no, ...) are pointed to
    `score_to_float`, for the scores themselves only: a column of another `role`, such as "stderr", is named by
    it and not pointed there.

    A column whose every value is NULL passes, whatever its type: its rows have no value (rows of evals that all
    failed are drawn as error cells with their messages, not refused for the type of an empty column).

    Example:
        >>> import evalviz as ev
        >>> check_numeric(ev.Data.from_sql("SELECT * FROM (VALUES ('0.81'), ('0.5O')) t(score)"), "score")
        Traceback (most recent call last):
        ...
        evalviz.errors.ColumnTypeError: Column 'score' holds text, not numbers: row 2 holds '0.5O', ...
    """
    kind = data.types[column]
    if is_numeric(kind) or is_boolean(kind):  # by the type's structure: DOUBLE[] is a list, UHUGEINT a number
        return
    data.require_rows()  # a table without rows (a CSV of only a header reads as text) has no values to check
    if (nested := nested_value_error(data, column)) is not None:  # objects and lists: pick a key, not letters
        raise nested
    textual = is_text(kind) or is_json(kind)
    named = f"The {role} column {column!r}" if role else f"Column {column!r}"
    held = "text" if is_text(kind) else "JSON" if is_json(kind) else f"{describe(kind)} values"
    found = data.run(first_non_number_sql(column, textual=textual)).to_pylist()
    if found:
        row, value = found[0]["row"], found[0]["v"]
        raise ColumnTypeError(f"{named} holds {held}, not numbers: row {row} holds {value!r}, which is not a number "
                              f"(rows count from 1, in the table as read). {_numbers_advice(column, value, role)}")
    example = data.run(example_text_sql(column))["v"].to_pylist()
    if example:  # text that all reads as numbers ('0.81', ...), stored as text: cast it
        raise ColumnTypeError(
            f"{named} holds {held} such as {example[0]!r}: numbers stored as text. Cast the column first: "
            f"data.derive('SELECT * REPLACE (CAST({q(column)} AS DOUBLE) AS {q(column)}) FROM this').")


def _numbers_advice(column: str, value: str, role: str | None) -> str:
    """The way out for a column whose `value` is not a number: inspect_ai's conversion for its score letters
    (scores only), else a column of numbers."""
    if role is None and reads_as_score(value):  # not a number, so one of inspect_ai's letters or words
        return (f"It looks like inspect_ai scores (C, I, P, N): convert them first: "
                f"ev.prepare(data, ev.score_to_float({column!r})).")
    return (f"Fix or drop that value, or compute a column of numbers in SQL, e.g. data.derive('SELECT * REPLACE "
            f"(TRY_CAST({q(column)} AS DOUBLE) AS {q(column)}) FROM this') (values that are not numbers become "
            "missing).")


def check_agg(agg: object) -> None:
    """Raise unless `agg` names one of AGGREGATES."""
    if not isinstance(agg, str) or agg not in AGGREGATES:
        raise EvalvizError(f"Unknown agg {agg!r}.{did_you_mean(agg, AGGREGATES)} Use one of: {', '.join(AGGREGATES)}.")


def sort_terms(sort: Sort) -> dict[str, Any]:
    """What the statements of `evalviz.query` take of a grid's sort: by_value, given (the explicit orders of x
    and y) and input_order (whether rows' positions are read)."""
    return {"by_value": sort.by_value, "given": (sort.explicit_order("x"), sort.explicit_order("y")),
            "input_order": sort.needs_input_order}


def aggregate_grid(
    data: Data,
    columns: GridColumns,
    *,
    agg: str = "mean",
    sort: object = "ascending",
    axes: tuple[pa.Table, pa.Table] | None = None,
    view: str = "heatmap",
    groups: AxisGroups | None = None,
) -> Grid:
    """One cell per (x, y) pair of the two axes, with pairs that have no row as cells without a value.

    Cells are keyed by the values of x and y themselves (and of their groups), never by their text: a NULL and
    the text "(null)" are two axis values, drawn with the same label. Each cell's value is the `agg` of `fill`
    over its rows; NaN and NULL count as missing, and so do rows whose status is "skipped" or "error". A value
    that comes out infinite (an infinite row, or a sum that overflows) is not coloured: the cell is flagged
    "infinite" and its note says "inf" or "-inf". The work runs in DuckDB, in one query; the result has one row
    per cell. `sort` follows `views.sorting` (by the mean of each axis value's cells, input order, or explicit
    orders per axis, or clustered: `views.axis_order`), its `groups` (`views.axis_groups`) kept together.
    `axes`, when given, are the x and y values to draw, in order (a drill-down's region: slices of
    `binning.axis_ranks`): `sort` and `groups` are then not used, and values without rows are drawn as cells
    without data. A row whose interval is wrong (a negative stderr, low above high, a score outside its
    interval) is refused, naming `view` (`checked_intervals`), unless `axes` are given.

    Example:
        >>> import evalviz as ev
        >>> data = ev.Data.from_sql("SELECT 'a' AS t, 'm' AS m, 1.0 AS s UNION ALL SELECT 'a', 'm', 0.0")
        >>> aggregate_grid(data, GridColumns(x="t", y="m", fill="s")).cells.to_pylist()[0]["n"]
        2
    """
    check_agg(agg)
    order = parse_sort(sort, axes=("x", "y"))
    data = checked_source(data, columns)
    if axes is None:
        checked_intervals(data, columns, view)
        data.require_rows()
        table = data.run(sorted_grid_sql(columns, agg, **sort_terms(order)))
    else:
        with registered(data, *axes) as ranks:
            table = data.run(ranked_grid_sql(columns, agg, (ranks[0], ranks[1])))
    grid = finished_grid(table, whole_numbers=whole_numbers(data, columns.fill, table["value"]))
    if axes is None:  # an explicit order that names no label present is refused (a region is not sorted)
        order.check_matches("x", grid.x_labels)
        order.check_matches("y", grid.y_labels)
        groups = groups or AxisGroups()
        if needs_arranging(order, groups):
            grid = arranged_grid(grid, order, groups)
    return grid


def arranged_grid(grid: Grid, sort: Sort, groups: AxisGroups) -> Grid:
    """`grid` with its axes in drawing order: groups kept together, clustered axes clustered (`axis_order`)."""
    check_sizes(sort, (len(grid.x_order), len(grid.y_order)))
    matrix = grid.matrix() if sort.clustered else None
    return grid.permuted(arranged("x", grid.x_labels, sort, groups, None if matrix is None else matrix.T),
                         arranged("y", grid.y_labels, sort, groups, matrix))


def checked_source(data: Data, columns: GridColumns) -> Data:
    """The table narrowed to the columns a grid reads, after checking that they exist and that `fill` (and the
    interval's columns, the sizes and sample counts) are numbers, and the error messages text."""
    needed = columns.read
    data.require_columns(*needed, purpose="the heatmap")
    check_numeric(data, columns.fill)
    for role in ("low", "high", "stderr", "size", "completed", "total"):
        if getattr(columns, role) is not None:
            check_numeric(data, getattr(columns, role), role)
    check_error_messages(data, columns.error)
    return data.select(*needed)  # read only these columns


def checked_intervals(data: Data, columns: GridColumns, view: str = "heatmap") -> None:
    """Refuse a row whose interval is wrong (`views.interval_checks`: the error names the row by the labels of
    its x and y values, and `view`). Run once per chart, by the views that read the whole table; a drill-down's
    region reads rows the overview checked."""
    check_intervals(data, columns, view, (columns.x_group or columns.x, columns.y_group or columns.y))


def whole_numbers(data: Data, fill: str, values: pa.ChunkedArray | pa.Array) -> bool:
    """Whether `fill` is an integer column and every value drawn is a whole number (not a mean between two)."""
    if not is_integer(data.types[fill]):
        return False
    present = pc.drop_null(values)
    return pc.all(pc.equal(present, pc.floor(present))).as_py() is not False


def finished_grid(table: pa.Table, *, whole_numbers: bool = False, positions: tuple[str, str] = ("xo", "yo"),
                  keep_positions: bool = False) -> Grid:
    """The Grid of cells ordered by y, then x (`grid_sql`'s result): the axes read off the cells, labels kept
    only where they are not the keys, positions dropped unless kept."""
    n_y = pc.count_distinct(table[positions[1]]).as_py()
    n_x = table.num_rows // max(n_y, 1)
    x_order, x_labels = (table[c].slice(0, n_x).to_pylist() for c in ("x", "x_label"))
    y_order, y_labels = (table[c].to_pylist()[::max(n_x, 1)] for c in ("y", "y_label"))
    if not keep_positions:
        table = table.drop_columns(list(positions))
    for axis in "xy":
        if pc.all(pc.equal(table[axis], table[f"{axis}_label"])).as_py() is not False:
            table = table.drop_columns([f"{axis}_label"])
    return Grid(cells=table, x_order=x_order, y_order=y_order, x_labels=x_labels,
                y_labels=y_labels, whole_numbers=whole_numbers)


@contextmanager
def registered(data: Data, *tables: pa.Table) -> Iterator[list[str]]:
    """Arrow tables registered under unique names for the length of one query."""
    names = [f"evalviz_ranks_{uuid.uuid4().hex}" for _ in tables]
    try:
        with data.lock:  # the connection is shared by threads: every call on it holds its lock
            for name, table in zip(names, tables, strict=True):
                data.connection.register(name, table)
        yield [q(n) for n in names]
    finally:
        with data.lock:
            for name in names:
                data.connection.unregister(name)
