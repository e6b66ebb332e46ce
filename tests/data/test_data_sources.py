"""Building a `Data`: files of each format, globs, lists, hive folders, dataframes of each kind, SQL."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import evalviz as ev

ROWS = {"model": ["a", "b", "a"], "task": ["t1", "t1", "t2"], "score": [0.5, 1.0, 0.0]}


def write_all_formats(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    table = pa.table(ROWS)
    paths = {fmt: folder / f"scores.{fmt}" for fmt in ("parquet", "csv", "jsonl", "json")}
    pq.write_table(table, paths["parquet"])
    paths["csv"].write_text(
        "model,task,score\n" + "".join(f"{m},{t},{s}\n" for m, t, s in zip(*ROWS.values(), strict=True))
    )
    records = table.to_pylist()
    paths["jsonl"].write_text("".join(json.dumps(r) + "\n" for r in records))
    paths["json"].write_text(json.dumps(records))
    return paths


@pytest.mark.parametrize("fmt", ["parquet", "csv", "jsonl", "json"])
def test_each_format(tmp_path: Path, fmt: str) -> None:
    path = write_all_formats(tmp_path)[fmt]
    data = ev.Data.from_file(path)
    assert data.columns == ["model", "task", "score"]
    assert len(data) == 3
    assert data.schema == {"model": "VARCHAR", "task": "VARCHAR", "score": "DOUBLE"}
    assert data.to_arrow().to_pydict() == ROWS
    # An explicit format wins over the extension.
    other = tmp_path / f"renamed_{fmt}.dat"
    other.write_bytes(path.read_bytes())
    assert len(ev.Data.from_file(other, format=fmt)) == 3
    assert len(ev.Data.from_file(str(other), format=fmt.upper())) == 3


def test_globs_lists_and_folders(tmp_path: Path) -> None:
    for i in range(3):
        pq.write_table(pa.table({"model": [f"m{i}"], "score": [i / 2]}), tmp_path / f"part-{i}.parquet")
    pq.write_table(pa.table({"model": ["m9"], "score": [1.0], "extra": ["x"]}), tmp_path / "part-9.parquet")
    assert len(ev.Data.from_file(tmp_path / "part-*.parquet")) == 4
    assert len(ev.Data.from_file(str(tmp_path / "part-[01].parquet"))) == 2
    listed = ev.Data.from_file([tmp_path / "part-0.parquet", tmp_path / "part-9.parquet"])
    assert listed.columns == ["model", "score", "extra"]  # combined by column name
    assert sorted(listed.to_arrow()["model"].to_pylist()) == ["m0", "m9"]
    assert len(ev.Data.from_file(tmp_path)) == 4  # a folder: every data file in it


def test_hive_partitioned_folder(tmp_path: Path) -> None:
    root = tmp_path / "results"
    for model in ("alpha", "beta"):
        for task in ("t1", "t2"):
            folder = root / f"model={model}" / f"task={task}"
            folder.mkdir(parents=True)
            pq.write_table(pa.table({"score": [0.25, 0.75]}), folder / "part-0.parquet")
    for data in (ev.Data.from_file(root), ev.Data.from_file(root / "**" / "*.parquet")):
        assert set(data.columns) == {"score", "model", "task"}
        assert len(data.filter("model = 'beta' AND task = 't2'")) == 2


def test_from_dataframe_kinds() -> None:
    expected = ROWS
    table = pa.table(ROWS)
    kinds = {
        "pandas": pd.DataFrame(ROWS),
        "pandas (arrow dtypes)": pd.DataFrame(ROWS).convert_dtypes(dtype_backend="pyarrow"),
        "pyarrow Table": table,
        "pyarrow RecordBatch": table.to_batches()[0],
        "pyarrow RecordBatchReader": pa.RecordBatchReader.from_batches(table.schema, table.to_batches()),
        "polars": pl.DataFrame(ROWS),
        "polars lazy": pl.DataFrame(ROWS).lazy(),
        "arrow c stream": _Stream(table),
    }
    for name, df in kinds.items():
        data = ev.Data.from_dataframe(df)
        assert data.to_arrow().to_pydict() == expected, name
        assert len(data) == 3 and len(data) == 3, name  # a stream is read once, but the Data reads many times


class _Stream:
    """Only the Arrow PyCapsule stream protocol, as other libraries expose it."""

    def __init__(self, table: pa.Table) -> None:
        self._table = table

    def __arrow_c_stream__(self, requested_schema: object = None) -> object:
        return self._table.__arrow_c_stream__(requested_schema)


def test_from_dataframe_does_not_copy_arrow_memory() -> None:
    table = pa.table({"x": pa.array(range(2_000_000), pa.int64()), "s": ["v"] * 2_000_000})
    before = pa.total_allocated_bytes()
    data = ev.Data.from_dataframe(table)
    assert len(data) == 2_000_000
    assert data.sql("SELECT sum(x) AS t FROM this")["t"][0].as_py() == sum(range(2_000_000))
    assert pa.total_allocated_bytes() - before < 1_000_000  # the 16 MB column was scanned in place


def test_from_dataframe_keeps_a_named_index_and_warns_of_renamed_columns() -> None:
    grouped = pd.DataFrame({"model": ["a", "a", "b"], "score": [1.0, 0.0, 0.5]}).groupby("model").mean()
    expected = {"model": ["a", "b"], "score": [0.5, 0.5]}
    assert ev.Data.from_dataframe(grouped).to_arrow().to_pydict() == expected
    with pytest.warns(UserWarning, match=r"column 1 \('score'\) is named 'score_1' \(it differs only in case"):
        data = ev.Data.from_dataframe(pa.table({"Score": [1.0], "score": [2.0]}))
    assert data.columns == ["Score", "score_1"]


def test_from_dataframe_refuses_other_objects() -> None:
    with pytest.raises(ev.DataSourceError, match="pandas or polars"):
        ev.Data.from_dataframe({"a": [1]})


def test_from_sql_on_the_session_or_a_given_connection() -> None:
    assert ev.Data.from_sql("SELECT 42 AS answer").to_arrow().to_pydict() == {"answer": [42]}
    con = duckdb.connect()
    con.execute("CREATE TABLE runs AS SELECT 'a' AS model, 0.5 AS score")
    data = ev.Data.from_sql("SELECT * FROM runs", connection=con)
    assert data.connection is con and len(data) == 1
    with pytest.raises(ev.QueryError, match="runs"):
        ev.Data.from_sql("SELECT * FROM runs")  # not on the session's connection
    with pytest.raises(ev.QueryError, match="is not valid SQL"):
        ev.Data.from_sql("SELEC 1")


def test_many_data_share_a_connection_without_seeing_each_other() -> None:
    first = ev.Data.from_dataframe(pa.table({"v": [1, 2]}))
    second = ev.Data.from_dataframe(pd.DataFrame({"v": [10, 20, 30]}))
    assert first.connection is second.connection
    assert first.sql("SELECT sum(v) AS s FROM this")["s"][0].as_py() == 3
    assert second.sql("SELECT sum(v) AS s FROM this")["s"][0].as_py() == 60
    assert len(first) == 2 and len(second) == 3
    tables = first.connection.sql(
        "SELECT table_name FROM duckdb_tables() UNION ALL "
        "SELECT view_name FROM duckdb_views() WHERE NOT internal"
    ).fetchall()
    assert not any(name == "this" for (name,) in tables)
    with pytest.raises(ev.QueryError, match="this"):
        ev.Data.from_sql("SELECT * FROM this")
