"""Quarto, reproduced (tests/quarto.py: what `quarto render` does with a Python document): a chart, PNG for PDF and
Word, an input in one cell linked to charts in others, the renderer once per document, and the documented example
examples/quarto/report.qmd drawn whole offline. A notebook's HTML export (nbconvert) is checked the same way."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from browser import HEATMAP_CELLS_JS, REDRAWS_JS, ChartPage, open_chart_page
from evalviz.rendering.html import loader_script, renderer_script
from quarto import WIDGET_MIME, execute, quarto_env, quarto_page, read_qmd, run_cells
from quarto import render as render_qmd

ROOT_DIR = Path(__file__).resolve().parents[1]


def _run_like_quarto(tmp_path: Path, source: str, base_format: str) -> dict:
    return run_cells(tmp_path, [source], quarto_env(base_format))[0]


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
    page = render(quarto_page([data["text/html"]]))
    assert {c.datum["y"] for c in page.cells()} == {"alpha", "beta"}
    assert page.hover(page.cell(y="beta"))["Score"] == "0.700"


HOSTILE_ORG = "<img src=x onerror=alert('org')>"
HOSTILE_MODEL = "<script>alert('model')</script>"
ORGS = {"m-alpha": "Org A", "m-beta": "Org A", "m-gamma": HOSTILE_ORG, HOSTILE_MODEL: HOSTILE_ORG, "m-delta": "Org C"}
TASKS = ["arith", "capitals", "logic"]
SHOWN = ["model_display_name", "task_display_name", "score_headline_value"]

# Every heatmap cell drawn by the chart of the page: its model, task and value.
HEATMAP_CELLS = f"""() => ({HEATMAP_CELLS_JS})(
  [...document.querySelectorAll('.evalviz-item, .evalviz-target')].find((el) => el.evalvizView))"""
TABLE_ROWS = """() => [...document.querySelectorAll('.tabulator-row')].map((r) =>
    [...r.querySelectorAll('.tabulator-cell')].map((c) => c.textContent))"""


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
        before = page.page.evaluate(REDRAWS_JS)
        if step:  # the page as it opens, then each choice
            page.page.locator('[data-evalviz-input="select"] select').select_option(label=org or "All")
            page.page.wait_for_function(f"(before) => ({REDRAWS_JS})().every((n, i) => n > before[i])", arg=before,
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
    outputs = run_cells(tmp_path, _linked_cells(tmp_path), quarto_env("html"))
    assert all(WIDGET_MIME not in data for data in outputs)
    _choose_and_compare(render(quarto_page([data["text/html"] for data in outputs]), wait_for=3), tmp_path)


def test_a_notebooks_html_export_stays_linked_offline(tmp_path: Path, browser) -> None:
    """A notebook run in a kernel (widgets and text/html in its outputs) and exported by nbconvert: the export
    shows the cells' text/html, and they stay linked with the network cut. nbconvert's own template asks for
    require.js and MathJax from a CDN (aborted); nothing of evalviz's does."""
    from nbconvert import HTMLExporter

    nb = execute(tmp_path, _linked_cells(tmp_path), {})
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


# --- the renderer once per document; the documented example -------------------------------------------------------

REPORT = ROOT_DIR / "examples" / "quarto" / "report.qmd"
RENDERER_RUNS = r"[A-Za-z0-9+/]{100000,}={0,2}"  # the renderer's packed bundle: the one long base64 run it holds


def _drawn_marks(page: ChartPage) -> list[int]:
    """For each chart on the page, in order: the mark items its view drew."""
    return page.page.evaluate("""() => [...document.querySelectorAll('div.evalviz-chart')].map((chart) => {
      const el = [...chart.querySelectorAll('.evalviz-item, .evalviz-target')].find((e) => e.evalvizView);
      if (!el) return -1;
      let n = 0;
      const walk = (node) => { for (const item of node.items || []) {
        if (node.marktype === 'group') (item.items || []).forEach(walk); else if (item.datum) n += 1; } };
      walk(el.evalvizView.scenegraph().root);
      return n;
    })""")


