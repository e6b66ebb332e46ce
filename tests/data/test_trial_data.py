"""Data as a new user met it (new-user trial, findings 6, 11 and 12(d)): a Series is a table, a misspelt
model_info key is refused with the key meant, and SQL of the user's that fails is a QueryError wherever it
fails, while a file it cannot read stays a DataSourceError."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import polars as pl
import pytest

import evalviz as ev

FRAME = pd.DataFrame({"model": ["a", "a", "b", "b", "b"], "task": ["x", "y", "x", "x", "y"],
                      "score": [1.0, 0.0, 0.5, 0.25, 1.0]})


# -- finding 6: Series ---------------------------------------------------------------------------------------
def test_a_pandas_groupby_series_is_a_table_with_its_keys_as_columns() -> None:
    means = FRAME.groupby(["model", "task"])["score"].mean()
    data = ev.Data.from_dataframe(means)
    assert data.columns == ["model", "task", "score"]
    assert data.to_pandas().to_dict("records") == means.reset_index().to_dict("records")
    chart = ev.heatmap(data, x="task", y="model", fill="score")
    drawn = {(r["y"], r["x"]): r["value"] for r in chart.datasets["cells"].to_pylist()}
    assert drawn == {key: value for key, value in means.items()}


def test_an_unnamed_series_is_one_value_column_and_a_name_clash_is_refused() -> None:
    assert ev.Data.from_dataframe(pd.Series([3, 4])).to_arrow().to_pydict() == {"value": [3, 4]}
    counts = FRAME.groupby("model").size()  # an unnamed Series indexed by model
    assert ev.Data.from_dataframe(counts).to_arrow().to_pydict() == {"model": ["a", "b"], "value": [2, 3]}
    clash = FRAME.set_index("score")["model"].rename("score")
    with pytest.raises(ev.EvalvizError, match=r"named 'score', as a level of its index.*series.rename"):
        ev.Data.from_dataframe(clash)


def test_a_polars_series_is_a_table_of_one_column() -> None:
    scores = pl.Series("score", [0.5, 0.75])
    assert ev.Data.from_dataframe(scores).to_arrow().to_pydict() == {"score": [0.5, 0.75]}
    assert ev.Data.from_dataframe(pl.Series([1, 2])).columns == ["value"]


# -- finding 11: model_info keys -----------------------------------------------------------------------------
@pytest.mark.parametrize(("key", "meant"), [("org", "organization"), ("organisation", "organization"),
                                            ("Model", "model"), ("release", "release_date"),
                                            ("knowledge_cutoff", "knowledge_cutoff_date")])
def test_model_info_refuses_a_misspelt_key_naming_the_key_meant(key: str, meant: str) -> None:
    with pytest.raises(ev.EvalvizError, match=rf"model_info for 'x' has unknown key\(s\) '{key}' "
                                              rf"\(did you mean '{meant}'\?\)"):
        ev.model_info({"x": {key: "y", "model": "X"} if key != "Model" else {key: "X"}})


def test_model_info_takes_modelinfo_s_fields_and_objects_and_refuses_other_values() -> None:
    data = ev.Data.from_sql("SELECT 'x' AS model UNION ALL SELECT 'z'")
    info = ev.model_info({"x": {"organization": "Acme", "model": "X", "context_length": 8192}, "z": None},
                         builtin=False)
    prepared = ev.prepare(data, info).to_arrow()
    assert prepared["model_organization_name"].to_pylist() == ["Acme", None]
    assert prepared["model_display_name"].to_pylist() == ["X", "z"]
    inspect_model = pytest.importorskip("inspect_ai.model")
    ev.model_info({"x": inspect_model.ModelInfo(organization="Acme", model="X")})
    with pytest.raises(ev.EvalvizError, match=r"maps each model to an inspect_ai ModelInfo or a dict .*'x' maps "
                                              r"to 'X'"):
        ev.model_info({"x": "X"})
    with pytest.raises(ev.EvalvizError, match=r"unknown key\(s\) 'zzz'; the keys are organization"):
        ev.model_info({"x": {"zzz": 1}})


# -- finding 12(d): which error a failing query raises ------------------------------------------------------
def test_sql_of_the_users_that_does_not_parse_or_bind_is_a_query_error() -> None:
    with pytest.raises(ev.QueryError, match=r"The query 'SELEC 1' is not valid SQL: Parser Error"):
        ev.Data.from_sql("SELEC 1")
    with pytest.raises(ev.QueryError, match=r"nowhere_table"):
        ev.Data.from_sql("SELECT * FROM nowhere_table")
    data = ev.Data.from_dataframe(FRAME)
    with pytest.raises(ev.QueryError, match=r"The query 'SELEC 1' is not valid SQL for this table"):
        data.derive("SELEC 1")
    with pytest.raises(ev.QueryError, match=r"(?s)The filter 'scroe > 1' is not valid SQL.*Columns: 'model'"):
        data.filter("scroe > 1")
    with pytest.raises(ev.QueryError, match="not valid SQL"):
        data.sql("SELECT nothing FROM this")


@pytest.mark.parametrize("read", [lambda d: d.to_arrow(), lambda d: d._repr_html_(),
                                  lambda d: ev.heatmap(d, x="model", y="model", fill="score")])
def test_sql_of_the_users_that_fails_as_it_runs_is_a_query_error_naming_it(read) -> None:
    data = ev.Data.from_dataframe(FRAME)
    given = [  # (the user's SQL, the table it made)
        ("SELECT CAST('x' AS INTEGER) AS score, 'm' AS model",
         ev.Data.from_sql("SELECT CAST('x' AS INTEGER) AS score, 'm' AS model")),
        ("CAST(model AS INTEGER) > 0", data.filter("CAST(model AS INTEGER) > 0")),
        ("SELECT model, CAST(task AS INTEGER) AS score FROM this",
         data.derive("SELECT model, CAST(task AS INTEGER) AS score FROM this")),
        ("score > CAST(task AS INTEGER)", data.filter("model = 'a'").filter("score > CAST(task AS INTEGER)")),
    ]
    for sql, table in given:
        with pytest.raises(ev.QueryError, match="Conversion Error") as caught:
            read(table)
        assert repr(sql) in str(caught.value)  # named as the user wrote it (DuckDB's excerpt has no quotes)


def test_a_file_the_users_query_cannot_read_is_a_data_source_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.csv"
    with pytest.raises(ev.DataSourceError, match=r"could not read its source: IO Error"):
        ev.Data.from_sql(f"SELECT * FROM '{missing}'")
    path = tmp_path / "runs.csv"
    path.write_text("model,score\na,1\n")
    data = ev.Data.from_file(path).filter("score > 0")
    path.unlink()
    with pytest.raises(ev.DataSourceError, match="runs.csv"):
        data.to_arrow()
