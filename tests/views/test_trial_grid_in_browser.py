"""Findings of the new-user trial (issue 10) as a user sees them in Chromium: every axis label of the docs'
examples drawn, partly failed cells coloured and marked, counts with thousands separators, a sample cell
opening the epoch that failed, and the chart's menu beside the chart rather than at the far right of the page.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

import evalviz as ev
from evalviz.rendering.html import chart_markup, standalone_page
from evalviz.views.colors import ERROR_COLOR, MISSING_COLOR
from evalviz.views.font_metrics import drawn_width
from grid_cells import parquet

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_LINK = "https://logs.example.com/viewer/#/logs/run.eval/samples/sample/{}/{}"
BENCHMARKS = ["MMLU-PRO", "GPQA DIAMOND", "HUMANEVAL", "WINOGRANDE", "MATH-500", "ARC CHALLENGE"]
LABELS = ["Backwards Spelling", "World Capitals", "Logic Puzzles", "Arithmetic", "Atlas Large",
          "mmmmmmmmmm", "iiiiiiiiii", "0.750", "1,024", "Zebra-Crossing (v2)", "\u00c9t\u00e9 \u00e0 Z\u00fcrich"]


def page_of(*components: ev.Component) -> str:
    return standalone_page("".join(chart_markup(c.spec, c.datasets) for c in components), title="trial")




def overlapping(boxes: list[dict]) -> list[tuple[int, int]]:
    """Pairs of boxes that intersect (by more than half a pixel)."""
    return [(i, j) for i, a in enumerate(boxes) for j, b in enumerate(boxes) if i < j
            and min(a["right"], b["right"]) - max(a["left"], b["left"]) > 0.5
            and min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > 0.5]


_LABEL_BOXES = """(el) => [...el.querySelectorAll('g.role-axis')]
    .filter(g => (g.getAttribute('aria-label') || '').startsWith('X-axis'))
    .map(g => [...g.querySelectorAll('g.role-axis-label text')].map(t => {
        const b = t.getBoundingClientRect();
        const opacity = Number(getComputedStyle(t).opacity) * Number(t.getAttribute('opacity') ?? 1);
        return {text: t.textContent, opacity,
                left: b.left, right: b.right, top: b.top, bottom: b.bottom};
    }))"""


def test_every_x_label_of_the_docs_examples_is_drawn(render) -> None:
    """views.md's hconcat example lost two of the "includes" chart's four task labels, and so did the demo
    page: Vega hides labels whose boxes overlap, and the layout thought them narrower than DejaVu Sans draws."""
    from evalviz.demo import build_examples

    shown = [(e.name, e.chart) for e in build_examples() if e.name != "sample_heatmap_binned"]  # bins are 3 px
    evals = ev.Data.from_file(ROOT / "examples" / "data" / "evals.parquet")
    shown += [(f"includes at {width} px", ev.scores_heatmap(evals, score_value="score_includes_accuracy",
                                                             title="includes", width=width))
              for width in (300, 400)]  # narrower, the labels slant more or stand upright
    # Capitals are wide in DejaVu Sans: a width per character thought them narrower, and lost labels here.
    upper = ev.Data.from_dataframe(pa.table({
        "task_display_name": BENCHMARKS * 3, "model_display_name": [m for m in ("A", "B", "C") for _ in BENCHMARKS],
        "score_headline_value": [i / 20 for i in range(3 * len(BENCHMARKS))]}))
    shown += [(f"capitals at {width} px", ev.scores_heatmap(upper, width=width)) for width in range(480, 580, 20)]
    page = render(page_of(*(chart for _, chart in shown)), wait_for=len(shown))
    for i, (name, _) in enumerate(shown):
        page.chart(i).scroll_into_view_if_needed()
        for axis in page.chart(i).evaluate(_LABEL_BOXES):
            hidden = [label["text"] for label in axis if label["opacity"] == 0]
            assert hidden == [], f"{name}: labels hidden {hidden}"
            assert overlapping(axis) == [], f"{name}: labels overlap"
        if name == "hconcat":
            tasks = evals.sql("SELECT DISTINCT task_display_name AS t FROM this")["t"].to_pylist()
            drawn = [label["text"] for axis in page.chart(i).evaluate(_LABEL_BOXES) for label in axis]
            assert sorted(drawn) == sorted(tasks * 2)  # both parts, every task


def test_label_widths_are_what_chromium_draws(render) -> None:
    chart = ev.slice_metric_heatmap([[0.5]])
    page = render(chart)
    measured = page.page.evaluate(
        """(labels) => { const ctx = document.createElement('canvas').getContext('2d');
            return [10, 11, 12].map(size => { ctx.font = `${size}px "DejaVu Sans", Helvetica, Arial, sans-serif`;
                return labels.map(t => ctx.measureText(t).width); }); }""", LABELS)
    for size, widths in zip((10, 11, 12), measured, strict=True):
        for label, width in zip(LABELS, widths, strict=True):
            estimate = drawn_width(label, size)
            assert estimate >= width - 0.01, f"{label!r} at {size}px: {estimate} < {width}"  # never narrower
            assert estimate <= width * 1.01 + 0.5, f"{label!r} at {size}px: {estimate} >> {width}"


def test_partly_failed_cells_counts_and_links_as_drawn(render, tmp_path: Path) -> None:
    evals = parquet(
        tmp_path, "evals", model_display_name=["flaky", "retried", "retried", "broken", "good"],
        task_display_name=["arith"] * 5, status=["success", "error", "success", "error", "success"],
        error_message=[None, "RuntimeError: HTTP 503", None, "OSError: disk", None],
        total_samples=[16, None, 16, None, 16], completed_samples=[12, None, 16, None, 16],
        score_headline_value=[1.0, None, 0.75, None, 0.25])
    samples = parquet(
        tmp_path, "samples", id=["1", "1", "2", "2"], epoch=[1, 2, 1, 2], model_display_name=["m"] * 4,
        score_match=[1.0, None, 0.0, 1.0], error=["", "RuntimeError: sandbox died", "", ""],
        log_viewer=[SAMPLE_LINK.format(i, e) for i, e in [(1, 1), (1, 2), (2, 1), (2, 2)]])
    counts = parquet(tmp_path, "counts", row=["easy", "hard"], col=["m", "m"], value=[0.5, 0.7], n=[10000, 1041])
    repeated = parquet(tmp_path, "repeated", x=["a"] * 1200, y=["m"] * 1200, v=[0.5] * 1200)
    charts = [ev.scores_heatmap(evals), ev.sample_heatmap(samples, score_value="score_match"),
              ev.slice_metric_heatmap(counts), ev.heatmap(repeated, x="x", y="y", fill="v")]
    page = render(page_of(*charts), wait_for=len(charts))

    # A partly failed eval keeps its colour and score, with a dark corner at its top right and a legend entry.
    for y, status in (("flaky", "partly failed: 12 of 16 samples completed"),
                      ("retried", "partly failed: 1 of 2 rows failed: RuntimeError: HTTP 503")):
        partly = page.cell(0, y=y)
        assert partly.fill not in (ERROR_COLOR, MISSING_COLOR)
        (corner,) = [i for i in page.items(0) if i.marktype == "symbol" and i.role == "mark"
                     and partly.x < i.x <= partly.x + partly.width and partly.y <= i.y < partly.y + partly.height]
        assert corner.fill == ERROR_COLOR
        assert corner.x > partly.x + partly.width * 0.8 and corner.y < partly.y + partly.height * 0.2
        tip = page.hover(partly)
        assert tip["Status"] == status and tip["Score"] == f"{partly.datum['value']:.3f}"
    assert page.hover(page.cell(0, y="good")).get("Status") is None  # an ok cell has no status row
    broken = page.cell(0, y="broken")
    assert broken.fill == ERROR_COLOR and [t.text for t in page.marks_on(broken, index=0)] == ["\u00d7"]
    assert "partly failed" in page.legend_labels(0) and "error" in page.legend_labels(0)

    # A sample whose second epoch failed: the first epoch's score, and a click opens the epoch that failed.
    page.chart(1).scroll_into_view_if_needed()
    sample = page.cell(1, x="1")
    assert page.hover(sample)["Status"] == "partly failed: 1 of 2 rows failed: RuntimeError: sandbox died"
    assert page.click_opens(sample) == SAMPLE_LINK.format(1, 2)
    assert page.click_opens(page.cell(1, x="2")) == SAMPLE_LINK.format(2, 1)

    # Counts with thousands separators: n of an analysis table, rows of an aggregated cell.
    page.chart(2).scroll_into_view_if_needed()
    assert page.hover(page.cell(2, y="easy"))["n"] == "10,000"
    assert page.hover(page.cell(2, y="hard"))["n"] == "1,041"
    page.chart(3).scroll_into_view_if_needed()
    assert page.hover(page.cell(3))["rows"] == "1,200"
    assert any("(up to 1,200)" in t for t in page.title_texts(3))


def test_the_menu_sits_beside_the_chart(render, evals_path: Path) -> None:
    """The "..." actions menu was at the far right of a 1280 px page, away from a 700 px chart."""
    page = render(ev.scores_heatmap(ev.Data.from_file(evals_path), title="Scores"))
    boxes = page.page.evaluate("""() => {
        const box = (s) => document.querySelector(s).getBoundingClientRect().toJSON();
        return {chart: box('div.evalviz-target .marks'), menu: box('div.evalviz-target details summary')};
    }""")
    assert boxes["chart"]["right"] < boxes["menu"]["left"] < boxes["chart"]["right"] + 50
    assert boxes["menu"]["top"] < boxes["chart"]["top"] + 40