def test_a_quarto_document_of_three_charts_and_an_input_carries_the_renderer_once(tmp_path: Path, render) -> None:
    """The first output (the input) carries the renderer, the three charts a loader; every chart draws offline, the
    heatmap DuckDB's cells."""
    import duckdb

    cells = _linked_cells(tmp_path)[:2] + [
        "ev.scores_by_model(evals, score_stderr=None, filter_by=chosen)",
        "ev.scores_by_task(evals, score_stderr=None, filter_by=chosen)",
    ]
    outputs = [data["text/html"] for data in run_cells(tmp_path, cells, quarto_env("html"))]
    page_html = quarto_page(outputs)
    assert page_html.count(renderer_script()) == 1 and renderer_script() in outputs[0]
    assert [loader_script() in html for html in outputs] == [False, True, True, True]
    assert len(re.findall(RENDERER_RUNS, page_html)) == 1
    page = render(page_html, wait_for=4)
    assert page.page.locator("div.evalviz-chart[data-evalviz-state=ready]").count() == 4
    drawn = _drawn_marks(page)
    pairs = duckdb.sql(f"SELECT count(DISTINCT (model_display_name, task_display_name)) "
                       f"FROM '{tmp_path / 'evals.parquet'}'").fetchall()[0][0]
    assert drawn[0] == -1 and all(n > 0 for n in drawn[1:])  # the input draws no Vega view
    heatmap = [c for c in page.cells(1) if c.name and c.name.endswith("cells_marks")]  # the first is the input
    assert len(heatmap) == pairs


@pytest.mark.parametrize("base_format", ["pdf", "docx"])
def test_pdf_and_word_get_a_png_of_each_chart(tmp_path: Path, cell_source: str, base_format: str) -> None:
    """Formats that cannot run script (QUARTO_OUTPUT_BASE_FORMAT pdf, docx) get the chart as a PNG, no HTML."""
    data = _run_like_quarto(tmp_path, cell_source, base_format)
    assert "image/png" in data and "text/html" not in data and WIDGET_MIME not in data
    png = base64.b64decode(data["image/png"])
    assert png.startswith(b"\x89PNG") and len(png) > 5000


def test_the_example_report_renders_with_every_chart_drawn_offline(render) -> None:
    """examples/quarto/report.qmd, rendered as `quarto render` would: its cells' options read (captions under the
    charts), the renderer once, every chart drawn with the network cut, and the select filters them."""
    document = read_qmd(REPORT)
    captions = [cell.options["fig-cap"] for cell in document.cells if "fig-cap" in cell.options]
    assert len(document.cells) == 4 and len(captions) == 3
    page_html, bundles = render_qmd(document, REPORT.parent)
    assert page_html.count(renderer_script()) == 1
    page = render(page_html, wait_for=4)
    charts = page.page.locator("div.evalviz-chart")
    assert charts.count() == 4 and page.page.locator("div.evalviz-chart[data-evalviz-state=ready]").count() == 4
    assert page.page.locator("figure figcaption").all_inner_texts() == captions
    assert all(n > 0 for n in _drawn_marks(page)[1:])
    assert page.page.locator(".evalviz-renderer-missing").count() == 0


def test_the_example_report_in_pdf_has_a_png_under_each_caption_and_leaves_the_input_out() -> None:
    document = read_qmd(REPORT)
    _, bundles = render_qmd(document, REPORT.parent, "pdf")
    shown = [[next(k for k in ("image/png", "text/markdown") if k in b) for b in cell] for cell in bundles]
    assert shown == [["text/markdown"], ["image/png"], ["image/png"], ["image/png"]]
    assert bundles[0][0]["text/markdown"] == ""
    assert all(base64.b64decode(cell[0]["image/png"]).startswith(b"\x89PNG") for cell in bundles[1:])
