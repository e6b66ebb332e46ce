"""`log_report` as a reader sees it: the report of a folder of real inspect_ai logs (examples/example_logs.py),
written to a file and opened in Chromium with the network cut. Every chart is drawn; the heatmaps hold what DuckDB
computes over the logs' samples (each log's headline scorer, read from the log by inspect_ai); choosing a model or
a task filters every chart and the table; bad folders say which folder and what to give instead."""

from __future__ import annotations

import math
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import pytest

import evalviz as ev
from browser import REDRAWS_JS, ChartPage
from evalviz.publishing.report import log_report

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "examples"))
from example_logs import write_logs  # noqa: E402

MODELS = ("atlas-large", "borealis", "cirrus-mini")
TASKS = ("arithmetic", "capitals", "spelling")
N_SAMPLES, EPOCHS = 6, 2

CHART_VIEWS = "() => [...document.querySelectorAll('.evalviz-item')].filter((el) => el.evalvizView)"
# Every mark item of the index-th chart's `<mark>_marks` layer, as [model, key, value].
DRAWN = """([index, mark, model, key]) => {
  const view = (""" + CHART_VIEWS + """)()[index].evalvizView;
  const out = [];
  const walk = (node) => {
    for (const item of node.items || []) {
      if (node.marktype === 'group') { (item.items || []).forEach(walk); continue; }
      if ((node.name || '').endsWith(mark + '_marks') && item.datum) out.push([item.datum[model], item.datum[key],
        item.datum.value]);
    }
  };
  walk(view.scenegraph().root);
  return out;
}"""
NOTES = "() => [...document.querySelectorAll('.evalviz-filter-note')].map((n) => n.textContent)"
COUNT = "() => document.querySelector('.evalviz-table-count').textContent"


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("logs")
    write_logs(folder, models=MODELS, tasks=TASKS, n_samples=N_SAMPLES, epochs=EPOCHS)
    return folder


@pytest.fixture(scope="module")
def samples(logs: Path) -> duckdb.DuckDBPyConnection:
    """The logs' samples, one row per sample and epoch with its log's headline score as 0/1, read by inspect_ai
    alone (the headline scorer from each log's results), in a DuckDB table `samples`."""
    from inspect_ai.analysis import EvalModel, EvalTask, SampleSummary, samples_df
    from inspect_ai.log import read_eval_log

    frame = samples_df(logs, columns=[*EvalTask, *EvalModel, *SampleSummary], quiet=True)
    headline = {str(path): read_eval_log(str(path), header_only=True).results.scores[0].name
                for path in logs.glob("*.eval")}
    frame["headline"] = [row[f"score_{headline[row['log']]}"] for _, row in frame.iterrows()]
    con = duckdb.connect()
    con.register("frame", frame)
    con.execute("CREATE TABLE samples AS SELECT model, task_name, id, headline = 'C' AS correct FROM frame")
    return con


