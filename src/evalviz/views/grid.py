"""The SQL behind every heatmap: rows of a `Data` aggregated into one cell per (x, y), in DuckDB.

Only the cells leave DuckDB. `heatmap.py` draws them; nothing here knows about Vega-Lite.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from evalviz.data.connection import quote_identifier as q
from evalviz.data.connection import quote_literal
from evalviz.data.nested_scores import nested_value_error
from evalviz.data.number_text import reads_as_score
from evalviz.data.table import Data
from evalviz.data.types import describe, is_boolean, is_integer, is_json, is_numeric, is_text
from evalviz.errors import ColumnTypeError, EvalvizError
from evalviz.views.formatting import count_sql
from evalviz.views.options import did_you_mean

AGGREGATES = {"mean": "avg", "median": "median", "min": "min", "max": "max", "sum": "sum"}
NULL_LABEL = "(null)"  # the axis label of rows whose x or y is NULL

# What a cell without a value to colour is, in the order their legend entries appear.
NO_DATA, SKIPPED, INFINITE, ERROR = "no data", "skipped", "infinite", "error"
FLAGS = (NO_DATA, SKIPPED, INFINITE, ERROR)
# A cell coloured by its value: all its rows ran, or some failed (rows with an error, or an eval that completed
# fewer samples than it had) and the value is that of the others.
OK, PARTIAL = "ok", "partly failed"
COLORED = (OK, PARTIAL)
# What a "no data" cell's tooltip says: it has no row at all, rows without a value, or infinities that cancel.
NO_ROWS_NOTE, NO_VALUE_NOTE = "no rows", "no value (NaN or empty)"
CANCELLED_NOTE = "no value: its rows hold both inf and -inf"
OVERFLOW_NOTE = " (its rows are finite: their {agg} overflows)"
# A mean of finite values is finite, though their running sum may overflow: such a mean is taken of the values
# scaled down by 2^-600 (exact for all but values below 2^-422, negligible beside those that overflow).
_SCALE = 600
# inspect_ai's statuses of an eval that did not finish (still running, stopped, or interrupted). Such a row has
# no result: it is drawn as an error whose note says so, since a run that gave no result is a failure to see.
UNFINISHED = ("started", "cancelled")
MIXED = "mixed: "  # begins the scorer of a cell whose rows' values come from several scorers
MAX_NOTE_CHARS = 300  # a cell's note (its status and reasons) is cut to this many characters
# Joins a label and a number into the key of an axis value whose label another value shares: keys are unique on
# each axis, labels need not be (a NULL and the text "(null)", or the composite keys ("a · b", "c") and ("a", "b ·
# c")). Keys place cells; labels are only drawn.
KEY_MARK = "\u2063"


@dataclass(frozen=True)
class GridColumns:
    """Which user columns feed a heatmap's cells (None: the table has no such column)."""

    x: str
    y: str
    fill: str
    link: str | None = None
    low: str | None = None
    high: str | None = None
    stderr: str | None = None
    size: str | None = None  # a sample count per row (the `n` of an analysis table)
    status: str | None = None  # "ok" / "skipped" / "error" per row, or inspect_ai's "success" / "error" / "started"
    reason: str | None = None  # why a row was skipped or failed
    error: str | None = None  # an error message per row: a row with a non-empty one failed (inspect_ai's `error`)
    completed: str | None = None  # samples each row completed, of ... (inspect_ai's `completed_samples`) ...
    total: str | None = None  # ... the samples it had (`total_samples`): fewer completed, and some failed
    scorer: str | None = None  # the scorer of each row's value (inspect_ai's `score_headline_name`), ...
    score_name: str | None = None  # ... its score, for a scorer that gives several (`score_headline_score`) ...
    metric: str | None = None  # ... and its metric (`score_headline_metric`)
    x_group: str | None = None  # a column that qualifies x values (the task of a sample id: ids repeat across tasks)
    y_group: str | None = None
    separator: str = " \u00b7 "


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

    def relabelled(self, axis: str) -> dict[str, str]:
        """The keys of `axis` that are not their own label, with their labels."""
        keys, labels = (self.x_order, self.x_labels) if axis == "x" else (self.y_order, self.y_labels)
        return {key: label for key, label in zip(keys, labels, strict=True) if key != label}


