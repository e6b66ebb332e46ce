"""The renderer travels once per notebook: a notebook of 20 small charts executed by nbclient holds it once and stays
small on disk; its static HTML export draws every chart offline; clearing the output that carried it leaves a note
in each chart's place, and `ev.include_renderer()` or running that cell again brings it back. The kernel keeps the
carrier by the cell id JupyterLab sends, as real execute requests show."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from jupyter_client.manager import start_new_kernel
from nbclient import NotebookClient

from browser import ChartPage, open_chart_page
from evalviz.rendering.html import loader_script, renderer_script

RENDERER_RUN = re.compile(r"[A-Za-z0-9+/]{100000,}={0,2}")  # the packed bundle: the one long base64 run
PAYLOAD = re.compile(r'class=\\"evalviz-payload\\">(.*?)</script>')  # as the .ipynb's JSON holds it
NOTE = "div.evalviz-chart .evalviz-renderer-missing"
VIEWS = ["scores_heatmap", "scores_by_model", "scores_by_task", "scores_heatmap"]
MB = 1_000_000


@pytest.fixture
def chart_cells(tmp_path: Path) -> list[str]:
    """A setup cell, then 20 cells of one small chart each."""
    rows = [(f"model-{m}", f"task-{t}", round((m * 3 + t * 5) % 11 / 10, 2)) for m in range(4) for t in range(3)]
    pq.write_table(pa.table(dict(zip(("model_display_name", "task_display_name", "score_headline_value"),
                                      zip(*rows, strict=True), strict=True))), tmp_path / "evals.parquet")
    setup = "import evalviz as ev\nevals = ev.Data.from_file('evals.parquet')\nprint('ready')"
    return [setup] + [f"ev.{VIEWS[i % 4]}(evals, title='chart {i}')" for i in range(20)]


def _html_of(cell: nbformat.NotebookNode) -> list[str]:
    return [o["data"]["text/html"] for o in cell.outputs if "text/html" in o.get("data", {})]


def _export(nb: nbformat.NotebookNode, path: Path) -> Path:
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter().from_notebook_node(nb)
    path.write_text(body, encoding="utf-8")
    return path


def _open(browser, path: Path, charts: int) -> ChartPage:  # noqa: ANN001 - Playwright's Browser
    page = open_chart_page(browser, path, wait_for=charts, timeout=60_000)
    # nbconvert's own template asks for require.js and MathJax from a CDN (aborted); nothing of evalviz's does.
    assert all(url.startswith("https://cdnjs.cloudflare.com/ajax/libs/") for url in page.requests), page.requests
    assert page.errors == []
    return page


def test_a_notebook_of_20_charts_carries_the_renderer_once_and_its_export_draws_them_offline(
        tmp_path: Path, chart_cells: list[str], browser) -> None:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in chart_cells])
    NotebookClient(nb, timeout=180, kernel_name="python3", store_widget_state=False,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    path = tmp_path / "charts.ipynb"
    nbformat.write(nb, path)
    text = path.read_text(encoding="utf-8")
    data = sum(len(payload) for payload in PAYLOAD.findall(text))
    assert len(PAYLOAD.findall(text)) == 20
    assert len(RENDERER_RUN.findall(text)) == 1 and renderer_script() in _html_of(nb.cells[1])[0]
    assert all(loader_script() in _html_of(cell)[0] for cell in nb.cells[2:])
    assert path.stat().st_size <= 2 * MB + data, (path.stat().st_size, data)

    page = _open(browser, _export(nb, tmp_path / "charts.html"), 20)
    drawn = page.marks_drawn()
    assert len(drawn) == 20 and all(n > 0 for n in drawn), drawn
    assert page.page.locator(".evalviz-renderer-missing").count() == 0
    page.context.close()


def test_clearing_the_carrier_leaves_a_note_in_each_charts_place_until_the_renderer_is_included_again(
        tmp_path: Path, chart_cells: list[str], browser) -> None:
    """Edit > Clear Output on the carrier's cell, then export: every other chart shows the note, none draws. Running
    `ev.include_renderer()` in a new cell, or running the first chart's cell again, makes a carrier again."""
    cells = chart_cells[:4]  # the setup cell and three charts
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in cells])
    client = NotebookClient(nb, timeout=180, kernel_name="python3", store_widget_state=False,
                            resources={"metadata": {"path": str(tmp_path)}})
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        assert renderer_script() in _html_of(nb.cells[1])[0]
        nb.cells[1].outputs = []  # the carrier's output cleared in the front end; the kernel is not told

        page = open_chart_page(browser, _export(nb, tmp_path / "cleared.html"), wait_for=0)
        page.page.wait_for_function(f"() => document.querySelectorAll({NOTE!r}).length === 2", timeout=10_000)
        note = page.page.locator(NOTE).first.inner_text()
        assert "ev.include_renderer()" in note and "cleared" in note
        assert page.marks_drawn() == [-1, -1]
        page.context.close()

        client.execute_cell(nb.cells[1], 1)  # the first chart's cell run again: it carries the renderer again
        assert renderer_script() in _html_of(nb.cells[1])[0]
        client.execute_cell(nb.cells[2], 2)
        assert loader_script() in _html_of(nb.cells[2])[0]
        page = _open(browser, _export(nb, tmp_path / "rerun.html"), 3)
        assert all(n > 0 for n in page.marks_drawn()) and page.page.locator(".evalviz-renderer-missing").count() == 0
        page.context.close()

        nb.cells[1].outputs = []  # cleared again; this time the renderer is included in a new cell
        nb.cells.append(nbformat.v4.new_code_cell("ev.include_renderer()"))
        client.execute_cell(nb.cells[-1], len(nb.cells) - 1)
        assert renderer_script() in _html_of(nb.cells[-1])[0]
        page = _open(browser, _export(nb, tmp_path / "included.html"), 2)
        assert all(n > 0 for n in page.marks_drawn()) and page.page.locator(".evalviz-renderer-missing").count() == 0
        page.context.close()


