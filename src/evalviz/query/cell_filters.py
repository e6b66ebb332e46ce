"""The statements that let a standalone page filter a grid's cells exactly: which filter columns hold one value per
cell, and the rows of each cell grouped by the filter columns with the decomposable parts of its statistic.

A filter column that holds one value in every cell (a model's organisation, per (model, task) cell) is shipped
with the cells, and a row filter on the cells is exact. A column that varies inside a cell (an epoch, a run) is
answered from `parts_sql`: per cell and combination of filter values, the counts, the sum (or min, or max) of
the values and the sums a standard error needs, which the browser filters and adds up again
(`views.grid_filters`), so that a filtered mean is the mean of the filtered rows.

A live widget answers a binned chart's filters the same way, in the kernel: `grouped_rows_sql` groups the rows
once by cell and filter columns (no cap: a DuckDB table), and `combined_sql` adds the groups a filter keeps up
again into what a cell of those rows holds (`views.binned_requery`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from evalviz.constants.statuses import ERROR, OK, SKIPPED
from evalviz.data.connection import quote_identifier as q
from evalviz.data.connection import quote_literal
from evalviz.query.cells import finite_sql, rows_sql
from evalviz.query.grid_columns import (
    GridColumns,
    filter_field,
    has_interval,
    has_reasons,
    has_sample_counts,
    key_parts,
    part_names,
)

# How each aggregate's parts combine: the part of a group of rows, and the Vega-Lite op that combines parts.
# A median has no such parts: a filter varying inside a cell then needs the live widget.
DECOMPOSABLE = {"mean": ("sum", "sum"), "sum": ("sum", "sum"), "min": ("min", "min"), "max": ("max", "max")}
# A mean whose sum overflows is taken of the values scaled down, as `query.aggregates.aggregate_sql` takes it.
SCALE = "pow(2.0, -600)"


def constant_sql(columns: GridColumns, filters: list[str]) -> str:
    """SQL of one row: c0, c1, ... whether each of `filters` holds one value (NULL counted as a value) within every
    cell of the table `this`.

    Example:
        >>> sql = constant_sql(GridColumns(x="task", y="model", fill="score"), ["org"])
        >>> "count(DISTINCT \\"org\\")" in sql
        True
    """
    return constant_within_sql([q(column) for axis in "xy" for column, _ in key_parts(columns, axis)], filters)


def constant_within_sql(keys: list[str], filters: list[str]) -> str:
    """SQL of one row: c0, c1, ... whether each of `filters` holds one value (NULL counted as a value) within every
    group of the table `this` by the SQL expressions `keys` (a drawn mark's key: its model, its series...; none:
    the whole table is one group).

    Example:
        >>> constant_within_sql(["series"], ["run"]).endswith("GROUP BY series)")
        True
    """
    counts = ", ".join(f"count(DISTINCT {q(c)}) + CAST(bool_or({q(c)} IS NULL) AS INTEGER) AS d{i}"
                       for i, c in enumerate(filters))
    checks = ", ".join(f"coalesce(bool_and(d{i} <= 1), true) AS c{i}" for i in range(len(filters)))
    grouped = f" GROUP BY {', '.join(keys)}" if keys else ""
    return f"SELECT {checks} FROM (SELECT {counts} FROM this{grouped})"


def parts_sql(columns: GridColumns, agg: str, cells: str, limit: int) -> str:
    """SQL of the rows of the table `this` grouped by cell and by the values of `columns.filters`: cell (the
    cell's row in the table `cells`, which holds the cells with their key parts and n), the key parts, the
    filter columns, n, n_errors, n_skipped, n_values, n_infinite, part (the `agg`'s part: a sum, min or max of
    the values), and when the grid has them ss and n_se (the sum of squared standard errors of the rows with a
    value, and how many have one), lo and hi (a group of one row's interval), done and planned. A cell without
    rows is one row with n = 0 and NULL filter values. At most `limit` rows.

    Example:
        >>> sql = parts_sql(GridColumns(x="t", y="m", fill="s", filters=("epoch",)), "mean", "grid", 100)
        >>> "GROUP BY x_v, y_v, f0" in sql
        True
    """
    keys = part_names(columns, "x", "y")
    filters = [filter_field(i) for i in range(len(columns.filters))]
    sums = part_sums(columns, agg)
    if columns.stderr and not (columns.low and columns.high):
        sums += ["sum(se * se) FILTER (WHERE v IS NOT NULL) AS ss",
                 "count(se) FILTER (WHERE v IS NOT NULL) AS n_se"]
    elif has_interval(columns):
        sums += ["CASE WHEN count(*) = 1 THEN max(lo) END AS lo", "CASE WHEN count(*) = 1 THEN max(hi) END AS hi"]
    grouped = ", ".join([*keys, *filters])
    matched = " AND ".join(f"p.{k} IS NOT DISTINCT FROM g.{k}" for k in keys)
    return f"""
        WITH g AS (SELECT row_number() OVER () - 1 AS cell, * FROM {cells})
        SELECT * FROM (
            SELECT g.cell, p.* FROM (
                SELECT {grouped}, {", ".join(sums)} FROM ({rows_sql(columns, input_order=False)}) GROUP BY {grouped}
            ) AS p JOIN g ON {matched}
            UNION ALL BY NAME
            SELECT cell, {", ".join(keys)}, 0 AS n FROM g WHERE g.n = 0)
        ORDER BY cell LIMIT {int(limit)}"""


def part_sums(columns: GridColumns, agg: str) -> list[str]:
    """SQL of the decomposable parts of a group of `rows_sql`'s rows: n, n_errors, n_skipped, n_values,
    n_infinite, part (the `agg`'s part: a sum, min or max of the values) and, when the grid has them, done and
    planned (samples completed, of how many, over the rows with a value).

    Example:
        >>> part_sums(GridColumns(x="t", y="m", fill="s"), "max")[-1]
        'max(v) AS part'
    """
    error, skipped = quote_literal(ERROR), quote_literal(SKIPPED)
    sums = ["count(*) AS n", f"count(*) FILTER (WHERE st = {error}) AS n_errors",
            f"count(*) FILTER (WHERE st = {skipped}) AS n_skipped", "count(v) AS n_values",
            "count(v) FILTER (WHERE isinf(v)) AS n_infinite", f"{DECOMPOSABLE[agg][0]}(v) AS part"]
    if has_sample_counts(columns):
        counted = "v IS NOT NULL AND done IS NOT NULL AND planned IS NOT NULL"
        sums += [f"sum(done) FILTER (WHERE {counted}) AS done", f"sum(planned) FILTER (WHERE {counted}) AS planned"]
    return sums


def groupable(columns: GridColumns, agg: str) -> bool:
    """Whether a binned grid's cells can be added up from `grouped_rows_sql`'s groups: a decomposable `agg`, and
    no column whose cell value is not (a size, an interval, a scorer).

    Example:
        >>> groupable(GridColumns(x="t", y="m", fill="s"), "median")
        False
    """
    return agg in DECOMPOSABLE and not (columns.size or has_interval(columns) or columns.scorer)


def grouped_rows_sql(columns: GridColumns, agg: str, by: Sequence[str], *, input_order: bool = False) -> str:
    """SQL of the rows of the table `this` (as `rows_sql` reads them) grouped by their cell's key parts and the
    columns `by`, these under their own names (so a selection's condition reads them as it reads the rows), ordered
    by `by`: the key parts, the `by` columns, `part_sums`' columns, ord (the group's first row), low_value and
    high_value (min and max of the finite values), finite, n_finite and finite_scaled (their sum, count and sum
    scaled down: what an axis is sorted by), for a mean scaled (the values' sum scaled down, for a sum that
    overflows), and
    reasons (the distinct reasons of its rows that are not ok) when the rows give reasons. `groupable(columns,
    agg)` must hold. `input_order`: ord is the position of the group's first row in the table, else 0.

    Example:
        >>> sql = grouped_rows_sql(GridColumns(x="id", y="model", fill="s"), "mean", ["org"])
        >>> 'f0 AS "org"' in sql and "GROUP BY x_v, y_v, f0" in sql
        True
    """
    keys = part_names(columns, "x", "y")
    fields = [filter_field(i) for i in range(len(by))]
    finite = finite_sql("v")
    sums = [*part_sums(columns, agg), "min(ord) AS ord", f"min({finite}) AS low_value", f"max({finite}) AS high_value",
            f"sum({finite}) AS finite", f"count({finite}) AS n_finite", f"sum({finite} * {SCALE}) AS finite_scaled"]
    if agg == "mean":
        sums.append(f"sum(v * {SCALE}) AS scaled")
    if has_reasons(columns):
        sums.append(f"list(DISTINCT why) FILTER (WHERE st <> {quote_literal(OK)}) AS reasons")
    named = [f"{field} AS {q(column)}" for field, column in zip(fields, by, strict=True)]
    rows = rows_sql(replace(columns, filters=tuple(by), link=None), input_order=input_order)
    order = f" ORDER BY {', '.join(fields)}" if fields else ""
    return (f"SELECT {', '.join([*keys, *named, *sums])} FROM ({rows}) "
            f"GROUP BY {', '.join([*keys, *fields])}{order}")


def grouped_columns(columns: GridColumns, agg: str) -> list[str]:
    """The names of `grouped_rows_sql`'s own columns (key parts and sums): the columns a group's filter columns
    must not be named.

    Example:
        >>> "n_values" in grouped_columns(GridColumns(x="t", y="m", fill="s"), "sum")
        True
    """
    sums = [*part_sums(columns, agg), "ord", "low_value", "high_value", "finite", "n_finite", "scaled",
            "finite_scaled", "reasons"]
    return [*part_names(columns, "x", "y"), *(s.rsplit(" AS ", 1)[-1] for s in sums)]


def combined_sql(columns: GridColumns, agg: str) -> list[str]:
    """SQL of what a cell (or bin) of rows holds, `cells.cell_aggregates`' columns and low_value and high_value,
    over groups of those rows (`grouped_rows_sql`'s): counts and sums added up, a mean the sum of the sums over
    the number of values, a min the min of the mins.

    Example:
        >>> combined_sql(GridColumns(x="t", y="m", fill="s"), "sum")[0]
        'CAST(sum(n) AS BIGINT) AS n'
    """
    counts = [f"CAST(sum({count}) AS BIGINT) AS {count}" for count in ("n", "n_errors", "n_values", "n_infinite")]
    out = [*counts, "min(ord) AS ord", "sum(n_skipped) = sum(n) AS all_skipped", f"{_combined_total(agg)} AS total"]
    if has_reasons(columns):
        out.append("array_to_string(list_sort(list_distinct(flatten(list(reasons) FILTER (WHERE reasons IS NOT "
                   "NULL)))), '; ') AS reason")
    if has_sample_counts(columns):
        out += ["sum(done) AS done", "sum(planned) AS planned"]
    return [*out, "min(low_value) AS low_value", "max(high_value) AS high_value"]


def combined_mean_sql(total: str, scaled: str, count: str, infinite: str | None = None) -> str:
    """SQL of the mean of values over groups holding their sum `total`, its scaled-down twin `scaled` and their
    number `count` (and how many are infinite, `infinite`): finite where the values are, though the sum of
    sums overflows, as `query.aggregates.aggregate_sql` takes a mean.

    Example:
        >>> combined_mean_sql("finite", "finite_scaled", "n_finite").startswith("CASE WHEN isinf(sum(finite)")
        True
    """
    plain = f"sum({total}) / sum({count})"
    overflowed = f"isinf({plain})" + (f" AND sum({infinite}) = 0" if infinite else "")
    return f"CASE WHEN {overflowed} THEN sum({scaled}) / sum({count}) / {SCALE} ELSE {plain} END"


def _combined_total(agg: str) -> str:
    """SQL of the `agg` of the values of groups (its part added up: `DECOMPOSABLE`)."""
    if agg == "mean":
        return combined_mean_sql("part", "scaled", "n_values", "n_infinite")
    return f"{DECOMPOSABLE[agg][1]}(part)"


def kept_groups_sql(name: str, staged: str) -> str:
    """Keep the grouped rows registered as `staged` in a temporary table `name` (on the cursor that runs it).

    Example:
        >>> kept_groups_sql("groups", "staged")
        'CREATE TEMP TABLE "groups" AS SELECT * FROM "staged"'
    """
    return f"CREATE TEMP TABLE {q(name)} AS SELECT * FROM {q(staged)}"


def groups_sql(name: str) -> str:
    """The grouped rows kept in the temporary table `name`.

    Example:
        >>> groups_sql("groups")
        'SELECT * FROM "groups"'
    """
    return f"SELECT * FROM {q(name)}"
