"""Session 8 faults of labels, cell text and print figures, checked in what Chromium draws."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import evalviz as ev
from evalviz.views.chart import AXIS_LABEL_LIMIT, drawn_labels
from evalviz.views.font_metrics import drawn_width

LONG = "openai/gpt-4o-mini-2024-07-18-finetuned-support-"
MODELS = [f"{LONG}v3", f"{LONG}v4", "Atlas"]


def _evals() -> ev.Data:
    rows = [f"SELECT '{m}' AS model_display_name, '{m}' AS model, '{t}' AS task_display_name, "
            f"'2024-0{1 + i}-01'::DATE AS model_release_date, {0.2 + 0.1 * i + 0.05 * j} AS score_headline_value"
            for i, m in enumerate(MODELS) for j, t in enumerate(["Arithmetic", "Capitals"])]
    return ev.Data.from_sql(" UNION ALL ".join(rows))


def _svg_texts(path: Path) -> list[str]:
    return [re.sub(r"<[^>]+>", "", t) for t in re.findall(r"<text[^>]*>(.*?)</text>", path.read_text(), re.S)]


def _check_drawn(drawn: list[str]) -> None:
    """Both long models drawn, as two different texts, each keeping the end that tells them apart."""
    long = [t for t in drawn if t.startswith("openai/")]
    assert len(long) == 2 and len(set(long)) == 2, drawn
    assert {t[-2:] for t in long} == {"v3", "v4"}, long


def test_long_labels_sharing_a_start_stay_distinct_on_heatmap_axes(render) -> None:
    page = render(ev.scores_heatmap(_evals(), width=700))
    _check_drawn(page.axis_labels("y"))
    for text in page.axis_labels("y"):
        assert drawn_width(text, 10) <= AXIS_LABEL_LIMIT


def test_long_labels_stay_distinct_in_print_figures(tmp_path: Path) -> None:
    path = tmp_path / "scores.svg"
    ev.scores_heatmap(_evals(), width=700).write_svg(path, style="print")
    _check_drawn(_svg_texts(path))


def test_long_labels_stay_distinct_in_timeline_legend(render) -> None:
    page = render(ev.scores_timeline(_evals(), model_organization=None))
    _check_drawn(page.legend_labels())


def test_drawn_labels_within_limit_and_distinct() -> None:
    labels = {f"k{i}": f"{LONG}{i:02d}" for i in range(30)} | {"x": "x" * 5, "y": "mid-" + "y" * 60 + "-end"}
    drawn = drawn_labels(labels)
    assert len(set(drawn.values())) == len(labels)
    assert all(drawn_width(text, 10) <= AXIS_LABEL_LIMIT for text in drawn.values())
    assert drawn["x"] == "xxxxx"


@pytest.mark.parametrize("tip", [True, False])
def test_print_figure_of_array_input_never_speaks_of_hovering(tmp_path: Path, tip: bool) -> None:
    chart = ev.slice_metric_heatmap(np.random.default_rng(0).random((12, 12)), width=300, tip=tip)
    single, pair = tmp_path / "one.svg", tmp_path / "two.svg"
    chart.write_svg(single, style="print")
    ev.hconcat(chart, chart).write_svg(pair, style="print")
    for path in (single, pair):
        text = " ".join(_svg_texts(path))
        assert "Values are not written" in text and "hover" not in text


@pytest.mark.parametrize("view", ["scores_heatmap", "sample_heatmap", "slice_metric_heatmap"])
def test_heatmaps_take_a_subtitle_before_their_notes(render, view: str) -> None:
    if view == "scores_heatmap":
        chart = ev.scores_heatmap(_evals(), subtitle="Mock run", width=700)
    elif view == "sample_heatmap":
        samples = ev.Data.from_file("examples/data/samples.parquet").filter("task_name = 'capitals'")
        chart = ev.sample_heatmap(samples, score_value="score_match", subtitle="Mock run", width=700)
    else:
        chart = ev.slice_metric_heatmap(ev.Data.from_sql(
            "SELECT 'a' AS row, 'b' AS col, x AS value FROM range(2) t(x)"), subtitle="Mock run", width=400)
    lines = page_lines = render(chart).title_texts()
    assert page_lines[0] == "Mock run" or page_lines[0].startswith("Mock run "), lines
    if view == "slice_metric_heatmap":  # its own note (two rows in the cell) follows the user's line
        assert "mean of its rows" in " ".join(lines)


@pytest.mark.parametrize(("n", "width", "height"), [(1, 40, 30), (1, 300, 20), (2, 40, 30), (2, 192, 30)])
def test_values_are_written_only_in_cells_that_hold_them(render, n: int, width: int, height: int) -> None:
    chart = ev.slice_metric_heatmap(np.full((n, n), 0.123), width=width, height=height)
    page = render(chart)
    cells = page.cells()
    written = [text for cell in cells for text in page.marks_on(cell)]
    lines = page.title_texts()
    note = " ".join(lines)
    words = set("Values are not written in the cells too small narrow short for them hover a cell its value".split())
    assert all(word.strip(".,;()") in words or "=" in word for line in lines for word in line.split()), lines
    if written:  # a value is written only where the cell drawn holds it
        assert min(c.height for c in cells) >= 12 and min(c.width for c in cells) >= drawn_width("0.123", 11)
    else:
        assert "not written" in note
