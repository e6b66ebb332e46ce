"""Figures for papers (issue 14): `write_pdf` beside PNG and SVG, and the print style every writer takes."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import duckdb
import pypdf
import pytest

import evalviz as ev
from evalviz.errors import OutputError
from evalviz.rendering.figure_style import PRINT_FONT_SIZES, THIN_STROKE, printed_layout

SVG = "{http://www.w3.org/2000/svg}"
STYLED_WRITERS: dict[str, Callable[..., object]] = {
    "html": lambda chart, path, style: chart.write_html(path, style=style),
    "png": lambda chart, path, style: chart.write_png(path, style=style),
    "svg": lambda chart, path, style: chart.write_svg(path, style=style),
    "pdf": lambda chart, path, style: chart.write_pdf(path, style=style),
}


@pytest.fixture(scope="module")
def evals(evals_path: Path) -> ev.Data:
    return ev.Data.from_file(evals_path)


@pytest.fixture(scope="module")
def by_task(evals: ev.Data) -> ev.Component:
    return ev.scores_by_task(evals, title="Scores by task", width=480, height=340)  # x labels slanted


@pytest.fixture(scope="module")
def binned_samples(tmp_path_factory: pytest.TempPathFactory) -> ev.Data:
    """More samples than the chart has pixels: a sample heatmap of them is binned."""
    path = tmp_path_factory.mktemp("binned") / "samples.parquet"
    duckdb.connect().execute(
        f"""COPY (SELECT 'model-' || m AS model_display_name, 's' || lpad(CAST(s AS VARCHAR), 4, '0') AS id,
                         CAST(hash(m, s) % 2 AS DOUBLE) AS score_match
                  FROM range(3) a(m), range(900) b(s)) TO '{path}' (FORMAT parquet)"""
    )
    return ev.Data.from_file(path)


def distinct(path: Path, column: str) -> list[str]:
    return [row[0] for row in duckdb.connect().execute(
        f"SELECT DISTINCT {column} FROM read_parquet(?) ORDER BY 1", [str(path)]).fetchall()]


def pdf_page(path: Path) -> tuple[tuple[float, float], str]:
    """The size of the PDF's only page in points, and its text without whitespace (glyph runs split words)."""
    reader = pypdf.PdfReader(path)
    assert len(reader.pages) == 1
    page = reader.pages[0]
    return (float(page.mediabox.width), float(page.mediabox.height)), re.sub(r"\s+", "", page.extract_text())


def svg_size(path: Path) -> tuple[float, float]:
    root = ET.parse(path).getroot()
    return float(root.get("width")), float(root.get("height"))


def shown_texts(path: Path, role: str) -> list[tuple[str, str]]:
    """(text, font size) of every text the SVG shows (opacity not 0) in groups of class `role-<role>`."""
    root = ET.parse(path).getroot()
    return [(text.text or "", text.get("font-size"))
            for group in root.iter(f"{SVG}g") if f"role-{role}" in (group.get("class") or "").split()
            for text in group.iter(f"{SVG}text") if text.get("opacity") != "0"]


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


# -- PDF ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("style", ["screen", "print"])
def test_the_pdf_is_one_page_the_charts_size_holding_its_title_and_labels(
        by_task: ev.Component, evals_path: Path, style: str, tmp_path: Path) -> None:
    pdf = by_task.write_pdf(tmp_path / "scores.pdf", style=style)
    assert pdf.read_bytes().startswith(b"%PDF-")
    size, text = pdf_page(pdf)
    assert size == (480, 340)  # the chart's outer size, a pixel a point
    # What the SVG of the same figure shows: every label it does not hide is in the PDF's text.
    svg = by_task.write_svg(tmp_path / "scores.svg", style=style)
    shown = {label for label, _ in shown_texts(svg, "axis-label") + shown_texts(svg, "legend-label")}
    tasks, models = distinct(evals_path, "task_display_name"), distinct(evals_path, "model_display_name")
    assert set(models) | set(tasks) <= shown
    for expected in ["Scores by task", "Task", "Score", "Model", *shown]:
        assert squeezed(expected) in text, expected


