"""The predictions every classifier view reads (views/predictions.py): from a table or from prediction artifacts,
in one long form, checked before anything is drawn."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sklearn.metrics import confusion_matrix

import evalviz as ev
from evalviz.analysis import PredictionArtifactRef
from evalviz.errors import ArgumentTypeError, ColumnTypeError, EmptyDataError, MissingColumnError
from evalviz.views.predictions import read_predictions

TABLE = pa.table({
    "y": [0, 1, 1, None, 0, 1],
    "p": [0.1, 0.8, None, 0.5, 0.3, 0.9],
    "q": [0.2, 0.7, 0.6, 0.5, float("nan"), 0.1],
    "model": ["a", "a", "a", "b", "b", "b"],
})


def long_rows(source: object, **roles: object) -> list[tuple]:
    predictions = read_predictions(source, **roles)
    return sorted(tuple(r.values()) for r in predictions.data.sql("SELECT * FROM this").to_pylist())


def test_a_table_in_long_form_leaves_out_and_counts_rows_without_a_label_or_score() -> None:
    predictions = read_predictions(ev.Data.from_dataframe(TABLE), label="y", score=["p", "q"], series="model")
    rows = predictions.data.sql("SELECT * FROM this").to_pylist()
    db = duckdb.connect()
    db.register("t", TABLE)
    kept = db.sql("SELECT count(*) FILTER (WHERE y IS NOT NULL AND p IS NOT NULL AND NOT isnan(p)) "
                  "+ count(*) FILTER (WHERE y IS NOT NULL AND q IS NOT NULL AND NOT isnan(q)) FROM t").fetchall()[0][0]
    assert len(rows) == kept and predictions.left_out == 2 * len(TABLE) - kept
    assert {r["series"] for r in rows} == {"a · p", "a · q", "b · p", "b · q"}
    assert predictions.series_title == "model · score"
    expected = db.sql("SELECT 'a · p', y, p FROM t WHERE model = 'a' AND y IS NOT NULL AND p IS NOT NULL").fetchall()
    assert sorted((r["series"], r["label"], r["score"]) for r in rows if r["series"] == "a · p") == sorted(expected)


def test_one_score_column_names_its_series_by_the_column() -> None:
    rows = long_rows(ev.Data.from_dataframe(TABLE), label="y", score="p")
    assert {r[0] for r in rows} == {"p"} and len(rows) == 4


def test_artifacts_give_one_series_each_named_by_key_metadata_or_file(tmp_path: Path) -> None:
    csv = tmp_path / "first.csv"
    csv.write_text("truth,prob\n0,0.25\n1,0.75\n1,0.5\n")
    parquet = tmp_path / "second.parquet"
    pq.write_table(pa.table({"truth": [1, 0], "prob": [0.9, 0.4]}), parquet)
    first = PredictionArtifactRef(str(csv), "text/csv", {"label": "truth", "score": "prob"})
    second = PredictionArtifactRef(str(parquet), "application/vnd.apache.parquet", {"label": "truth", "score": "prob"},
                                   metadata={"name": "candidate"})
    assert long_rows({"base": first, "new": second.to_dict()}) == sorted(
        [("base", 0, 0.25), ("base", 1, 0.75), ("base", 1, 0.5), ("new", 1, 0.9), ("new", 0, 0.4)])
    assert {r[0] for r in long_rows([first, second])} == {"first", "candidate"}


@pytest.mark.parametrize(("sql", "error", "says"), [
    ("SELECT 2 AS y, 0.5 AS p", ColumnTypeError, "'2' at row 0"),
    ("SELECT * FROM (VALUES (0, 0.5), (1, 0.2), (-1, 0.4)) t(y, p)", ColumnTypeError, "'-1' at row 2"),
    ("SELECT 'yes' AS y, 0.5 AS p", ColumnTypeError, "a label is 0 or 1"),
    ("SELECT 1 AS y, 'high' AS p", ColumnTypeError, "not numbers"),
    ("SELECT * FROM (VALUES (0, 0.5), (1, 'inf'::DOUBLE)) t(y, p)", ColumnTypeError, "inf at row 1"),
    ("SELECT 1 AS label, 0.5 AS prob", MissingColumnError, "'prob'"),
])
def test_bad_predictions_are_refused_naming_the_row_and_the_way_out(sql: str, error: type, says: str) -> None:
    score = "p" if "prob" not in sql else "score"
    label = "y" if "prob" not in sql else "label"
    with pytest.raises(error, match=says):
        read_predictions(ev.Data.from_sql(sql), label=label, score=score, view="pr_curve")


def test_something_that_is_not_predictions_is_refused_naming_what_is_taken() -> None:
    with pytest.raises(ArgumentTypeError, match="pr_curve draws predictions from an ev.Data"):
        read_predictions(42, view="pr_curve")
    with pytest.raises(ev.EvalvizError, match="score is the column"):
        read_predictions(ev.Data.from_dataframe(TABLE), label="y", score=[])


def test_a_null_series_and_one_named_null_stay_two_series() -> None:
    table = pa.table({"y": [0, 1, 0, 1], "p": [0.1, 0.9, 0.4, 0.6], "model": [None, None, "(null)", "(null)"]})
    rows = long_rows(ev.Data.from_dataframe(table), label="y", score="p", series="model")
    series = sorted({r[0] for r in rows})
    assert len(series) == 2 and [s.replace("\u2063", "") for s in series] == ["(null)", "(null)"]
    assert sorted(r[2] for r in rows if r[0] == "(null)") == [0.4, 0.6]  # the text "(null)" keeps its own rows


# Regressions (issue 13 breaker): what a classifier view does with predictions it cannot draw.

@pytest.mark.parametrize("view", [ev.reliability_diagram, ev.confusion_grid])
@pytest.mark.parametrize(("table", "left"), [
    (pa.table({"label": [1, 0, 1], "score": pa.array([None, None, None], pa.float64())}), 3),
    (pa.table({"label": pa.array([None, None], pa.int64()), "score": [0.2, 0.9]}), 2),
    (pa.table({"label": [1, 0], "score": [float("nan"), float("nan")]}), 2),
])
def test_no_drawable_prediction_is_refused_not_drawn_empty(view: object, table: pa.Table, left: int) -> None:
    # Each row lacks a label or a score: before, reliability_diagram drew an empty chart and confusion_grid
    # raised a bare ValueError from max().
    with pytest.raises(EmptyDataError, match=rf"no prediction to draw: each of the {left} .*'label' or 'score'"):
        view(table)


@pytest.mark.parametrize("view", [ev.reliability_diagram, ev.confusion_grid])
def test_an_empty_mapping_or_an_empty_artifact_is_refused(view: object, tmp_path: Path) -> None:
    with pytest.raises(ArgumentTypeError, match="not an empty dict"):
        view({})
    path = tmp_path / "empty.parquet"
    pq.write_table(pa.table({"y": pa.array([], pa.int64()), "p": pa.array([], pa.float64())}), path)
    ref = PredictionArtifactRef(str(path), "application/vnd.apache.parquet", {"label": "y", "score": "p"})
    with pytest.raises(EmptyDataError, match="'empty'.* holds no predictions"):
        view([ref])


def test_artifacts_of_the_same_name_are_refused_not_merged_and_a_mapping_keeps_them_apart(tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    refs = []
    for run in ("run1", "run2"):  # the same file name in two folders: both would be the series "predictions"
        (tmp_path / run).mkdir()
        path = tmp_path / run / "predictions.parquet"
        pq.write_table(pa.table({"y": rng.integers(0, 2, 50), "p": rng.random(50)}), path)
        refs.append(PredictionArtifactRef(str(path), "application/vnd.apache.parquet", {"label": "y", "score": "p"}))
    with pytest.raises(ev.EvalvizError, match="both be drawn as the series 'predictions'.*pass a mapping"):
        ev.confusion_grid(refs)
    chart = ev.confusion_grid({"run 1": refs[0], "run 2": refs[1]})
    for ref, cells in zip(refs, chart.datasets.values(), strict=True):
        table = pq.read_table(ref.uri)
        want = confusion_matrix(table["y"].to_numpy(), (table["p"].to_numpy() >= 0.5).astype(int), labels=[0, 1])
        assert cells["count"].to_pylist() == want.ravel().tolist()
