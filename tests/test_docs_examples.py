"""Every Python block of README.md and docs/**/*.md runs as written, on the example data (issue 10, kind 10).

How the blocks run (docs/hooks/doc_blocks.py, which the docs site's build runs too):

- The blocks of one file run in order in one namespace, like the cells of one notebook, in a working folder
  that holds what the docs name: `examples/data/` (the example tables) and the files a reader would have of
  their own, built from the example data (docs/hooks/doc_workspace.py): `results.parquet` (and as CSV, JSON
  lines, JSON, text), `results/` (hive folders), `results.duckdb`, `runs/`, `run1.parquet`, `run2.parquet`,
  `logs/` (real inspect_ai logs) and `predictions/` (the prediction files of docs/analysis.md, seeded).
- A bare expression is shown as a notebook shows it: its repr, and its HTML (a `Data` preview, a chart).
- A statement followed by comment lines `# SomeError: message` must raise that error (or a subclass) with that
  message; `...` stands for any text.
- A bare expression with a Python literal as its comment (`MetricState(0.91).to_dict()  # {'value': 0.91,
  ...}`) must equal it: floats to the digits shown, `...` for any value or any run of list items.
- A block right after the line `<!-- docs-test: skip (reason) -->` does not run. No block needs it today.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any

import pytest

import evalviz as ev

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs" / "hooks"))

from doc_blocks import Block, BlockError, blocks_of, run_block, run_blocks  # noqa: E402
from doc_workspace import build_workspace  # noqa: E402

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


@pytest.fixture(scope="session")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A working folder holding everything the docs name, made from the example data."""
    return build_workspace(tmp_path_factory.mktemp("docs"))


# -- the tests -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_python_block_runs_as_written(path: Path, workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = blocks_of(path)
    if any("inspect_ai" in b.code or "from_inspect_logs" in b.code for b in blocks):
        pytest.importorskip("inspect_ai")
    monkeypatch.chdir(workspace)
    run_blocks(blocks)


def test_no_block_is_skipped_without_a_reason_and_few_are() -> None:
    skipped = [b.where for path in DOCS for b in blocks_of(path) if b.skip is not None]
    assert skipped == [], f"blocks that do not run: {skipped}"


def test_the_runner_checks_what_the_comments_promise() -> None:
    """A block that shows a wrong value or a wrong error fails; one that shows the right ones passes."""
    good = Block(ROOT / "docs" / "data.md", 1, 'x = [1, 2, 3]\nx  # [1, ..., 3]\nint("a")\n# ValueError: invalid ...\n')
    run_block(good, {})
    wrong_value = Block(ROOT / "docs" / "data.md", 1, "0.7051  # 0.7052\n")
    with pytest.raises(BlockError, match="the docs show 0.7052"):
        run_block(wrong_value, {})
    wrong_below = Block(ROOT / "docs" / "data.md", 1, "{'a': 1, 'b': 2}\n# {'a': 1,\n#  'b': 3}\n")
    with pytest.raises(BlockError, match="the docs show"):
        run_block(wrong_below, {})
    wrong_error = Block(ROOT / "docs" / "data.md", 1, 'int("a")\n# TypeError: invalid ...\n')
    with pytest.raises(BlockError, match="the docs show TypeError"):
        run_block(wrong_error, {})
    no_error = Block(ROOT / "docs" / "data.md", 1, 'int("1")\n# ValueError: invalid ...\n')
    with pytest.raises(BlockError, match="nothing was raised"):
        run_block(no_error, {})


def test_every_doc_has_blocks_and_the_workspace_holds_what_they_name(workspace: Path) -> None:
    without = [str(path.relative_to(ROOT)) for path in DOCS if not blocks_of(path)]
    assert without == ["docs/gallery.md"], f"docs without an example: {without}"  # the gallery holds pictures only
    read = re.compile(r"""["']((?:examples/data/|results|runs/|run\d+\.|logs/|predictions/)[^"'*]*)["']""")
    named = {name for path in DOCS for block in blocks_of(path) for name in read.findall(block.code)}
    missing = sorted(name for name in named if not (workspace / name).exists() and not name.endswith(".html"))
    assert missing == [], f"files the docs name that the workspace lacks: {missing}"
    example = Path("examples") / "data" / "samples.parquet"
    assert os.path.samefile(workspace / example, ROOT / example)