def check_numeric(data: Data, column: str, role: str | None = None) -> None:
    """Raise when `column` holds text, pointing to `score_to_float` for inspect_ai's letter scores (those of the
    scores themselves: a column of another `role`, such as "stderr", is named by it and not pointed there).

    A column whose every value is NULL passes, whatever its type: its rows have no value (rows of evals that all
    failed are drawn as error cells with their messages, not refused for the type of an empty column).
    """
    kind = data.types[column]
    if is_numeric(kind) or is_boolean(kind):  # by the type's structure: DOUBLE[] is a list, UHUGEINT a number
        return
    data.require_rows()  # a table without rows (a CSV of only a header reads as text) has no values to check
    if (nested := nested_value_error(data, column)) is not None:  # objects and lists: pick a key, not letters
        raise nested
    query = f"SELECT CAST({q(column)} AS VARCHAR) AS v FROM this WHERE {q(column)} IS NOT NULL LIMIT 1"
    example = data.sql(query)["v"].to_pylist()
    if not example:  # every value is NULL (every eval failed, say): no text to convert, each row has no value
        return
    advice = (
        f"For inspect_ai scores (C, I, P, N) convert them first: ev.prepare(data, ev.score_to_float({column!r}))."
        if role is None and (is_text(kind) or is_json(kind)) and reads_as_score(example[0])
        else "Give a column of numbers, or compute one in SQL with "
        f"data.derive(\"SELECT *, ... AS {column} FROM this\")."
    )
    named = f"The {role} column {column!r}" if role else f"Column {column!r}"
    raise ColumnTypeError(f"{named} holds {describe(kind)} values such as {example[0]!r}, not numbers. {advice}")


def check_sort(sort: object) -> None:
    """Raise unless `sort` is "ascending", "descending", None or explicit orders {"x": [...], "y": [...]}."""
    if sort is None or (isinstance(sort, str) and sort in ("ascending", "descending")):
        return
    if isinstance(sort, dict):
        unknown = set(sort) - {"x", "y"}
        if unknown:
            raise EvalvizError(f"sort takes the keys 'x' and 'y', not {sorted(unknown, key=str)}.")
        for given in sort.values():
            if isinstance(given, str):
                raise EvalvizError(f"An explicit sort order is a list of labels, not the string {given!r}.")
            if given is not None and not isinstance(given, Iterable):
                raise EvalvizError(f"An explicit sort order is a list of labels, not {given!r}.")
        return
    hint = did_you_mean(sort, ("ascending", "descending")) if isinstance(sort, str) else ""
    raise EvalvizError(
        f"sort={sort!r} is not understood.{hint} Use 'ascending', 'descending', None (input order) or "
        "{'x': [...], 'y': [...]}."
    )


def check_agg(agg: object) -> None:
    """Raise unless `agg` names one of AGGREGATES."""
    if not isinstance(agg, str) or agg not in AGGREGATES:
        raise EvalvizError(f"Unknown agg {agg!r}.{did_you_mean(agg, AGGREGATES)} Use one of: {', '.join(AGGREGATES)}.")