@pytest.fixture(scope="module")
def report_html(logs: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("report") / "report.html"
    log_report(logs).write_html(path)
    return path.read_text(encoding="utf-8")


@pytest.fixture
def page(render, report_html: str) -> Iterator[ChartPage]:
    yield render(report_html)


def scores(con: duckdb.DuckDBPyConnection, model: str | None = None) -> dict[tuple[str, str], float]:
    """(model, task) -> the share of correct samples, by DuckDB."""
    rows = con.execute("SELECT model, task_name, avg(correct::DOUBLE) FROM samples WHERE model = coalesce(?, model) "
                       "GROUP BY ALL", [model]).fetchall()
    return {(m, t): v for m, t, v in rows}


def sample_scores(con: duckdb.DuckDBPyConnection, task: str, model: str | None = None) -> dict[tuple[str, str], float]:
    """(model, sample id) -> the share of the sample's epochs scored correct, by DuckDB."""
    rows = con.execute("SELECT model, id, avg(correct::DOUBLE) FROM samples WHERE task_name = ? "
                       "AND model = coalesce(?, model) GROUP BY ALL", [task, model]).fetchall()
    return {(m, str(i)): v for m, i, v in rows}


def drawn(page: ChartPage, index: int, mark: str, model: str, key: str) -> dict[tuple[str, str], float]:
    return {(m, str(k)): v for m, k, v in page.page.evaluate(DRAWN, [index, mark, model, key])}


def assert_close(got: dict, want: dict, what: str) -> None:
    assert got.keys() == want.keys(), f"{what} draws {sorted(got)}, DuckDB has {sorted(want)}"
    assert all(math.isclose(got[k], want[k], abs_tol=1e-9) for k in want), f"{what}: {got} != {want}"


def assert_report_shows(page: ChartPage, con: duckdb.DuckDBPyConnection, model: str | None = None) -> None:
    """The scores heatmap and the bars hold each (model, task)'s share of correct samples; the sample heatmap of
    each task each sample's share of correct epochs (for `model` alone when given)."""
    want = scores(con, model)
    assert_close(drawn(page, 0, "cells", "y_v", "x_v"), want, "the scores heatmap")
    assert_close(drawn(page, 1, "scores", "model", "task"), want, "scores by task")
    for index, task in enumerate(sorted(TASKS), start=2):
        assert_close(drawn(page, index, "cells", "y_v", "x_v"), sample_scores(con, task, model),
                     f"the sample heatmap of {task}")


def test_the_report_draws_every_chart_with_duckdbs_means_over_the_samples(page: ChartPage, samples, logs) -> None:
    p = page.page
    n_rows = len(MODELS) * len(TASKS) * N_SAMPLES * EPOCHS
    # Title, intro naming the counts, the two inputs, five charts (two score charts, a heatmap per task), the table.
    assert p.title() == f"Evaluation report: {logs.name}"
    intro = p.locator(".evalviz-markdown").nth(1).inner_text()
    assert f"{len(MODELS) * len(TASKS)} logs of {len(MODELS)} models on {len(TASKS)} tasks" in intro
    assert p.locator("[data-evalviz-input]").count() == 2
    assert p.evaluate(f"({CHART_VIEWS})().length") == 2 + len(TASKS)
    assert_report_shows(page, samples)
    assert p.evaluate(COUNT) == f"{n_rows} rows"
    titles = [page.page.evaluate(f"({CHART_VIEWS})()[{i}].textContent") for i in range(2, 2 + len(TASKS))]
    assert [t for t in titles if "Samples of" in t] == titles  # each sample heatmap is titled with its task
    assert all(task in title for task, title in zip(sorted(TASKS), titles, strict=True))


def test_choosing_a_model_or_a_task_filters_every_chart_and_the_table(page: ChartPage, samples) -> None:
    p = page.page
    model = "mockllm/borealis"
    before = p.evaluate(REDRAWS_JS)
    p.locator('[data-evalviz-input="select"] select').select_option(label=model)
    p.wait_for_function(f"(before) => ({REDRAWS_JS})().every((n, i) => n > before[i])", arg=before, timeout=10_000)
    assert_report_shows(page, samples, model)
    kept = len(TASKS) * N_SAMPLES * EPOCHS
    p.wait_for_function(f"(text) => ({COUNT})() === text", arg=f"{kept} of {kept * len(MODELS)} rows",
                        timeout=10_000)
    assert all(model in row for row in p.locator(".tabulator-row").all_inner_texts())

    # A task ticked as well: the other tasks' sample heatmaps empty, and say so.
    before = p.evaluate(REDRAWS_JS)
    p.locator('[data-evalviz-input="checkbox_group"]').get_by_label("capitals").check()
    p.wait_for_function(f"(before) => ({REDRAWS_JS})().every((n, i) => n > before[i])", arg=before, timeout=10_000)
    assert drawn(page, 0, "cells", "y_v", "x_v").keys() == {(model, "capitals")}
    notes = p.evaluate(NOTES)
    assert [i for i, note in enumerate(notes) if "No rows match the selection" in note] == [
        2 + i for i, task in enumerate(sorted(TASKS)) if task != "capitals"]


def unscored_log(folder: Path) -> None:
    """One log of an eval run without a scorer (in a thread: the browser's event loop may be running here)."""
    from inspect_ai import Task
    from inspect_ai import eval as inspect_eval
    from inspect_ai.dataset import Sample
    from inspect_ai.model import ModelOutput, ModelUsage, get_model

    def answer(*_: object) -> ModelOutput:
        output = ModelOutput.from_content(model="quiet", content="hi")
        output.usage = ModelUsage(input_tokens=2, output_tokens=1, total_tokens=3)  # no tokenizer download
        return output

    model = get_model("mockllm/quiet", custom_outputs=answer)
    task = Task(dataset=[Sample(input="Say hi", target="hi")], name="greeting")
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(lambda: inspect_eval(task, model=model, log_dir=str(folder), display="none",
                                         log_level="error")).result()


@pytest.mark.parametrize("case", ["missing", "empty", "not logs", "unscored"])
def test_a_folder_without_scored_logs_names_the_folder_and_the_way_out(case: str, tmp_path: Path) -> None:
    folder = tmp_path / "logs"
    if case != "missing":
        folder.mkdir()
    if case == "not logs":
        (folder / "results.csv").write_text("model,score\na,1\n")
    if case == "unscored":
        unscored_log(folder)
    error = ev.EmptyDataError if case == "unscored" else ev.DataSourceError
    way_out = "inspect score" if case == "unscored" else "inspect eval --log-dir"
    with pytest.raises(error) as raised:
        log_report(folder)
    assert str(folder) in str(raised.value)
    assert way_out in str(raised.value)
    assert list(tmp_path.iterdir()) == ([folder] if case != "missing" else [])


def test_a_log_dir_that_is_not_a_path_says_what_it_takes() -> None:
    with pytest.raises(ev.DataSourceError, match="a folder of inspect_ai logs .* not 3"):
        log_report(3)
