"""The SQL behind every heatmap: rows of a `Data` aggregated into one cell per (x, y), in DuckDB.

Only the cells leave DuckDB. `heatmap.py` draws them; nothing here knows about Vega-Lite.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from evalviz.data.connection import quote_identifier as q
from evalviz.data.connection import quote_literal
from evalviz.data.table import Data
from evalviz.errors import EvalvizError

AGGREGATES = {"mean": "avg", "median": "median", "min": "min", "max": "max", "sum": "sum"}
_NUMERIC_PREFIXES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
                     "UINTEGER", "UBIGINT", "FLOAT", "DOUBLE", "DECIMAL", "REAL", "BOOLEAN")
NULL_LABEL = "(null)"  # the axis label of rows whose x or y is NULL

# What a cell without a value to colour is, in the order their legend entries appear.
NO_DATA, SKIPPED, ERROR = "no data", "skipped", "error"
FLAGS = (NO_DATA, SKIPPED, ERROR)
OK = "ok"
# What a "no data" cell's tooltip says: it has no row at all, or rows without a value.
NO_ROWS_NOTE, NO_VALUE_NOTE = "no rows", "no value (NaN or empty)"


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
    status: str | None = None  # "ok" / "skipped" / "error" per row
    reason: str | None = None  # why a row was skipped or failed
    x_group: str | None = None  # a column that qualifies x labels ("task · id" where ids repeat across tasks)
    y_group: str | None = None
    separator: str = " \u00b7 "


@dataclass(frozen=True)
class Grid:
    """The cells to draw and the order of each axis.

    `cells` has one row per (x, y) pair of the two axes, missing pairs included: x, y, value, n (rows in the
    cell), n_values (rows with a value), status ("ok", "no data", "skipped", "error"), note (what the status
    means for this cell), and when the data has them: link (the link as given; only an http(s) URL opens), low
    and high (an interval), size (sum of the sample counts), reason.
    """

    cells: pa.Table
    x_order: list[str]
    y_order: list[str]

    @property
    def max_rows(self) -> int:
        """The most rows any one cell aggregates."""
        return int(pc.max(self.cells["n"]).as_py() or 0)

    @property
    def statuses(self) -> list[str]:
        """The statuses present among the cells, "ok" first."""
        present = set(pc.unique(self.cells["status"]).to_pylist())
        return [s for s in (OK, *FLAGS) if s in present]

    def values(self) -> pa.Array:
        """The values of the cells that have one, in cell order (as Arrow: a large grid's values stay there)."""
        return pc.drop_null(self.cells["value"]).combine_chunks()


def check_numeric(data: Data, column: str) -> None:
    """Raise when `column` holds text, pointing to `score_to_float` for inspect_ai's letter scores."""
    kind = data.schema[column].upper()
    if kind.startswith(_NUMERIC_PREFIXES):
        return
    query = f"SELECT {q(column)} AS v FROM this WHERE {q(column)} IS NOT NULL LIMIT 1"
    example = data.sql(query)["v"].to_pylist()
    shown = f" such as {example[0]!r}" if example else ""
    raise EvalvizError(
        f"Column {column!r} holds {kind} values{shown}, not numbers. For inspect_ai scores (C, I, P, N) "
        f"convert them first: ev.prepare(data, ev.score_to_float({column!r}))."
    )


def _interval(agg: str, columns: GridColumns) -> tuple[list[str], list[str]]:
    """(source expressions, cell expressions) of the interval columns low and high."""
    if columns.low and columns.high:
        # An interval stays meaningful only for a cell of one row: there is no interval of averaged intervals.
        return (
            [f"CAST({q(columns.low)} AS DOUBLE) AS lo", f"CAST({q(columns.high)} AS DOUBLE) AS hi"],
            ["CASE WHEN count(*) = 1 THEN max(lo) END AS low",
             "CASE WHEN count(*) = 1 THEN max(hi) END AS high"],
        )
    if columns.stderr:
        # The standard error of a mean (or sum) of independent estimates; other aggregates get none.
        se = {
            "mean": "sqrt(sum(se * se)) / count(se)",
            "sum": "sqrt(sum(se * se))",
        }.get(agg, "CASE WHEN count(*) = 1 THEN max(se) END")
        value = f"{AGGREGATES[agg]}(v)"
        return (
            [f"CAST({q(columns.stderr)} AS DOUBLE) AS se"],
            [f"{value} - 1.96 * ({se}) AS low", f"{value} + 1.96 * ({se}) AS high"],
        )
    return [], []


def aggregate_grid(
    data: Data,
    columns: GridColumns,
    *,
    agg: str = "mean",
    sort: object = "ascending",
    axes: tuple[Sequence[str], Sequence[str]] | None = None,
) -> Grid:
    """One cell per (x, y) pair of the two axes, with pairs that have no row as cells without a value.

    Each cell's value is the `agg` of `fill` over its rows; NaN and NULL count as missing, and so do rows
    whose status is "skipped" or "error". The work runs in DuckDB, in one query; the result has one row per
    cell. `axes`, when given, are the x and y labels to draw, in order (a drill-down's region): `sort` is then
    not used, and labels without rows are drawn as cells without data.

    Example:
        >>> import evalviz as ev
        >>> data = ev.Data.from_sql("SELECT 'a' AS t, 'm' AS m, 1.0 AS s UNION ALL SELECT 'a', 'm', 0.0")
        >>> aggregate_grid(data, GridColumns(x="t", y="m", fill="s")).cells.to_pylist()[0]["n"]
        2
    """
    data = checked_source(data, columns)
    if axes is None:
        data.require_rows()
        xs, ys = "SELECT x, min(ord) AS xo FROM cells GROUP BY x", "SELECT y, min(ord) AS yo FROM cells GROUP BY y"
    else:
        xs, ys = (positions_sql(axis, labels) for axis, labels in zip("xy", axes, strict=True))
    cells = cells_sql(columns, agg, input_order=axes is None and needs_input_order(sort))
    table = data.sql(grid_sql(cells, xs, ys, reason=columns.reason is not None))
    if axes is None:
        return finished_grid(table, *_axis_orders(data, table, sort))
    return finished_grid(table, list(axes[0]), list(axes[1]))


def checked_source(data: Data, columns: GridColumns) -> Data:
    """The table narrowed to the columns a grid reads, after checking that they exist and `fill` is numeric."""
    needed = [c for c in (columns.x, columns.y, columns.fill, columns.link, columns.low, columns.high,
                          columns.stderr, columns.size, columns.status, columns.reason, columns.x_group,
                          columns.y_group) if c is not None]
    data.require_columns(*needed, purpose="the heatmap")
    check_numeric(data, columns.fill)
    return data.select(*dict.fromkeys(needed))  # read only these columns


def cells_sql(columns: GridColumns, agg: str, *, input_order: bool) -> str:
    """SQL of one row per (x, y) pair that has rows in the table `this`.

    Columns: x, y, n, ord (the pair's first row, when `input_order`), any_error, all_skipped, value, n_values,
    and the optional reason, size, link, low and high.
    """
    if agg not in AGGREGATES:
        raise EvalvizError(f"Unknown agg {agg!r}. Use one of: {', '.join(AGGREGATES)}.")
    fill = f"CAST({q(columns.fill)} AS DOUBLE)"
    select = [
        f"{label_sql(columns.x, columns.x_group, columns.separator)} AS x",
        f"{label_sql(columns.y, columns.y_group, columns.separator)} AS y",
        f"CASE WHEN isnan({fill}) THEN NULL ELSE {fill} END AS v0",
        # Input order costs a window over every row, so it is numbered only when an order needs it.
        f"{'row_number() OVER ()' if input_order else '0'} AS ord",
    ]
    value_of_row = "v0"
    cell = ["count(*) AS n", "min(ord) AS ord"]
    if columns.status:
        select.append(f"lower(trim(CAST({q(columns.status)} AS VARCHAR))) AS st")
        value_of_row = f"CASE WHEN st IN ('{SKIPPED}', '{ERROR}') THEN NULL ELSE v0 END"
        cell += [f"bool_or(st = '{ERROR}') AS any_error", f"bool_and(st = '{SKIPPED}') AS all_skipped"]
    else:
        cell += ["false AS any_error", "false AS all_skipped"]
    cell += [f"{AGGREGATES[agg]}(v) AS value", "count(v) AS n_values"]
    if columns.reason:
        select.append(f"CAST({q(columns.reason)} AS VARCHAR) AS why")
        cell.append("string_agg(DISTINCT why, '; ' ORDER BY why) AS reason")
    if columns.size:
        select.append(f"CAST({q(columns.size)} AS BIGINT) AS sz")
        cell.append("CAST(sum(sz) AS BIGINT) AS size")
    if columns.link:
        # The link as given: the browser opens it only when it is an http(s) URL, and shows anything else as text.
        select.append(f"CAST({q(columns.link)} AS VARCHAR) AS lnk")
        cell.append("min(lnk) AS link")
    interval_select, interval_cell = _interval(agg, columns)
    select += interval_select
    cell += interval_cell
    return f"""
        WITH raw AS (SELECT {", ".join(select)} FROM this),
        src AS (SELECT *, {value_of_row} AS v FROM raw)
        SELECT x, y, {", ".join(cell)} FROM src GROUP BY x, y"""


def grid_sql(cells: str, xs: str, ys: str, *, reason: bool) -> str:
    """SQL of every (x, y) pair of the axes `xs` (x, xo: its position) and `ys` (y, yo), in drawing order, with
    its cell from `cells` (SQL of `cells_sql`'s columns, with a `reason` column when `reason`): a pair without
    rows is a cell without data. Each cell gets its status and a note saying what the status means."""
    status = (f"CASE WHEN cells.n IS NULL THEN '{NO_DATA}' WHEN any_error THEN '{ERROR}' "
              f"WHEN all_skipped THEN '{SKIPPED}' WHEN cells.value IS NULL THEN '{NO_DATA}' ELSE '{OK}' END")
    note = (f"CASE WHEN status = '{OK}' THEN '{OK}' WHEN status = '{NO_DATA}' AND n = 0 THEN '{NO_ROWS_NOTE}' "
            f"WHEN status = '{NO_DATA}' THEN '{NO_VALUE_NOTE}' ELSE status END")
    if reason:
        note = f"CASE WHEN status <> '{OK}' AND reason <> '' THEN {note} || ': ' || reason ELSE {note} END"
    return f"""
        WITH cells AS ({cells}), xs AS ({xs}), ys AS ({ys}),
        grid AS (
            SELECT xs.x, ys.y,
                cells.* EXCLUDE (x, y, ord, n, any_error, all_skipped),
                coalesce(cells.n, 0) AS n, {status} AS status, xs.xo, ys.yo
            FROM xs CROSS JOIN ys LEFT JOIN cells ON cells.x = xs.x AND cells.y = ys.y)
        SELECT * EXCLUDE (xo, yo), {note} AS note, xo, yo FROM grid ORDER BY yo, xo"""


def finished_grid(table: pa.Table, x_order: list[str], y_order: list[str]) -> Grid:
    """The Grid of `grid_sql`'s result: the position columns dropped."""
    return Grid(cells=table.drop_columns(["xo", "yo"]), x_order=x_order, y_order=y_order)


def positions_sql(axis: str, labels: Sequence[str]) -> str:
    """SQL of given axis labels with their positions: columns `axis` and `axis`o."""
    if not labels:
        raise EvalvizError(f"The {axis} axis has no labels to draw.")
    rows = ", ".join(f"({quote_literal(label)}, {i})" for i, label in enumerate(labels))
    return f"SELECT * FROM (VALUES {rows}) AS given({axis}, {axis}o)"


def label_sql(column: str, group: str | None, separator: str) -> str:
    """SQL for the text label of an axis value, qualified by its group when given."""
    label = f"coalesce(CAST({q(column)} AS VARCHAR), '{NULL_LABEL}')"
    if group is None:
        return label
    return f"coalesce(CAST({q(group)} AS VARCHAR), '{NULL_LABEL}') || {quote_literal(separator)} || {label}"


def _axis_orders(data: Data, cells: pa.Table, sort: object) -> tuple[list[str], list[str]]:
    """Input order, mean-value order (highest values towards the top right for "ascending"), or explicit.

    Rows and columns without any value go to the low end of the order.
    """
    rel = data.connection.from_arrow(cells.select(["x", "y", "value", "xo", "yo"]))

    def order(axis: str, first: str, direction: str | None) -> list[str]:
        if direction is None:
            key = f"min({first}), {axis}"
        else:
            nulls = "NULLS FIRST" if direction == "ASC" else "NULLS LAST"
            key = f"avg(value) {direction} {nulls}, min({first}), {axis}"
        rows = rel.query("cells", f"SELECT {axis} FROM cells GROUP BY {axis} ORDER BY {key}").fetchall()
        return [r[0] for r in rows]

    if sort is None:
        return order("x", "xo", None), order("y", "yo", None)
    if sort == "ascending":
        return order("x", "xo", "ASC"), order("y", "yo", "DESC")
    if sort == "descending":
        return order("x", "xo", "DESC"), order("y", "yo", "ASC")
    if isinstance(sort, dict):
        unknown = set(sort) - {"x", "y"}
        if unknown:
            raise EvalvizError(f"sort takes the keys 'x' and 'y', not {sorted(unknown)}.")
        x_default, y_default = order("x", "xo", None), order("y", "yo", None)
        return explicit_order(sort.get("x"), x_default), explicit_order(sort.get("y"), y_default)
    raise EvalvizError(
        f"sort={sort!r} is not understood. Use 'ascending', 'descending', None (input order) or "
        "{'x': [...], 'y': [...]}."
    )


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
