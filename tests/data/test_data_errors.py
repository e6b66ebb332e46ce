"""Bad input: each case fails early with a message that names the problem and the way out."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import evalviz as ev


def scores_table(n: int = 3) -> pa.Table:
    return pa.table(
        {
            "model": pa.array([f"m{i % 2}" for i in range(n)], pa.string()),
            "task": pa.array([f"t{i % 3}" for i in range(n)], pa.string()),
            "score": pa.array([i / max(n, 1) for i in range(n)], pa.float64()),
        }
    )


def test_missing_file_names_the_path_and_the_reason(tmp_path: Path) -> None:
    missing = tmp_path / "nope" / "evals.parquet"
    with pytest.raises(ev.DataSourceError, match=r"File not found: .*nope/evals\.parquet"):
        ev.Data.from_file(missing)
    with pytest.raises(ev.DataSourceError, match="No file matches"):
        ev.Data.from_file(tmp_path / "*.parquet")
    with pytest.raises(ev.DataSourceError, match="holds no data file"):
        ev.Data.from_file(tmp_path)
    with pytest.raises(ev.DataSourceError, match="No path given"):
        ev.Data.from_file([])


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "locked.parquet"
    pq.write_table(scores_table(), path)
    path.chmod(0)
    try:
        with pytest.raises(ev.DataSourceError, match=r"locked\.parquet.*permission denied"):
            ev.Data.from_file(path)
    finally:
        path.chmod(0o644)


def test_unreadable_file_simulated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same check where the tests run as root (which reads any file): the OS says no."""
    path = tmp_path / "locked.parquet"
    pq.write_table(scores_table(), path)
    monkeypatch.setattr(os, "access", lambda *args, **kwargs: False)
    with pytest.raises(ev.DataSourceError, match=r"locked\.parquet.*permission denied"):
        ev.Data.from_file(path)


def test_a_file_that_is_not_what_its_name_says(tmp_path: Path) -> None:
    fake = tmp_path / "scores.csv"
    fake.write_bytes(b"\x00\x01PAR1 binary \xff\xfe not text")
    folder_named_like_a_file = tmp_path / "folder.parquet"
    folder_named_like_a_file.mkdir()
    with pytest.raises(ev.DataSourceError, match=r"scores\.csv"):
        ev.Data.from_file(fake, format="parquet")
    with pytest.raises(ev.DataSourceError, match="folder.parquet"):
        ev.Data.from_file(folder_named_like_a_file)


def test_unknown_format(tmp_path: Path) -> None:
    path = tmp_path / "scores.xlsx"
    path.write_bytes(b"PK")
    with pytest.raises(ev.DataSourceError, match=r"Cannot tell the format of .*scores\.xlsx.*parquet, csv"):
        ev.Data.from_file(path)
    with pytest.raises(
        ev.DataSourceError, match="Unknown format 'excel'. Use one of: parquet, csv, jsonl, json"
    ):
        ev.Data.from_file(path, format="excel")
    (tmp_path / "a.csv").write_text("x\n1\n")
    (tmp_path / "b.parquet").write_bytes(b"")
    with pytest.raises(ev.DataSourceError, match="mix formats"):
        ev.Data.from_file([tmp_path / "a.csv", tmp_path / "b.parquet"])