def aggregate_grid(
    data: Data,
    columns: GridColumns,
    *,
    agg: str = "mean",
    sort: object = "ascending",
    axes: tuple[pa.Table, pa.Table] | None = None,
) -> Grid:
    """One cell per (x, y) pair of the two axes, with pairs that have no row as cells without a value.

    Cells are keyed by the values of x and y themselves (and of their groups), never by their text: a NULL and
    the text "(null)" are two axis values, drawn with the same label. Each cell's value is the `agg` of `fill`
    over its rows; NaN and NULL count as missing, and so do rows whose status is "skipped" or "error". A value
    that comes out infinite (an infinite row, or a sum that overflows) is not coloured: the cell is flagged
    "infinite" and its note says "inf" or "-inf". The work runs in DuckDB, in one query; the result has one row
    per cell. `axes`, when given, are the x and y values to draw, in order (a drill-down's region: slices of
    `binning.axis_ranks`): `sort` is then not used, and values without rows are drawn as cells without data.

    Example:
        >>> import evalviz as ev
        >>> data = ev.Data.from_sql("SELECT 'a' AS t, 'm' AS m, 1.0 AS s UNION ALL SELECT 'a', 'm', 0.0")
        >>> aggregate_grid(data, GridColumns(x="t", y="m", fill="s")).cells.to_pylist()[0]["n"]
        2
    """
    check_agg(agg)
    check_sort(sort)
    data = checked_source(data, columns)
    if axes is None:
        data.require_rows()
        cells = cells_sql(columns, agg, input_order=needs_input_order(sort))
        xs, ys = (ranked_axis_sql(axis, columns, axis_values_sql(axis, columns, "cells", _FINITE_TOTAL), sort)
                  for axis in "xy")
        table = data.sql(grid_sql(columns, cells, xs, ys, agg))
    else:
        with registered(data, *axes) as (x_ranks, y_ranks):
            xs, ys = (positions_sql(axis, columns, name) for axis, name in zip("xy", (x_ranks, y_ranks), strict=True))
            table = data.sql(grid_sql(columns, cells_sql(columns, agg, input_order=False), xs, ys, agg))
    return finished_grid(table, whole_numbers=whole_numbers(data, columns.fill, table["value"]))


def checked_source(data: Data, columns: GridColumns) -> Data:
    """The table narrowed to the columns a grid reads, after checking that they exist and `fill` is numeric."""
    needed = [c for c in (columns.x, columns.y, columns.fill, columns.link, columns.low, columns.high,
                          columns.stderr, columns.size, columns.status, columns.reason, columns.error,
                          columns.completed, columns.total, columns.scorer, columns.score_name, columns.metric,
                          columns.x_group, columns.y_group)
              if c is not None]
    data.require_columns(*needed, purpose="the heatmap")
    check_numeric(data, columns.fill)
    for role in ("low", "high", "stderr", "size", "completed", "total"):
        if getattr(columns, role) is not None:
            check_numeric(data, getattr(columns, role), role)
    return data.select(*dict.fromkeys(needed))  # read only these columns


def whole_numbers(data: Data, fill: str, values: pa.ChunkedArray | pa.Array) -> bool:
    """Whether `fill` is an integer column and every value drawn is a whole number (not a mean between two)."""
    if not is_integer(data.types[fill]):
        return False
    present = pc.drop_null(values)
    return pc.all(pc.equal(present, pc.floor(present))).as_py() is not False


# -- keys and labels -------------------------------------------------------------------------------------------
def key_parts(columns: GridColumns, axis: str) -> list[tuple[str, str]]:
    """(user column, SQL name) of each part of an axis value's key: its group when there is one, then the value.

    Example:
        >>> key_parts(GridColumns(x="id", y="model", fill="score", x_group="task"), "x")
        [('task', 'x_g'), ('id', 'x_v')]
    """
    column, group = (columns.x, columns.x_group) if axis == "x" else (columns.y, columns.y_group)
    return ([(group, f"{axis}_g")] if group is not None else []) + [(column, f"{axis}_v")]


def _part_names(columns: GridColumns, *axes: str) -> list[str]:
    return [name for axis in axes for _, name in key_parts(columns, axis)]


