"""Quarto, reproduced: Quarto cannot be installed here (it downloads its own binaries), so these tests do what
`quarto render` does with a Python cell. It starts a Jupyter kernel with QUARTO_FIG_WIDTH (and, for PDF,
QUARTO_OUTPUT_BASE_FORMAT) in its environment, executes the cells with nbclient, and pastes each cell's richest
non-widget output into its page, which loads require.js for its own scripts."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import nbformat
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
REQUIRE_JS = ROOT / "node_modules" / "requirejs" / "require.js"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def _run_like_quarto(tmp_path: Path, source: str, base_format: str) -> dict:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    env = {**os.environ, "QUARTO_FIG_WIDTH": "7", "QUARTO_FIG_HEIGHT": "5", "QUARTO_FIG_FORMAT": "retina",
           "QUARTO_OUTPUT_BASE_FORMAT": base_format}
    client = NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}})
    saved = dict(os.environ)
    os.environ.update(env)  # the kernel inherits the environment of its launcher, as under Quarto
    try:
        client.execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    outputs = [o for o in nb.cells[0].outputs if o.output_type in ("execute_result", "display_data")]
    assert len(outputs) == 1, nb.cells[0].outputs
    return outputs[0]["data"]


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
    page_html = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<script>{REQUIRE_JS.read_text()}</script></head>"
        f"<body><main class='content'><div class='cell-output-display'>{data['text/html']}</div></main></body></html>"
    )
    page = render(page_html)
    assert {c.datum["y"] for c in page.cells()} == {"alpha", "beta"}
    assert page.hover(page.cell(y="beta"))["Score"] == "0.700"


def test_quarto_pdf_gets_a_png(tmp_path: Path, cell_source: str) -> None:
    data = _run_like_quarto(tmp_path, cell_source, "pdf")
    assert "image/png" in data and "text/html" not in data and WIDGET_MIME not in data
    png = base64.b64decode(data["image/png"])
    assert png.startswith(b"\x89PNG") and len(png) > 5000
