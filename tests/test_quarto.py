"""Quarto, reproduced: Quarto cannot be installed here (it downloads its own binaries), so these tests do what
`quarto render` does with a Python cell. It starts a Jupyter kernel with QUARTO_FIG_WIDTH (and, for PDF,
QUARTO_OUTPUT_BASE_FORMAT) in its environment, executes the cells with nbclient, and pastes each cell's richest
non-widget output into its page, which loads require.js for its own scripts. A notebook's HTML export (nbconvert)
is checked the same way."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import nbformat
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from nbclient import NotebookClient

from browser import ChartPage, open_chart_page

ROOT = Path(__file__).resolve().parents[1]
REQUIRE_JS = ROOT / "node_modules" / "requirejs" / "require.js"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def _execute(tmp_path: Path, sources: list[str], env: dict[str, str]) -> nbformat.NotebookNode:
    """A notebook of these cells, executed in one kernel started with `env` added to its environment. No widget
    state is saved in it, as JupyterLab saves none unless asked to."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in sources])
    client = NotebookClient(nb, timeout=120, kernel_name="python3", store_widget_state=False,
                            resources={"metadata": {"path": str(tmp_path)}})
    saved = dict(os.environ)
    os.environ.update(env)  # the kernel inherits the environment of its launcher, as under Quarto
    try:
        client.execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return nb


def _run_cells(tmp_path: Path, sources: list[str], env: dict[str, str]) -> list[dict]:
    """Execute the cells; each cell's one display output (its mime bundle)."""
    nb = _execute(tmp_path, sources, env)
    found = []
    for cell in nb.cells:
        outputs = [o for o in cell.outputs if o.output_type in ("execute_result", "display_data")]
        assert len(outputs) == 1, cell.outputs
        found.append(outputs[0]["data"])
    return found


def _quarto_env(base_format: str) -> dict[str, str]:
    return {"QUARTO_FIG_WIDTH": "7", "QUARTO_FIG_HEIGHT": "5", "QUARTO_FIG_FORMAT": "retina",
            "QUARTO_OUTPUT_BASE_FORMAT": base_format}


def _run_like_quarto(tmp_path: Path, source: str, base_format: str) -> dict:
    return _run_cells(tmp_path, [source], _quarto_env(base_format))[0]


def _quarto_page(outputs: list[str]) -> str:
    """A page as Quarto writes it: require.js for its own scripts, each cell's output in its own block."""
    cells = "".join(f"<div class='cell'><div class='cell-output-display'>{html}</div></div>" for html in outputs)
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<script>{REQUIRE_JS.read_text()}</script></head>"
        f"<body><main class='content'>{cells}</main></body></html>"
    )


@pytest.fixture
def cell_source(tmp_path: Path) -> str:
    path = tmp_path / "evals.parquet"
    pq.write_table(pa.table({
        "model_display_name": ["alpha", "beta"], "task_display_name": ["Capitals", "Capitals"],
        "score_headline_value": [0.3, 0.7], "log_viewer": ["https://logs.example.com/a", "https://logs.example.com/b"],
    }), path)
    return f"import evalviz as ev\nev.scores_heatmap(ev.Data.from_file({str(path)!r}), title='In Quarto')"


def test_quarto_html_page_shows_the_chart(tmp_path: Path, cell_source: str, render) -> None:
    data = _run_like_quarto(tmp_path, cell_source, "html")
    assert WIDGET_MIME not in data  # no widget manager in a rendered Quarto page
    page = render(_quarto_page([data["text/html"]]))
    assert {c.datum["y"] for c in page.cells()} == {"alpha", "beta"}
    assert page.hover(page.cell(y="beta"))["Score"] == "0.700"


def test_quarto_pdf_gets_a_png(tmp_path: Path, cell_source: str) -> None:
    data = _run_like_quarto(tmp_path, cell_source, "pdf")
    assert "image/png" in data and "text/html" not in data and WIDGET_MIME not in data
    png = base64.b64decode(data["image/png"])
    assert png.startswith(b"\x89PNG") and len(png) > 5000


HOSTILE_ORG = "<img src=x onerror=alert('org')>"
HOSTILE_MODEL = "<script>alert('model')</script>"
ORGS = {"m-alpha": "Org A", "m-beta": "Org A", "m-gamma": HOSTILE_ORG, HOSTILE_MODEL: HOSTILE_ORG, "m-delta": "Org C"}
TASKS = ["arith", "capitals", "logic"]
SHOWN = ["model_display_name", "task_display_name", "score_headline_value"]

# Every heatmap cell drawn by the chart of the page: its model, task and value.
HEATMAP_CELLS = """() => {
  const view = [...document.querySelectorAll('.evalviz-item, .evalviz-target')].find((el) => el.evalvizView)
    .evalvizView;
  const out = [];
  const walk = (node) => {
    for (const item of node.items || []) {
      if (node.marktype === 'group') { (item.items || []).forEach(walk); continue; }
      if ((node.name || '').endsWith('cells_marks') && item.datum) out.push([item.datum.y_v, item.datum.x_v,
        item.datum.value]);
    }
  };
  walk(view.scenegraph().root);
  return out;
}"""
TABLE_ROWS = """() => [...document.querySelectorAll('.tabulator-row')].map((r) =>
    [...r.querySelectorAll('.tabulator-cell')].map((c) => c.textContent))"""
