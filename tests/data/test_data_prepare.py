"""`ev.prepare` and its operations in SQL, against `inspect_ai.analysis.prepare` on the same real logs."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

import evalviz as ev
from conftest import assert_same_table

ia = pytest.importorskip("inspect_ai.analysis")
from inspect_ai.model import ModelInfo  # noqa: E402

VIEWER = "https://logs.example.com/viewer/"
MODEL_INFO = {
    "mockllm/atlas-large": ModelInfo(
        organization="Atlas Labs", model="Atlas Large", release_date=date(2025, 9, 2)
    ),
    "mockllm/borealis": ModelInfo(organization="Borealis AI", model="Borealis", snapshot="2025-04"),
}
TASKS = {"arithmetic": "Arithmetic", "capitals": "World Capitals"}  # spelling keeps its own display name


@pytest.fixture(scope="module")
def raw_evals(log_dir: Path) -> pd.DataFrame:
    return ia.evals_df(log_dir, quiet=True)


@pytest.fixture(scope="module")
def raw_samples(log_dir: Path) -> pd.DataFrame:
    return ia.samples_df(log_dir, columns=[*ia.EvalTask, *ia.EvalModel, *ia.SampleSummary], quiet=True)


def score_columns(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if c.startswith("score_")]


def test_evals_prepared_from_a_parquet_file_equal_inspect(
    raw_evals: pd.DataFrame, log_dir: Path, tmp_path: Path
) -> None:
    path = tmp_path / "evals.parquet"
    raw_evals.to_parquet(path)
    ours = ev.prepare(
        ev.Data.from_file(path),
        ev.model_info(MODEL_INFO),
        ev.task_info(TASKS),
        ev.log_viewer("eval", {str(log_dir): VIEWER}),
    )
    theirs = ia.prepare(
        raw_evals.copy(),
        [ia.model_info(MODEL_INFO), ia.task_info(TASKS), ia.log_viewer("eval", {str(log_dir): VIEWER})],
    )
    assert_same_table(ours, theirs)
    links = ours.to_arrow()["log_viewer"].to_pylist()
    assert all(link.startswith(VIEWER + "#/logs/") and link.endswith(".eval") for link in links)


def test_samples_prepared_from_a_dataframe_equal_inspect(raw_samples: pd.DataFrame, log_dir: Path) -> None:
    scores = score_columns(raw_samples)
    assert {"score_includes", "score_match"} <= set(scores)
    mapping = {str(log_dir) + "/": VIEWER.rstrip("/")}  # trailing slashes differ on purpose
    ours = ev.prepare(
        ev.Data.from_dataframe(raw_samples),
        [
            ev.model_info(MODEL_INFO),
            ev.task_info(TASKS),
            ev.log_viewer("sample", mapping),
            ev.score_to_float(scores),
        ],
    )
    theirs = ia.prepare(
        raw_samples.copy(),
        [
            ia.model_info(MODEL_INFO),
            ia.task_info(TASKS),
            ia.log_viewer("sample", mapping),
            ia.score_to_float(scores),
        ],
    )
    assert_same_table(ours, theirs)
    table = ours.to_arrow()
    assert table.schema.field("score_match").type == pa.float64()
    # capitals has both scorers; the other tasks leave score_includes missing, which stays missing.
    assert set(table["score_match"].to_pylist()) <= {0.0, 1.0}
    assert None in table["score_includes"].to_pylist()


def test_model_info_uses_inspects_model_database(raw_evals: pd.DataFrame) -> None:
    known = ["openai/gpt-4o", "anthropic/claude-3-5-sonnet-20241022", "mockllm/unknown-model"]
    df = pd.concat([raw_evals.iloc[:1].assign(model=m) for m in known], ignore_index=True)
    ours = ev.prepare(ev.Data.from_dataframe(df), ev.model_info())
    theirs = ia.prepare(df.copy(), ia.model_info())
    assert_same_table(ours, theirs)
    names = ours.to_arrow()["model_display_name"].to_pylist()
    assert names[0] != known[0] and names[2] == "mockllm/unknown-model"


def test_model_info_without_the_builtin_database_falls_back_to_the_model() -> None:
    data = ev.Data.from_sql("SELECT 'openai/gpt-4o' AS model UNION ALL SELECT 'x/y'")
    table = ev.prepare(
        data, ev.model_info({"x/y": {"model": "Y", "release_date": "2024-01-31"}}, builtin=False)
    ).to_arrow()
    assert table["model_display_name"].to_pylist() == ["openai/gpt-4o", "Y"]
    assert table["model_release_date"].to_pylist() == [None, date(2024, 1, 31)]
    assert table.schema.field("model_release_date").type == pa.date32()


VALUES = [
    "C",
    "I",
    "P",
    "N",
    "c",
    "i",
    "yes",
    "YES",
    "Yes",
    "no",
    "No",
    "true",
    "TRUE",
    "false",
    "False",
    " yes",
    "1",
    "0",
    "0.5",
    "-2.25",
    "1e3",
    "1E-2",
    " 7 ",
    "\t3\n",
    "1\xa0",
    "00012",
    "+4",
    "-0",
    ".5",
    "5.",
    "1_000",
    "1e-400",
    "1e400",
    "inf",
    "-Infinity",
    "nan",
    "NaN",
    "",
    " ",
    "abc",
    "1,5",
    "0x10",
    "1.5.",
    "C ",
    "correct",
]


def test_score_to_float_of_text_equals_inspects_value_to_float() -> None:
    from inspect_ai.scorer import value_to_float

    expected = [value_to_float()(v) for v in VALUES]
    data = ev.Data.from_dataframe(pa.table({"score": VALUES}))
    assert ev.prepare(data, ev.score_to_float("score")).to_arrow()["score"].to_pylist() == expected


def test_score_to_float_of_numbers_booleans_and_missing() -> None:
    data = ev.Data.from_dataframe(
        pa.table(
            {
                "f": [0.25, None, math.nan, 1.0],
                "i": pa.array([1, 0, None, 3], pa.int64()),
                "b": [True, False, None, True],
                "s": ["C", None, "I", "P"],
            }
        )
    )
    table = ev.prepare(data, ev.score_to_float(["f", "i", "b", "s"])).to_arrow()
    assert table.column_names == ["f", "i", "b", "s"]
    assert table.to_pydict() == {
        "f": [0.25, None, None, 1.0],
        "i": [1.0, 0.0, None, 3.0],
        "b": [1.0, 0.0, None, 1.0],
        "s": [1.0, None, 0.0, 0.5],
    }
    assert all(t == pa.float64() for t in table.schema.types)


def test_score_to_float_of_mixed_json_values(tmp_path: Path) -> None:
    path = tmp_path / "scores.jsonl"
    path.write_text('{"s": "C"}\n{"s": 0.5}\n{"s": true}\n{"s": null}\n{"s": "no"}\n')
    data = ev.Data.from_file(path)
    assert data.schema["s"] == "JSON"
    assert ev.prepare(data, ev.score_to_float("s")).to_arrow()["s"].to_pylist() == [
        1.0,
        0.5,
        1.0,
        None,
        0.0,
    ]


def test_score_to_float_with_other_letters_and_a_bad_type() -> None:
    data = ev.Data.from_sql("SELECT * FROM (VALUES ('A'), ('B'), ('C')) t(grade)")
    table = ev.prepare(data, ev.score_to_float("grade", correct="A", incorrect="B")).to_arrow()
    assert table["grade"].to_pylist() == [1.0, 0.0, 0.0]
    with pytest.raises(ev.EvalvizError, match="DATE"):
        ev.prepare(ev.Data.from_sql("SELECT DATE '2024-01-01' AS d"), ev.score_to_float("d"))
    with pytest.raises(ev.MissingColumnError, match="score_x"):
        ev.prepare(data, ev.score_to_float("score_x"))


def test_log_viewer_targets_and_relative_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "logs").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    df = pd.DataFrame(
        {
            "log": [
                str(tmp_path / "logs/a.eval"),
                "logs/sub/b.eval",
                "./logs/c.eval",
                "s3://bucket/runs/d.eval",
                "~/mine/e.eval",
            ],
            "id": ["x", "7", "y", "z", "w"],
            "epoch": [1, 2, 1, 3, 1],
            "sample_id": ["u1", "u2", "u3", "u4", "u5"],
            "event_id": ["e1", "e2", "e3", "e4", "e5"],
            "message_id": ["m1", "m2", "m3", "m4", "m5"],
        }
    )
    mapping = {
        "logs": "https://a.example/view",
        "s3://bucket/runs/": "https://b.example/",
        str(tmp_path / "home" / "mine"): "https://c.example/",
    }
    for target in ("eval", "sample", "event", "message"):
        ours = ev.prepare(ev.Data.from_dataframe(df), ev.log_viewer(target, mapping, log_viewer_column="url"))
        theirs = ia.prepare(df.copy(), ia.log_viewer(target, mapping, log_viewer_column="url"))
        assert_same_table(ours, theirs)
    urls = ev.prepare(ev.Data.from_dataframe(df), ev.log_viewer("sample", mapping)).to_arrow()["log_viewer"]
    assert urls.to_pylist()[1] == "https://a.example/view/#/logs/sub/b.eval/samples/sample/7/2"


def test_log_viewer_refuses_a_log_no_mapping_covers() -> None:
    data = ev.Data.from_sql("SELECT '/elsewhere/x.eval' AS log")
    with pytest.raises(ev.EvalvizError, match="/elsewhere/x.eval"):
        ev.prepare(data, ev.log_viewer("eval", {"/logs": "https://host/"}))
    with pytest.raises(ev.MissingColumnError, match="epoch"):
        ev.prepare(
            ev.Data.from_sql("SELECT '/logs/x.eval' AS log, 1 AS id"),
            ev.log_viewer("sample", {"/logs": "https://host/"}),
        )
    with pytest.raises(ev.EvalvizError, match="target"):
        ev.log_viewer("run", {"/logs": "https://host/"})  # type: ignore[arg-type]


def test_task_info_keeps_an_existing_display_name_else_the_task_name() -> None:
    df = pd.DataFrame({"task_name": ["a", "b", "c"], "other": [1, 2, 3]})
    ours = ev.prepare(ev.Data.from_dataframe(df), ev.task_info({"a": "Task A"}))
    assert_same_table(ours, ia.prepare(df.copy(), ia.task_info({"a": "Task A"})))
    df["task_display_name"] = ["x", "Old B", None]
    ours = ev.prepare(ev.Data.from_dataframe(df), ev.task_info({"a": "Task A"}))
    assert_same_table(ours, ia.prepare(df.copy(), ia.task_info({"a": "Task A"})))
    assert ours.columns == ["task_name", "other", "task_display_name"]


def test_prepare_is_lazy_and_leaves_its_input_alone(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("task_name,score\nt1,C\nt2,I\n")
    data = ev.Data.from_file(path)
    prepared = ev.prepare(data, ev.score_to_float("score"), ev.task_info({"t1": "One"}))
    assert data.columns == ["task_name", "score"] and data.schema["score"] == "VARCHAR"
    path.write_text("task_name,score\nt1,C\nt2,I\nt3,P\n")  # the file is read when rows are needed
    assert prepared.to_arrow().to_pydict() == {
        "task_name": ["t1", "t2", "t3"],
        "score": [1.0, 0.0, 0.5],
        "task_display_name": ["One", "t2", "t3"],
    }


def test_prepare_refuses_inspects_own_operations() -> None:
    with pytest.raises(ev.EvalvizError, match="not a prepare operation"):
        ev.prepare(ev.Data.from_sql("SELECT 1 AS a"), "score_to_float")  # type: ignore[arg-type]
