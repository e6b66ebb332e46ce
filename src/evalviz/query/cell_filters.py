"""The statements that let a standalone page filter a grid's cells exactly: which filter columns hold one value per
cell, and the rows of each cell grouped by the filter columns with the decomposable parts of its statistic.

A filter column that holds one value in every cell (a model's organisation, per (model, task) cell) is shipped
with the cells, and a row filter on the cells is exact. A column that varies inside a cell (an epoch, a run) is
answered from `parts_sql`: per cell and combination of filter values, the counts, the sum (or min, or max) of
the values and the sums a standard error needs, which the browser filters and adds up again
(`views.grid_filters`), so that a filtered mean is the mean of the filtered rows.
"""

from __future__ import annotations

from evalviz.constants.statuses import ERROR, SKIPPED
from evalviz.data.connection import quote_identifier as q
from evalviz.data.connection import quote_literal
from evalviz.query.cells import rows_sql
from evalviz.query.grid_columns import GridColumns, filter_field, has_interval, has_sample_counts, key_parts, part_names

# How each aggregate's parts combine: the part of a group of rows, and the Vega-Lite op that combines parts.
# A median has no such parts: a filter varying inside a cell then needs the live widget.
DECOMPOSABLE = {"mean": ("sum", "sum"), "sum": ("sum", "sum"), "min": ("min", "min"), "max": ("max", "max")}


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
    part = DECOMPOSABLE[agg][0]
    error, skipped = quote_literal(ERROR), quote_literal(SKIPPED)
    sums = ["count(*) AS n", f"count(*) FILTER (WHERE st = {error}) AS n_errors",
            f"count(*) FILTER (WHERE st = {skipped}) AS n_skipped", "count(v) AS n_values",
            "count(v) FILTER (WHERE isinf(v)) AS n_infinite", f"{part}(v) AS part"]
    if columns.stderr and not (columns.low and columns.high):
        sums += ["sum(se * se) FILTER (WHERE v IS NOT NULL) AS ss",
                 "count(se) FILTER (WHERE v IS NOT NULL) AS n_se"]
    elif has_interval(columns):
        sums += ["CASE WHEN count(*) = 1 THEN max(lo) END AS lo", "CASE WHEN count(*) = 1 THEN max(hi) END AS hi"]
    if has_sample_counts(columns):
        counted = "v IS NOT NULL AND done IS NOT NULL AND planned IS NOT NULL"
        sums += [f"sum(done) FILTER (WHERE {counted}) AS done", f"sum(planned) FILTER (WHERE {counted}) AS planned"]
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
