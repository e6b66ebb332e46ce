"""sample_heatmap over more samples than the chart has pixels: DuckDB bins them, the chart says so, a bin's
tooltip tells the truth about what it holds, and a drill-down shows the region sample by sample."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

import evalviz as ev
from evalviz.rendering.contract import RendererContract
from evalviz.views.binning import MIN_CELL_PIXELS

pytestmark = pytest.mark.browser

MODELS, SAMPLES, EPOCHS = 20, 1500, 2  # 20 x 156 bins: enough cells for canvas


@pytest.fixture(scope="module")
def samples_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """60,000 sample rows with inspect_ai's column names; models differ in skill, samples in difficulty."""
    path = tmp_path_factory.mktemp("binned") / "samples.parquet"
    duckdb.connect().execute(
        f"""COPY (
            SELECT 'model-' || lpad(CAST(m AS VARCHAR), 2, '0') AS model_display_name,
                   's' || lpad(CAST(s AS VARCHAR), 4, '0') AS id, e + 1 AS epoch,
                   CASE WHEN hash(m, s, e) % 100 < 20 + 5 * m + (s % 50) THEN 1.0 ELSE 0.0 END AS score_match,
                   'https://logs.example.com/viewer/#/logs/m' || m || '.eval/samples/sample/s' || s || '/' || (e + 1)
                       AS log_viewer
            FROM range({MODELS}) a(m), range({SAMPLES}) b(s), range({EPOCHS}) c(e)
            ORDER BY m, s, e
        ) TO '{path}' (FORMAT parquet)"""
    )
    return path


def sample_order(path: Path) -> list[str]:
    """Samples by mean score, ties by id: what sort="ascending" puts left to right."""
    rows = duckdb.connect().execute(
        f"SELECT id FROM (SELECT id, avg(score_match) AS m FROM '{path}' GROUP BY id) ORDER BY m, id"
    ).fetchall()
    return [r[0] for r in rows]


def test_binned_chart_is_small_says_so_and_tells_the_truth(samples_file: Path, render) -> None:
    chart = ev.sample_heatmap(ev.Data.from_file(samples_file), score_value="score_match", title="Binned")
    cells = chart.datasets["cells"]
    bins = len(set(cells["x"].to_pylist()))
    assert bins * MIN_CELL_PIXELS <= 700 and bins < SAMPLES  # fewer cells than samples, each at least 3px
    assert cells.num_rows == bins * MODELS

    page = render(chart)
    assert page.page.locator("canvas.marks").count() == 1  # thousands of cells: one canvas, not an SVG each
    assert any("Binned" in t and f"{SAMPLES:,} samples" in t for t in page.title_texts())
    drawn = page.cells()
    assert len(drawn) == bins * MODELS  # one mark per bin and model

    # The tooltip of one bin against an independent computation over the same samples.
    order = sample_order(samples_file)
    size = -(-SAMPLES // bins)
    target = next(c for c in drawn if c.datum["y"] == "model-05" and c.datum["xb"] == 7)
    members = order[7 * size:8 * size]
    tip = page.hover(target)
    assert tip["Samples in this cell"] == f"{members[0]} \u2026 {members[-1]} ({len(members)})"
    quoted = ", ".join(f"'{m}'" for m in members)
    mean, low, high, rows = duckdb.connect().execute(
        f"""SELECT avg(score_match), min(score_match), max(score_match), count(*) FROM '{samples_file}'
            WHERE model_display_name = 'model-05' AND id IN ({quoted})"""
    ).fetchone()
    assert tip["rows"] == str(rows) == str(len(members) * EPOCHS)
    assert tip["Score (match)"] == f"{mean:.2g}".rstrip("0").rstrip(".") or tip["Score (match)"] == f"{mean:.2g}"
    assert float(tip["min"]) == low and float(tip["max"]) == high
    # A binned cell is not a link: in a page, a click opens nothing.
    assert page.click_opens(target) is None


def test_drill_down_shows_single_samples_with_their_links(samples_file: Path, render) -> None:
    chart = ev.sample_heatmap(ev.Data.from_file(samples_file), score_value="score_match")
    assert RendererContract.of_spec(chart.spec).drill is True
    datum = next(d for d in chart.datasets["cells"].to_pylist() if d["xb"] == 20 and d["y"] == "model-03")
    region = chart.drilldown(datum)

    order = sample_order(samples_file)
    size = -(-SAMPLES // len(set(chart.datasets["cells"]["x"].to_pylist())))
    clicked = order[20 * size:21 * size]
    shown = region.datasets["cells"]["x"].to_pylist()
    assert set(clicked) <= set(shown) and len(set(shown)) < SAMPLES  # the bin's samples, one by one
    assert RendererContract.of_spec(region.spec).drill is False

    page = render(region)
    sample = page.cell(x=clicked[0], y="model-03")
    tip = page.hover(sample)
    assert tip["Sample"] == clicked[0] and tip["rows"] == str(EPOCHS)
    number = int(clicked[0][1:])
    assert page.click_opens(sample) == (
        f"https://logs.example.com/viewer/#/logs/m3.eval/samples/sample/s{number}/1"
    )


def test_tall_chart_turns_samples_along_its_long_side(samples_file: Path) -> None:
    data = ev.Data.from_file(samples_file)
    tall = ev.sample_heatmap(data, score_value="score_match", width=500, height=1200)
    layer = tall.spec["layer"][0]["encoding"]
    assert layer["y"]["title"].startswith("Sample") and layer["x"]["title"] == "Model"
    kept = ev.sample_heatmap(data, score_value="score_match", width=500, height=1200, orientation="horizontal")
    assert kept.spec["layer"][0]["encoding"]["x"]["title"].startswith("Sample")


def test_small_sample_tables_are_not_binned(samples_path: Path) -> None:
    chart = ev.sample_heatmap(ev.Data.from_file(samples_path).filter("task_name = 'arithmetic'"),
                              score_value="score_match")
    assert RendererContract.of_spec(chart.spec).drill is False
    assert chart.drilldown is None
