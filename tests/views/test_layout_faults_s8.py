"""Session 8 layout faults, read from charts drawn in Chromium: values a heatmap-like chart leaves out of its cells
are told of in its subtitle; long panel titles are shown whole; no chart is wider than a page shows."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pytest

import evalviz as ev
from browser import ChartPage, open_chart_page
from evalviz.demo import write_demo

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "data"
HIDDEN = "Values are not written in the cells"
WINDOW = 1300  # pixels: the browser window the page is read in


def _subtitle(page: ChartPage, index: int) -> str:
    return " ".join(page.title_texts(index))


def _written(page: ChartPage, index: int) -> list[str]:
    """The texts the chart wrote in its cells: heatmap annotations, or a confusion grid's counts."""
    return [i.text for i in page.items(index) if i.marktype == "text" and i.role == "mark"
            and re.search(r"(annotations|counts)_marks$", i.name or "")]


def _size_offered(subtitle: str) -> dict[str, int]:
    """The width= / height= the note says writes the values."""
    return {name: int(value) for name, value in re.findall(r"\b(width|height)=(\d+)", subtitle)}


def _scores_heatmap(**size: int) -> ev.Component:
    return ev.scores_heatmap(ev.Data.from_file(EXAMPLES / "evals.parquet"), **size)


def _sample_heatmap(**size: int) -> ev.Component:
    samples = ev.Data.from_file(EXAMPLES / "samples.parquet").filter("task_name = 'capitals'")
    return ev.sample_heatmap(samples, score_value="score_match", **size)


def _slice_heatmap(**size: int) -> ev.Component:
    rng = np.random.default_rng(3)
    return ev.slice_metric_heatmap(rng.random((4, 6)), [f"slice {i}" for i in range(4)],
                                   [f"model {j}" for j in range(6)], **size)


def _confusion_grid(**size: int) -> ev.Component:
    rng = np.random.default_rng(5)
    table = pa.table({"label": rng.integers(0, 2, 3000), "score": rng.random(3000),
                      "level": rng.choice(["easy", "hard"], 3000)})
    return ev.confusion_grid(table, slice="level", normalize="true", **size)


# Each view, a size too small for its values (too narrow only: the heights leave room).
NARROW = [(_scores_heatmap, {"width": 260, "height": 600}), (_sample_heatmap, {}),
          (_slice_heatmap, {"width": 240, "height": 400}), (_confusion_grid, {"width": 50, "height": 120})]


@pytest.mark.parametrize(("view", "narrow"), NARROW, ids=lambda v: getattr(v, "__name__", ""))
def test_values_left_out_for_want_of_room_are_told_of_and_the_size_offered_writes_them(render, view,
                                                                                       narrow) -> None:
    small = render(view(**narrow))
    said = _subtitle(small, 0)
    assert _written(small, 0) == []
    assert HIDDEN in said and "too narrow" in said and "hover a cell for its value" in said
    offered = _size_offered(said)
    assert set(offered) == {"width"}
    large = render(view(**{**narrow, **offered}))
    drawn = _written(large, 0)
    assert drawn and HIDDEN not in _subtitle(large, 0)
    cells = [i for i in large.items() if i.marktype == "rect" and i.role == "mark" and i.datum
             and re.search(r"cells_marks$", i.name or "") and i.datum.get("status", "ok") in ("ok", None)]
    assert len(drawn) == len(cells)


def test_scores_heatmap_writes_the_means_duckdb_computes_when_wide_and_none_when_narrow(render) -> None:
    path = EXAMPLES / "evals.parquet"
    means = duckdb.sql(f"SELECT avg(score_headline_value) AS v FROM '{path}' "
                       "GROUP BY model_display_name, task_display_name").fetchall()
    wide, narrow = render(_scores_heatmap(width=700)), render(_scores_heatmap(width=240, height=600))
    assert sorted(_written(wide, 0)) == sorted(f"{v:.3f}" for (v,) in means)
    assert HIDDEN not in _subtitle(wide, 0)
    assert _written(narrow, 0) == [] and HIDDEN in _subtitle(narrow, 0)


def test_values_switched_off_by_the_user_are_not_noted() -> None:
    chart = ev.scores_heatmap(ev.Data.from_file(EXAMPLES / "evals.parquet"), width=240,
                              cell=ev.CellOptions(annotate=False))
    assert HIDDEN not in str(chart.spec.get("title"))