def test_corrupt_parquet(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.parquet"
    garbage.write_bytes(b"this is not a parquet file")
    with pytest.raises(ev.DataSourceError,
                       match=r"garbage\.parquet' is not a readable Parquet file: check .*magic bytes"):
        ev.Data.from_file(garbage)

    truncated = tmp_path / "truncated.parquet"
    pq.write_table(scores_table(1000), truncated)
    truncated.write_bytes(truncated.read_bytes()[:-50])
    with pytest.raises(ev.DataSourceError, match=r"truncated\.parquet"):
        ev.Data.from_file(truncated)

    # A sound footer over damaged pages opens, and fails when the rows are read: the message names the file.
    damaged = tmp_path / "damaged.parquet"
    pq.write_table(
        pa.table({"model": [f"model-{i}" for i in range(20_000)], "score": [i / 7 for i in range(20_000)]}),
        damaged,
        compression="zstd",
    )
    raw = bytearray(damaged.read_bytes())
    for i in range(200, len(raw) // 2):
        raw[i] ^= 0x5A
    damaged.write_bytes(bytes(raw))
    data = ev.Data.from_file(damaged)
    with pytest.raises(ev.DataSourceError,
                       match=r"damaged\.parquet' is not a readable Parquet file: .*ZSTD Decompression failure"):
        ev.scores_heatmap(data, task_name="model", model_name="model", score_value="score", link=None)


def test_missing_column_names_it_the_columns_present_and_the_closest(tmp_path: Path) -> None:
    data = ev.Data.from_dataframe(scores_table())
    with pytest.raises(ev.MissingColumnError) as info:
        ev.scores_heatmap(data, task_name="tsak", model_name="model", score_value="score")
    message = str(info.value)
    assert "'tsak'" in message and "Did you mean 'task'?" in message
    assert "'model', 'task', 'score'" in message
    assert isinstance(info.value, KeyError) and isinstance(info.value, ev.EvalvizError)


def test_letter_scores_point_to_score_to_float() -> None:
    data = ev.Data.from_sql("SELECT * FROM (VALUES ('m', 't', 'C'), ('m', 't', 'I')) v(model, task, score)")
    with pytest.raises(ev.EvalvizError, match=r"'C'.*score_to_float\('score'\)"):
        ev.scores_heatmap(data, task_name="task", model_name="model", score_value="score", link=None)
    fixed = ev.prepare(data, ev.score_to_float("score"))
    chart = ev.scores_heatmap(fixed, task_name="task", model_name="model", score_value="score", link=None)
    assert chart.datasets["cells"]["value"].to_pylist() == [0.5]


def test_empty_table_and_a_filter_leaving_no_rows(tmp_path: Path) -> None:
    path = tmp_path / "empty.parquet"
    pq.write_table(scores_table(0), path)
    kwargs = {"task_name": "task", "model_name": "model", "score_value": "score", "link": None}
    with pytest.raises(ev.EmptyDataError, match=r"empty\.parquet.* no rows"):
        ev.scores_heatmap(ev.Data.from_file(path), **kwargs)
    data = ev.Data.from_dataframe(scores_table())
    with pytest.raises(ev.EmptyDataError, match="filtered by 'false'.*no rows"):
        ev.scores_heatmap(data.filter("false"), **kwargs)
    with pytest.raises(ev.EmptyDataError, match="loosen the filter"):
        ev.scores_heatmap(data.filter("score > 5"), **kwargs)
    empty_csv = tmp_path / "empty.csv"
    empty_csv.write_text("")
    with pytest.raises(ev.EvalvizError):
        ev.scores_heatmap(ev.Data.from_file(empty_csv), **kwargs)


def _fingerprint(folder: Path) -> dict[str, tuple[str, int, int]]:
    return {
        str(p.relative_to(folder)): (
            hashlib.sha256(p.read_bytes()).hexdigest(),
            p.stat().st_mtime_ns,
            p.stat().st_mode,
        )
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_user_files_are_never_written(tmp_path: Path, evals_path: Path, samples_path: Path) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    pq.write_table(scores_table(50), inputs / "scores.parquet")
    (inputs / "scores.csv").write_text("model,task,score\na,t,C\nb,t,I\n")
    (inputs / "scores.jsonl").write_text('{"model": "a", "task": "t", "score": 0.5}\n')
    before = _fingerprint(inputs)
    examples = {
        p: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in (evals_path, samples_path)
        if p.exists()
    }
    out = tmp_path / "out"
    out.mkdir()
    kwargs = {"task_name": "task", "model_name": "model", "score_value": "score", "link": None}

    for i, name in enumerate(["scores.parquet", "scores.csv", "scores.jsonl"]):
        data = ev.prepare(
            ev.Data.from_file(inputs / name), ev.score_to_float("score"), ev.task_info({}, "task")
        )
        data._repr_html_()
        data.to_pandas()
        ev.scores_heatmap(data.filter("score >= 0"), **kwargs).write_html(out / f"chart{i}.html")
    for path in examples:
        data = ev.Data.from_file(path)
        len(data), data.to_arrow()
        if "score_headline_value" in data.columns:
            ev.scores_heatmap(data).write_html(out / "example.html")

    assert _fingerprint(inputs) == before
    assert {
        p: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in examples
    } == examples
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["chart0.html", "chart1.html", "chart2.html"] + (["example.html"] if examples else [])
    )
