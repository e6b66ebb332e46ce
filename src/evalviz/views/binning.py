"""Pixel-aware binning: an axis with more values than the chart has pixels for is binned in DuckDB.

A binned axis keeps its values in one order (by mean score, input order, or an explicit order) and puts `size`
consecutive values into each cell. A binned cell says what it holds: which values, how many rows, and the
mean (or other `agg`), min and max of their scores. Only the cells leave DuckDB.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import pyarrow as pa
import pyarrow.compute as pc

from evalviz.data.connection import quote_literal
from evalviz.data.table import Data
from evalviz.views.formatting import count_sql
from evalviz.views.grid import (
    Grid,
    GridColumns,
    axis_values_sql,
    cell_aggregates,
    check_agg,
    check_sort,
    checked_source,
    finished_grid,
    judged_sql,
    key_parts,
    needs_input_order,
    ranked_axis_sql,
    registered,
    rows_sql,
)

MIN_CELL_PIXELS = 3  # a cell narrower than this is binned with its neighbours
ELLIPSIS, EN_DASH = "\u2026", "\u2013"


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
    data: Data, columns: GridColumns, ranks: tuple[pa.Table, pa.Table], *, agg: str, max_cells: tuple[int, int]
) -> BinnedGrid:
    """Aggregate into at most `max_cells` (x, y) bins: each axis ordered, then cut into equal runs.

    Cells carry x, y (keys, unique on each axis: a bin's range "1–40", or the value's key on an axis that is not
    binned), x_label / y_label (where a key is not its label), xb, yb (bin numbers), value (the `agg` of the
    rows, when finite), low_value and high_value (min and max of the finite values), n and n_values (rows, rows
    with a value), x_members / y_members (what a binned axis cell holds), status and note, as a cell of
    `grid.aggregate_grid` has them (a bin whose rows all failed is an error; one holding failed rows beside good
    ones is partly failed, with the value, low_value and high_value of the good ones). `ranks` comes from `axis_ranks`,
    which checked the table. Everything runs in DuckDB and stays in Arrow: no Python object per value.
    """
    check_agg(agg)
    x_ranks, y_ranks = ranks
    x_axis = BinnedAxis(x_ranks.num_rows, math.ceil(x_ranks.num_rows / max_cells[0]))
    y_axis = BinnedAxis(y_ranks.num_rows, math.ceil(y_ranks.num_rows / max_cells[1]))
    columns = replace(columns, link=None)  # a bin opens no link: its rows' links are not read

    with registered(data, x_ranks, y_ranks) as (xr, yr):
        x_label, x_text, x_members, x_joins = _bin_text("x", "a.xb", xr, x_axis)
        y_label, y_text, y_members, y_joins = _bin_text("y", "b.yb", yr, y_axis)
        members = "".join(f"{m} AS {axis}_members, " for axis, m in (("x", x_members), ("y", y_members)) if m)
        bins = f"""
            SELECT CAST(a.xb AS INTEGER) AS xb, CAST(b.yb AS INTEGER) AS yb, binned.* EXCLUDE (xb, yb),
                {x_label} AS x, {x_text} AS x_label, {y_label} AS y, {y_text} AS y_label, {members}
            FROM range({x_axis.n_bins}) AS a(xb) CROSS JOIN range({y_axis.n_bins}) AS b(yb) {x_joins} {y_joins}
            LEFT JOIN binned ON binned.xb = a.xb AND binned.yb = b.yb"""
        cells = data.sql(
            f"""WITH src AS ({rows_sql(columns, input_order=False)}),
            binned AS (
                SELECT {xr}.xr // {x_axis.size} AS xb, {yr}.yr // {y_axis.size} AS yb,
                    {", ".join(cell_aggregates(columns, agg))},
                    min(v) FILTER (WHERE isfinite(v)) AS low_value, max(v) FILTER (WHERE isfinite(v)) AS high_value
                FROM src JOIN {xr} ON {_matched(columns, "x", xr)} JOIN {yr} ON {_matched(columns, "y", yr)}
                GROUP BY ALL)
            SELECT * FROM ({judged_sql(bins, columns, agg)}) ORDER BY yb, xb"""
        )
    cells = cells.select(["xb", "yb", "value", "low_value", "high_value", "n", "n_values", "x", "x_label", "y",
                          "y_label", *(f"{a}_members" for a, m in (("x", x_members), ("y", y_members)) if m),
                          "status", "note"])
    grid = finished_grid(cells, positions=("xb", "yb"), keep_positions=True)
    return BinnedGrid(grid=grid, x=x_axis, y=y_axis)


def axis_ranks(data: Data, columns: GridColumns, sort: object) -> tuple[pa.Table, pa.Table]:
    """Each axis's values in drawing order, computed in DuckDB in one query.

    Each table has the key parts of its axis (`grid.key_parts`, typed as in the data), `x` (the value's key),
    `x_label` and `xr` (its position), or the same for y. Their lengths are the numbers of distinct values.
    """
    check_sort(sort)
    data = checked_source(data, columns)
    data.require_rows()
    ranked = {axis: ranked_axis_sql(axis, columns, axis_values_sql(axis, columns, "src", _FINITE_V), sort)
              for axis in "xy"}
    # Only the keys and values are read: links, the longest column of a samples table, are not.
    reading = replace(columns, link=None, size=None, low=None, high=None, stderr=None, scorer=None, metric=None)
    ranks = data.sql(
        f"""WITH src AS MATERIALIZED ({rows_sql(reading, input_order=needs_input_order(sort))})
        SELECT 0 AS axis, * FROM ({ranked["x"]}) UNION ALL BY NAME SELECT 1 AS axis, * FROM ({ranked["y"]})
        ORDER BY axis, xo NULLS LAST, yo"""
    )
    n_x = ranks.num_rows - pc.sum(ranks["axis"]).as_py()
    tables = []
    for axis, part in (("x", ranks.slice(0, n_x)), ("y", ranks.slice(n_x))):
        names = [name for _, name in key_parts(columns, axis)]
        tables.append(part.select([*names, axis, f"{axis}_label", f"{axis}o"])
                      .rename_columns([*names, axis, f"{axis}_label", f"{axis}r"]))
    return tables[0], tables[1]


_FINITE_V = "CASE WHEN isfinite(v) THEN v END"


def _matched(columns: GridColumns, axis: str, ranks: str) -> str:
    """SQL matching the rows `src` to the values of `axis` in `ranks` by their key parts (NULL matching NULL)."""
    return " AND ".join(f"src.{name} IS NOT DISTINCT FROM {ranks}.{name}" for _, name in key_parts(columns, axis))


def _bin_text(axis: str, bin_column: str, ranks: str, binned: BinnedAxis) -> tuple[str, str, str | None, str]:
    """SQL for a bin's key and label on the axis, what it holds (None when the axis is not binned), and the
    joins they need: the first and last value of each bin, looked up in the axis's ranks."""
    size, n = binned.size, binned.count
    first, last = f"{axis}_first", f"{axis}_last"
    last_rank = f"least(({bin_column} + 1) * {size}, {n}) - 1"
    joins = (f"JOIN {ranks} AS {first} ON {first}.{axis}r = {bin_column} * {size} "
             f"JOIN {ranks} AS {last} ON {last}.{axis}r = {last_rank}")
    if not binned.binned:
        return f"{first}.{axis}", f"{first}.{axis}_label", None, joins
    label = f"{count_sql(f'{bin_column} * {size} + 1')} || {quote_literal(EN_DASH)} || {count_sql(f'{last_rank} + 1')}"
    count = f"{last_rank} - {bin_column} * {size} + 1"
    first_label, last_label = f"{first}.{axis}_label", f"{last}.{axis}_label"
    members = (f"CASE WHEN {count} = 1 THEN {first_label} ELSE {first_label} || {quote_literal(f' {ELLIPSIS} ')} || "
               f"{last_label} || ' (' || {count_sql(count)} || ')' END")
    return label, label, members, joins
