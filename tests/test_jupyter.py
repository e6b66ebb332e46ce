"""A real JupyterLab on loopback: a notebook cell displays a scores_heatmap as a widget, and the chart, its
tooltip and the clicked-cell selection (browser -> kernel) all work."""

from __future__ import annotations

from pathlib import Path

import pytest

from browser import ChartPage
from jupyter_server import jupyter_lab, run_cell

pytestmark = pytest.mark.jupyter

NOTEBOOK_CELLS = [
    "import evalviz as ev\n"
    "import pyarrow as pa\n"
    "table = pa.table({'model_display_name': ['alpha', 'alpha', 'beta', 'beta'],\n"
    "                  'task_display_name': ['Arithmetic', 'Capitals', 'Arithmetic', 'Capitals'],\n"
    "                  'score_headline_value': [0.2, 0.4, 0.6, 0.8],\n"
    "                  'log_viewer': ['https://logs.example.com/viewer/#/logs/a.eval'] * 4})\n"
    "chart = ev.scores_heatmap(ev.Data.from_dataframe(table), title='Scores in JupyterLab')\n"
    "chart",
    "print('SELECTION', chart.selection)",
]


def test_scores_heatmap_in_jupyterlab(browser, tmp_path: Path) -> None:
    with jupyter_lab(tmp_path) as lab:
        lab.write_notebook("chart.ipynb", NOTEBOOK_CELLS)
        context, page, outside = lab.open_notebook(browser, "chart.ipynb")
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        run_cell(page, 0)
        target = page.locator(".jp-OutputArea-output div.evalviz-target[data-evalviz-state=ready]")
        target.wait_for(timeout=60_000)
        assert page.locator(".jp-OutputArea-output div.evalviz-target").count() == 1  # the widget, not HTML too

        chart = ChartPage(page=page, context=context)
        assert len(chart.cells()) == 4
        beta = chart.cell(y="beta", x="Capitals")
        tip = chart.hover(beta)
        assert tip["Model"] == "beta" and tip["Task"] == "Capitals" and tip["Score"] == "0.800"
        assert "Scores in JupyterLab" in target.inner_text()

        # A click reaches the kernel: the Component's selection is the clicked cell. The click also opens the
        # cell's log link, whose request is aborted like any other that leaves loopback.
        page.mouse.click(*beta.center)
        page.wait_for_timeout(500)
        run_cell(page, 1)
        printed = page.locator(".jp-OutputArea-output pre", has_text="SELECTION")
        printed.wait_for(timeout=30_000)
        text = printed.inner_text()
        assert "'y': 'beta'" in text and "'x': 'Capitals'" in text and "0.8" in text
        assert all(url.startswith("https://logs.example.com/") for url in outside), outside
        assert dialogs == []
        context.close()


def test_binned_sample_heatmap_drills_down_in_the_widget(browser, tmp_path: Path) -> None:
    """A click on a bin asks the kernel for that region (a message, its cells, Arrow bytes back); the
    region shows single samples with their own tooltips, and Back returns to the overview."""
    rows = "range(30) a(m), range(1200) b(s)"  # 36,000 cells: more samples than the chart has pixels
    cells = [
        "import duckdb, evalviz as ev\n"
        "duckdb.connect().execute(\"\"\"COPY (\n"
        "  SELECT 'model-' || lpad(CAST(m AS VARCHAR), 2, '0') AS model_display_name,\n"
        "  's' || lpad(CAST(s AS VARCHAR), 4, '0') AS id, 1 AS epoch,\n"
        "  CASE WHEN hash(m, s) % 100 < 30 + 2 * m THEN 1.0 ELSE 0.0 END AS score_match,\n"
        "  'https://logs.example.com/viewer/#/logs/m' || m || '.eval/samples/sample/s' || s || '/1' AS log_viewer\n"
        f"  FROM {rows}) TO 'samples.parquet' (FORMAT parquet)\"\"\")\n"
        "chart = ev.sample_heatmap(ev.Data.from_file('samples.parquet'), score_value='score_match')\n"
        "chart",
    ]
    with jupyter_lab(tmp_path) as lab:
        lab.write_notebook("drill.ipynb", cells)
        context, page, outside = lab.open_notebook(browser, "drill.ipynb")
        run_cell(page, 0)
        ready = ".jp-OutputArea-output div.evalviz-target[data-evalviz-state=ready]"
        page.locator(ready).wait_for(timeout=60_000)
        chart = ChartPage(page=page, context=context)
        overview = chart.cells()
        assert len(overview) < 30 * 1200 and "x_members" in overview[0].datum  # binned
        target = next(c for c in overview if c.datum["y"] == "model-07" and c.datum["xb"] == 40)
        members = target.datum["x_members"]
        first, last = members.split(" \u2026 ")[0], members.split(" \u2026 ")[1].split(" (")[0]

        page.mouse.click(*target.center)
        page.locator(".evalviz-back").wait_for(timeout=10_000)
        page.locator(ready).wait_for(timeout=10_000)
        detail = chart.cells()
        shown = {c.datum["x"] for c in detail}
        assert {first, last} <= shown and all("x_members" not in c.datum for c in detail)
        tip = chart.hover(chart.cell(x=first, y="model-07"))
        assert tip["Sample"] == first and tip["Log"].endswith(f"/samples/sample/s{int(first[1:])}/1")
        # The channel's timing marks, which the drill-down benchmark reads: the answer matched to its ask by id.
        asked, answered = page.evaluate(
            "() => ['asked', 'answered'].map((n) => performance.getEntriesByName(`evalviz:drill-${n}`)"
            ".map((m) => m.detail))"
        )
        assert len(asked) == len(answered) == 1 and answered[0]["id"] == asked[0]["id"]
        assert answered[0]["pythonMs"] > 0

        page.locator(".evalviz-back").click()
        page.locator(ready).wait_for(timeout=10_000)
        assert len(chart.cells()) == len(overview)
        assert outside == []
        context.close()