@pytest.mark.parametrize("kind", ["hconcat", "vconcat", "binned", "linked"])
def test_composed_binned_and_linked_charts_are_written_as_pdf(
        kind: str, evals: ev.Data, evals_path: Path, binned_samples: ev.Data, tmp_path: Path) -> None:
    models = ev.Selection.intersect(name="models")
    charts = {
        "hconcat": lambda: ev.hconcat(ev.scores_heatmap(evals, title="Heatmap"),
                                      ev.scores_by_model(evals, title="By model")),
        "vconcat": lambda: ev.vconcat(ev.scores_by_task(evals, title="By task"),
                                      ev.scores_by_model(evals, title="By model")),
        "binned": lambda: ev.sample_heatmap(binned_samples, score_value="score_match", title="Binned"),
        "linked": lambda: ev.scores_heatmap(evals, filter_by=models, title="Linked"),
    }
    chart = charts[kind]()
    if kind == "binned":
        assert chart.spec["usermeta"]["evalviz"]["drill"] is True
    for style in ("screen", "print"):
        size, text = pdf_page(chart.write_pdf(tmp_path / f"{style}.pdf", style=style))
        assert size == svg_size(chart.write_svg(tmp_path / f"{style}.svg", style=style))
        titles = {"hconcat": ["Heatmap", "Bymodel"], "vconcat": ["Bytask", "Bymodel"], "binned": ["Binned"],
                  "linked": ["Linked"]}[kind]
        names = ([f"model-{m}" for m in range(3)] if kind == "binned"
                 else distinct(evals_path, "model_display_name"))
        for expected in [*titles, *names]:
            assert squeezed(expected) in text, (style, expected)


def test_inputs_and_tables_are_no_pdf(evals: ev.Data, tmp_path: Path) -> None:
    picked = ev.Selection.single(name="picked")
    with_input = ev.vconcat(ev.select(evals, "model_display_name", target=picked), ev.scores_heatmap(evals))
    for style in ("screen", "print"):
        with pytest.raises(OutputError, match="inputs, tables or text.*write it with write_html"):
            with_input.write_pdf(tmp_path / "page.pdf", style=style)
    assert list(tmp_path.iterdir()) == []
    assert "<html" in with_input.to_html(style="print")  # HTML holds them, in either style


# -- the print style ----------------------------------------------------------------------------------------------
def test_the_print_svg_draws_text_at_the_print_sizes_on_white_with_thin_strokes(
        by_task: ev.Component, tmp_path: Path) -> None:
    printed = by_task.write_svg(tmp_path / "print.svg", style="print")
    screen = by_task.write_svg(tmp_path / "screen.svg")
    expected = {"axis-label": "label", "legend-label": "label", "axis-title": "title", "legend-title": "title",
                "title-text": "chart_title"}
    for role, size in expected.items():
        texts = shown_texts(printed, role)
        assert texts and {font for _, font in texts} == {f"{PRINT_FONT_SIZES[size]}px"}, role
        on_screen = {float(font.removesuffix("px")) for _, font in shown_texts(screen, role)}
        assert max(on_screen) < PRINT_FONT_SIZES[size], role  # larger than on screen
    root = ET.parse(printed).getroot()
    background = root.find(f"{SVG}rect")
    assert background is not None and background.get("fill") == "white"
    assert float(background.get("width")) == svg_size(printed)[0]
    guide_lines = [line for group in root.iter(f"{SVG}g")
                   if {"role-axis-domain", "role-axis-tick", "role-axis-grid"} & set((group.get("class") or "").split())
                   for line in group.iter(f"{SVG}line")]
    assert guide_lines and {float(line.get("stroke-width")) for line in guide_lines} == {THIN_STROKE}


def test_the_print_style_sizes_the_headings_of_panels(evals: ev.Data, evals_path: Path, tmp_path: Path) -> None:
    # A panel per task, each headed by a title that sets its own size in the spec: print gives it the size of
    # titles, and the chart's title its own.
    chart = ev.scores_by_model(evals, title="Scores by model")
    for style in ("screen", "print"):
        svg = chart.write_svg(tmp_path / f"{style}.svg", style=style)
        sizes = dict(shown_texts(svg, "title-text"))
        assert set(sizes) == {"Scores by model", *distinct(evals_path, "task_display_name")}
        headings = {size for text, size in sizes.items() if text != "Scores by model"}
        if style == "print":
            assert headings == {f"{PRINT_FONT_SIZES['title']}px"}
            assert sizes["Scores by model"] == f"{PRINT_FONT_SIZES['chart_title']}px"
        else:
            assert headings != {f"{PRINT_FONT_SIZES['title']}px"}


@pytest.mark.parametrize("style", ["screen", "print"])
@pytest.mark.parametrize(("width", "height"), [(400, 260), (420, None), (480, None)])
def test_no_slanted_label_is_hidden(evals: ev.Data, evals_path: Path, width: int, height: int | None, style: str,
                                    tmp_path: Path) -> None:
    # Vega hides a slanted label whose upright bounding box meets its neighbour's, though the labels do not touch.
    chart = ev.scores_by_task(evals, width=width, height=height)
    assert 0 < abs(chart.spec["layer"][0]["encoding"]["x"]["axis"]["labelAngle"]) < 90
    svg = chart.write_svg(tmp_path / "chart.svg", style=style)
    assert set(distinct(evals_path, "task_display_name")) <= {label for label, _ in shown_texts(svg, "axis-label")}


