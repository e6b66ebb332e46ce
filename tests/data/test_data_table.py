"""`Data` itself: lazy filter and select, shape, materialising, the notebook preview, awkward names."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import evalviz as ev

WEIRD = [
    "task name",
    'the "model"',
    "score.value",
    "modèle_é",
    "Ω",
    "log viewer",
    "a'b",
    "x); DROP TABLE t; --",
]


def test_filter_and_select_are_lazy() -> None:
    # Running this query raises; binding it does not. Nothing below may run it.
    data = ev.Data.from_sql("SELECT 1 AS a, 'x' AS b, error('the query ran') AS c")
    narrowed = data.filter("a = 1").select("b", "a", "c").filter("b <> 'y'")
    assert narrowed.columns == ["b", "a", "c"]
    assert narrowed.schema["a"] == "INTEGER"
    with pytest.raises(Exception, match="the query ran"):
        narrowed.to_arrow()
    # Only the columns asked for are computed: without c, the same rows come out.
    assert narrowed.select("b", "a").to_arrow().to_pydict() == {"b": ["x"], "a": [1]}


def test_filter_select_len_and_materialise(tmp_path: Path) -> None:
    path = tmp_path / "s.parquet"
    pq.write_table(
        pa.table({"model": ["a", "b", "c", "a"], "epoch": [1, 1, 2, 2], "score": [0.1, 0.2, 0.3, 0.4]}), path
    )
    data = ev.Data.from_file(path)
    first = data.filter("epoch = 1")
    assert len(data) == 4 and len(first) == 2
    assert first.filter("model = 'b'").to_arrow().to_pydict() == {
        "model": ["b"],
        "epoch": [1],
        "score": [0.2],
    }
    assert data.select("score", "model").columns == ["score", "model"]
    assert isinstance(data.to_pandas(), pd.DataFrame)
    assert data.to_pandas()["score"].tolist() == [0.1, 0.2, 0.3, 0.4]
    assert data.sql("SELECT max(score) AS m FROM this WHERE model = 'a'").to_pydict() == {"m": [0.4]}
    with pytest.raises(ev.MissingColumnError, match="Did you mean 'model'"):
        data.select("modle")
    with pytest.raises(ev.EvalvizError, match="not valid SQL"):
        data.filter("no_such_column > 1")
    with pytest.raises(ev.EvalvizError, match="more than once"):
        data.select("model", "model")


def test_awkward_column_names_work_everywhere(tmp_path: Path) -> None:
    table = pa.table(
        {
            WEIRD[0]: ["t1", "t2", "t1"],
            WEIRD[1]: ["m1", "m1", "m2"],
            WEIRD[2]: ["C", "I", "C"],
            WEIRD[3]: [1, 2, 3],
            WEIRD[4]: [0.5, 0.25, 1.0],
            WEIRD[5]: ["/logs/a.eval"] * 3,
            WEIRD[6]: ["q"] * 3,
            WEIRD[7]: ["z"] * 3,
        }
    )
    path = tmp_path / "weird names.parquet"
    pq.write_table(table, path)
    data = ev.Data.from_file(path)
    assert data.columns == WEIRD
    assert data.select(*reversed(WEIRD)).columns == list(reversed(WEIRD))
    assert len(data.filter('"task name" = \'t1\' AND "the ""model""" = \'m1\'')) == 1
    prepared = ev.prepare(
        data,
        ev.score_to_float(WEIRD[2]),
        ev.task_info({"t1": "Task One"}, task_name_column=WEIRD[0], task_display_name_column=WEIRD[3]),
        ev.log_viewer("eval", {"/logs": "https://v/"}, log_column=WEIRD[5], log_viewer_column=WEIRD[6]),
    )
    assert prepared.columns == WEIRD
    assert prepared.to_arrow().to_pydict() == {
        **table.to_pydict(),
        WEIRD[2]: [1.0, 0.0, 1.0],
        WEIRD[3]: ["Task One", "2", "Task One"],
        WEIRD[6]: ["https://v/#/logs/a.eval"] * 3,
    }
    chart = ev.scores_heatmap(
        prepared, task_name=WEIRD[0], model_name=WEIRD[1], score_value=WEIRD[2], link=None
    )
    cells = chart.datasets["cells"].to_pylist()
    assert {(c["x"], c["y"], c["value"]) for c in cells if c["value"] is not None} == {
        ("t1", "m1", 1.0),
        ("t2", "m1", 0.0),
        ("t1", "m2", 1.0),
    }
    assert data.connection.sql("SELECT 1").fetchall() == [(1,)]  # nothing was dropped or broken


def test_html_preview_escapes_and_shows_rows_count_and_types() -> None:
    evil = "<img src=x onerror=alert(1)>"
    df = pd.DataFrame({evil: [evil] * 25, "n & m": range(25), "long": ["y" * 500] * 25})
    html = ev.Data.from_dataframe(df)._repr_html_()
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "n &amp; m" in html and "BIGINT" in html and "VARCHAR" in html
    assert "25 rows" in html and "3 columns" in html
    assert html.count("<tr>") == 1 + 10 + 1  # header, the first ten rows, and an ellipsis row
    assert "y" * 500 not in html
    small = ev.Data.from_sql("SELECT NULL::INTEGER AS a")._repr_html_()
    assert "1 row " in small and "NULL" in small


def test_repr_names_the_source(tmp_path: Path) -> None:
    path = tmp_path / "e.parquet"
    pq.write_table(pa.table({"a": [1]}), path)
    assert "e.parquet" in repr(ev.Data.from_file(path))
    assert "pandas DataFrame" in repr(ev.Data.from_dataframe(pd.DataFrame({"a": [1]})))


def test_derive_runs_sql_over_this() -> None:
    data = ev.Data.from_sql("SELECT * FROM (VALUES (1), (2), (3)) t(v)")
    doubled = data.derive("SELECT v * 2 AS w FROM this WHERE v > 1")
    assert doubled.to_arrow().to_pydict() == {"w": [4, 6]}
    with pytest.raises(ev.EvalvizError, match="not valid SQL"):
        data.derive("SELECT nope FROM this")
