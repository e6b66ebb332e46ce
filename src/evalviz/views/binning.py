"""Pixel-aware binning: an axis with more values than the chart has pixels for is binned in DuckDB.

A binned axis keeps its values in one order (by mean score, input order, or an explicit order) and puts `size`
consecutive values into each cell. A binned cell says what it holds: which values, how many rows, and the
mean (or other `agg`), min and max of their scores. Only the cells leave DuckDB.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from evalviz.data.table import Data
from evalviz.query.bins import AxisBins, axis_ranks_sql, binned_cells_sql
from evalviz.query.cells import ranked_values_sql
from evalviz.query.grid_columns import key_parts
from evalviz.views.axis_groups import AxisGroups
from evalviz.views.axis_order import arranged, check_sizes, needs_arranging
from evalviz.views.grid import (
    Grid,
    GridColumns,
    check_agg,
    checked_intervals,
    checked_source,
    finished_grid,
    registered,
    sort_terms,
)
from evalviz.views.sorting import Sort, parse_sort

MIN_CELL_PIXELS = 3  # a cell narrower than this is binned with its neighbours


@dataclass(frozen=True)
class BinnedAxis:
    """One axis of a binned grid: `count` values in drawing order, `size` of them to a cell."""

    count: int
    size: int

    @property
    def binned(self) -> bool:
        return self.size > 1

    @property
    def n_bins(self) -> int:
        return math.ceil(self.count / self.size)

    def bounds(self, b: int) -> tuple[int, int]:
        """Positions of the first and last value of bin `b`."""
        return b * self.size, min((b + 1) * self.size, self.count) - 1

    def window(self, b: int, capacity: int) -> tuple[int, int]:
        """Positions (start, stop) of at most `capacity` values centred on bin `b`: what a drill-down shows."""
        first, last = self.bounds(b)
        middle = (first + last) // 2
        start = max(0, min(middle - capacity // 2, self.count - capacity))
        return start, min(start + capacity, self.count)


@dataclass(frozen=True)
class BinnedGrid:
    """A grid whose cells are bins, and how each axis was binned."""

    grid: Grid
    x: BinnedAxis
    y: BinnedAxis


def capacity(pixels: float) -> int:
    """How many cells fit along an axis of `pixels`."""
    return max(int(pixels // MIN_CELL_PIXELS), 1)


def binned_grid(
    data: Data, columns: GridColumns, ranks: tuple[pa.Table, pa.Table], *, agg: str, max_cells: tuple[int, int],
    grouped: bool = False,
) -> BinnedGrid:
    """Aggregate into at most `max_cells` (x, y) bins: each axis ordered, then cut into equal runs.

    Cells carry x, y (keys, unique on each axis: a bin's range "1–40", or the value's key on an axis that is not
    binned), x_label / y_label (where a key is not its label), xb, yb (bin numbers), value (the `agg` of the
    rows, when finite), low_value and high_value (min and max of the finite values), n and n_values (rows, rows
    with a value), x_members / y_members (what a binned axis cell holds), status and note, as a cell of
    `grid.aggregate_grid` has them (a bin whose rows all failed is an error; one holding failed rows beside good
    ones is partly failed, with the value, low_value and high_value of the good ones). `ranks` comes from `axis_ranks`,
    which checked the table. Everything runs in DuckDB and stays in Arrow: no Python object per value. `grouped`:
    `data` holds the rows grouped by cell already (`query.cell_filters.grouped_rows_sql`), added up into bins.
    """
    check_agg(agg)
    x_ranks, y_ranks = ranks
    x_axis = BinnedAxis(x_ranks.num_rows, math.ceil(x_ranks.num_rows / max_cells[0]))
    y_axis = BinnedAxis(y_ranks.num_rows, math.ceil(y_ranks.num_rows / max_cells[1]))
    with registered(data, x_ranks, y_ranks) as (xr, yr):
        cells = data.run(binned_cells_sql(columns, agg, AxisBins(xr, x_axis.count, x_axis.size),
                                          AxisBins(yr, y_axis.count, y_axis.size), grouped))
    members = [f"{axis}_members" for axis, binned in (("x", x_axis), ("y", y_axis)) if binned.binned]
    cells = cells.select(["xb", "yb", "value", "low_value", "high_value", "n", "n_values", "x", "x_label", "y",
                          "y_label", *members, "status", "note"])
    grid = finished_grid(cells, positions=("xb", "yb"), keep_positions=True)
    return BinnedGrid(grid=grid, x=x_axis, y=y_axis)


def axis_ranks(data: Data, columns: GridColumns, sort: object, *, agg: str = "mean",
               groups: AxisGroups | None = None, grouped: bool = False) -> tuple[pa.Table, pa.Table]:
    """Each axis's values in drawing order, computed in DuckDB in one query.

    Each table has the key parts of its axis (`query.grid_columns.key_parts`, typed as in the data), `x` (the
    value's key), `x_label` and `xr` (its position), or the same for y. Their lengths are the numbers of distinct
    values. The order follows `views.sorting`, as `grid.aggregate_grid`'s does, with `groups` kept together; a
    clustered axis is clustered over the `agg` of each cell (a second query reads the cells' values). `grouped`:
    `data` holds rows the chart checked, grouped by cell (`query.cell_filters.grouped_rows_sql`); not clustered.
    """
    order = parse_sort(sort, axes=("x", "y"))
    if not grouped:
        data = checked_source(data, columns)
        checked_intervals(data, columns)
    ranks = data.run(axis_ranks_sql(columns, **sort_terms(order), grouped=grouped))
    if ranks.num_rows == 0:  # (every row has a value on each axis: NULL is a value of its own)
        raise data.no_rows_error()
    n_x = ranks.num_rows - pc.sum(ranks["axis"]).as_py()
    tables = []
    for axis, part in (("x", ranks.slice(0, n_x)), ("y", ranks.slice(n_x))):
        names = [name for _, name in key_parts(columns, axis)]
        tables.append(part.select([*names, axis, f"{axis}_label", f"{axis}o"])
                      .rename_columns([*names, axis, f"{axis}_label", f"{axis}r"]))
        if order.explicit_order(axis):
            order.check_matches(axis, part[f"{axis}_label"].to_pylist())
    groups = groups or AxisGroups()
    if needs_arranging(order, groups):
        return _arranged_ranks(data, columns, (tables[0], tables[1]), order, groups, agg)
    return tables[0], tables[1]


def _arranged_ranks(data: Data, columns: GridColumns, ranks: tuple[pa.Table, pa.Table], sort: Sort,
                    groups: AxisGroups, agg: str) -> tuple[pa.Table, pa.Table]:
    """`ranks` in drawing order (`axis_order.arranged`), their positions renumbered."""
    counts = (ranks[0].num_rows, ranks[1].num_rows)
    check_sizes(sort, counts)
    matrix = None
    if sort.clustered:
        check_agg(agg)
        with registered(data, *ranks) as names:
            cells = data.run(ranked_values_sql(columns, agg, (names[0], names[1])))
        matrix = np.full((counts[1], counts[0]), np.nan)
        matrix[cells["yr"].to_numpy(), cells["xr"].to_numpy()] = cells["value"].to_numpy()
    arranged_ranks = []
    for axis, table, rows in (("x", ranks[0], None if matrix is None else matrix.T), ("y", ranks[1], matrix)):
        order = arranged(axis, table[f"{axis}_label"].to_pylist(), sort, groups, rows)
        taken = table.take(pa.array(order, pa.int64()))
        arranged_ranks.append(taken.set_column(taken.schema.get_field_index(f"{axis}r"), f"{axis}r",
                                               pa.array(range(len(order)), table[f"{axis}r"].type)))
    return arranged_ranks[0], arranged_ranks[1]

