"""Pixel-aware binning: an axis with more values than the chart has pixels for is binned in DuckDB.

A binned axis keeps its values in one order (by mean score, input order, or an explicit order) and puts `size`
consecutive values into each cell. A binned cell says what it holds: which values, how many rows, and the
mean (or other `agg`), min and max of their scores. Only the cells leave DuckDB.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from evalviz.data.connection import quote_identifier as q
from evalviz.data.connection import quote_literal
from evalviz.data.table import Data
from evalviz.errors import EvalvizError
from evalviz.views.grid import (
    AGGREGATES,
    NO_DATA,
    NO_ROWS_NOTE,
    NO_VALUE_NOTE,
    OK,
    Grid,
    GridColumns,
    checked_source,
    explicit_order,
    label_sql,
    needs_input_order,
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

    Cells carry x, y (labels), xb, yb (bin numbers), value (the `agg` of the rows), low_value and high_value
    (min and max), n and n_values (rows, rows with a value), x_members / y_members (what a binned axis cell
    holds), status and note. `ranks` comes from `axis_ranks`, which checked the table. Everything runs in
    DuckDB and stays in Arrow: no Python object per value.
    """
    if agg not in AGGREGATES:
        raise EvalvizError(f"Unknown agg {agg!r}. Use one of: {', '.join(AGGREGATES)}.")
    src = _rows_sql(columns)
    x_ranks, y_ranks = ranks
    x_axis = BinnedAxis(x_ranks.num_rows, math.ceil(x_ranks.num_rows / max_cells[0]))
    y_axis = BinnedAxis(y_ranks.num_rows, math.ceil(y_ranks.num_rows / max_cells[1]))

    with registered(data, x_ranks, y_ranks) as (xr, yr):
        x_label, x_members, x_joins = _bin_text("x", "a.xb", xr, x_axis)
        y_label, y_members, y_joins = _bin_text("y", "b.yb", yr, y_axis)
        cells = data.sql(
            f"""WITH src AS ({src}),
            binned AS (
                SELECT xr // {x_axis.size} AS xb, yr // {y_axis.size} AS yb, {AGGREGATES[agg]}(v) AS value,
                    min(v) AS low_value, max(v) AS high_value, count(*) AS n, count(v) AS n_values
                FROM src JOIN {xr} USING (x) JOIN {yr} USING (y) GROUP BY xb, yb)
            SELECT CAST(a.xb AS INTEGER) AS xb, CAST(b.yb AS INTEGER) AS yb, binned.value, binned.low_value,
                binned.high_value, CAST(coalesce(binned.n, 0) AS INTEGER) AS n,
                CAST(coalesce(binned.n_values, 0) AS INTEGER) AS n_values,
                {x_label} AS x, {y_label} AS y,
                {"".join(f"{m} AS {axis}_members, " for axis, m in (("x", x_members), ("y", y_members)) if m)}
                CASE WHEN binned.value IS NOT NULL THEN '{OK}' ELSE '{NO_DATA}' END AS status,
                CASE WHEN binned.value IS NOT NULL THEN '{OK}' WHEN binned.n IS NULL THEN '{NO_ROWS_NOTE}'
                     ELSE '{NO_VALUE_NOTE}' END AS note
            FROM range({x_axis.n_bins}) AS a(xb) CROSS JOIN range({y_axis.n_bins}) AS b(yb) {x_joins} {y_joins}
            LEFT JOIN binned ON binned.xb = a.xb AND binned.yb = b.yb
            ORDER BY b.yb, a.xb"""
        )
    # The axis orders are read off the cells, which run through every x bin for each y bin in turn, so the
    # labels are written once, in SQL.
    x_order = cells["x"].slice(0, x_axis.n_bins).to_pylist()
    y_order = [cells["y"][row].as_py() for row in range(0, cells.num_rows, x_axis.n_bins)]
    grid = Grid(cells=cells, x_order=x_order, y_order=y_order)
    return BinnedGrid(grid=grid, x=x_axis, y=y_axis)


# ORDER BY keys of each axis's values (mean m, first row o): "ascending" puts the highest values towards the
# top right (x rising left to right; y lists its top row first, so it falls), ties by label. Values without any
# score go to the low end.
_ORDER_KEYS = {
    "ascending": ("m ASC NULLS FIRST, value", "m DESC NULLS LAST, value"),
    "descending": ("m DESC NULLS LAST, value", "m ASC NULLS FIRST, value"),
    None: ("o", "o"),
}


