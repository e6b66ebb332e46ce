"""Faults found by breaking the publishing features (issue 14): figures in print style, hostile column names in
every output, the renderer carried once per notebook when outputs are cleared or updated, the command line."""

from __future__ import annotations

import html
import re
from pathlib import Path

import nbformat
import pyarrow as pa
import pytest
from nbclient import NotebookClient

import evalviz as ev
from evalviz.rendering.html import loader_script, renderer_script

pytest.importorskip("vl_convert")

ELLIPSIS = "\u2026"
LONG_LABELS = ["Backwards Spelling / medium", "Counting letters / hard", "Short"]


def _texts(svg: str) -> list[str]:
    return [html.unescape(text) for text in re.findall(r"<(?:text|tspan)[^>]*>([^<]*)</(?:text|tspan)>", svg)]


def _long_labels_chart() -> ev.Component:
    table = pa.table({
        "slice": [label for label in LONG_LABELS for _ in range(2)],
        "model": ["judge-large", "judge-small"] * len(LONG_LABELS),
        "model · average precision": [0.1, 0.9, 0.4, 0.6, 0.2, 0.8],
    })
    return ev.heatmap(ev.Data.from_dataframe(table), x="model", y="slice", fill="model · average precision")


@pytest.mark.parametrize("writer", ["write_svg", "write_pdf"])
def test_print_style_keeps_whole_the_labels_and_legend_title_the_screen_shows_whole(tmp_path: Path, writer: str
                                                                                     ) -> None:
    chart = _long_labels_chart()
    screen = _texts(chart.write_svg(tmp_path / "screen.svg").read_text())
    wanted = [*LONG_LABELS, "model · average precision"]
    assert all(text in screen for text in wanted), screen  # the screen figure shows them whole
    printed = _texts(chart.write_svg(tmp_path / "print.svg", style="print").read_text())
    assert [text for text in wanted if text not in printed] == []
    assert not any(text.endswith(ELLIPSIS) for text in printed), printed
    if writer == "write_pdf":  # the PDF is drawn from the same figure: its text is whole too
        pdf = chart.write_pdf(tmp_path / "print.pdf", style="print").read_bytes()
        assert pdf.startswith(b"%PDF-")


@pytest.mark.parametrize("breaks", ["\n", "\r\n", "\u2028", "\u2029"])
def test_a_column_whose_name_breaks_lines_is_drawn_with_its_name_on_lines(tmp_path: Path, breaks: str) -> None:
    """A CSV header may hold a line break; Vega-Lite could not draw a chart titled with it."""
    name = f"task{breaks}name"
    table = pa.table({"model": ["a", "a", "b", "b"], name: ["x", "y", "x", "y"], "score": [0.1, 0.2, 0.3, 0.4]})
    chart = ev.heatmap(ev.Data.from_dataframe(table), x=name, y="model", fill="score")
    texts = _texts(chart.write_svg(tmp_path / "chart.svg").read_text())
    assert "task" in texts and "name" in texts  # the axis title on two lines
    assert chart.write_pdf(tmp_path / "chart.pdf", style="print").read_bytes().startswith(b"%PDF-")
