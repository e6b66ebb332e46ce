"""Issue 10, kind 2: every failure of a Data operation is an EvalvizError with DuckDB's whole reason, the file and
the column; a read failure is told apart from SQL that is not valid; reader options reach DuckDB."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import evalviz as ev
from evalviz.errors import QueryError

HEATMAP = {"task_name": "task", "model_name": "model", "score_value": "score", "link": None}

# Every operation of a Data that reads its source, by name.
OPERATIONS: dict[str, Callable[[ev.Data], object]] = {
    "len": len,
    "to_arrow": lambda d: d.to_arrow(),
    "to_pandas": lambda d: d.to_pandas(),
    "sql": lambda d: d.sql("SELECT * FROM this"),
    "filter": lambda d: d.filter("score > 0").to_arrow(),
    "select": lambda d: d.select("score").to_arrow(),
    "derive": lambda d: d.derive("SELECT score FROM this").to_arrow(),
    "require_rows": lambda d: d.require_rows(),
    "repr_html": lambda d: d._repr_html_(),
    "on_own_cursor": lambda d: d.on_own_cursor().to_arrow(),
    "scores_heatmap": lambda d: ev.scores_heatmap(d, **HEATMAP),
}


def write_scores(path: Path, n: int = 4) -> pa.Table:
    table = pa.table({
        "model": [f"m{i % 2}" for i in range(n)],
        "task": [f"t{i % 3}" for i in range(n)],
        "score": [i / n for i in range(n)],
    })
    pq.write_table(table, path)
    return table


def assert_not_raw(error: BaseException) -> None:
    """An evalviz error, not DuckDB's or Arrow's (which stay its cause)."""
    assert isinstance(error, ev.EvalvizError)
    assert not isinstance(error, duckdb.Error | pa.ArrowException)


# -- a file that changes after from_file ---------------------------------------------------------------------
@pytest.mark.parametrize("operation", OPERATIONS)
def test_a_deleted_file_is_named_and_said_to_be_deleted(tmp_path: Path, operation: str) -> None:
    path = tmp_path / "scores.parquet"
    write_scores(path)
    data = ev.Data.from_file(path)
    path.unlink()
    with pytest.raises(ev.DataSourceError) as info:
        OPERATIONS[operation](data)
    assert_not_raw(info.value)
    assert f"The file {str(path)!r} was deleted or moved after Data.from_file read it" in str(info.value)


@pytest.mark.parametrize("operation", OPERATIONS)
def test_a_file_rewritten_with_other_columns_says_which(tmp_path: Path, operation: str) -> None:
    path = tmp_path / "scores.parquet"
    write_scores(path)
    data = ev.Data.from_file(path)
    narrowed = data.filter("score >= 0")  # made before the change: it reads the same file
    pq.write_table(pa.table({"model": ["x"], "points": ["ten"]}), path)
    for table in (data, narrowed):
        with pytest.raises(ev.DataSourceError) as info:
            OPERATIONS[operation](table)
        message = str(info.value)
        assert_not_raw(info.value)
        assert "scores.parquet" in message and "changed" in message
        assert "'score' DOUBLE" in message and "'points' VARCHAR" in message  # the columns before and after
        assert "not valid SQL" not in message


def test_a_file_rewritten_with_the_same_columns_is_read_as_it_is_now(tmp_path: Path) -> None:
    path = tmp_path / "scores.parquet"
    write_scores(path, 4)
    data = ev.Data.from_file(path)
    assert len(data) == 4
    newer = write_scores(path, 9)
    assert len(data) == 9
    assert data.to_arrow().equals(newer)


def test_a_csv_rewritten_with_another_header_is_not_read_by_position(tmp_path: Path) -> None:
    path = tmp_path / "scores.csv"
    path.write_text("model,task,score\na,t,0.5\n")
    data = ev.Data.from_file(path)
    path.write_text("task,model,score\nt,a,0.5\n")  # same types, columns swapped
    with pytest.raises(ev.DataSourceError, match=r"scores\.csv.*changed"):
        data.to_arrow()


# -- values the reader cannot convert, far into a file ----------------------------------------------------------
def late_text_csv(path: Path, rows: int = 60_000) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["model", "task", "score"])
        writer.writerows((f"m{i % 3}", f"t{i % 2}", i / 7) for i in range(rows))
        writer.writerow(["m1", "t1", "oops"])


@pytest.mark.parametrize("operation", ["to_arrow", "to_pandas", "sql", "filter", "select", "scores_heatmap"])
def test_text_far_into_a_numeric_csv_column_names_file_column_line_and_way_out(
    tmp_path: Path, operation: str
) -> None:
    path = tmp_path / "late.csv"
    late_text_csv(path)
    data = ev.Data.from_file(path)
    assert data.schema["score"] == "DOUBLE"  # the sniffer saw numbers only
    with pytest.raises(ev.DataSourceError) as info:
        OPERATIONS[operation](data)
    message = str(info.value)
    assert_not_raw(info.value)
    assert "late.csv" in message and "column 'score'" in message
    assert "'oops'" in message and "line 60002" in message  # the value and the line, without DuckDB's advice
    assert "Possible" not in message and "Auto-Detected" not in message
    assert "types={'score': 'VARCHAR'}" in message and "sample_size=-1" in message
    assert "not valid SQL" not in message
    # The way out DuckDB gives works: the column is read as text.
    fixed = ev.Data.from_file(path, types={"score": "VARCHAR"})
    assert fixed.schema["score"] == "VARCHAR"
    assert fixed.sql("SELECT count(*) AS n FROM this WHERE score = 'oops'")["n"][0].as_py() == 1


# -- filter, derive, sql: the user's SQL, or the source ---------------------------------------------------------
def test_sql_that_is_not_valid_is_said_so_with_duckdbs_whole_reason(tmp_path: Path) -> None:
    path = tmp_path / "scores.parquet"
    write_scores(path)
    data = ev.Data.from_file(path)
    with pytest.raises(QueryError) as info:
        data.filter("scroe > 1")
    message = str(info.value)
    assert "not valid SQL" in message and 'Candidate bindings: "score"' in message  # the second line kept
    assert "'model', 'task', 'score'" in message
    assert isinstance(info.value, ValueError)
    with pytest.raises(QueryError, match=r"not valid SQL.*syntax error"):
        data.derive("SELECT FROM WHERE this")
    with pytest.raises(QueryError, match=r"not valid SQL.*nope"):
        data.sql("SELECT nope FROM this")
    with pytest.raises(QueryError, match=r"failed.*Could not convert string 'm0'"):
        data.sql("SELECT CAST(model AS INTEGER) FROM this")  # valid SQL that fails on the values


def test_a_filter_over_a_file_that_fails_to_read_reports_the_read_failure(tmp_path: Path) -> None:
    path = tmp_path / "late.csv"
    late_text_csv(path)
    data = ev.Data.from_file(path)
    narrowed = data.filter("score > 1")  # binding reads nothing: the predicate is valid
    with pytest.raises(ev.DataSourceError) as info:
        narrowed.to_arrow()
    assert "not valid SQL" not in str(info.value) and "oops" in str(info.value)
    with pytest.raises(ev.DataSourceError) as info:
        data.sql("SELECT avg(score) AS m FROM this")
    assert not isinstance(info.value, QueryError) and "late.csv" in str(info.value)


# -- empty files ----------------------------------------------------------------------------------------------
def test_a_csv_of_only_a_header_says_no_rows_not_a_type(tmp_path: Path) -> None:
    path = tmp_path / "header_only.csv"
    path.write_text("model,task,score\n")
    data = ev.Data.from_file(path)
    assert len(data) == 0
    with pytest.raises(ev.EmptyDataError) as info:
        ev.scores_heatmap(data, **HEATMAP)
    assert "no rows" in str(info.value) and "header_only.csv" in str(info.value)
    assert "VARCHAR" not in str(info.value) and "score_to_float" not in str(info.value)


# -- encodings and reader options ------------------------------------------------------------------------------
def test_a_utf16_csv_says_it_is_not_utf8_and_reads_with_the_encoding_given(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    rows = [("model", "task", "score"), ("m\u00e9", "arith", "0.25"), ("m2", "logic", "0.75")]
    path.write_bytes("".join(",".join(r) + "\n" for r in rows).encode("utf-16"))
    with pytest.raises(ev.DataSourceError) as info:
        ev.Data.from_file(path)
    message = str(info.value)
    assert "wide.csv" in message and "line 1 " in message
    assert "not UTF-8" in message and "encoding='utf-16'" in message and "Possible" not in message
    data = ev.Data.from_file(path, encoding="utf-16")
    expected = list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-16"))))
    assert data.to_arrow().to_pylist() == [{**r, "score": float(r["score"])} for r in expected]


def test_reader_options_reach_duckdb(tmp_path: Path) -> None:
    path = tmp_path / "semi.txt"
    path.write_text("a;b\n1;x\n2;y\n")
    data = ev.Data.from_file(path, format="csv", delim=";")
    assert data.to_arrow().to_pydict() == {"a": [1, 2], "b": ["x", "y"]}
    no_header = ev.Data.from_file(path, format="csv", sep=";", header=False, names=["first", "second"])
    assert no_header.to_arrow().to_pydict() == {"first": ["a", "1", "2"], "second": ["b", "x", "y"]}
    typed = ev.Data.from_file(path, format="csv", delimiter=";", types={"a": "DOUBLE"})
    assert typed.schema == {"a": "DOUBLE", "b": "VARCHAR"}
    parquet = tmp_path / "p.parquet"
    write_scores(parquet)
    assert ev.Data.from_file(parquet, filename=True).columns == ["model", "task", "score", "filename"]
    jsonl = tmp_path / "r.jsonl"
    jsonl.write_text('{"a": 1}\n{"a": 2}\n')
    assert ev.Data.from_file(jsonl, columns={"a": "VARCHAR"}).to_arrow().to_pydict() == {"a": ["1", "2"]}


def test_an_unknown_reader_option_lists_the_ones_duckdb_takes(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("a\n1\n")
    with pytest.raises(ev.DataSourceError) as info:
        ev.Data.from_file(path, separatr=";")
    message = str(info.value)
    assert "'separatr'" in message and "read_csv" in message
    valid = duckdb.sql(
        "SELECT DISTINCT unnest(parameters) FROM duckdb_functions() WHERE function_name = 'read_csv'"
    ).fetchall()
    assert all(name in message for (name,) in valid if name not in ("path", "paths"))
    assert "duckdb.org/docs" in message
    with pytest.raises(ev.DataSourceError, match="header=<object"):
        ev.Data.from_file(path, header=object())
    with pytest.raises(ev.DataSourceError, match=r"s\.csv.*header"):
        ev.Data.from_file(path, header="perhaps")  # DuckDB refuses the value: its reason is given


# -- dataframes -------------------------------------------------------------------------------------------------
def test_half_precision_floats_are_read_as_float32() -> None:
    halves = np.array([0.25, 0.5, 0.875, 1.5], dtype=np.float16)
    table = pa.table({
        "model": ["a", "a", "b", "b"],
        "task": ["t", "u", "t", "u"],
        "score": pa.array(halves),
        "listed": pa.array([[h] for h in halves], pa.list_(pa.float16())),
        "nested": pa.array([{"v": h} for h in halves], pa.struct([("v", pa.float16())])),
    })
    data = ev.Data.from_dataframe(table)
    assert data.schema == {"model": "VARCHAR", "task": "VARCHAR", "score": "FLOAT", "listed": "FLOAT[]",
                           "nested": "STRUCT(v FLOAT)"}
    expected = [float(h) for h in halves.astype(np.float32)]
    assert data.to_arrow()["score"].to_pylist() == expected
    assert [x[0] for x in data.to_arrow()["listed"].to_pylist()] == expected
    assert [x["v"] for x in data.to_arrow()["nested"].to_pylist()] == expected
    cells = ev.scores_heatmap(data, **HEATMAP).datasets["cells"].to_pylist()
    assert {(c["x"], c["y"]): c["value"] for c in cells} == {
        ("t", "a"): expected[0], ("u", "a"): expected[1], ("t", "b"): expected[2], ("u", "b"): expected[3]
    }


def test_a_dataframe_column_duckdb_cannot_read_is_named() -> None:
    union = pa.UnionArray.from_dense(
        pa.array([0, 1], pa.int8()), pa.array([0, 0], pa.int32()), [pa.array([1]), pa.array(["a"])]
    )
    with pytest.raises(ev.DataSourceError) as info:
        ev.Data.from_dataframe(pa.table({"fine": [1, 2], "odd": union}))
    assert_not_raw(info.value)
    assert "column 'odd'" in str(info.value) and "Union" in str(info.value)


def test_a_failing_query_and_a_missing_table_are_errors_of_the_query() -> None:
    data = ev.Data.from_sql("SELECT 1 AS score, error('boom') AS other")
    for operation in ("to_arrow", "repr_html", "sql"):
        with pytest.raises(ev.QueryError, match="boom") as info:
            OPERATIONS[operation](data)
        assert_not_raw(info.value)
    with pytest.raises(ev.QueryError, match="nowhere_table"):
        ev.Data.from_sql("SELECT * FROM nowhere_table")


def test_inspect_logs_that_cannot_be_read(tmp_path: Path) -> None:
    pytest.importorskip("inspect_ai")
    (tmp_path / "broken.eval").write_text("not a zip file")
    with pytest.raises(ev.DataSourceError, match=r"broken|could not read") as info:
        ev.Data.from_inspect_logs(tmp_path)
    assert_not_raw(info.value)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ev.DataSourceError, match="No inspect_ai log was found"):
        ev.Data.from_inspect_logs(empty)


def test_arguments_of_the_wrong_kind_are_named(tmp_path: Path) -> None:
    polars = pytest.importorskip("polars")
    data = ev.Data.from_sql("SELECT 1 AS a")
    for call, match in [
        (lambda: ev.Data.from_file(5), "not 5"),
        (lambda: ev.Data.from_file([tmp_path, None]), "not \\["),
        (lambda: ev.Data.from_sql(None), "from_sql takes a SQL query as text, not None"),
        (lambda: data.sql(3), "sql takes a SQL query as text, not 3"),
        (lambda: data.derive(" "), "derive takes a SQL query as text"),
        (lambda: ev.Data.from_dataframe(polars.DataFrame({"a": [1]}).lazy().select(polars.col("nope"))),
         r"LazyFrame.*ColumnNotFoundError.*nope"),
    ]:
        with pytest.raises(ev.EvalvizError, match=match) as info:
            call()
        assert_not_raw(info.value)
