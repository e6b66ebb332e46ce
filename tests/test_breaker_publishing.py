"""Faults found by breaking the publishing features (issue 14): figures in print style, hostile column names in
every output, the renderer carried once per notebook when outputs are cleared or updated, the command line."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
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


# -- the renderer once per notebook, when the kernel itself replaces the output carrying it ---------------------------

SETUP = ("import evalviz as ev\nfrom IPython.display import display, clear_output\n"
         "evals = ev.Data.from_file('evals.parquet')")
REPLACING_CELLS = {
    # a cell redrawing its chart in a loop: each clear removes the output that carried the renderer
    "clear_output": ["for i in range(3):\n    clear_output(wait=True)\n"
                     "    display(ev.scores_heatmap(evals, title=f'{i}'))"],
    # a display updated in place: the update replaces the output that carried the renderer
    "update": ["handle = display(ev.scores_heatmap(evals), display_id=True)",
               "handle.update(ev.scores_by_model(evals))"],
    # an update by something else than a chart
    "update_text": ["handle = display(ev.scores_heatmap(evals), display_id=True)", "handle.update('no chart')"],
    # a chart formatted but captured, never shown
    "capture": ["%%capture captured\ndisplay(ev.scores_heatmap(evals))"],
}


def run_notebook(folder: Path, cells: list[str]) -> nbformat.NotebookNode:
    shutil.copy(Path(__file__).parents[1] / "examples" / "data" / "evals.parquet", folder / "evals.parquet")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in cells])
    NotebookClient(nb, timeout=180, kernel_name="python3", store_widget_state=False,
                   resources={"metadata": {"path": str(folder)}}).execute()
    return nb


def chart_outputs(nb: nbformat.NotebookNode) -> list[str]:
    """The text/html of every evalviz output the saved notebook holds, in order."""
    return [html_text for cell in nb.cells for output in cell.get("outputs", [])
            if isinstance(html_text := output.get("data", {}).get("text/html"), str) and "evalviz-chart" in html_text]


@pytest.mark.parametrize("case", list(REPLACING_CELLS))
def test_the_saved_notebook_carries_the_renderer_once_when_the_kernel_replaced_its_output(tmp_path: Path, case: str
                                                                                          ) -> None:
    nb = run_notebook(tmp_path, [SETUP, *REPLACING_CELLS[case], "ev.scores_by_task(evals)"])
    outputs = chart_outputs(nb)
    assert outputs, "no chart output was saved"
    carrying = [i for i, text in enumerate(outputs) if text.endswith(renderer_script())]
    assert len(carrying) == 1, f"{len(carrying)} outputs carry the renderer"
    assert all(text.endswith(loader_script()) for i, text in enumerate(outputs) if i not in carrying)


# -- text read from data or paths, written into a page's Markdown ---------------------------------------------------

def markdown_items(item: dict) -> list[str]:
    """The HTML of every Markdown item of a page's item tree, in order."""
    if item.get("kind") == "markdown":
        return [item["html"]]
    return [text for child in item.get("items", []) for text in markdown_items(child)]


def test_the_reports_introduction_shows_a_folder_named_with_backticks_as_it_is_and_no_link(tmp_path: Path) -> None:
    from evalviz.publishing.report import log_report

    sys.path.insert(0, str(Path(__file__).parents[1] / "examples"))
    from example_logs import write_logs

    folder = tmp_path / "logs`[click me](https://example.org)` and *this*"
    write_logs(folder, models=("borealis", "cirrus-mini"), tasks=("arithmetic",), n_samples=1, epochs=1)
    intro = markdown_items(log_report(folder).item)[1]  # after the title's heading
    assert f"<code>{html.escape(str(folder), quote=False)}</code>" in intro, intro
    assert "<a " not in intro and "<em>" not in intro


# -- inputs, tables and text have no image form, and say so in the words of where they are written ------------------

EVALVIZ = Path(sys.executable).with_name("evalviz")
EVALS = Path(__file__).parents[1] / "examples" / "data" / "evals.parquet"


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_the_command_line_writing_a_table_as_an_image_names_html_in_one_line_and_writes_nothing(
        tmp_path: Path, suffix: str) -> None:
    result = subprocess.run([str(EVALVIZ), "render", str(EVALS), "--view", "table", "-o", f"rows{suffix}"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("evalviz: error: "), result.stderr
    assert "rows.html" in lines[0] and "write_html" not in lines[0]  # the way out is an option, not a method
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("writer", ["write_png", "write_svg", "write_pdf"])
def test_text_written_as_an_image_is_named_as_text_and_the_format_asked_for(tmp_path: Path, writer: str) -> None:
    with pytest.raises(ev.OutputError) as error:
        getattr(ev.md("# Notes"), writer)(tmp_path / "notes.img")
    message = str(error.value)
    assert "text" in message and writer.removeprefix("write_").upper() in message and "write_html" in message
    assert list(tmp_path.iterdir()) == []


# -- text holding a file name's undecodable byte (Python reads a non-UTF-8 name with a lone surrogate) ----------------

def test_a_title_text_and_path_holding_an_undecodable_byte_are_written_with_the_replacement_character(
        tmp_path: Path) -> None:
    name = os.fsdecode(b"caf\xe9")  # a Latin-1 folder name, as os.listdir gives it: 'caf\udce9'
    evals = ev.Data.from_file(EVALS)
    report = ev.page(ev.md(f"Read from `{name}`"), ev.scores_heatmap(evals, title=name), title=name)
    written = report.write_html(tmp_path / f"{name}.html")
    assert os.listdir(os.fsencode(tmp_path)) == [b"caf\xe9.html"]  # the file has the name asked for
    text = written.read_text(encoding="utf-8")
    assert "<title>caf\ufffd</title>" in text
    chart = ev.scores_heatmap(evals, title=name)
    svg = chart.write_svg(tmp_path / "chart.svg").read_text(encoding="utf-8")
    assert "caf\ufffd" in _texts(svg)
    assert chart.write_pdf(tmp_path / "chart.pdf", style="print").read_bytes().startswith(b"%PDF-")