def _title_boxes(page: ChartPage) -> list[dict[str, float | str]]:
    """Each panel title as drawn: its text (lines joined) and its box in page pixels."""
    return page.chart().evaluate("""el => [...el.querySelectorAll('g.role-title-text text')].map(t => {
        const b = t.getBoundingClientRect();
        return {text: t.textContent, left: b.left, right: b.right, top: b.top, bottom: b.bottom}; })""")


def _whole(text: str) -> str:
    return "".join(text.split())


LONG_SERIES = "anthropic/claude-sonnet-4-20250514 with extended thinking (32k budget)"
LONG_TASK = "Multi-step arithmetic word problems with distractors"


def _long_confusion() -> tuple[ev.Component, list[str]]:
    rng = np.random.default_rng(9)
    table = pa.table({"label": rng.integers(0, 2, 400), "score": rng.random(400),
                      "model": rng.choice([LONG_SERIES, "gpt"], 400), "level": rng.choice(["easy", "hard"], 400)})
    chart = ev.confusion_grid(table, series="model", slice="level")
    return chart, [LONG_SERIES + "level: easy", LONG_SERIES + "level: hard"]


def _long_timeline() -> tuple[ev.Component, list[str]]:
    evals = ev.Data.from_file(EXAMPLES / "evals.parquet").derive(
        f"SELECT * REPLACE (CASE WHEN task_name = 'arithmetic' THEN '{LONG_TASK}' ELSE task_display_name END "
        "AS task_display_name) FROM this")
    return ev.scores_timeline(evals), [LONG_TASK]


@pytest.mark.parametrize("build", [_long_confusion, _long_timeline], ids=["confusion_grid", "scores_timeline"])
def test_long_panel_titles_are_shown_whole_inside_the_chart_and_apart(render, build) -> None:
    chart, wanted = build()
    page = render(chart)
    boxes = _title_boxes(page)
    drawn = [_whole(str(b["text"])) for b in boxes]
    for name in wanted:
        assert _whole(name) in drawn  # every character, no ellipsis
    assert not any("\u2026" in str(b["text"]) for b in boxes)
    frame = page.chart().evaluate("el => { const b = el.querySelector('svg, canvas').getBoundingClientRect();"
                                  " return [b.left, b.right]; }")
    for box in boxes:
        assert frame[0] <= box["left"] and box["right"] <= frame[1] + 0.5
    for a in boxes:  # titles side by side do not run into each other
        for b in boxes:
            if a is not b and a["left"] < b["left"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]:
                assert a["right"] <= b["left"]


def _page_overflow(page: ChartPage) -> dict[str, object]:
    """The page's horizontal scroll, and every chart reaching past the body's content box."""
    return page.page.evaluate("""() => {
        const body = document.body.getBoundingClientRect();
        const wide = [...document.querySelectorAll('div.evalviz-chart svg.marks, div.evalviz-chart canvas.marks,'
                                                   + ' div.evalviz-chart .vega-embed')]
            .map(e => e.getBoundingClientRect()).filter(b => b.right > body.right + 0.5)
            .map(b => Math.round(b.width));
        return {scroll: document.documentElement.scrollWidth - document.documentElement.clientWidth, wide};
    }""")


def _open_wide(browser, path: Path) -> ChartPage:
    page = open_chart_page(browser, path, timeout=120_000)
    page.page.set_viewport_size({"width": WINDOW, "height": 900})
    return page


def test_the_demo_page_fits_a_1300_pixel_window(browser, tmp_path) -> None:
    path = write_demo(tmp_path)
    page = _open_wide(browser, path)
    try:
        assert _page_overflow(page) == {"scroll": 0, "wide": []}
        assert page.errors == [] and page.requests == []
    finally:
        page.context.close()


def test_charts_that_grow_with_their_data_fit_the_window_by_default(browser, tmp_path) -> None:
    rng = np.random.default_rng(2)
    rows = [{"model_display_name": f"Model {m}", "task_display_name": f"Task number {t}",
             "model_organization_name": f"Organisation of model family {m % 6}",
             "model_release_date": f"2025-{m % 12 + 1:02d}-15", "score_headline_value": float(rng.random()),
             "score_headline_stderr": 0.02} for m in range(14) for t in range(16)]
    evals = ev.Data.from_dataframe(pa.Table.from_pylist(rows))
    predictions = pa.table({"label": rng.integers(0, 2, 900), "score": rng.random(900),
                            "level": rng.choice([f"level {i}" for i in range(6)], 900)})
    path = tmp_path / "grown.html"
    ev.page(ev.scores_timeline(evals), ev.confusion_grid(predictions, slice="level")).write_html(path)
    page = _open_wide(browser, path)
    try:
        assert _page_overflow(page) == {"scroll": 0, "wide": []}
    finally:
        page.context.close()