REDRAWS = "() => [...document.querySelectorAll('.evalviz-filter-note')].map((n) => Number(n.dataset.redrawn || 0))"


def _linked_cells(tmp_path: Path) -> list[str]:
    """Three cells: a select of the organisation, then (each in its own cell) a heatmap and a table it filters."""
    rows = [(model, org, task, round(0.1 + 0.8 * ((m * 5 + t * 3 + run) % 9) / 8, 4))
            for m, (model, org) in enumerate(ORGS.items()) for t, task in enumerate(TASKS)
            for run in range(1 + (m + t) % 2)]  # two runs of some cells: a cell's value is a mean
    path = tmp_path / "evals.parquet"
    pq.write_table(pa.table(dict(zip(("model_display_name", "model_organization_name", "task_display_name",
                                      "score_headline_value"), zip(*rows, strict=True), strict=True))), path)
    return [
        f"import evalviz as ev\nevals = ev.Data.from_file({str(path)!r})\nchosen = ev.Selection.intersect()\n"
        "ev.select(evals, 'model_organization_name', target=chosen, label='Organisation')",
        "ev.scores_heatmap(evals, filter_by=chosen)",
        f"ev.table(evals, {SHOWN!r}, filter_by=chosen, page_size=50)",
    ]


def _duckdb(tmp_path: Path, org: str | None) -> tuple[dict[tuple[str, str], float], list[list[str]]]:
    """DuckDB's mean per (model, task) and the table's rows (as shown: scores to 3 decimals) for one organisation."""
    import duckdb

    where, params = ("model_organization_name = ?", [org]) if org is not None else ("TRUE", [])
    con = duckdb.connect()
    con.execute(f"CREATE VIEW evals AS SELECT * FROM read_parquet('{tmp_path / 'evals.parquet'}')")
    means = con.execute("SELECT model_display_name, task_display_name, avg(score_headline_value) FROM evals "
                        f"WHERE {where} GROUP BY ALL", params).fetchall()
    rows = con.execute(f"SELECT {', '.join(SHOWN)} FROM evals WHERE {where}", params).fetchall()
    return {(m, t): v for m, t, v in means}, [[m, t, f"{v:.3f}"] for m, t, v in rows]


def _choose_and_compare(page: ChartPage, tmp_path: Path) -> None:
    """Choose organisations in the page's select: the heatmap draws DuckDB's means over the kept rows, the table
    holds DuckDB's rows; hostile names stay text."""
    assert page.page.locator(".evalviz-chart").count() == 3  # one output per cell
    for step, org in enumerate((None, HOSTILE_ORG, "Org A", None)):
        before = page.page.evaluate(REDRAWS)
        if step:  # the page as it opens, then each choice
            page.page.locator('[data-evalviz-input="select"] select').select_option(label=org or "All")
            page.page.wait_for_function(f"(before) => ({REDRAWS})().every((n, i) => n > before[i])", arg=before,
                                        timeout=10_000)
        means, rows = _duckdb(tmp_path, org)
        drawn = {(m, t): v for m, t, v in page.page.evaluate(HEATMAP_CELLS)}
        assert drawn.keys() == means.keys(), org
        assert all(drawn[k] == pytest.approx(means[k], abs=1e-9) for k in means), (org, drawn, means)
        page.page.wait_for_function(f"(n) => ({TABLE_ROWS})().length === n", arg=len(rows), timeout=10_000)
        assert page.page.evaluate(TABLE_ROWS) == rows, org
    # Hostile organisation and model names are options and cells as text: nothing of them ran or was parsed.
    assert HOSTILE_ORG in page.page.locator('[data-evalviz-input="select"] option').all_inner_texts()
    assert page.page.locator(".evalviz-chart img, .evalviz-chart script:not([type])").count() == 0
    assert page.dialogs == [] and page.errors == []


def test_quarto_an_input_in_one_cell_filters_a_chart_and_a_table_in_others(tmp_path: Path, render) -> None:
    """Quarto's page, offline: each cell's output in its own block. Choosing an organisation in the first cell's
    select redraws the second cell's heatmap and the third cell's table to what DuckDB keeps."""
    outputs = _run_cells(tmp_path, _linked_cells(tmp_path), _quarto_env("html"))
    assert all(WIDGET_MIME not in data for data in outputs)
    _choose_and_compare(render(_quarto_page([data["text/html"] for data in outputs]), wait_for=3), tmp_path)


def test_a_notebooks_html_export_stays_linked_offline(tmp_path: Path, browser) -> None:
    """A notebook run in a kernel (widgets and text/html in its outputs) and exported by nbconvert: the export
    shows the cells' text/html, and they stay linked with the network cut. nbconvert's own template asks for
    require.js and MathJax from a CDN (aborted); nothing of evalviz's does."""
    from nbconvert import HTMLExporter

    nb = _execute(tmp_path, _linked_cells(tmp_path), {})
    assert all(WIDGET_MIME in cell.outputs[0]["data"] for cell in nb.cells)  # run as in a notebook
    body, _ = HTMLExporter().from_notebook_node(nb)
    path = tmp_path / "notebook.html"
    path.write_text(body, encoding="utf-8")
    page = open_chart_page(browser, path, wait_for=3)
    try:
        _choose_and_compare(page, tmp_path)
        assert all(url.startswith("https://cdnjs.cloudflare.com/ajax/libs/") for url in page.requests), page.requests
    finally:
        page.context.close()