SAMPLES_TABLE = (
    "import duckdb, evalviz as ev\n"
    "duckdb.connect().execute(\"\"\"COPY (\n"
    "  SELECT 'model-' || lpad(CAST(m AS VARCHAR), 2, '0') AS model_display_name,\n"
    "  's' || lpad(CAST(s AS VARCHAR), 4, '0') AS id, e AS epoch,\n"
    "  CASE WHEN hash(m, s, e) % 100 < 30 + 2 * m THEN 1.0 ELSE 0.0 END AS score_match\n"
    "  FROM range(30) a(m), range(1200) b(s), range(2) c(e)) TO 'samples.parquet' (FORMAT parquet)\"\"\")\n"
    "samples = ev.Data.from_file('samples.parquet')\n"
    "models = ev.Selection.intersect(name='models')\n"
)


def test_charts_in_separate_cells_stay_linked_and_the_binned_heatmap_requeries(browser, tmp_path: Path) -> None:
    """A selection shared by widgets of two cells: a change on the page redraws both from the kernel (the
    binned heatmap binned again over the kept rows), and Python reads the clauses the page set."""
    import duckdb

    cells = [
        SAMPLES_TABLE + "heat = ev.sample_heatmap(samples, score_value='score_match', filter_by=models)\nheat",
        "other = ev.sample_heatmap(samples, score_value='score_match', filter_by=models, width=500)\nother",
        "print('CLAUSES', [(c.fields, c.value) for c in heat.params['models'].clauses])",
    ]
    kept = ["model-03", "model-17", "model-29"]
    with jupyter_lab(tmp_path) as lab:
        lab.write_notebook("linked.ipynb", cells)
        context, page, outside = lab.open_notebook(browser, "linked.ipynb")
        ready = ".jp-OutputArea-output div.evalviz-target[data-evalviz-state=ready]"
        run_cell(page, 0)
        page.locator(ready).first.wait_for(timeout=60_000)
        run_cell(page, 1)
        page.locator(ready).nth(1).wait_for(timeout=60_000)
        chart = ChartPage(page=page, context=context)
        assert {c.datum["y"] for c in chart.cells(0)} == {f"model-{m:02d}" for m in range(30)}

        clause = {"source": "test", "fields": ["model_display_name"], "op": "in", "value": [[m] for m in kept]}
        page.evaluate("(clause) => evalviz.selections.publish('models', clause)", clause)
        page.locator("[data-evalviz-requeries='1']").nth(1).wait_for(timeout=30_000)
        rows = duckdb.connect().sql(
            "SELECT model_display_name, count(*), sum(score_match) FROM read_parquet(?) "
            "WHERE model_display_name IN (?, ?, ?) GROUP BY ALL", params=[str(tmp_path / "samples.parquet"), *kept]
        ).fetchall()
        for index in (0, 1):
            cells_drawn = chart.cells(index)
            assert {c.datum["y"] for c in cells_drawn} == set(kept)
            assert "x_members" in cells_drawn[0].datum  # still binned: 1,200 samples
            # Each model's bins hold its rows, and their values add up to its scores, as DuckDB counts them.
            for model, count, total in rows:
                mine = [c.datum for c in cells_drawn if c.datum["y"] == model]
                assert sum(d["n"] for d in mine) == count
                assert sum(d["value"] * d["n_values"] for d in mine) == pytest.approx(total)

        run_cell(page, 2)
        printed = page.locator(".jp-OutputArea-output pre", has_text="CLAUSES")
        printed.wait_for(timeout=30_000)
        assert printed.inner_text().strip() == (
            "CLAUSES [(('model_display_name',), (('model-03',), ('model-17',), ('model-29',)))]")
        assert outside == []
        context.close()
