"""Faults of the heatmap views (issue 10) as a user sees them, in a real Chromium: infinite cells, cells whose
labels read alike, failed evals and samples, the scorer behind a headline, clipped intervals, tooltips without
"null" rows and whole numbers without decimals. All charts are drawn on one page."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import evalviz as ev
from evalviz.rendering.html import chart_markup, standalone_page
from evalviz.views.colors import ERROR_COLOR, INFINITE_COLOR
from grid_cells import parquet

pytestmark = pytest.mark.browser

INF = float("inf")
URL = "https://logs.example.com/viewer/#/logs/{}.eval"




@pytest.fixture
def charts(tmp_path: Path) -> dict[str, ev.Component]:
    scores_with_inf = parquet(
        tmp_path, "inf", model_display_name=["a", "a", "b", "b", "c", "c"],
        task_display_name=["t1", "t2", "t1", "t2", "t1", "t2"],
        score_headline_value=[0.2, 0.9, INF, 0.5, 0.4, -INF])
    null_tasks = parquet(
        tmp_path, "nulls", model_display_name=["a", "a", "a"], task_display_name=[None, "(null)", "x"],
        score_headline_value=[0.1, 0.7, 0.5])
    failures = parquet(
        tmp_path, "failures", model_display_name=["A", "A", "A", "B", "B", "B", "B"],
        task_display_name=["arith", "capitals", "spelling", "arith", "capitals", "spelling", "spelling"],
        status=["success", "error", "success", "started", "success", "success", "success"],
        error_message=[None, "RateLimitError: 429 Too Many Requests", None, None, None, None, None],
        score_headline_name=["includes", None, "graded", None, "includes", "graded", "includes"],
        score_headline_metric=["accuracy", None, "mean", None, "accuracy", "mean", "accuracy"],
        score_headline_value=[0.95, None, 0.5, None, 0.6, 0.4, 0.8],
        score_headline_stderr=[0.05, None, 0.1, None, 0.1, 0.1, 0.1],
        log_viewer=[URL.format("a1"), None, URL.format("a3"), None, None, URL.format("b3"), URL.format("b4")])
    counts = parquet(tmp_path, "counts", x=["a", "b", "a"], y=["m", "m", "n"], turns=[6, 1024, 3])
    samples = parquet(
        tmp_path, "samples", task_name=["a \u00b7 b", "a", "a \u00b7 b", "a"],
        id=["c", "b \u00b7 c", "c", "b \u00b7 c"],
        model_display_name=["m", "m", "n", "n"], score_match=[1.0, 0.0, None, 0.5],
        error=["", "", "RuntimeError: sandbox died", ""])
    return {
        "inf": ev.scores_heatmap(scores_with_inf),
        "nulls": ev.scores_heatmap(null_tasks),
        "failures": ev.scores_heatmap(failures, width=800),
        "counts": ev.heatmap(counts, x="x", y="y", fill="turns", fill_label="turns"),
        "grid": ev.slice_metric_heatmap(np.array([[6, 1024]]), ["r"], ["a", "b"], metric_name="count"),
        "samples": ev.sample_heatmap(samples, score_value="score_match", width=600),
    }


def test_what_the_user_sees(charts: dict[str, ev.Component], render) -> None:
    names = list(charts)
    page = render(standalone_page("".join(chart_markup(c.spec, c.datasets) for c in charts.values()),
                                  title="faults"), wait_for=len(charts))
    index = {name: i for i, name in enumerate(names)}

    def focus(name: str) -> int:
        """Scroll chart `name` into view (the page is taller than the window), and give its index."""
        page.chart(index[name]).scroll_into_view_if_needed()
        return index[name]

    # 1. An infinite cell is flagged with its own colour, sign and legend entry; the colours span [0, 1].
    i = focus("inf")
    plus, minus = page.cell(i, x="t1", y="b"), page.cell(i, x="t2", y="c")
    assert plus.fill == minus.fill == INFINITE_COLOR
    assert [t.text for t in page.marks_on(plus, index=i)] == ["\u221e"]
    assert [t.text for t in page.marks_on(minus, index=i)] == ["\u2212\u221e"]
    assert page.hover(plus)["Score"] == "inf" and page.hover(minus)["Score"] == "-inf"
    assert "infinite" in page.legend_labels(i)
    labels = page.legend_labels(i)
    assert labels[0] == "0.0" and "1.0" in labels
    finite = [c for c in page.cells(i) if c.datum["status"] == "ok"]
    assert len({c.fill for c in finite}) == len(finite) == 4  # 0.2, 0.9, 0.5 and 0.4: four colours

    # 5. A NULL task and a task named "(null)": two columns, both labelled "(null)", each with its own score.
    i = focus("nulls")
    assert sorted(page.axis_labels("x", i)) == ["(null)", "(null)", "x"]
    nulls = [c for c in page.cells(i) if c.datum.get("x_label") == "(null)"]
    assert len(nulls) == 2 and len({c.x for c in nulls}) == 2
    tips = sorted((page.hover(c)["Task"], page.hover(c)["Score"], page.hover(c)["rows"]) for c in nulls)
    assert tips == [("(null)", "0.100", "1"), ("(null)", "0.700", "1")]
    # ... and in sample_heatmap, ("a · b", "c") and ("a", "b · c") are two columns labelled alike.
    i = focus("samples")
    assert page.axis_labels("x", i) == ["a \u00b7 b \u00b7 c"] * 2
    assert len({c.x for c in page.cells(i)}) == 2
    sample_error = page.cell(i, y="n", status="error")
    assert sample_error.fill == ERROR_COLOR
    assert page.hover(sample_error)["Score (match)"] == "error: RuntimeError: sandbox died"

    # 10. Failed and unfinished evals are error cells with their message; a sample's error too.
    i = focus("failures")
    errored, started = page.cell(i, x="capitals", y="A"), page.cell(i, x="arith", y="B")
    assert errored.fill == started.fill == ERROR_COLOR
    assert [t.text for t in page.marks_on(errored, index=i)] == ["\u00d7"]
    assert page.hover(errored)["Score"] == "error: RateLimitError: 429 Too Many Requests"
    assert page.hover(started)["Score"] == "error: did not finish (started)"

    # The scorer behind each headline, a mixed cell saying so, and the subtitle; intervals within [0, 1].
    top = page.hover(page.cell(i, x="arith", y="A"))
    assert top["Scorer"] == "includes (accuracy)"
    assert top["95% CI"] == f"[{0.95 - 1.96 * 0.05:.3f}, 1.000]"
    assert page.hover(page.cell(i, x="spelling", y="B"))["Scorer"] == "mixed: graded (mean), includes (accuracy)"
    assert any("different scorers" in t for t in page.title_texts(i))
    # A cell without a link has no "Log" row (rather than "Log: null"); one with a link shows it.
    assert "Log" not in page.hover(page.cell(i, x="capitals", y="B"))
    assert page.hover(page.cell(i, x="spelling", y="A"))["Log"] == URL.format("a3")

    # Whole numbers of an integer column: "6" and "1,024", not "6.000".
    for name, title in (("counts", "turns"), ("grid", "count")):
        i = focus(name)
        six = page.cell(i, value=6)
        assert [t.text for t in page.marks_on(six, index=i)] == ["6"]
        assert page.hover(six)[title] == "6"
        assert [t.text for t in page.marks_on(page.cell(i, value=1024), index=i)] == ["1,024"]
