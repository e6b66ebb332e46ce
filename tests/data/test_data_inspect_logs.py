"""`Data.from_inspect_logs`: real logs read by inspect_ai.analysis, and the error when it is missing."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import evalviz as ev
from conftest import assert_same_table
from evalviz._optional import MissingDependencyError

ia = pytest.importorskip("inspect_ai.analysis")


def test_evals_and_samples_equal_inspects_dataframes(log_dir: Path) -> None:
    evals = ev.Data.from_inspect_logs(log_dir)
    assert_same_table(evals, ia.evals_df(log_dir, quiet=True))
    assert len(evals) == 9

    columns = [*ia.EvalTask, *ia.EvalModel, *ia.SampleSummary]
    samples = ev.Data.from_inspect_logs(log_dir, kind="samples", columns=columns)
    assert_same_table(samples, ia.samples_df(log_dir, columns=columns, quiet=True))
    assert len(samples) == 9 * 6 * 2


def test_inspect_logs_prepare_and_draw(log_dir: Path) -> None:
    evals = ev.prepare(
        ev.Data.from_inspect_logs(sorted(log_dir.glob("*.eval"))),
        ev.model_info(),
        ev.task_info({}),
        ev.log_viewer("eval", {str(log_dir): "https://host/viewer"}),
    )
    chart = ev.scores_heatmap(evals)
    cells = chart.datasets["cells"]
    assert cells.num_rows == 9
    assert all(link.startswith("https://host/viewer/#/logs/") for link in cells["link"].to_pylist())


def test_bad_kind_and_missing_path(tmp_path: Path) -> None:
    with pytest.raises(ev.EvalvizError, match="'evals', 'samples'"):
        ev.Data.from_inspect_logs(tmp_path, kind="messages")
    with pytest.raises(ev.DataSourceError, match="nowhere"):
        ev.Data.from_inspect_logs(tmp_path / "nowhere")


def test_without_inspect_ai_the_error_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "inspect_ai", None)  # import inspect_ai now raises ImportError
    with pytest.raises(MissingDependencyError, match=r"pip install 'evalviz\[inspect\]'"):
        ev.Data.from_inspect_logs(tmp_path)
    # model_info still works: only the user's own table is used.
    data = ev.Data.from_sql("SELECT 'openai/gpt-4o' AS model")
    assert ev.prepare(data, ev.model_info()).to_arrow()["model_display_name"].to_pylist() == ["openai/gpt-4o"]