def _source(data: Data, columns: GridColumns) -> tuple[Data, str]:
    """The checked table, narrowed to the columns the grid reads, and SQL of its (x, y, v) rows."""
    data = checked_source(data, columns)
    data.require_rows()
    return data, _rows_sql(columns)


def _rows_sql(columns: GridColumns) -> str:
    """SQL of the table's rows as (x label, y label, value v), NaN counted as missing."""
    fill = f"CAST({q(columns.fill)} AS DOUBLE)"
    return (
        f"SELECT {label_sql(columns.x, columns.x_group, columns.separator)} AS x, "
        f"{label_sql(columns.y, columns.y_group, columns.separator)} AS y, "
        f"CASE WHEN isnan({fill}) THEN NULL ELSE {fill} END AS v FROM this"
    )


def axis_ranks(data: Data, columns: GridColumns, sort: object) -> tuple[pa.Table, pa.Table]:
    """(x, xr) and (y, yr): each axis's values with their position in drawing order, computed in DuckDB.

    Their lengths are the number of distinct values on each axis.
    """
    data, src = _source(data, columns)
    explicit = sort if isinstance(sort, dict) else None
    if explicit is None and sort not in _ORDER_KEYS:
        raise EvalvizError(
            f"sort={sort!r} is not understood. Use 'ascending', 'descending', None (input order) or "
            "{'x': [...], 'y': [...]}."
        )
    x_key, y_key = _ORDER_KEYS[None if explicit is not None else sort]
    ranks = data.sql(
        f"""WITH src AS (SELECT *, {'row_number() OVER ()' if needs_input_order(sort) else '0'} AS ord FROM ({src})),
        xs AS (SELECT x AS value, avg(v) AS m, min(ord) AS o FROM src GROUP BY x),
        ys AS (SELECT y AS value, avg(v) AS m, min(ord) AS o FROM src GROUP BY y)
        SELECT 0 AS axis, value, row_number() OVER (ORDER BY {x_key}) - 1 AS r FROM xs
        UNION ALL SELECT 1, value, row_number() OVER (ORDER BY {y_key}) - 1 FROM ys
        ORDER BY axis, r"""
    )
    n_x = ranks.num_rows - pc.sum(ranks["axis"]).as_py()
    tables = []
    for axis, part in (("x", ranks.slice(0, n_x)), ("y", ranks.slice(n_x))):
        if explicit is not None:  # rare and small: the explicit order is applied in Python
            values = explicit_order(explicit.get(axis), part["value"].to_pylist())
            part = pa.table({"value": pa.array(values, pa.string()), "r": pa.array(range(len(values)))})
        tables.append(pa.table({axis: part["value"], f"{axis}r": part["r"]}))
    return tables[0], tables[1]


def _bin_text(axis: str, bin_column: str, ranks: str, binned: BinnedAxis) -> tuple[str, str | None, str]:
    """SQL for a bin's axis label and what it holds (None when the axis is not binned), and the joins they
    need: the first and last value of each bin, looked up in the axis's ranks."""
    size, n = binned.size, binned.count
    first, last = f"{axis}_first", f"{axis}_last"
    last_rank = f"least(({bin_column} + 1) * {size}, {n}) - 1"
    joins = (f"JOIN {ranks} AS {first} ON {first}.{axis}r = {bin_column} * {size} "
             f"JOIN {ranks} AS {last} ON {last}.{axis}r = {last_rank}")
    if not binned.binned:
        return f"{first}.{axis}", None, joins
    label = f"format({quote_literal('{:,}' + EN_DASH + '{:,}')}, {bin_column} * {size} + 1, {last_rank} + 1)"
    count = f"{last_rank} - {bin_column} * {size} + 1"
    members = (f"CASE WHEN {count} = 1 THEN {first}.{axis} ELSE {first}.{axis} || {quote_literal(f' {ELLIPSIS} ')} || "
               f"{last}.{axis} || format(' ({{:,}})', {count}) END")
    return label, members, joins


@contextmanager
def registered(data: Data, *tables: pa.Table) -> Iterator[list[str]]:
    """Arrow tables registered under unique names for the length of one query."""
    names = [f"evalviz_ranks_{uuid.uuid4().hex}" for _ in tables]
    try:
        for name, table in zip(names, tables, strict=True):
            data.connection.register(name, table)
        yield [q(n) for n in names]
    finally:
        for name in names:
            data.connection.unregister(name)