def label_sql(axis: str, columns: GridColumns) -> str:
    """SQL of the label drawn for an axis value, from its key parts: their text, NULL as "(null)", a group and
    its value joined by the separator. Labels are only drawn: cells are keyed by the parts themselves."""
    texts = [f"coalesce(CAST({name} AS VARCHAR), '{NULL_LABEL}')" for name in _part_names(columns, axis)]
    return f" || {quote_literal(columns.separator)} || ".join(texts)


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
    status, reason = _row_status_sql(columns)
    select = [*keys, f"CAST({q(columns.fill)} AS DOUBLE) AS f", f"{status} AS st", f"{reason} AS why",
              f"{'row_number() OVER ()' if input_order else '0'} AS ord"]
    if columns.link:
        # The link as given: the browser opens it only when it is an http(s) URL, and shows anything else as text.
        select.append(f"CAST({q(columns.link)} AS VARCHAR) AS lnk")
    if columns.size:
        select.append(f"TRY_CAST({q(columns.size)} AS BIGINT) AS sz")
    if columns.low and columns.high:
        select += [f"{_finite(f'CAST({q(columns.low)} AS DOUBLE)')} AS lo",
                   f"{_finite(f'CAST({q(columns.high)} AS DOUBLE)')} AS hi"]
    elif columns.stderr:
        select.append(f"{_finite(f'CAST({q(columns.stderr)} AS DOUBLE)')} AS se")
    if has_sample_counts(columns):
        select += [f"TRY_CAST({q(columns.completed)} AS BIGINT) AS done",
                   f"TRY_CAST({q(columns.total)} AS BIGINT) AS planned"]
    if columns.scorer:
        select.append(f"{_scorer_sql(columns)} AS scorer")
    return (f"SELECT *, CASE WHEN st = '{OK}' AND NOT isnan(f) THEN f END AS v "
            f"FROM (SELECT {', '.join(select)} FROM this)")


def _finite(expression: str) -> str:
    """SQL of `expression` where it is a finite number, else NULL: no infinity or NaN leaves for the chart."""
    return f"CASE WHEN isfinite({expression}) THEN {expression} END"


_FINITE_TOTAL = _finite("total")


def _row_status_sql(columns: GridColumns) -> tuple[str, str]:
    """SQL of a row's status ("ok", "skipped" or "error") and its reason, from the status, error and reason
    columns. A non-empty error message, the status "error", and inspect_ai's "started" and "cancelled" (an eval
    that did not finish, so has no result) make an error."""
    whens: list[str] = []
    reasons: list[str] = []
    if columns.status:
        given = f"lower(trim(CAST({q(columns.status)} AS VARCHAR)))"
        unfinished = ", ".join(quote_literal(s) for s in UNFINISHED)
        whens += [f"WHEN {given} IN ('{ERROR}', {unfinished}) THEN '{ERROR}'",
                  f"WHEN {given} = '{SKIPPED}' THEN '{SKIPPED}'"]
        reasons.append(f"CASE WHEN {given} IN ({unfinished}) THEN 'did not finish (' || {given} || ')' END")
    if columns.reason:
        reasons.append(f"nullif(trim(CAST({q(columns.reason)} AS VARCHAR)), '')")
    if columns.error:
        message = f"nullif(trim(CAST({q(columns.error)} AS VARCHAR)), '')"
        whens.insert(0, f"WHEN {message} IS NOT NULL THEN '{ERROR}'")
        reasons.append(message)
    status = f"CASE {' '.join(whens)} ELSE '{OK}' END" if whens else f"'{OK}'"
    reason = f"nullif(concat_ws('; ', {', '.join(reasons)}), '')" if reasons else "CAST(NULL AS VARCHAR)"
    return status, reason


def _scorer_sql(columns: GridColumns) -> str:
    """SQL of what scored a row: its scorer, its score when the scorer gives several and the score is named
    otherwise, and its metric: "match (accuracy)", "rubric / tone (mean)"."""
    text = f"CAST({q(columns.scorer)} AS VARCHAR)"
    if columns.score_name:
        score = f"CAST({q(columns.score_name)} AS VARCHAR)"
        text = f"{text} || CASE WHEN {score} IS DISTINCT FROM {text} THEN ' / ' || {score} ELSE '' END"
    if columns.metric:
        text = f"{text} || coalesce(' (' || CAST({q(columns.metric)} AS VARCHAR) || ')', '')"
    return text


