"""The bundled example data: real inspect_ai logs of mock models, and the committed Parquet tables."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pyarrow.parquet as pq
import pytest

pytest.importorskip("inspect_ai")

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _load_example_logs() -> ModuleType:
    spec = importlib.util.spec_from_file_location("example_logs", EXAMPLES / "example_logs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


example_logs = _load_example_logs()


@pytest.fixture(scope="module")
def small_logs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Logs of 2 models x 2 tasks x 4 samples x 1 epoch."""
    return example_logs.write_logs(
        tmp_path_factory.mktemp("logs"),
        models=["atlas-large", "cirrus-mini"],
        tasks=["arithmetic", "capitals"],
        n_samples=4,
        epochs=1,
    )


def test_write_logs_writes_scored_eval_logs(small_logs: list[Path]) -> None:
    from inspect_ai.log import read_eval_log

    assert sorted(path.name for path in small_logs) == [
        "arithmetic_atlas-large.eval",
        "arithmetic_cirrus-mini.eval",
        "capitals_atlas-large.eval",
        "capitals_cirrus-mini.eval",
    ]
    for path in small_logs:
        log = read_eval_log(path)
        task, model = path.stem.split("_")
        assert (log.status, log.eval.task, log.eval.model) == ("success", task, f"mockllm/{model}")
        assert log.samples is not None and len(log.samples) == 4
        for sample in log.samples:
            answer, target = sample.output.completion, sample.target
            assert isinstance(target, str)
            assert sample.scores is not None
            if task == "arithmetic":
                assert isinstance(sample.id, int)
                expected = {"match": answer == target}
            else:
                assert isinstance(sample.id, str)
                expected = {"match": answer == target, "includes": target in answer}
            assert {name: score.value for name, score in sample.scores.items()} == {
                name: "C" if correct else "I" for name, correct in expected.items()
            }
        assert log.results is not None
        accuracy = log.results.scores[0].metrics["accuracy"].value
        first_scorer = log.results.scores[0].name
        assert accuracy == sum(s.scores[first_scorer].value == "C" for s in log.samples) / 4


def test_write_logs_is_deterministic(small_logs: list[Path], tmp_path: Path) -> None:
    from inspect_ai.log import read_eval_log

    again = example_logs.write_logs(
        tmp_path, models=["atlas-large"], tasks=["capitals"], n_samples=4, epochs=1
    )
    first = read_eval_log(next(path for path in small_logs if path.name == again[0].name))
    second = read_eval_log(again[0])
    assert first.samples is not None and second.samples is not None
    assert [(s.id, s.output.completion) for s in first.samples] == [
        (s.id, s.output.completion) for s in second.samples
    ]


def test_committed_evals_table() -> None:
    evals = pq.read_table(EXAMPLES / "data" / "evals.parquet").to_pandas()
    assert {"task_name", "task_display_name", "model", "model_display_name"} <= set(evals.columns)
    assert {"score_headline_name", "score_headline_value", "log", "log_viewer"} <= set(evals.columns)
    assert evals["model_display_name"].nunique() >= 3 and evals["task_display_name"].nunique() >= 3
    assert len(evals) == evals["model"].nunique() * evals["task_name"].nunique()
    assert evals["log_viewer"].str.startswith("https://").all()
    assert evals["score_headline_value"].between(0, 1).all()
    # The structure the charts should show: some models clearly better than others.
    by_model = evals.groupby("model")["score_headline_value"].mean()
    assert by_model.max() - by_model.min() > 0.2


def test_committed_samples_table() -> None:
    evals = pq.read_table(EXAMPLES / "data" / "evals.parquet").to_pandas()
    samples = pq.read_table(EXAMPLES / "data" / "samples.parquet").to_pandas()
    columns = {"id", "epoch", "model_display_name", "task_display_name", "log_viewer"}
    assert columns | {"score_match", "score_includes"} <= set(samples.columns)
    assert samples["log_viewer"].str.startswith("https://").all()
    assert samples["epoch"].nunique() >= 2
    for column in ("score_match", "score_includes"):
        scores = samples[column].dropna()
        assert samples[column].dtype.kind == "f" and len(scores) > 0
        assert scores.between(0, 1).all()
    # Each eval's headline accuracy is the mean of its samples' headline scores.
    for row in evals.itertuples():
        rows = samples[(samples["task_name"] == row.task_name) & (samples["model"] == row.model)]
        assert rows[f"score_{row.score_headline_name}"].mean() == pytest.approx(row.score_headline_value)
