"""The SQL behind every heatmap: rows of a `Data` aggregated into one cell per (x, y), in DuckDB."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pyarrow as pa

from evalviz.data.connection import quote_identifier as q
from evalviz.data.table import Data
from evalviz.errors import EvalvizError

AGGREGATES = {"mean": "avg", "median": "median", "min": "min", "max": "max", "sum": "sum"}
_NUMERIC_PREFIXES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                     "UBIGINT", "FLOAT", "DOUBLE", "DECIMAL", "REAL", "BOOLEAN")


@dataclass(frozen=True)
class GridColumns:
    """Which user columns feed a heatmap's cells."""

    x: str
    y: str
    fill: str
    link: str | None = None
    low: str | None = None
    high: str | None = None
    stderr: str | None = None


@dataclass(frozen=True)
class Grid:
    """The drawn cells (x, y, value, n, ...) and the order of each axis."""

    cells: pa.Table
    x_order: list[str]
    y_order: list[str]


def check_numeric(data: Data, column: str) -> None:
    """Raise when `column` holds text, pointing to `score_to_float` for inspect_ai's letter scores."""
    kind = data.schema[column].upper()
    if kind.startswith(_NUMERIC_PREFIXES):
        return
    example = data.relation.filter(f"{q(column)} IS NOT NULL").select(q(column)).limit(1).fetchall()
    shown = f" such as {example[0][0]!r}" if example else ""
    raise EvalvizError(
        f"Column {column!r} holds {kind} values{shown}, not numbers. For inspect_ai scores (C, I, P, N) "
        f"convert them first: ev.prepare(data, ev.score_to_float({column!r}))."
    )


def aggregate_grid(data: Data, columns: GridColumns, *, agg: str = "mean", sort: object = "ascending") -> Grid:
    """One row per (x, y) pair present on either axis, with missing pairs as NULL values.

    Columns of the result: x, y, value (the `agg` of fill, NaN counted as missing), n (rows in the cell),
    n_values (non-missing fills), min, max, link (the first http(s) link), low and high (when the data has an
    interval: `low`/`high` columns, or `stderr` as value +- 1.96 stderr).
    """
    if agg not in AGGREGATES:
        raise EvalvizError(f"Unknown agg {agg!r}. Use one of: {', '.join(AGGREGATES)}.")
    data.require_columns(columns.x, columns.y, columns.fill, columns.link, columns.low, columns.high,
                         columns.stderr, purpose="the heatmap")
    check_numeric(data, columns.fill)
    data.require_rows()

    fill = f"CAST({q(columns.fill)} AS DOUBLE)"
    select = [
        f"CAST({q(columns.x)} AS VARCHAR) AS x",
        f"CAST({q(columns.y)} AS VARCHAR) AS y",
        f"CASE WHEN isnan({fill}) THEN NULL ELSE {fill} END AS v",
        "row_number() OVER () AS ord",
    ]
    cell = [
        f"{AGGREGATES[agg]}(v) AS value", "count(*) AS n", "count(v) AS n_values", "min(v) AS min", "max(v) AS max",
        "min(ord) AS ord",
    ]
    if columns.link:
        select.append(f"CAST({q(columns.link)} AS VARCHAR) AS link")
        # Only http(s) URLs become links; anything else is dropped here and refused again in the browser.
        cell.append("min(link) FILTER (WHERE regexp_matches(link, '^https?://', 'i')) AS link")
    if columns.low and columns.high:
        select += [f"CAST({q(columns.low)} AS DOUBLE) AS lo", f"CAST({q(columns.high)} AS DOUBLE) AS hi"]
        cell += ["avg(lo) AS low", "avg(hi) AS high"]
    elif columns.stderr:
        select.append(f"CAST({q(columns.stderr)} AS DOUBLE) AS se")
        cell += [f"{AGGREGATES[agg]}(v) - 1.96 * avg(se) AS low", f"{AGGREGATES[agg]}(v) + 1.96 * avg(se) AS high"]

    query = f"""
        WITH src AS (SELECT {", ".join(select)} FROM this),
        cells AS (SELECT x, y, {", ".join(cell)} FROM src GROUP BY x, y),
        xs AS (SELECT x, min(ord) AS xo FROM src GROUP BY x),
        ys AS (SELECT y, min(ord) AS yo FROM src GROUP BY y)
        SELECT xs.x, ys.y, cells.* EXCLUDE (x, y, ord), xs.xo, ys.yo
        FROM xs CROSS JOIN ys LEFT JOIN cells ON cells.x = xs.x AND cells.y = ys.y
        ORDER BY ys.yo, xs.xo
    """
    table = data.sql(query)
    table = table.set_column(table.schema.get_field_index("n"), "n",
                             pa.compute.fill_null(table["n"], 0))
    x_order, y_order = _axis_orders(data, table, sort)
    return Grid(cells=table.drop_columns(["xo", "yo"]), x_order=x_order, y_order=y_order)


def _axis_orders(data: Data, cells: pa.Table, sort: object) -> tuple[list[str], list[str]]:
    """Input order, mean-value order (highest values towards the top right for "ascending"), or explicit."""
    rel = data.connection.from_arrow(cells)

    def order(axis: str, first: str, direction: str) -> list[str]:
        if direction == "input":
            key = f"min({first})"
        else:
            key = f"avg(value) {direction} NULLS FIRST, min({first})"
        rows = rel.query("cells", f"SELECT {axis} FROM cells GROUP BY {axis} ORDER BY {key}").fetchall()
        return [r[0] for r in rows]

    if sort is None:
        return order("x", "xo", "input"), order("y", "yo", "input")
    if sort == "ascending":
        return order("x", "xo", "ASC"), order("y", "yo", "DESC")
    if sort == "descending":
        return order("x", "xo", "DESC"), order("y", "yo", "ASC")
    if isinstance(sort, dict):
        unknown = set(sort) - {"x", "y"}
        if unknown:
            raise EvalvizError(f"sort takes the keys 'x' and 'y', not {sorted(unknown)}.")
        x_default, y_default = order("x", "xo", "input"), order("y", "yo", "input")
        return _explicit(sort.get("x"), x_default), _explicit(sort.get("y"), y_default)
    raise EvalvizError(
        f"sort={sort!r} is not understood. Use 'ascending', 'descending', None (input order) or "
        "{'x': [...], 'y': [...]}."
    )


def _explicit(given: Sequence[str] | None, present: list[str]) -> list[str]:
    """An explicit order; values it leaves out follow in input order."""
    if given is None:
        return present
    given = [str(v) for v in given]
    seen = set(given)
    return [v for v in given if v in set(present)] + [v for v in present if v not in seen]