def has_reasons(columns: GridColumns) -> bool:
    """Whether the rows can give reasons for a flagged cell."""
    return any((columns.status, columns.reason, columns.error))


def has_sample_counts(columns: GridColumns) -> bool:
    """Whether the rows say how many samples each completed, of how many."""
    return columns.completed is not None and columns.total is not None


def cell_aggregates(columns: GridColumns, agg: str) -> list[str]:
    """SQL of what a cell (or a bin of cells) keeps of its rows (`rows_sql`'s columns).

    n, ord, n_errors (failed rows), all_skipped, total (the `agg` of the values, infinities kept), n_values,
    n_infinite, and the optional reason, size, link (a failed row's, when one has a link: what the cell's mark
    points at; else the first), low, high, done and planned (samples completed, of how many, over the rows with
    a value) and scorer ("mixed: ..." when its rows' values come from several scorers).
    """
    cell = ["count(*) AS n", "min(ord) AS ord", f"count(*) FILTER (WHERE st = '{ERROR}') AS n_errors",
            f"bool_and(st = '{SKIPPED}') AS all_skipped", f"{aggregate_sql(agg, 'v')} AS total", "count(v) AS n_values",
            "count(v) FILTER (WHERE isinf(v)) AS n_infinite"]
    if has_reasons(columns):
        cell.append(f"string_agg(DISTINCT why, '; ' ORDER BY why) FILTER (WHERE st <> '{OK}') AS reason")
    if columns.size:
        cell.append("TRY_CAST(sum(sz) AS BIGINT) AS size")
    if columns.link:
        cell.append(f"coalesce(min(lnk) FILTER (WHERE st = '{ERROR}'), min(lnk)) AS link")
    if has_sample_counts(columns):
        counted = "v IS NOT NULL AND done IS NOT NULL AND planned IS NOT NULL"
        cell += [f"sum(done) FILTER (WHERE {counted}) AS done", f"sum(planned) FILTER (WHERE {counted}) AS planned"]
    cell += _interval_sql(agg, columns)
    if columns.scorer:
        scorers = "string_agg(DISTINCT scorer, ', ' ORDER BY scorer) FILTER (WHERE v IS NOT NULL)"
        cell.append(f"CASE WHEN count(DISTINCT scorer) FILTER (WHERE v IS NOT NULL) > 1 "
                    f"THEN {quote_literal(MIXED)} || {scorers} ELSE {scorers} END AS scorer")
    return cell


def aggregate_sql(agg: str, column: str) -> str:
    """SQL of the `agg` of `column` over a group: infinite only when a value is, or when a sum overflows.

    Example:
        >>> aggregate_sql("max", "v")
        'max(v)'
    """
    plain = f"{AGGREGATES[agg]}({column})"
    if agg != "mean":
        return plain
    return (f"CASE WHEN isinf({plain}) AND count({column}) FILTER (WHERE isinf({column})) = 0 "
            f"THEN avg({column} * pow(2.0, -{_SCALE})) * pow(2.0, {_SCALE}) ELSE {plain} END")


def _interval_sql(agg: str, columns: GridColumns) -> list[str]:
    """SQL of a cell's interval, low and high (finite, or NULL)."""
    if columns.low and columns.high:
        # An interval stays meaningful only for a cell of one row: there is no interval of averaged intervals.
        return ["CASE WHEN count(*) = 1 THEN max(lo) END AS low", "CASE WHEN count(*) = 1 THEN max(hi) END AS high"]
    if columns.stderr:
        # The standard error of a mean (or sum) of independent estimates; other aggregates get none.
        se = {
            "mean": "sqrt(sum(se * se)) / count(se)",
            "sum": "sqrt(sum(se * se))",
        }.get(agg, "CASE WHEN count(*) = 1 THEN max(se) END")
        value = aggregate_sql(agg, "v")
        return [f"{_finite(f'{value} - 1.96 * ({se})')} AS low", f"{_finite(f'{value} + 1.96 * ({se})')} AS high"]
    return []


