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
