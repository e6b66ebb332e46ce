"""The walking skeleton end to end: a Parquet file becomes a chart in a real browser, offline."""

from __future__ import annotations

import base64
import gzip
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.ipc as ipc
import pyarrow.parquet as pq
import pytest

import evalviz as ev
from browser import spec_json

ROOT = Path(__file__).resolve().parents[1]
REQUIRE_JS = ROOT / "node_modules" / "requirejs" / "require.js"


@pytest.fixture
def evals_file(tmp_path: Path) -> Path:
    """A small evals table with inspect_ai's column names, one model lacking a log link."""
    table = pa.table({
        "model_display_name": ["alpha", "alpha", "beta", "beta", "gamma", "gamma"],
        "task_display_name": ["Arithmetic", "Capitals", "Arithmetic", "Capitals", "Arithmetic", "Capitals"],
        "score_headline_value": [0.25, 0.5, 0.75, 1.0, 0.1, 0.9],
        "log_viewer": [f"https://logs.example.com/viewer/#/logs/{i}.eval" for i in range(5)] + [None],
    })
    path = tmp_path / "evals.parquet"
    pq.write_table(table, path)
    return path


def test_datasets_travel_as_arrow_not_inline_json(evals_file: Path) -> None:
    chart = ev.scores_heatmap(ev.Data.from_file(evals_file))
    assert chart.spec["data"] == {"name": "cells"}
    assert "values" not in json.dumps(chart.spec)
    payload = spec_json(chart.to_html())
    start, end = payload["datasets"]["cells"]  # where it lies in the page's gzipped Arrow streams
    table = ipc.open_stream(gzip.decompress(base64.b64decode(payload["data"]))[start:end]).read_all()
    assert table.num_rows == 6
    assert set(table.column_names) >= {"x", "y", "value", "n", "link"}


def test_standalone_page_renders_offline_with_tooltip_and_link(evals_file: Path, render) -> None:
    page = render(ev.scores_heatmap(ev.Data.from_file(evals_file)))
    cells = page.cells()
    assert len(cells) == 6
    beta = page.cell(y="beta", x="Capitals")
    assert beta.datum["value"] == 1.0
    tip = page.hover(beta)
    assert tip["Model"] == "beta" and tip["Task"] == "Capitals" and tip["Score"] == "1.000"
    assert page.click_opens(beta) == "https://logs.example.com/viewer/#/logs/3.eval"
    # A cell without a link opens nothing.
    assert page.click_opens(page.cell(y="gamma", x="Capitals")) is None


def test_viridis_colours_follow_the_score(evals_file: Path, render) -> None:
    page = render(ev.scores_heatmap(ev.Data.from_file(evals_file)))
    low = page.cell(y="gamma", x="Arithmetic").fill  # 0.1: dark purple end of viridis
    high = page.cell(y="beta", x="Capitals").fill  # 1.0: yellow end

    def rgb(colour: str) -> tuple[int, int, int]:
        colour = colour.lstrip("#")
        if colour.startswith("rgb"):
            return tuple(int(v) for v in colour[colour.index("(") + 1:-1].split(",")[:3])
        return tuple(int(colour[i:i + 2], 16) for i in (0, 2, 4))

    lr, lg, lb = rgb(low)
    hr, hg, hb = rgb(high)
    assert lb > lg and lr > lg  # purple
    assert hr > 200 and hg > 200 and hb < 100  # yellow


def test_renders_on_a_page_with_requirejs_loaded(evals_file: Path, render) -> None:
    chart = ev.scores_heatmap(ev.Data.from_file(evals_file))
    fragment = chart._repr_mimebundle_()[0]["text/html"]
    page_html = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<script>{REQUIRE_JS.read_text()}</script>"
        "<script>window.__amd = typeof define === 'function' && !!define.amd;</script>"
        f"</head><body><h1>Quarto-like page</h1>{fragment}{fragment}</body></html>"
    )
    page = render(page_html, wait_for=2)
    assert page.page.evaluate("window.__amd") is True
    assert len(page.cells(0)) == 6 and len(page.cells(1)) == 6
    assert page.hover(page.cell(y="alpha", x="Arithmetic"))["Score"] == "0.250"


def test_missing_file_names_its_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope.parquet"
    with pytest.raises(ev.DataSourceError, match="nope.parquet"):
        ev.Data.from_file(missing)


def test_missing_column_names_it_and_the_columns_present(evals_file: Path) -> None:
    data = ev.Data.from_file(evals_file)
    with pytest.raises(ev.MissingColumnError) as caught:
        ev.scores_heatmap(data, score_value="score_accuracy")
    message = str(caught.value)
    assert "'score_accuracy'" in message
    assert "'score_headline_value'" in message and "'model_display_name'" in message


def test_write_html_is_one_self_contained_file(evals_file: Path, tmp_path: Path) -> None:
    out = ev.scores_heatmap(ev.Data.from_file(evals_file)).write_html(tmp_path / "chart.html")
    html = out.read_text()
    assert "<script src" not in html and "import(" not in html.split("evalviz-payload")[0]
    assert "http-equiv=\"Content-Security-Policy\"" in html