def cells_sql(columns: GridColumns, agg: str, *, input_order: bool) -> str:
    """SQL of one row per (x, y) pair of key values that has rows in the table `this`: the key parts and
    `cell_aggregates`' columns (`ord` the pair's first row, when `input_order`)."""
    parts = ", ".join(_part_names(columns, "x", "y"))
    return (f"SELECT {parts}, {', '.join(cell_aggregates(columns, agg))} "
            f"FROM ({rows_sql(columns, input_order=input_order)}) GROUP BY {parts}")


def judged_sql(relation: str, columns: GridColumns, agg: str) -> str:
    """SQL of `relation` (one cell per row with `cell_aggregates`' columns; n is NULL for a cell without rows)
    with each cell's value (finite, or NULL), status and note, and n and n_values 0 for a cell without rows.

    A cell whose rows all failed is an error; one with skipped rows only, skipped; an infinite value is flagged
    "infinite"; without a value (no rows, NaN and NULL only, or inf and -inf that cancel) a cell has no data,
    or is an error when some of its rows failed. A cell with a value is coloured by it, and is "partly failed"
    when some of its rows failed or completed fewer samples than they had; its note says how many.
    """
    counted = has_sample_counts(columns)
    fewer = "done < planned" if counted else "false"
    status = (f"CASE WHEN n IS NULL THEN '{NO_DATA}' WHEN n_errors = n THEN '{ERROR}' "
              f"WHEN all_skipped THEN '{SKIPPED}' WHEN isinf(total) THEN '{INFINITE}' "
              f"WHEN total IS NULL OR isnan(total) THEN CASE WHEN n_errors > 0 THEN '{ERROR}' ELSE '{NO_DATA}' END "
              f"WHEN n_errors > 0 OR {fewer} THEN '{PARTIAL}' ELSE '{OK}' END")
    failed = (f"CASE WHEN n_errors > 0 THEN {count_sql('n_errors')} || ' of ' || {count_sql('n')} "
              f"|| ' rows failed' END")
    completed = (f"CASE WHEN {fewer} THEN {count_sql('done')} || ' of ' || {count_sql('planned')} "
                 f"|| ' samples completed' END") if counted else "NULL"
    note = (f"CASE status WHEN '{OK}' THEN NULL "
            f"WHEN '{PARTIAL}' THEN '{PARTIAL}: ' || concat_ws('; ', {failed}, {completed}) "
            f"WHEN '{NO_DATA}' THEN CASE WHEN n = 0 THEN '{NO_ROWS_NOTE}' WHEN isnan(total) THEN "
            f"{quote_literal(CANCELLED_NOTE)} ELSE '{NO_VALUE_NOTE}' END "
            f"WHEN '{INFINITE}' THEN CASE WHEN total > 0 THEN 'inf' ELSE '-inf' END "
            f"|| CASE WHEN n_infinite = 0 THEN {quote_literal(OVERFLOW_NOTE.format(agg=agg))} ELSE '' END "
            f"WHEN '{ERROR}' THEN CASE WHEN n = 1 THEN 'error' "
            f"WHEN n_errors = n THEN 'error (all ' || {count_sql('n')} || ' rows)' "
            f"ELSE 'error (' || {failed} || '; the others have no value)' END ELSE status END")
    if has_reasons(columns):
        note = (f"CASE WHEN status NOT IN ('{OK}', '{INFINITE}') AND reason <> '' THEN {note} || ': ' || reason "
                f"ELSE {note} END")
    cut = f"CASE WHEN length(note) > {MAX_NOTE_CHARS} THEN left(note, {MAX_NOTE_CHARS - 1}) || '\u2026' ELSE note END"
    return f"""
        SELECT * EXCLUDE (note), {cut} AS note FROM (
            SELECT *, {note} AS note FROM (
                SELECT * EXCLUDE (n, n_values, total), {_FINITE_TOTAL} AS value, coalesce(n, 0) AS n,
                    coalesce(n_values, 0) AS n_values, total
                FROM (SELECT *, {status} AS status FROM ({relation}))))"""


