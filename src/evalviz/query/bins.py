"""The statements of a binned grid: each axis's values ranked in drawing order, and the cells of runs of them."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Literal

from evalviz.data.connection import quote_literal
from evalviz.query.axes import axis_values_sql, ranked_axis_sql
from evalviz.query.cell_filters import combined_mean_sql, combined_sql
from evalviz.query.cells import cell_aggregates, count_sql, finite_sql, judged_sql, rows_sql
from evalviz.query.grid_columns import GridColumns, key_parts

ELLIPSIS, EN_DASH = "\u2026", "\u2013"


@dataclass(frozen=True)
class AxisBins:
    """How one axis is binned: its ranked values are the table `ranks` (`axis_ranks_sql`'s rows of the axis),
    `count` of them, `size` consecutive ones to a bin."""

    ranks: str
    count: int
    size: int

    @property
    def n_bins(self) -> int:
        return math.ceil(self.count / self.size)


def axis_ranks_sql(columns: GridColumns, *, by_value: Literal["ascending", "descending"] | None,
                   given: tuple[tuple[str | None, ...] | None, tuple[str | None, ...] | None],
                   input_order: bool, grouped: bool = False) -> str:
    """SQL of the values of both axes of the table `this` in drawing order, x's first: axis (0 for x, 1 for y)
    and `ranked_axis_sql`'s columns of each, ordered as `sorted_grid_sql` orders them (by the mean of their
    rows' finite values here, where a grid takes the mean of its cells' values). `grouped`: `this` holds the
    rows grouped already (`cell_filters.grouped_rows_sql`).

    Only the keys and values are read: links, the longest column of a samples table, are not.

    Example:
        >>> sql = axis_ranks_sql(GridColumns(x="id", y="model", fill="s"), by_value="ascending",
        ...                      given=(None, None), input_order=False)
        >>> "UNION ALL BY NAME" in sql
        True
    """
    reading = replace(columns, link=None, size=None, low=None, high=None, stderr=None, scorer=None, metric=None)
    mean = combined_mean_sql("finite", "finite_scaled", "n_finite") if grouped else None
    ranked = [ranked_axis_sql(axis, columns, axis_values_sql(axis, columns, "src", finite_sql("v"), mean),
                              by_value=by_value, given=order)
              for axis, order in zip("xy", given, strict=True)]
    rows = "SELECT * FROM this" if grouped else rows_sql(reading, input_order=input_order)
    return f"""WITH src AS MATERIALIZED ({rows})
        SELECT 0 AS axis, * FROM ({ranked[0]}) UNION ALL BY NAME SELECT 1 AS axis, * FROM ({ranked[1]})
        ORDER BY axis, xo NULLS LAST, yo"""


def binned_cells_sql(columns: GridColumns, agg: str, x: AxisBins, y: AxisBins, grouped: bool = False) -> str:
    """SQL of one cell per (x bin, y bin) of the table `this`, ordered by y bin, then x bin.

    Columns: xb, yb (bin numbers), x, y (a bin's key: its range "1–40", or the value's key on an axis that is
    not binned), x_label, y_label, x_members / y_members (what a bin of a binned axis holds: "a … b (40)"),
    low_value and high_value (min and max of the finite values), and `judged_sql`'s value, n, n_values, status
    and note. A bin opens no link: its rows' links are not read. `grouped`: `this` holds the rows grouped
    already (`cell_filters.grouped_rows_sql`), whose parts add up into the bins (`cell_filters.combined_sql`).
    """
    columns = replace(columns, link=None)
    x_label, x_text, x_members, x_joins = _bin_text("x", "a.xb", x)
    y_label, y_text, y_members, y_joins = _bin_text("y", "b.yb", y)
    members = "".join(f"{m} AS {axis}_members, " for axis, m in (("x", x_members), ("y", y_members)) if m)
    bins = f"""
        SELECT CAST(a.xb AS INTEGER) AS xb, CAST(b.yb AS INTEGER) AS yb, binned.* EXCLUDE (xb, yb),
            {x_label} AS x, {x_text} AS x_label, {y_label} AS y, {y_text} AS y_label, {members}
        FROM range({x.n_bins}) AS a(xb) CROSS JOIN range({y.n_bins}) AS b(yb) {x_joins} {y_joins}
        LEFT JOIN binned ON binned.xb = a.xb AND binned.yb = b.yb"""
    rows = "SELECT * FROM this" if grouped else rows_sql(columns, input_order=False)
    aggregates = combined_sql(columns, agg) if grouped else [
        *cell_aggregates(columns, agg),
        "min(v) FILTER (WHERE isfinite(v)) AS low_value", "max(v) FILTER (WHERE isfinite(v)) AS high_value"]
    return f"""WITH src AS ({rows}),
        binned AS (
            SELECT {x.ranks}.xr // {x.size} AS xb, {y.ranks}.yr // {y.size} AS yb, {", ".join(aggregates)}
            FROM src JOIN {x.ranks} ON {_matched(columns, "x", x.ranks)}
                JOIN {y.ranks} ON {_matched(columns, "y", y.ranks)}
            GROUP BY ALL)
        SELECT * FROM ({judged_sql(bins, columns, agg)}) ORDER BY yb, xb"""


def _matched(columns: GridColumns, axis: str, ranks: str) -> str:
    """SQL matching the rows `src` to the values of `axis` in `ranks` by their key parts (NULL matching NULL)."""
    return " AND ".join(f"src.{name} IS NOT DISTINCT FROM {ranks}.{name}" for _, name in key_parts(columns, axis))


def _bin_text(axis: str, bin_column: str, bins: AxisBins) -> tuple[str, str, str | None, str]:
    """SQL for a bin's key and label on the axis, what it holds (None when the axis is not binned), and the
    joins they need: the first and last value of each bin, looked up in the axis's ranks."""
    size, n, ranks = bins.size, bins.count, bins.ranks
    first, last = f"{axis}_first", f"{axis}_last"
    last_rank = f"least(({bin_column} + 1) * {size}, {n}) - 1"
    joins = (f"JOIN {ranks} AS {first} ON {first}.{axis}r = {bin_column} * {size} "
             f"JOIN {ranks} AS {last} ON {last}.{axis}r = {last_rank}")
    if size <= 1:
        return f"{first}.{axis}", f"{first}.{axis}_label", None, joins
    label = f"{count_sql(f'{bin_column} * {size} + 1')} || {quote_literal(EN_DASH)} || {count_sql(f'{last_rank} + 1')}"
    count = f"{last_rank} - {bin_column} * {size} + 1"
    first_label, last_label = f"{first}.{axis}_label", f"{last}.{axis}_label"
    members = (f"CASE WHEN {count} = 1 THEN {first_label} ELSE {first_label} || {quote_literal(f' {ELLIPSIS} ')} || "
               f"{last_label} || ' (' || {count_sql(count)} || ')' END")
    return label, label, members, joins
