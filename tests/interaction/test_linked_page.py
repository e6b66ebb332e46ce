"""The page of issue 12's benchmark, small (benchmarks/bench_linked_page.py draws it over 50 models x 50 tasks): a
select of the organisation and a checkbox group of task categories publishing into one selection, above
scores_heatmap, scores_by_model and scores_by_task filtered by it. In Chromium with the network cut, choosing an
option and ticking a box (real UI events) redraws all three charts to what DuckDB computes over the kept rows:
the marks drawn, their values, and the heatmap's axes holding only the kept models and tasks."""

from __future__ import annotations

import math
from typing import Any

import duckdb
import pyarrow as pa
import pytest

import evalviz as ev
from browser import LAYER_MARKS_JS, REDRAWS_JS, ChartPage

MODELS = {"m-alpha": "Org A", "m-beta": "Org A", "m-gamma": "Org B", "m-delta": "Org C", "m-eps": "Org B",
          "m-zeta": "Org C"}
TASKS = {"arith": "maths", "algebra": "maths", "capitals": "knowledge", "history": "knowledge", "logic": "reasoning"}
CHARTS = 3  # heatmap, scores_by_model, scores_by_task

# Every drawn mark of the index-th chart of the page whose layer is `mark`: its model, task and value.
DRAWN = f"""([index, mark, model, task]) => ({LAYER_MARKS_JS})(
  [[...document.querySelectorAll('.evalviz-item')].filter((el) => el.evalvizView)[index], mark, [model, task]])"""



def evals_table() -> pa.Table:
    """One run of each (model, task), two runs of a few: a heatmap cell and a bar are then a mean."""
    rows: dict[str, list[Any]] = {k: [] for k in ("model_display_name", "model_organization_name",
                                                  "task_display_name", "task_category", "score_headline_value",
                                                  "score_headline_stderr", "log_viewer")}
    for m, (model, org) in enumerate(MODELS.items()):
        for t, (task, category) in enumerate(TASKS.items()):
            for run in range(1 + (m + t) % 3 // 2):
                rows["model_display_name"].append(model)
                rows["model_organization_name"].append(org)
                rows["task_display_name"].append(task)
                rows["task_category"].append(category)
                rows["score_headline_value"].append(round(0.05 + 0.9 * ((m * 7 + t * 3 + run * 5) % 11) / 10, 3))
                rows["score_headline_stderr"].append(0.02 + 0.01 * run)
                rows["log_viewer"].append(f"https://logs.example.org/#/logs/{m}-{t}-{run}.eval")
    return pa.table(rows)


@pytest.fixture(scope="module")
def table() -> pa.Table:
    return evals_table()


def expected(table: pa.Table, org: str | None, categories: list[str]) -> dict[tuple[str, str], float]:
    """(model, task) -> the mean score of the kept runs, computed by DuckDB."""
    where, params = ["TRUE"], []
    if org is not None:
        where.append("model_organization_name = ?")
        params.append(org)
    if categories:
        where.append(f"task_category IN ({', '.join('?' for _ in categories)})")
        params.extend(categories)
    con = duckdb.connect()
    con.register("evals", table)
    found = con.execute(
        "SELECT model_display_name, task_display_name, avg(score_headline_value) FROM evals "
        f"WHERE {' AND '.join(where)} GROUP BY ALL", params).fetchall()
    return {(model, task): value for model, task, value in found}


def wait_redrawn(page: ChartPage, before: list[int]) -> None:
    """Wait until every chart redrew since `before` (its filter note's count, set once its dataflow ran)."""
    page.page.wait_for_function(f"(before) => ({REDRAWS_JS})().every((n, i) => n > before[i])", arg=before,
                                timeout=10_000)


def assert_drawn(page: ChartPage, want: dict[tuple[str, str], float]) -> None:
    # The heatmap has models down its y axis; the score charts, a bar per model (x_v) of a task (y_v).
    for index, fields in enumerate((["cells", "y_v", "x_v"], ["scores", "x_v", "y_v"], ["scores", "x_v", "y_v"])):
        drawn = {(model, task): value for model, task, value in page.page.evaluate(DRAWN, [index, *fields])}
        assert drawn.keys() == want.keys(), f"chart {index} draws {sorted(drawn)}, DuckDB keeps {sorted(want)}"
        off = {k: (drawn[k], want[k]) for k in want if not math.isclose(drawn[k], want[k], abs_tol=1e-9)}
        assert not off, f"chart {index} draws values other than DuckDB's: {off}"


def heatmap_axis(page: ChartPage, axis: str) -> set[str]:
    return set(page.page.locator(".evalviz-item").filter(has=page.page.locator("canvas.marks, svg.marks")).first
               .evaluate("""(el, axis) => [...el.querySelectorAll('g.role-axis')].filter((g) =>
                   (g.getAttribute('aria-label') || '').startsWith(axis.toUpperCase() + '-axis'))
                   .flatMap((g) => [...g.querySelectorAll('g.role-axis-label text')].map((t) => t.textContent))""",
                         axis))


def test_choosing_an_organisation_and_ticking_a_category_redraws_all_three_charts_to_duckdbs_values(
        render, table: pa.Table) -> None:
    evals = ev.Data.from_dataframe(table)
    chosen = ev.Selection.intersect()
    page = render(ev.vconcat(
        ev.hconcat(ev.select(evals, "model_organization_name", target=chosen, label="Organisation"),
                   ev.checkbox_group(evals, "task_category", target=chosen, label="Task category")),
        ev.scores_heatmap(evals, filter_by=chosen), ev.scores_by_model(evals, filter_by=chosen),
        ev.scores_by_task(evals, filter_by=chosen)))
    assert len(page.page.evaluate(REDRAWS_JS)) == CHARTS
    assert_drawn(page, expected(table, None, []))

    steps = [("select", "Org B"), ("tick", "knowledge"), ("select", "Org C"), ("tick", "reasoning"),
             ("select", "All"), ("tick", "knowledge")]
    org: str | None = None
    ticked: list[str] = []
    for kind, label in steps:
        before = page.page.evaluate(REDRAWS_JS)
        if kind == "select":
            page.page.locator('[data-evalviz-input="select"] select').select_option(label=label)
            org = None if label == "All" else label
        else:
            page.page.locator('[data-evalviz-input="checkbox_group"] label', has_text=label).locator("input").click()
            ticked = [c for c in dict.fromkeys(TASKS.values()) if (c in ticked) != (c == label)]
        wait_redrawn(page, before)
        want = expected(table, org, ticked)
        assert_drawn(page, want)
        # The heatmap's axes follow: only the kept models and tasks keep a band.
        assert heatmap_axis(page, "y") == {model for model, _ in want}
        assert heatmap_axis(page, "x") == {task for _, task in want}
    assert org is None and ticked == ["reasoning"]  # the last state is a filter on categories alone