def grid_sql(columns: GridColumns, cells: str, xs: str, ys: str, agg: str) -> str:
    """SQL of every (x, y) pair of the axes `xs` and `ys` (SQL of `ranked_axis_sql`'s columns) in drawing order,
    with its cell from `cells` (SQL of `cells_sql`): a pair without rows is a cell without data.

    Columns: x, x_label, y, y_label, value, n, n_values, status, note, the optional reason, size, link, low,
    high and scorer, and the positions xo and yo.
    """
    matched = " AND ".join(f"cells.{name} IS NOT DISTINCT FROM {axis}s.{name}"
                           for axis in "xy" for name in _part_names(columns, axis))
    parts = ", ".join(_part_names(columns, "x", "y"))
    paired = (f"SELECT xs.x, xs.x_label, xs.xo, ys.y, ys.y_label, ys.yo, cells.* EXCLUDE ({parts}, ord) "
              f"FROM xs CROSS JOIN ys LEFT JOIN cells ON {matched}")
    interval = bool(columns.low and columns.high or columns.stderr)
    optional = [name for name, present in (
        ("reason", has_reasons(columns)), ("size", columns.size), ("link", columns.link), ("low", interval),
        ("high", interval), ("scorer", columns.scorer),
    ) if present]
    output = ["x", "x_label", "y", "y_label", "value", "n", "n_values", "status", "note", *optional, "xo", "yo"]
    return f"""
        WITH cells AS MATERIALIZED ({cells}), xs AS ({xs}), ys AS ({ys})
        SELECT {", ".join(output)} FROM ({judged_sql(paired, columns, agg)}) ORDER BY yo, xo"""


def finished_grid(table: pa.Table, *, whole_numbers: bool = False, positions: tuple[str, str] = ("xo", "yo"),
                  keep_positions: bool = False) -> Grid:
    """The Grid of cells ordered by y, then x (`grid_sql`'s result): the axes read off the cells, labels kept
    only where they are not the keys, intervals bounded (`bounded_intervals`), positions dropped unless kept."""
    n_y = pc.count_distinct(table[positions[1]]).as_py()
    n_x = table.num_rows // max(n_y, 1)
    x_order, x_labels = (table[c].slice(0, n_x).to_pylist() for c in ("x", "x_label"))
    rows = pa.array(range(0, table.num_rows, max(n_x, 1)))
    y_order, y_labels = (table[c].take(rows).to_pylist() for c in ("y", "y_label"))
    if not keep_positions:
        table = table.drop_columns(list(positions))
    for axis in "xy":
        if pc.all(pc.equal(table[axis], table[f"{axis}_label"])).as_py() is not False:
            table = table.drop_columns([f"{axis}_label"])
    return Grid(cells=bounded_intervals(table), x_order=x_order, y_order=y_order, x_labels=x_labels,
                y_labels=y_labels, whole_numbers=whole_numbers)


def bounded_intervals(cells: pa.Table) -> pa.Table:
    """Intervals clipped to [0, 1] when every value lies in [0, 1]: a score bounded there (an accuracy, a rate)
    has no interval beyond it, though a normal approximation (value ± 1.96 stderr) reaches past its ends."""
    if "low" not in cells.column_names:
        return cells
    values = pc.drop_null(cells["value"])
    if not len(values):
        return cells
    extremes = pc.min_max(values)
    if extremes["min"].as_py() < 0 or extremes["max"].as_py() > 1:
        return cells
    zero, one = pa.scalar(0.0), pa.scalar(1.0)
    for name in ("low", "high"):
        bounded = pc.min_element_wise(pc.max_element_wise(cells[name], zero, skip_nulls=False), one,
                                      skip_nulls=False)
        cells = cells.set_column(cells.column_names.index(name), name, bounded)
    return cells


