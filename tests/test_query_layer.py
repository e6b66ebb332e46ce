"""Every SQL statement a view runs is built in `evalviz.query`: no SQL text in views or marks, identifiers and
values bound safely, and the query layer independent of the views (so another engine can run its statements)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

import evalviz as ev
from evalviz.query.regions import KeyValues, region_filter_sql
from evalviz.views.binning import axis_ranks
from evalviz.views.grid import GridColumns, aggregate_grid
from evalviz.views.regions import Region, RegionSource

SRC = Path(__file__).resolve().parents[1] / "src" / "evalviz"
VIEWS = sorted((SRC / "views").rglob("*.py"))
QUERY = sorted((SRC / "query").rglob("*.py"))

# SQL as this project writes it: keywords in capitals, DuckDB's functions by name. English text and Vega-Lite
# expressions (isFinite, camel case) do not match.
SQL = re.compile(
    r"\b(SELECT|FROM|WHERE|JOIN|GROUP BY|ORDER BY|PARTITION BY|UNION|CASE WHEN|EXCLUDE|DISTINCT|LIMIT)\b"
    r"|\b(CAST|TRY_CAST|isfinite|isnan|isinf|string_agg|row_number|coalesce|count)\(|format\('\{:,\}'"
)
# A user-facing example of SQL the user may run (an error's advice), not a statement a view runs.
USER_EXAMPLE = re.compile(r"data\.derive\(|Data\.from_sql\(")


def sql_texts(path: Path) -> list[tuple[int, str]]:
    """(line, text) of each string in `path` holding SQL: an f-string's literal parts read together, docstrings
    left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                skipped.add(id(first.value))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            parts = [v for v in node.values if isinstance(v, ast.Constant)]
            skipped.update(id(v) for v in parts)
            text = "{}".join(str(v.value) for v in parts)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skipped:
            text = node.value
        else:
            continue
        if SQL.search(text) and not USER_EXAMPLE.search(text):
            found.append((node.lineno, text))
    return found


def test_the_scan_finds_sql_and_passes_over_prose() -> None:
    source = (
        '"""A docstring may say SELECT * FROM this."""\n'
        'a = f"SELECT {x} FROM this"\n'
        'b = "CASE WHEN v > 0 THEN v END"\n'
        'c = "Select the rows from the table where scores are high."\n'
        'd = "datum.value != null && isFinite(datum.value)"\n'
        'e = f"Or compute one with data.derive(\\"SELECT *, ... AS {c} FROM this\\")."\n'
    )
    path = Path(__file__).parent / "_scan_probe.py"
    try:
        path.write_text(source, encoding="utf-8")
        assert [line for line, _ in sql_texts(path)] == [2, 3]
    finally:
        path.unlink()


@pytest.mark.parametrize("path", VIEWS, ids=lambda p: str(p.relative_to(SRC)))
def test_views_and_marks_hold_no_sql_text(path: Path) -> None:
    found = sql_texts(path)
    assert not found, (
        f"{path.relative_to(SRC)} holds SQL text (issue 11: every statement a view runs is built in "
        f"evalviz.query, one module per job; the view only runs it): "
        + "; ".join(f"line {line}: {text.strip()[:80]!r}" for line, text in found)
    )


@pytest.mark.parametrize("path", QUERY, ids=lambda p: str(p.relative_to(SRC)))
def test_the_query_layer_does_not_reach_into_views_or_run_queries(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    imported += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    assert not [m for m in imported if m.startswith(("evalviz.views", "evalviz.rendering", "duckdb", "pyarrow"))]


# -- identifiers quoted, values bound as literals ------------------------------------------------------------
HOSTILE_X, HOSTILE_Y, HOSTILE_FILL = 'task "x"; DROP', "mo'del", "score) AS s FROM this --"
ROWS = [("t'1", "m\"a", 0.25), ("t'1", "m\"a", 0.75), ("t'1", "m'b", 1.0), ("t2 --", "m\"a", 0.0),
        ("t2 --", "m'b", 0.5), ("t2 --", "m'b", 0.25)]


@pytest.fixture
def hostile() -> ev.Data:
    """Column names and values that break SQL text unless quoted."""
    table = pa.table({HOSTILE_X: [r[0] for r in ROWS], HOSTILE_Y: [r[1] for r in ROWS],
                      HOSTILE_FILL: [r[2] for r in ROWS]})
    return ev.Data.from_sql("SELECT * FROM hostile_rows", connection=_with(table))


def _with(table: pa.Table) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    connection.register("hostile_rows", table)
    return connection


def duckdb_means(rows: list[tuple[str, str, float]]) -> dict[tuple[str, str], float]:
    con = duckdb.connect()
    con.execute("CREATE TABLE r (x VARCHAR, y VARCHAR, v DOUBLE)")
    con.executemany("INSERT INTO r VALUES (?, ?, ?)", rows)
    return {(x, y): m for x, y, m in con.execute("SELECT x, y, avg(v) FROM r GROUP BY x, y").fetchall()}


def test_hostile_names_and_labels_are_quoted(hostile: ev.Data) -> None:
    columns = GridColumns(x=HOSTILE_X, y=HOSTILE_Y, fill=HOSTILE_FILL)
    grid = aggregate_grid(hostile, columns, sort={"x": ["t2 --", "t'1"], "y": ["m'b"]})
    assert grid.x_order == ["t2 --", "t'1"] and grid.y_order == ["m'b", 'm"a']  # explicit labels matched
    means = {(c["x"], c["y"]): c["value"] for c in grid.cells.to_pylist()}
    assert means == pytest.approx(duckdb_means(ROWS))


def test_a_region_of_hostile_values_is_filtered_by_literals(hostile: ev.Data) -> None:
    columns = GridColumns(x=HOSTILE_X, y=HOSTILE_Y, fill=HOSTILE_FILL)
    ranks = axis_ranks(hostile, columns, "ascending")
    region = RegionSource(hostile, columns, agg="mean", ranks=ranks).grid(Region(0, 1, 0, 2))
    expected = duckdb_means(ROWS)
    assert {(c["x"], c["y"]): c["value"] for c in region.cells.to_pylist()} == pytest.approx(
        {key: expected[key] for key in expected if key[0] == ranks[0]["x"][0].as_py()})


def test_region_filter_keeps_nulls_by_is_null_and_an_empty_region_keeps_nothing() -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT * FROM (VALUES ('a''b', 1), (NULL, 2), ('(null)', 3)) v(s, i)")
    kept = region_filter_sql([KeyValues("s", ["a'b", None], text=True)])
    assert sorted(r[0] for r in con.execute(f"SELECT i FROM t WHERE {kept}").fetchall()) == [1, 2]
    nothing = region_filter_sql([KeyValues("s", [], text=True)])
    assert con.execute(f"SELECT count(*) FROM t WHERE {nothing}").fetchone() == (0,)