def test_a_print_figure_is_laid_out_for_print_size_labels(evals: ev.Data, evals_path: Path, tmp_path: Path) -> None:
    # Level on screen at this width; print-size labels would collide there, and Vega would hide some.
    chart = ev.scores_by_task(evals, width=520)
    assert chart.spec["layer"][0]["encoding"]["x"]["axis"]["labelAngle"] == 0
    svg = chart.write_svg(tmp_path / "print.svg", style="print")
    assert set(distinct(evals_path, "task_display_name")) <= {label for label, _ in shown_texts(svg, "axis-label")}


def test_a_print_figure_speaks_of_no_hovering(evals_path: Path, tmp_path: Path) -> None:
    samples = ev.Data.from_file(evals_path.parent / "samples.parquet")
    chart = ev.heatmap(samples, x="task_display_name", y="model_display_name", fill="score_match")
    assert "hover a cell" in chart.write_svg(tmp_path / "screen.svg").read_text()
    for style_writer in ("write_svg", "write_html"):
        written = getattr(chart, style_writer)(tmp_path / f"print.{style_writer[6:]}", style="print").read_text()
        assert "Each cell shows the mean of its rows" in written and "hover" not in written


def test_a_print_page_shows_no_tooltip_and_no_actions_menu(by_task: ev.Component, render) -> None:
    screen, printed = render(by_task.to_html()), render(by_task.to_html(style="print"))
    for page, style in ((screen, "screen"), (printed, "print")):
        bar = next(item for item in page.items() if item.role == "mark" and item.marktype == "rect")
        menus = page.page.locator(".vega-embed details").count()  # vega-embed's actions menu
        if style == "screen":
            assert page.hover(bar)["Model"] == bar.datum["model"]
            assert menus == 1
        else:
            page.page.mouse.move(0, 0)
            page.page.mouse.move(*bar.center)
            page.page.wait_for_timeout(600)  # a tooltip shows on the next frame; give it many
            assert page.page.locator("#vg-tooltip-element.visible").count() == 0
            assert menus == 0
            assert page.chart().evaluate("(el) => el.evalvizView.background()") == "white"


# -- bad input leaves no file -------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", STYLED_WRITERS)
def test_a_wrong_style_is_named_and_leaves_no_file(kind: str, by_task: ev.Component, tmp_path: Path) -> None:
    target = tmp_path / f"chart.{kind}"
    for style in ("paper", "Print", None, 1):
        with pytest.raises(OutputError, match=r"style is 'screen' or 'print' \('screen' by default\), not"):
            STYLED_WRITERS[kind](by_task, target, style)
    # A wrong style is found before a wrong path.
    with pytest.raises(OutputError, match="style is 'screen' or 'print'"):
        STYLED_WRITERS[kind](by_task, tmp_path / "no such folder" / "chart", "paper")
    with pytest.raises(OutputError, match="style is 'screen' or 'print'"):
        by_task.to_html(style="paper")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("kind", STYLED_WRITERS)
def test_a_wrong_path_leaves_no_file_in_the_print_style(kind: str, by_task: ev.Component, tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="does not exist: create it"):
        STYLED_WRITERS[kind](by_task, tmp_path / "no such folder" / f"chart.{kind}", "print")
    with pytest.raises(OutputError, match="is a folder"):
        STYLED_WRITERS[kind](by_task, tmp_path, "print")
    assert list(tmp_path.iterdir()) == []


def test_a_pdf_that_fails_leaves_the_old_file(by_task: ev.Component, tmp_path: Path) -> None:
    target = by_task.write_pdf(tmp_path / "chart.pdf")
    before = target.read_bytes()
    with pytest.raises(OutputError, match="style is"):
        by_task.write_pdf(target, style="paper")
    assert target.read_bytes() == before
    assert pdf_page(io.BytesIO(before))[0] == (480, 340)


def test_a_print_figure_too_small_for_print_labels_keeps_the_screen_layout(evals: ev.Data, tmp_path: Path) -> None:
    # Print-size slanted labels need more height than 260 pixels leave; the figure is still written, laid out as on
    # screen and restyled, rather than refused.
    chart = ev.scores_by_task(evals, title="Scores by task", width=400, height=260)
    with pytest.raises(ev.EvalvizError, match="leaves no room for the plot"), printed_layout():
        ev.scores_by_task(evals, title="Scores by task", width=400, height=260)
    svg = chart.write_svg(tmp_path / "print.svg", style="print").read_text()
    assert f'font-size="{PRINT_FONT_SIZES["label"]}px"' in svg or f"font-size: {PRINT_FONT_SIZES['label']}px" in svg