class Kernel:
    """A real kernel sent execute requests as JupyterLab sends them: the cell id (and deleted cells) in their
    metadata."""

    def __init__(self, folder: Path) -> None:
        self.manager, self.client = start_new_kernel(kernel_name="python3", cwd=str(folder))

    def run(self, code: str, cell_id: str | None, deleted: tuple[str, ...] = (), store_history: bool = True) -> list[
            bool]:
        """Run `code` as cell `cell_id`: for each evalviz output it displayed, whether it carries the renderer."""
        content = {"code": code, "silent": False, "store_history": store_history, "user_expressions": {},
                   "allow_stdin": False, "stop_on_error": True}
        metadata = {"deletedCells": list(deleted), **({"cellId": cell_id} if cell_id else {})}
        message = self.client.session.msg("execute_request", content, metadata=metadata)
        self.client.shell_channel.send(message)
        carried = []
        while True:
            reply = self.client.get_iopub_msg(timeout=60)
            if reply["parent_header"].get("msg_id") != message["header"]["msg_id"]:
                continue
            kind, body = reply["msg_type"], reply["content"]
            if kind == "error":
                raise AssertionError("\n".join(body["traceback"]))
            html = body.get("data", {}).get("text/html", "") if kind in ("display_data", "execute_result") else ""
            if "evalviz-payload" in html or "evalviz-renderer-output" in html:
                carried.append(renderer_script() in html)
            if kind == "status" and body["execution_state"] == "idle":
                return carried

    def close(self) -> None:
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=True)