# -- the four examples issue 10 found failing, each with what a user must see ----------------------------------
@pytest.fixture(scope="module")
def inspect_frames(workspace: Path) -> dict[str, Any]:
    """inspect_ai's own tables of the workspace's logs: the independent side of the comparisons below."""
    ia = pytest.importorskip("inspect_ai.analysis")
    logs = workspace / "logs"
    columns = [*ia.EvalTask, *ia.EvalModel, *ia.SampleSummary]
    return {
        "evals": ia.evals_df(logs, quiet=True),
        "samples": ia.samples_df(logs, columns=columns, quiet=True),
        "default_samples": ia.samples_df(logs, quiet=True),
    }


def test_an_inspect_evals_table_previews_with_its_time_zone_aware_column(
    workspace: Path, inspect_frames: dict[str, Any]
) -> None:
    evals = ev.Data.from_inspect_logs(workspace / "logs")
    assert evals.schema["created"] == "TIMESTAMP WITH TIME ZONE"
    preview = evals._repr_html_()
    assert f"{len(inspect_frames['evals'])} rows" in preview
    assert all(eval_id in preview for eval_id in inspect_frames["evals"]["eval_id"])


def test_sample_heatmap_without_score_value_names_the_score_columns(workspace: Path) -> None:
    samples = ev.Data.from_inspect_logs(workspace / "logs", kind="samples")
    with pytest.raises(ev.EvalvizError) as caught:
        ev.sample_heatmap(samples)
    assert "score_value" in str(caught.value)
    assert all(repr(c) in str(caught.value) for c in samples.columns if c.startswith("score_"))


def test_accuracy_per_model_from_letter_scores_converts_them_first(
    workspace: Path, inspect_frames: dict[str, Any]
) -> None:
    from inspect_ai.analysis import EvalModel, EvalTask, SampleSummary
    from inspect_ai.scorer import value_to_float

    samples = ev.Data.from_inspect_logs(workspace / "logs", kind="samples",
                                        columns=[*EvalTask, *EvalModel, *SampleSummary])
    query = "SELECT model, avg(score_includes) AS accuracy FROM this GROUP BY model"
    with pytest.raises(ev.EvalvizError, match="avg"):  # letters have no average: an error, never a raw one
        samples.derive(query).to_arrow()
    ours = ev.prepare(samples, ev.score_to_float("score_includes")).derive(query).to_arrow().to_pylist()
    frame = inspect_frames["samples"].dropna(subset=["score_includes"])
    theirs = frame["score_includes"].map(value_to_float()).groupby(frame["model"]).mean().to_dict()
    expected = {model: theirs.get(model) for model in frame["model"].unique()}
    assert {row["model"]: row["accuracy"] for row in ours if row["accuracy"] is not None} == pytest.approx(expected)


def test_two_models_on_inspect_samples_need_the_model_column(inspect_frames: dict[str, Any]) -> None:
    from evalviz.analysis import paired_diff_between_models

    small, large = "mockllm/atlas-small", "mockllm/atlas-large"
    with pytest.raises(ev.EvalvizError, match="model"):
        paired_diff_between_models(inspect_frames["default_samples"], small, large, score="match", by="task")
    diffs = paired_diff_between_models(inspect_frames["samples"], small, large, score="match", by="task",
                                       progress=False).to_arrow().to_pylist()
    frame = inspect_frames["samples"]
    means = frame.groupby(["task_name", "model"])["score_match"].apply(lambda s: s.map(_letter).mean())
    for row in diffs:
        if row["slice"] in set(frame["task_name"]):
            assert row["delta"] == pytest.approx(means[row["slice"], large] - means[row["slice"], small])


def _letter(value: Any) -> float:
    from inspect_ai.scorer import value_to_float

    return value_to_float()(value)
