"""Every chart still renders when the saved notebook is opened again: a chart in a notebook kernel is two outputs, the
live widget view, then a static HTML output of the same output id that the view hides. In JupyterLab each chart shows
once and a filter goes through the kernel; saved, its kernel shut down and opened again, every chart draws from its
static output and no "model not found" error shows; nbconvert's export draws every chart offline, with widget state
saved or not."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import duckdb
import nbformat
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from nbclient import NotebookClient

from browser import open_chart_page
from jupyter_server import JupyterLab, jupyter_lab, run_cell

CELLS = [
    "import evalviz as ev\n"
    "evals = ev.Data.from_file('evals.parquet')\n"
    "chosen = ev.Selection.intersect()\n"
    "ev.select(evals, 'model_organization_name', target=chosen, label='Organisation')",
    "ev.scores_heatmap(evals, filter_by=chosen, title='Filtered heatmap')",
    "ev.scores_by_model(evals, title='Scores by model')",
]
CHARTS = 2  # Vega views: the heatmap and the bars (the select draws none)

# Every Vega view a user can see on the page, with the output id it shows (the live view's, else the static
# output's) and the heatmap cells it drew ([model, task, value]).
VISIBLE_JS = """() => [...document.querySelectorAll('.evalviz-target')]
  .filter((el) => el.evalvizView && el.checkVisibility() && el.getBoundingClientRect().height > 0)
  .map((el) => {
    const live = el.closest('[data-evalviz-live-output]');
    const cells = [];
    const walk = (node) => {
      for (const item of node.items || []) {
        if (node.marktype === 'group') { (item.items || []).forEach(walk); continue; }
        if ((node.name || '').endsWith('cells_marks') && item.datum) cells.push([item.datum.y_v, item.datum.x_v,
          item.datum.value]);
      }
    };
    walk(el.evalvizView.scenegraph().root);
    return {id: live ? live.dataset.evalvizLiveOutput : el.closest('div.evalviz-chart').id, live: !!live, cells};
  })"""
# JupyterLab's texts in a widget view's place when no view draws, and an export's empty text outputs, as shown.
STALE_JS = """() => [...document.querySelectorAll('.jp-OutputArea-output')]
  .filter((el) => el.checkVisibility() && (/Error displaying widget|Loading widget/.test(el.textContent)
    || (el.dataset.mimeType === 'text/plain' && el.textContent.trim() === '')))
  .map((el) => el.textContent.trim())"""


def _write_evals(folder: Path) -> None:
    """Six models of three organisations, four tasks, some pairs scored twice."""
    rows = [(f"model-{m}", ["Org A", "Org B", "Org C"][m % 3], f"task-{t}", round(0.1 + 0.8 * ((m * 5 + t * 3 + r) % 9)
             / 8, 4)) for m in range(6) for t in range(4) for r in range(2) if r == 0 or (m + t) % 2]
    names = ("model_display_name", "model_organization_name", "task_display_name", "score_headline_value")
    pq.write_table(pa.table(dict(zip(names, zip(*rows, strict=True), strict=True))), folder / "evals.parquet")


def _means(folder: Path, org: str | None = None) -> dict[tuple[str, str], float]:
    """DuckDB's mean score of each (model, task) over the rows of `org` (all rows when None)."""
    where, params = ("model_organization_name = ?", [org]) if org else ("TRUE", [])
    rows = duckdb.connect().execute(
        "SELECT model_display_name, task_display_name, avg(score_headline_value) FROM read_parquet(?) "
        f"WHERE {where} GROUP BY ALL", [str(folder / "evals.parquet"), *params]).fetchall()
    return {(m, t): v for m, t, v in rows}


def _heatmap(views: list[dict]) -> dict[tuple[str, str], float]:
    cells = [v["cells"] for v in views if v["cells"]]
    assert len(cells) == 1, views
    return {(m, t): value for m, t, value in cells[0]}


def _assert_each_chart_once(views: list[dict], folder: Path, org: str | None = None) -> None:
    """Two views, of two different outputs, the heatmap holding DuckDB's means."""
    assert len(views) == CHARTS and len({v["id"] for v in views}) == CHARTS, views
    means, drawn = _means(folder, org), _heatmap(views)
    assert drawn.keys() == means.keys() and all(drawn[k] == pytest.approx(means[k], abs=1e-9) for k in means)


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Iterator[JupyterLab]:  # noqa: ANN001
    with jupyter_lab(tmp_path_factory.mktemp("reopen")) as server:
        _write_evals(server.root)
        yield server


def _api(lab: JupyterLab, path: str, method: str = "GET") -> object:
    request = urllib.request.Request(f"{lab.base}/api/{path}?token={lab.token}", method=method)
    with urllib.request.urlopen(request, timeout=30) as answer:
        body = answer.read()
    return json.loads(body) if body else None


