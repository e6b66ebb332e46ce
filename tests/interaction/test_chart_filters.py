"""Charts filtered by selections on a standalone page (Chromium, network cut): the cells and bars drawn after a
clause is published are what DuckDB computes over the filtered rows, read from the page.

Clauses are published as an input would, through the page's registry (`globalThis.evalviz.selections`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

import evalviz as ev
from browser import ChartPage

MODELS = {"m-alpha": "Org A", "m-beta": "Org A", "m-gamma": "Org B", "m-delta": "Org C"}
TASKS = ("arith", "capitals", "logic")
LEVELS = ("easy", "medium", "hard")


def evals_table() -> pa.Table:
    """Repeated runs of each (model, task), of several difficulties in unequal numbers, a few failed."""
    rng = np.random.default_rng(7)
    rows: dict[str, list[Any]] = {k: [] for k in ("model", "org", "task", "difficulty", "run", "score", "status")}
    for m, (model, org) in enumerate(MODELS.items()):
        for t, task in enumerate(TASKS):
            for run in range(3 + (m + t) % 4):  # 3 to 6 runs: difficulties in unequal numbers
                rows["model"].append(model)
                rows["org"].append(org)
                rows["task"].append(task)
                level = LEVELS[(run * (m + 1)) % 3]
                rows["difficulty"].append(level)
                rows["run"].append(run)
                rows["score"].append(round(float(rng.uniform(0, 1)), 4))
                # One cell fails but for its medium runs; another fails once.
                failed = (model, task) == ("m-beta", "logic") and level != "medium" or \
                    (model, task, run) == ("m-gamma", "arith", 1)
                rows["status"].append("error" if failed else "success")
    return pa.table(rows)


@pytest.fixture(scope="module")
def evals() -> ev.Data:
    return ev.Data.from_dataframe(evals_table())


def publish(page: ChartPage, selection: ev.Selection, clause: dict[str, Any], index: int = 0) -> None:
    """Publish `clause` into `selection` from the page, and wait until chart `index` redrew."""
    before = redraws(page, index)
    page.page.evaluate("([name, clause]) => globalThis.evalviz.selections.publish(name, clause)",
                       [selection.name, clause])
    wait_redrawn(page, index, before)


def redraws(page: ChartPage, index: int = 0) -> int:
    return page.chart(index).evaluate("(el) => Number(el.querySelector('.evalviz-filter-note').dataset.redrawn || 0)")


def wait_redrawn(page: ChartPage, index: int, before: int) -> None:
    page.chart(index).evaluate(
        """async (el, before) => { const note = el.querySelector('.evalviz-filter-note');
            for (let i = 0; i < 200 && Number(note.dataset.redrawn || 0) <= before; i++)
                await new Promise((r) => setTimeout(r, 10)); }""", before)
    assert redraws(page, index) > before, "the chart did not redraw after the clause was published"


def note(page: ChartPage, index: int = 0) -> tuple[bool, str, int]:
    """The filter note under chart `index`: (shown, its text, how many elements it holds)."""
    return tuple(page.chart(index).evaluate(
        "(el) => { const n = el.querySelector('.evalviz-filter-note'); "
        "return [!n.hidden, n.textContent, n.children.length]; }"))


def drawn_values(page: ChartPage, index: int = 0, mark: str = "cells") -> dict[tuple[str, str], float]:
    """(y, x) -> the value of each coloured cell drawn."""
    return {(c.datum["y"], c.datum["x"]): c.datum["value"] for c in page.cells(index)
            if c.name and c.name.endswith(f"{mark}_marks")}


def duck(data: ev.Data, sql: str) -> list[dict[str, Any]]:
    return data.run(sql).to_pylist()


def test_a_filter_on_a_column_with_one_value_per_cell_keeps_whole_cells_and_drops_their_bands(render, evals):
    orgs = ev.Selection.intersect()
    orgs.add_columns("org")
    chart = ev.heatmap(evals, x="task", y="model", fill="score", status="status", filter_by=orgs)
    page = render(chart)
    assert len(drawn_values(page)) == len(MODELS) * len(TASKS)
    order = page.axis_labels_in_order("y")
    publish(page, orgs, {"source": "org-input", "fields": ["org"], "op": "in", "value": [["Org A"], ["Org C"]]})
    expected = {(r["model"], r["task"]): r["v"] for r in duck(evals, (
        "SELECT model, task, avg(score) FILTER (WHERE status = 'success') AS v FROM this "
        "WHERE org IN ('Org A', 'Org C') GROUP BY ALL"))}
    drawn = drawn_values(page)
    assert drawn.keys() == expected.keys()
    for key, value in expected.items():
        assert drawn[key] == pytest.approx(value, abs=1e-9)
    # No empty band is left for the model filtered out; the others keep their order.
    assert page.axis_labels_in_order("y") == [m for m in order if m != "m-gamma"]
    assert note(page)[0] is False
    # Cleared, the chart is whole again.
    before = redraws(page)
    page.page.evaluate("([n]) => globalThis.evalviz.selections.clear(n, 'org-input')", [orgs.name])
    wait_redrawn(page, 0, before)
    assert len(drawn_values(page)) == len(MODELS) * len(TASKS)


def test_a_filter_varying_within_cells_shows_the_mean_of_the_filtered_rows_not_a_mean_of_means(render, evals):
    levels = ev.Selection.intersect()
    levels.add_columns("difficulty")
    chart = ev.heatmap(evals, x="task", y="model", fill="score", status="status", filter_by=levels)
    page = render(chart)
    publish(page, levels, {"source": "level", "fields": ["difficulty"], "op": "in", "value": [["easy"], ["hard"]]})
    rows = duck(evals, """
        SELECT model, task, avg(score) FILTER (WHERE status = 'success') AS v, count(*) AS n,
               count(*) FILTER (WHERE status = 'error') AS errors
        FROM this WHERE difficulty IN ('easy', 'hard') GROUP BY ALL""")
    means_of_means = {(r["model"], r["task"]): r["v"] for r in duck(evals, """
        SELECT model, task, avg(v) AS v FROM (SELECT model, task, difficulty, avg(score) AS v FROM this
        WHERE difficulty IN ('easy', 'hard') AND status = 'success' GROUP BY ALL) GROUP BY ALL""")}
    cells = {(c.datum["y"], c.datum["x"]): c.datum for c in page.cells()}
    assert cells.keys() == {(r["model"], r["task"]) for r in rows}
    differ = 0
    for r in rows:
        datum = cells[(r["model"], r["task"])]
        assert datum["n"] == r["n"]
        if r["v"] is None:  # every kept row failed: an error cell, as DuckDB's cell would be
            assert datum["status"] == "error" and datum["value"] is None
            continue
        assert datum["value"] == pytest.approx(r["v"], abs=1e-9)
        assert datum["status"] == ("partly failed" if r["errors"] else "ok")
        differ += not math.isclose(means_of_means[(r["model"], r["task"])], r["v"], abs_tol=1e-6)
    assert differ > 0, "the data must tell a mean of rows from a mean of means"
    errors = [r for r in rows if r["v"] is None]
    assert errors, "the data must hold a cell whose kept rows all failed"


def test_sample_heatmap_filtered_by_epoch_shows_each_samples_kept_epochs(render, samples_path):
    samples = ev.Data.from_file(samples_path).filter("task_name = 'capitals'")
    epochs = ev.Selection.single()
    epochs.add_columns("epoch")
    chart = ev.sample_heatmap(samples, score_value="score_match", filter_by=epochs)
    page = render(chart)
    publish(page, epochs, {"source": "epoch", "fields": ["epoch"], "op": "in", "value": [[2]]})
    expected = {(r["model"], str(r["id"])): r["v"] for r in duck(samples, """
        SELECT model_display_name AS model, id, avg(CAST(score_match AS DOUBLE)) AS v FROM this
        WHERE epoch = 2 GROUP BY ALL""")}
    drawn = drawn_values(page)
    assert drawn.keys() == expected.keys()
    for key, value in expected.items():
        assert drawn[key] == pytest.approx(value, abs=1e-9)


def test_a_median_of_rows_varying_within_cells_says_it_needs_the_live_widget(render, evals):
    levels = ev.Selection.intersect()
    levels.add_columns("difficulty", "<b onmouseover=alert(1)>")
    chart = ev.heatmap(evals, x="task", y="model", fill="score", agg="median", filter_by=levels)
    page = render(chart)
    whole = drawn_values(page)
    publish(page, levels, {"source": "level", "fields": ["difficulty"], "op": "in", "value": [["easy"]]})
    shown, text, children = note(page)
    assert shown and children == 0
    assert '"difficulty"' in text and "median" in text and "live widget" in text
    assert drawn_values(page) == whole  # no wrong number: the cells stay as DuckDB drew them, unfiltered
    publish(page, levels, {"source": "other", "fields": ["<b onmouseover=alert(1)>"], "op": "contains",
                           "value": "x"})
    shown, text, children = note(page)
    assert '"<b onmouseover=alert(1)>"' in text and children == 0  # a hostile column name stays text


def test_highlight_fades_the_cells_left_out_instead_of_removing_them(render, evals):
    orgs = ev.Selection.intersect()
    orgs.add_columns("org")
    chart = ev.heatmap(evals, x="task", y="model", fill="score", filter_by=orgs, highlight=True)
    page = render(chart)
    publish(page, orgs, {"source": "org", "fields": ["org"], "op": "in", "value": [["Org B"]]})
    cells = [c for c in page.cells() if c.name == "cells_marks"]
    assert len(cells) == len(MODELS) * len(TASKS)
    for cell in cells:
        kept = MODELS[cell.datum["y"]] == "Org B"
        assert cell.opacity == pytest.approx(1.0 if kept else 0.2)


def test_a_chart_in_selections_saves_as_svg_drawn_whole(tmp_path, evals):
    levels = ev.Selection.intersect()
    levels.add_columns("difficulty", "org")
    linked = ev.heatmap(evals, x="task", y="model", fill="score", filter_by=levels, target=ev.Selection.single())
    plain = ev.heatmap(evals, x="task", y="model", fill="score")
    marks = [chart.write_svg(tmp_path / f"{name}.svg").read_text().count('role="graphics-symbol"')
             for name, chart in (("linked", linked), ("plain", plain))]
    assert marks[0] == marks[1] >= len(MODELS) * len(TASKS)