def test_the_kernel_keeps_the_carrier_by_cell_id(tmp_path: Path, chart_cells: list[str]) -> None:
    kernel = Kernel(tmp_path)
    chart = "ev.scores_heatmap(evals)"
    try:
        assert kernel.run(chart_cells[0], "setup") == []
        assert kernel.run(chart, "a") == [True]  # the first evalviz output
        assert kernel.run(chart, "b") == [False]
        assert kernel.run(chart, "a") == [True]  # a's output is being replaced: the new one carries it
        assert kernel.run(chart, "b") == [False]
        assert kernel.run("print('a is now text')", "a") == []  # a's output replaced by text ...
        assert kernel.run(chart, "b") == [True]  # ... so the next chart carries it
        assert kernel.run(chart, "c", deleted=("b",)) == [True]  # the carrier's cell was deleted
        assert kernel.run(f"display({chart})\n{chart}", "c") == [True, False]  # once in a run
        assert kernel.run(chart, "d") == [False]
        assert kernel.run("x = 1", None, store_history=False) == []  # a setup cell: a new document (Quarto)
        assert kernel.run(chart, "d") == [True]
        assert kernel.run("ev.include_renderer()", "e") == [True]
        assert kernel.run(chart, "d") == [False]
        assert kernel.run("ev.include_renderer()", "e") == [True]
    finally:
        kernel.close()


def test_a_notebook_with_saved_widget_state_exports_drawn_with_its_metadata_cleared(
        tmp_path: Path, chart_cells: list[str], browser) -> None:
    """With widget state saved, nbconvert shows the widget views (drawn from a CDN) instead of the charts' HTML; the
    documented command clears the notebook's metadata in the export, and every chart draws offline."""
    import subprocess
    import sys

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in chart_cells[:3]])
    NotebookClient(nb, timeout=180, kernel_name="python3", store_widget_state=True,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    assert nb.metadata["widgets"]
    path = tmp_path / "with_state.ipynb"
    nbformat.write(nb, path)
    subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", "--log-level=ERROR",
                    "--ClearMetadataPreprocessor.enabled=True", "--ClearMetadataPreprocessor.clear_cell_metadata=False",
                    str(path)], check=True)
    page = _open(browser, tmp_path / "with_state.html", 2)
    assert all(n > 0 for n in page.marks_drawn())
    page.context.close()


@pytest.mark.jupyter
def test_jupyterlab_sends_the_cell_id_and_the_saved_notebook_carries_the_renderer_once(
        tmp_path: Path, chart_cells: list[str], browser) -> None:
    """In the real JupyterLab: two chart cells of the same code run, then the first again; the notebook JupyterLab
    saves holds the renderer once, in the first cell's new output, and the second cell's output a loader (known by
    its code alone, the second cell would have taken the renderer too)."""
    import json

    from jupyter_server import jupyter_lab, run_cell

    with jupyter_lab(tmp_path) as lab:
        lab.write_notebook("two.ipynb", [chart_cells[0], chart_cells[1], chart_cells[1]])
        context, page, _ = lab.open_notebook(browser, "two.ipynb")
        ready = ".jp-OutputArea-output div.evalviz-target[data-evalviz-state=ready]"
        for index, drawn in ((0, 0), (1, 1), (2, 2), (1, 2)):
            run_cell(page, index)
            if index:
                page.locator(ready).nth(drawn - 1).wait_for(timeout=60_000)
        page.wait_for_function("() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status"
                               " === 'idle'", timeout=30_000)
        page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
        page.wait_for_timeout(1000)
        context.close()
        saved = json.loads((tmp_path / "two.ipynb").read_text())
    html = [["".join(o["data"]["text/html"]) for o in cell["outputs"] if "text/html" in o.get("data", {})]  # as lines
            for cell in saved["cells"][1:]]  # each cell's static output (its widget view's output holds no HTML)
    assert [[renderer_script() in h for h in cell] for cell in html] == [[True], [False]]
    assert loader_script() in html[1][0]
    assert len(RENDERER_RUN.findall(json.dumps(saved))) == 1