# -- axes ------------------------------------------------------------------------------------------------------
def axis_values_sql(axis: str, columns: GridColumns, relation: str, value: str) -> str:
    """SQL of each distinct value of `axis` in `relation` (rows or cells with the key parts and `ord`): its key
    parts, label, m (the mean of `value`, to sort by) and o (its first row)."""
    parts = ", ".join(_part_names(columns, axis))
    return (f"SELECT {parts}, {label_sql(axis, columns)} AS label, avg({value}) AS m, min(ord) AS o "
            f"FROM {relation} GROUP BY {parts}")


# ORDER BY keys of each axis's values by their mean m: "ascending" puts the highest values towards the top right
# (x rising left to right; y lists its top row first, so it falls). Values without any value go to the low end.
_MEAN_ORDER = {
    "ascending": ("m ASC NULLS FIRST", "m DESC NULLS LAST"),
    "descending": ("m DESC NULLS LAST", "m ASC NULLS FIRST"),
}


def ranked_axis_sql(axis: str, columns: GridColumns, values: str, sort: object) -> str:
    """SQL of an axis's values (`values`: SQL of `axis_values_sql`) in drawing order: the key parts, `axis` (the
    value's key), `axis`_label and `axis`o (its position, from 0).

    The order is by mean, or input order (sort=None), with an explicit order's labels first (values it leaves
    out follow in input order); ties go by first row, then label. A key is the label, unless an earlier value
    has the same label: then it is the label, KEY_MARK and a number.
    """
    parts = _part_names(columns, axis)
    order = [f"{p} NULLS FIRST" for p in parts]
    join = ""
    if isinstance(sort, dict):
        given = list(dict.fromkeys(NULL_LABEL if v is None else str(v) for v in sort.get(axis) or []))
        if given:
            rows = ", ".join(f"({quote_literal(label)}, {i})" for i, label in enumerate(given))
            join = f" LEFT JOIN (VALUES {rows}) AS given(given_label, given_at) ON given.given_label = vals.label"
            order = ["given_at NULLS LAST", "o", "label", *order]
        else:
            order = ["o", "label", *order]
    elif sort is None:
        order = ["o", "label", *order]
    else:
        order = [_MEAN_ORDER[str(sort)][0 if axis == "x" else 1], "o", "label", *order]
    return f"""
        SELECT {", ".join(parts)},
            CASE WHEN twin = 1 THEN label ELSE label || {quote_literal(KEY_MARK)} || twin END AS {axis},
            label AS {axis}_label, pos AS {axis}o
        FROM (SELECT *, row_number() OVER (PARTITION BY label ORDER BY pos) AS twin FROM (
            SELECT vals.*, row_number() OVER (ORDER BY {", ".join(order)}) - 1 AS pos
            FROM ({values}) AS vals{join}))"""


def positions_sql(axis: str, columns: GridColumns, ranks: str) -> str:
    """SQL of an axis from a table of its ranked values (`binning.axis_ranks`, or a slice of it), as
    `ranked_axis_sql` gives an axis."""
    return f"SELECT {', '.join(_part_names(columns, axis))}, {axis}, {axis}_label, {axis}r AS {axis}o FROM {ranks}"


def needs_input_order(sort: object) -> bool:
    """Whether an axis order falls back on the order rows come in: sort=None, or an explicit order that leaves
    an axis out. Orders by mean break ties by label instead."""
    if isinstance(sort, dict):
        return not (sort.get("x") is not None and sort.get("y") is not None)
    return sort not in ("ascending", "descending")


def explicit_order(given: Sequence[str] | None, present: list[str]) -> list[str]:
    """An explicit order; values it leaves out follow in input order, values not present are ignored."""
    if given is None:
        return present
    if isinstance(given, str):
        raise EvalvizError(f"An explicit sort order is a list of labels, not the string {given!r}.")
    present_set = set(present)
    ordered = list(dict.fromkeys(str(v) for v in given if str(v) in present_set))
    seen = set(ordered)
    return ordered + [v for v in present if v not in seen]


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