@pytest.mark.jupyter
def test_each_chart_shows_once_live_and_draws_when_the_notebook_is_opened_again(browser, lab: JupyterLab) -> None:
    lab.write_notebook("reopen.ipynb", CELLS)
    context, page, outside = lab.open_notebook(browser, "reopen.ipynb")
    for index in range(len(CELLS)):
        run_cell(page, index)
    page.wait_for_function(f"() => ({VISIBLE_JS})().filter((v) => v.live).length === {CHARTS}", timeout=90_000)
    page.wait_for_timeout(1500)  # the static outputs' renderer has run by now: it must not show a chart again
    views = page.evaluate(VISIBLE_JS)
    assert all(v["live"] for v in views)
    _assert_each_chart_once(views, lab.root)
    assert page.locator(".jp-OutputArea select:visible").count() == 1  # the input too: its static output stays hidden
    assert page.evaluate(STALE_JS) == []

    # The live view goes through the kernel: choosing an organisation re-queries the heatmap to DuckDB's means.
    page.locator(".jp-OutputArea select:visible").select_option(label="Org B")
    answered_js = "() => performance.getEntriesByName('evalviz:requery-answered').map((m) => m.detail)"
    page.wait_for_function(f"() => ({answered_js})().length > 0", timeout=30_000)
    page.wait_for_function(f"(n) => ({VISIBLE_JS})().some((v) => v.cells.length === n)",
                           arg=len(_means(lab.root, "Org B")), timeout=30_000)
    answered = page.evaluate(answered_js)
    assert answered and all(a["pythonMs"] > 0 for a in answered)
    _assert_each_chart_once(page.evaluate(VISIBLE_JS), lab.root, "Org B")

    page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
    page.wait_for_function("() => !window.jupyterapp.shell.currentWidget.context.model.dirty", timeout=30_000)
    context.close()
    for session in _api(lab, "sessions"):
        _api(lab, f"sessions/{session['id']}", method="DELETE")
    assert _api(lab, "kernels") == []

    saved = json.loads((lab.root / "reopen.ipynb").read_text())
    shapes = [[sorted(o["data"]) for o in cell["outputs"]] for cell in saved["cells"]]
    view, static = ["application/vnd.jupyter.widget-view+json", "text/plain"], ["text/html", "text/plain"]
    assert shapes == [[view, static]] * 3 and "widgets" not in saved["metadata"]  # JupyterLab's default: no state

    # Opened again: a new kernel, which holds none of the widgets' models. Every chart draws from its static
    # output (as first drawn: the page's filter lived in the kernel), and JupyterLab's error is hidden.
    context, page, outside_again = lab.open_notebook(browser, "reopen.ipynb")
    page.wait_for_function(f"() => ({VISIBLE_JS})().length === {CHARTS}", timeout=60_000)
    page.wait_for_function(f"() => ({STALE_JS})().length === 0", timeout=15_000)
    page.wait_for_timeout(1000)
    views = page.evaluate(VISIBLE_JS)
    assert not any(v["live"] for v in views)
    _assert_each_chart_once(views, lab.root)
    assert page.locator(".jp-OutputArea select:visible").count() == 1
    assert "model not found" not in page.locator(".jp-Notebook").inner_text()
    assert outside == outside_again == []
    context.close()


def _executed(folder: Path, store_widget_state: bool) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in CELLS])
    NotebookClient(nb, timeout=180, kernel_name="python3", store_widget_state=store_widget_state,
                   resources={"metadata": {"path": str(folder)}}).execute()
    return nb


@pytest.mark.parametrize("store_widget_state", [False, True], ids=["no-widget-state", "widget-state"])
def test_the_html_export_draws_every_chart_once_offline(browser, tmp_path: Path, store_widget_state: bool) -> None:
    """nbconvert shows the widget view's output (saved state: a view it draws with a script from a CDN, cut here)
    or its empty text (no state), and the static output after it draws the chart."""
    from nbconvert import HTMLExporter

    _write_evals(tmp_path)
    nb = _executed(tmp_path, store_widget_state)
    assert bool(nb.metadata.get("widgets")) == store_widget_state
    body, _ = HTMLExporter().from_notebook_node(nb)
    path = tmp_path / "export.html"
    path.write_text(body, encoding="utf-8")

    page = open_chart_page(browser, path, wait_for=CHARTS + 1, timeout=60_000)  # the select is drawn too
    page.page.wait_for_timeout(500)
    _assert_each_chart_once(page.page.evaluate(VISIBLE_JS), tmp_path)
    assert page.page.locator(".jp-OutputArea select:visible").count() == 1
    assert page.page.evaluate(STALE_JS) == []
    assert page.errors == [] and page.dialogs == []
    # What was asked of the network is nbconvert's template's (require.js, MathJax, the widget manager), none
    # evalviz's: it was all cut, and the charts drew.
    assert all("evalviz" not in url for url in page.requests), page.requests
    page.context.close()
