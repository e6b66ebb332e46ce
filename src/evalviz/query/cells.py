"""The statements behind every heatmap: rows of a table aggregated into one cell per (x, y), in DuckDB.

Every function here returns SQL text over the table `this` (or relations named by the caller); nothing runs a
query. `views/grid.py` runs them and turns their Arrow results into a `Grid`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

from evalviz.constants.statuses import ERROR, INFINITE, NO_DATA, OK, PARTIAL, SKIPPED
from evalviz.data.connection import quote_identifier as q
from evalviz.data.connection import quote_literal
from evalviz.query.aggregates import aggregate_sql
from evalviz.query.axes import axis_values_sql, positions_sql, ranked_axis_sql
from evalviz.query.grid_columns import (
    GridColumns,
    filter_field,
    has_interval,
    has_reasons,
    has_sample_counts,
    key_parts,
    part_names,
)
from evalviz.query.rows import row_details_sql, row_status_sql
from evalviz.query.stderr import combined_stderr_sql

# What a "no data" cell's tooltip says: it has no row at all, rows without a value, or infinities that cancel.
NO_ROWS_NOTE, NO_VALUE_NOTE = "no rows", "no value (NaN or empty)"
CANCELLED_NOTE = "no value: its rows hold both inf and -inf"
OVERFLOW_NOTE = " (its rows are finite: their {agg} overflows)"
MIXED = "mixed: "  # begins the scorer of a cell whose rows' values come from several scorers
MAX_NOTE_CHARS = 300  # a cell's note (its status and reasons) is cut to this many characters


def count_sql(expression: str) -> str:
    """SQL of a count as text, with thousands separators (DuckDB's `format`).

    Example:
        >>> count_sql("n")
        "format('{:,}', n)"
    """
    return f"format('{{:,}}', {expression})"


def finite_sql(expression: str) -> str:
    """SQL of `expression` where it is a finite number, else NULL: no infinity or NaN leaves for the chart.

    Example:
        >>> finite_sql("v")
        'CASE WHEN isfinite(v) THEN v END'
    """
    return f"CASE WHEN isfinite({expression}) THEN {expression} END"


def example_text_sql(column: str) -> str:
    """SQL of one non-NULL value of `column` as text (column "v"), or no row: what a type error shows."""
    return f"SELECT CAST({q(column)} AS VARCHAR) AS v FROM this WHERE {q(column)} IS NOT NULL LIMIT 1"


def first_non_number_sql(column: str, *, textual: bool) -> str:
    """SQL of the first row (`row`, 1-based in table order) whose value of `column` is not a number, with that
    value as text (`v`), or no row. A NULL is a missing value, not a wrong one; the value of a `textual` column
    (text, JSON) is a number when it reads as one ("0.5", " 1e3 ", "inf"), any other value never is.

    Example:
        >>> "TRY_CAST(v AS DOUBLE) IS NULL" in first_non_number_sql("score", textual=True)
        True
    """
    wrong = "v IS NOT NULL" + (" AND TRY_CAST(v AS DOUBLE) IS NULL" if textual else "")
    return (f"SELECT row, v FROM (SELECT row_number() OVER () AS row, CAST({q(column)} AS VARCHAR) AS v FROM this) "
            f"WHERE {wrong} ORDER BY row LIMIT 1")


# -- the whole grid --------------------------------------------------------------------------------------------
def sorted_grid_sql(columns: GridColumns, agg: str, *, by_value: Literal["ascending", "descending"] | None,
                    given: tuple[tuple[str | None, ...] | None, tuple[str | None, ...] | None],
                    input_order: bool) -> str:
    """SQL of the whole grid of the table `this` (`grid_sql`'s columns), each axis ordered by the mean of its
    cells' values (`by_value`), or with the labels of an explicit order (`given`, per axis) first, values left
    out in input order (`input_order`: the rows' positions are read).

    Example:
        >>> sql = sorted_grid_sql(GridColumns(x="t", y="m", fill="s"), "mean", by_value="ascending",
        ...                       given=(None, None), input_order=False)
        >>> sql.strip().startswith("WITH cells AS MATERIALIZED")
        True
    """
    cells = cells_sql(columns, agg, input_order=input_order)
    xs, ys = (ranked_axis_sql(axis, columns, axis_values_sql(axis, columns, "cells", finite_sql("total")),
                              by_value=by_value, given=order)
              for axis, order in zip("xy", given, strict=True))
    return grid_sql(columns, cells, xs, ys, agg)


def ranked_grid_sql(columns: GridColumns, agg: str, ranks: tuple[str, str]) -> str:
    """SQL of the grid of the table `this` over the axis values of the tables `ranks` (x's and y's ranked values,
    as `bins.axis_ranks_sql` gives them), in their order; values without rows are cells without data."""
    xs, ys = (positions_sql(axis, columns, name) for axis, name in zip("xy", ranks, strict=True))
    return grid_sql(columns, cells_sql(columns, agg, input_order=False), xs, ys, agg)


def ranked_values_sql(columns: GridColumns, agg: str, ranks: tuple[str, str]) -> str:
    """SQL of each cell of the table `this` that has a finite value, by the positions of its axis values in the
    tables `ranks` (x's and y's, as `bins.axis_ranks_sql` gives them): xr, yr and value. What a clustering of the
    axes reads: only the keys, values and statuses are read.

    Example:
        >>> sql = ranked_values_sql(GridColumns(x="t", y="m", fill="s"), "mean", ("xr_t", "yr_t"))
        >>> "JOIN xr_t ON cells.x_v IS NOT DISTINCT FROM xr_t.x_v" in sql
        True
    """
    reading = replace(columns, link=None, size=None, low=None, high=None, stderr=None, scorer=None, metric=None)
    parts = ", ".join(part_names(columns, "x", "y"))
    joins = " ".join(
        f"JOIN {name} ON " + " AND ".join(f"cells.{part} IS NOT DISTINCT FROM {name}.{part}"
                                           for part in part_names(columns, axis))
        for axis, name in zip("xy", ranks, strict=True))
    value = finite_sql("cells.total")
    return (f"SELECT {ranks[0]}.xr, {ranks[1]}.yr, {value} AS value FROM ("
            f"SELECT {parts}, {aggregate_sql(agg, 'v')} AS total FROM ({rows_sql(reading, input_order=False)}) "
            f"GROUP BY {parts}) AS cells {joins} WHERE {value} IS NOT NULL")


# -- rows and cells --------------------------------------------------------------------------------------------
def rows_sql(columns: GridColumns, *, input_order: bool) -> str:
    """SQL of the rows of the table `this` as a grid reads them.

    Columns: the key parts of both axes (`key_parts`), f (the value as a double), st (the row's status: "ok",
    "skipped" or "error"), why (its reason), ord (its position in the table when `input_order`, else 0), v (f,
    or NULL when it is NaN or the row is skipped or failed; infinities are kept, and flagged per cell), and when
    the data has them: lnk, sz, lo and hi (a finite interval), se (a finite standard error), done and planned
    (samples completed, of how many) and scorer.
    """
    keys = [f"{q(column)} AS {name}" for axis in "xy" for column, name in key_parts(columns, axis)]
    status, reason = row_status_sql(status=columns.status, reason=columns.reason, error=columns.error)
    select = [*keys, f"CAST({q(columns.fill)} AS DOUBLE) AS f", f"{status} AS st", f"{reason} AS why",
              f"{'row_number() OVER ()' if input_order else '0'} AS ord"]
    select += row_details_sql(columns)
    select += [f"{q(column)} AS {filter_field(i)}" for i, column in enumerate(columns.filters)]
    if columns.size:
        select.append(f"TRY_CAST({q(columns.size)} AS BIGINT) AS sz")
    if columns.low and columns.high:
        select += [f"{finite_sql(f'CAST({q(columns.low)} AS DOUBLE)')} AS lo",
                   f"{finite_sql(f'CAST({q(columns.high)} AS DOUBLE)')} AS hi"]
    elif columns.stderr:
        select.append(f"{finite_sql(f'CAST({q(columns.stderr)} AS DOUBLE)')} AS se")
    return (f"SELECT *, CASE WHEN st = {quote_literal(OK)} AND NOT isnan(f) THEN f END AS v "
            f"FROM (SELECT {', '.join(select)} FROM this)")



def cell_aggregates(columns: GridColumns, agg: str) -> list[str]:
    """SQL of what a cell (or a bin of cells) keeps of its rows (`rows_sql`'s columns).

    n, ord, n_errors (failed rows), all_skipped, total (the `agg` of the values, infinities kept), n_values,
    n_infinite, and the optional reason, size, link (a failed row's, when one has a link: what the cell's mark
    points at; else the first), low, high, done and planned (samples completed, of how many, over the rows with
    a value) and scorer ("mixed: ..." when its rows' values come from several scorers).
    """
    ok, error, skipped = quote_literal(OK), quote_literal(ERROR), quote_literal(SKIPPED)
    cell = ["count(*) AS n", "min(ord) AS ord", f"count(*) FILTER (WHERE st = {error}) AS n_errors",
            f"bool_and(st = {skipped}) AS all_skipped", f"{aggregate_sql(agg, 'v')} AS total", "count(v) AS n_values",
            "count(v) FILTER (WHERE isinf(v)) AS n_infinite"]
    if has_reasons(columns):
        cell.append(f"string_agg(DISTINCT why, '; ' ORDER BY why) FILTER (WHERE st <> {ok}) AS reason")
    if columns.size:
        cell.append("TRY_CAST(sum(sz) AS BIGINT) AS size")
    if columns.link:
        cell.append(f"coalesce(min(lnk) FILTER (WHERE st = {error}), min(lnk)) AS link")
    if has_sample_counts(columns):
        counted = "v IS NOT NULL AND done IS NOT NULL AND planned IS NOT NULL"
        cell += [f"sum(done) FILTER (WHERE {counted}) AS done", f"sum(planned) FILTER (WHERE {counted}) AS planned"]
    cell += _interval_sql(agg, columns)
    # A filter column the grid ships with its cells holds one value per cell (`query.cell_filters`).
    cell += [f"any_value({filter_field(i)}) AS {filter_field(i)}" for i in range(len(columns.filters))]
    if columns.scorer:
        scorers = "string_agg(DISTINCT scorer, ', ' ORDER BY scorer) FILTER (WHERE v IS NOT NULL)"
        cell.append(f"CASE WHEN count(DISTINCT scorer) FILTER (WHERE v IS NOT NULL) > 1 "
                    f"THEN {quote_literal(MIXED)} || {scorers} ELSE {scorers} END AS scorer")
    return cell


def _interval_sql(agg: str, columns: GridColumns) -> list[str]:
    """SQL of a cell's interval, low and high (finite, or NULL)."""
    if columns.low and columns.high:
        # An interval stays meaningful only for a cell of one row: there is no interval of averaged intervals.
        return ["CASE WHEN count(*) = 1 THEN max(lo) END AS low", "CASE WHEN count(*) = 1 THEN max(hi) END AS high"]
    if columns.stderr:
        # The standard error of a mean (or sum) of independent estimates, the rule the score charts share;
        # other aggregates get none.
        se = combined_stderr_sql(agg) if agg in ("mean", "sum") else "CASE WHEN count(*) = 1 THEN max(se) END"
        value = aggregate_sql(agg, "v")
        return [f"{finite_sql(f'{value} - 1.96 * ({se})')} AS low",
                f"{finite_sql(f'{value} + 1.96 * ({se})')} AS high"]
    return []


def cells_sql(columns: GridColumns, agg: str, *, input_order: bool) -> str:
    """SQL of one row per (x, y) pair of key values that has rows in the table `this`: the key parts and
    `cell_aggregates`' columns (`ord` the pair's first row, when `input_order`)."""
    parts = ", ".join(part_names(columns, "x", "y"))
    return (f"SELECT {parts}, {', '.join(cell_aggregates(columns, agg))} "
            f"FROM ({rows_sql(columns, input_order=input_order)}) GROUP BY {parts}")


def _status_sql(counted: bool) -> str:
    """SQL of a cell's status, from `cell_aggregates`' columns (n is NULL for a cell without rows)."""
    fewer = "done < planned" if counted else "false"
    no_data, error, skipped = quote_literal(NO_DATA), quote_literal(ERROR), quote_literal(SKIPPED)
    return (f"CASE WHEN n IS NULL THEN {no_data} WHEN n_errors = n THEN {error} "
            f"WHEN all_skipped THEN {skipped} WHEN isinf(total) THEN {quote_literal(INFINITE)} "
            f"WHEN total IS NULL OR isnan(total) THEN CASE WHEN n_errors > 0 THEN {error} ELSE {no_data} END "
            f"WHEN n_errors > 0 OR {fewer} THEN {quote_literal(PARTIAL)} ELSE {quote_literal(OK)} END")


def _note_sql(columns: GridColumns, agg: str) -> str:
    """SQL of what a cell's status means for it (NULL for "ok"), with its rows' reasons."""
    counted = has_sample_counts(columns)
    failed = (f"CASE WHEN n_errors > 0 THEN {count_sql('n_errors')} || ' of ' || {count_sql('n')} "
              f"|| ' rows failed' END")
    completed = (f"CASE WHEN done < planned THEN {count_sql('done')} || ' of ' || {count_sql('planned')} "
                 f"|| ' samples completed' END") if counted else "NULL"
    ok, error, partial = quote_literal(OK), quote_literal(ERROR), quote_literal(PARTIAL)
    note = (f"CASE status WHEN {ok} THEN NULL "
            f"WHEN {partial} THEN {quote_literal(f'{PARTIAL}: ')} || concat_ws('; ', {failed}, {completed}) "
            f"WHEN {quote_literal(NO_DATA)} THEN CASE WHEN n = 0 THEN {quote_literal(NO_ROWS_NOTE)} "
            f"WHEN isnan(total) THEN {quote_literal(CANCELLED_NOTE)} ELSE {quote_literal(NO_VALUE_NOTE)} END "
            f"WHEN {quote_literal(INFINITE)} THEN CASE WHEN total > 0 THEN 'inf' ELSE '-inf' END "
            f"|| CASE WHEN n_infinite = 0 THEN {quote_literal(OVERFLOW_NOTE.format(agg=agg))} ELSE '' END "
            f"WHEN {error} THEN CASE WHEN n = 1 THEN 'error' "
            f"WHEN n_errors = n THEN 'error (all ' || {count_sql('n')} || ' rows)' "
            f"ELSE 'error (' || {failed} || '; the others have no value)' END ELSE status END")
    if has_reasons(columns):
        note = (f"CASE WHEN status NOT IN ({ok}, {quote_literal(INFINITE)}) AND reason <> '' "
                f"THEN {note} || ': ' || reason ELSE {note} END")
    return note


def _cut_note_sql() -> str:
    """SQL of the column note cut to MAX_NOTE_CHARS characters, an ellipsis ending a cut one."""
    return (f"CASE WHEN length(note) > {MAX_NOTE_CHARS} THEN left(note, {MAX_NOTE_CHARS - 1}) || "
            f"{quote_literal(chr(0x2026))} ELSE note END")


def judged_sql(relation: str, columns: GridColumns, agg: str) -> str:
    """SQL of `relation` (one cell per row with `cell_aggregates`' columns; n is NULL for a cell without rows)
    with each cell's value (finite, or NULL), status and note, and n and n_values 0 for a cell without rows.

    A cell whose rows all failed is an error; one with skipped rows only, skipped; an infinite value is flagged
    "infinite"; without a value (no rows, NaN and NULL only, or inf and -inf that cancel) a cell has no data,
    or is an error when some of its rows failed. A cell with a value is coloured by it, and is "partly failed"
    when some of its rows failed or completed fewer samples than they had; its note says how many.
    """
    return f"""
        SELECT * EXCLUDE (note), {_cut_note_sql()} AS note FROM (
            SELECT *, {_note_sql(columns, agg)} AS note FROM (
                SELECT * EXCLUDE (n, n_values, total), {finite_sql("total")} AS value, coalesce(n, 0) AS n,
                    coalesce(n_values, 0) AS n_values, total
                FROM (SELECT *, {_status_sql(has_sample_counts(columns))} AS status FROM ({relation}))))"""


def grid_sql(columns: GridColumns, cells: str, xs: str, ys: str, agg: str) -> str:
    """SQL of every (x, y) pair of the axes `xs` and `ys` (SQL of `ranked_axis_sql`'s columns) in drawing order,
    with its cell from `cells` (SQL of `cells_sql`): a pair without rows is a cell without data.

    Columns: x, x_label, y, y_label, value, n, n_values, status, note, the optional reason, size, link, low,
    high and scorer, the key parts (`columns.raw_keys`) and filter columns (`columns.filters`) when shipped, and
    the positions xo and yo.
    """
    matched = " AND ".join(f"cells.{name} IS NOT DISTINCT FROM {axis}s.{name}"
                           for axis in "xy" for name in part_names(columns, axis))
    parts = ", ".join(part_names(columns, "x", "y"))
    raw = "".join(f"{axis}s.{name}, " for axis in "xy" for name in part_names(columns, axis)) \
        if columns.raw_keys else ""
    paired = (f"SELECT xs.x, xs.x_label, xs.xo, ys.y, ys.y_label, ys.yo, {raw}cells.* EXCLUDE ({parts}, ord) "
              f"FROM xs CROSS JOIN ys LEFT JOIN cells ON {matched}")
    interval = has_interval(columns)
    optional = [name for name, present in (
        ("reason", has_reasons(columns)), ("size", columns.size), ("link", columns.link), ("low", interval),
        ("high", interval), ("scorer", columns.scorer),
    ) if present]
    shipped = [*(part_names(columns, "x", "y") if columns.raw_keys else []),
               *(filter_field(i) for i in range(len(columns.filters)))]
    output = ["x", "x_label", "y", "y_label", "value", "n", "n_values", "status", "note", *optional, *shipped,
              "xo", "yo"]
    judged = judged_sql(paired, columns, agg)
    return f"""
        WITH cells AS MATERIALIZED ({cells}), xs AS ({xs}), ys AS ({ys})
        SELECT {", ".join(output)} FROM ({bounded_intervals_sql(judged) if interval else judged}) ORDER BY yo, xo"""


def bounded_intervals_sql(relation: str) -> str:
    """SQL of `relation` (with value, low and high) whose intervals are clipped to [0, 1] when every value lies
    in [0, 1]: a score bounded there (an accuracy, a rate) has no interval beyond it, though a normal
    approximation (value ± 1.96 stderr) reaches past its ends."""
    clipped = "CASE WHEN bounded AND {end} IS NOT NULL THEN greatest(0.0, least(1.0, {end})) ELSE {end} END AS {end}"
    return f"""
        SELECT * EXCLUDE (bounded) REPLACE ({clipped.format(end="low")}, {clipped.format(end="high")})
        FROM (SELECT *, coalesce(min(value) OVER () >= 0 AND max(value) OVER () <= 1, false) AS bounded
              FROM ({relation}))"""
