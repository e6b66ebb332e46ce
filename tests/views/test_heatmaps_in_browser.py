"""The heatmap views in a real Chromium: each test reads what the page drew (marks, colours, axes, tips)."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import altair as alt
import numpy as np
import pyarrow as pa
import pytest

import evalviz as ev
from evalviz.rendering.html import chart_markup, standalone_page
from evalviz.views.colors import ERROR_COLOR, MISSING_COLOR, SKIPPED_COLOR

pytestmark = pytest.mark.browser

HOSTILE_TASK = "<img src=x onerror=alert(1)>"
HOSTILE_MODEL = "<script>alert(2)</script>"
HOSTILE_TITLE = "<img src=y onerror=alert(3)>"
LONG_TASK = "A task whose name goes on and on well past what any axis label has room to show in full"


def page_of(*components: ev.Component) -> str:
    """One standalone page holding several charts, to render them in one go."""
    return standalone_page("".join(chart_markup(c.spec, c.datasets) for c in components), title="test")


def evals(rows: list[tuple]) -> ev.Data:
    """An evals table with inspect_ai's column names: (model, task, score, stderr, link) per row."""
    model, task, score, stderr, link = zip(*rows, strict=True)
    return ev.Data.from_dataframe(pa.table({
        "model_display_name": pa.array(model, pa.string()),
        "task_display_name": pa.array(task, pa.string()),
        "score_headline_value": pa.array(score, pa.float64()),
        "score_headline_stderr": pa.array(stderr, pa.float64()),
        "log_viewer": pa.array(link, pa.string()),
    }))


def rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.strip()
    if colour.startswith("rgb"):
        r, g, b = (int(float(v)) for v in colour[colour.index("(") + 1:-1].split(",")[:3])
        return r, g, b
    if colour in ("black", "white"):
        return (0, 0, 0) if colour == "black" else (255, 255, 255)
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours."""
    def luminance(colour: str) -> float:
        channels = [c / 255 for c in rgb(colour)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def one_per_cell(cells: list) -> dict[tuple[str, str], object]:
    """The drawn cells keyed by (x, y), asserting no cell is drawn twice."""
    keyed: dict[tuple[str, str], object] = {}
    for cell in cells:
        key = (cell.datum["x"], cell.datum["y"])
        assert key not in keyed, f"cell {key} is drawn more than once"
        keyed[key] = cell
    return keyed


# -- scores_heatmap ------------------------------------------------------------------------------------------
@pytest.fixture
def scores_data() -> ev.Data:
    """Three models x three tasks: one pair run twice (two logs), one NaN, one pair with no row at all."""
    url = "https://logs.example.com/viewer/#/logs/{}.eval"
    return evals([
        ("alpha", "Arithmetic", 0.2, 0.05, url.format("a1")),
        ("alpha", "Arithmetic", 0.4, 0.05, url.format("a1b")),
        ("alpha", "Capitals", 0.9, 0.02, url.format("a2")),
        ("alpha", "Spelling", 0.7, 0.03, url.format("a3")),
        ("beta", "Arithmetic", 0.8, 0.04, url.format("b1")),
        ("beta", "Capitals", float("nan"), None, url.format("b2")),
        ("beta", "Spelling", 0.6, 0.04, "javascript:alert(4)"),
        ("gamma", "Arithmetic", 0.1, 0.01, url.format("g1")),
        ("gamma", "Capitals", 0.5, 0.05, None),
    ])


def test_scores_heatmap_one_mark_per_cell_with_missing_cells_neutral(scores_data, render) -> None:
    page = render(ev.scores_heatmap(scores_data, title="Scores"))
    cells = one_per_cell(page.cells())
    assert len(cells) == 9  # 3 x 3, duplicates aggregated, missing pairs drawn

    # Two rows for (alpha, Arithmetic): one cell with their mean, and a tooltip that says so.
    twice = page.cell(x="Arithmetic", y="alpha")
    tip = page.hover(twice)
    assert tip["Score"] == "0.300" and tip["rows"] == "2"
    assert tip["Model"] == "alpha" and tip["Task"] == "Arithmetic"
    # A 95% CI from the standard errors of the two rows: 0.3 +- 1.96 * sqrt(2 * 0.05^2) / 2.
    half = 1.96 * math.sqrt(2 * 0.05**2) / 2
    assert tip["95% CI"] == f"[{0.3 - half:.3f}, {0.3 + half:.3f}]"
    assert any("mean of its rows (up to 2)" in t for t in page.title_texts())

    # NaN and a pair without any row: neutral colour, a legend entry, and a tooltip that says why.
    nan_cell, no_row = page.cell(x="Capitals", y="beta"), page.cell(x="Spelling", y="gamma")
    assert nan_cell.fill == MISSING_COLOR and no_row.fill == MISSING_COLOR
    assert "no data" in page.legend_labels()
    assert page.hover(nan_cell)["Score"] == "no value (NaN or empty)"
    no_row_tip = page.hover(no_row)
    assert no_row_tip["Score"] == "no rows" and no_row_tip["rows"] == "0"
    # No other cell is grey.
    grey = [k for k, c in cells.items() if c.fill == MISSING_COLOR]
    assert grey == [("Capitals", "beta"), ("Spelling", "gamma")]

    # The colour scale of scores in [0, 1] spans [0, 1], and the legend names it.
    assert page.legend_titles() == ["Score"]
    labels = page.legend_labels()
    assert labels[0] == "0.0" and "1.0" in labels


def test_scores_heatmap_links_open_only_http_urls(scores_data, render) -> None:
    page = render(ev.scores_heatmap(scores_data))
    good = page.cell(x="Capitals", y="alpha")
    assert page.hover(good)["Log"] == "https://logs.example.com/viewer/#/logs/a2.eval"
    assert page.click_opens(good) == "https://logs.example.com/viewer/#/logs/a2.eval"
    # A javascript: URL is shown as text and opens nothing; a cell without a link opens nothing either.
    script = page.cell(x="Spelling", y="beta")
    assert page.hover(script)["Log"] == "javascript:alert(4)"
    assert page.click_opens(script) is None
    assert page.click_opens(page.cell(x="Capitals", y="gamma")) is None
    # Clicking the annotation on a cell opens the cell's link too.
    annotation = page.marks_on(good)
    assert [a.text for a in annotation] == ["0.900"]
    assert page.click_opens(annotation[0]) == "https://logs.example.com/viewer/#/logs/a2.eval"


def _sorted_table() -> ev.Data:
    """Task means: T-low 0.2, T-mid 0.5, T-high 0.8 (input order: mid, high, low); models: m-bad < m-good."""
    rows = []
    for task, base in (("T-mid", 0.5), ("T-high", 0.8), ("T-low", 0.2)):
        rows.append(("m-bad", task, base - 0.1, 0.0, None))
        rows.append(("m-good", task, base + 0.1, 0.0, None))
    return evals(rows)


def test_sort_orders_and_vertical_orientation_as_drawn(render) -> None:
    data = _sorted_table()
    charts = [
        ev.scores_heatmap(data),  # ascending: best task right, best model on top
        ev.scores_heatmap(data, sort="descending"),
        ev.scores_heatmap(data, sort=None),
        ev.scores_heatmap(data, sort={"x": ["T-low", "T-high"], "y": ["m-bad"]}),
        ev.scores_heatmap(data, orientation="vertical", task_label="Benchmark", model_label="LLM"),
    ]
    page = render(page_of(*charts), wait_for=len(charts))
    assert page.axis_labels_in_order("x", 0) == ["T-low", "T-mid", "T-high"]
    assert page.axis_labels_in_order("y", 0) == ["m-good", "m-bad"]
    assert page.axis_labels_in_order("x", 1) == ["T-high", "T-mid", "T-low"]
    assert page.axis_labels_in_order("y", 1) == ["m-bad", "m-good"]
    assert page.axis_labels_in_order("x", 2) == ["T-mid", "T-high", "T-low"]
    assert page.axis_labels_in_order("y", 2) == ["m-bad", "m-good"]
    assert page.axis_labels_in_order("x", 3) == ["T-low", "T-high", "T-mid"]
    assert page.axis_labels_in_order("y", 3) == ["m-bad", "m-good"]
    # Vertical: models along x, tasks along y, and the axis titles go with them.
    assert page.axis_title("x", 4) == "LLM" and page.axis_title("y", 4) == "Benchmark"
    assert page.axis_labels_in_order("x", 4) == ["m-bad", "m-good"]
    assert page.axis_labels_in_order("y", 4) == ["T-high", "T-mid", "T-low"]
    assert page.axis_title("x", 0) == "Task" and page.axis_title("y", 0) == "Model"
    page.chart(4).scroll_into_view_if_needed()  # items come in viewport coordinates: read after scrolling
    tip = page.hover(page.cell(4, x="m-good", y="T-low"))
    assert tip["LLM"] == "m-good" and tip["Benchmark"] == "T-low" and tip["Score"] == "0.300"


def test_annotations_contrast_with_their_cells_and_switch_off_when_cells_are_small(render) -> None:
    values = np.linspace(0, 1, 11)
    data = evals([("m", f"t{i:02d}", float(v), 0.0, None) for i, v in enumerate(values)]
                 + [("n", f"t{i:02d}", float(1 - v), 0.0, None) for i, v in enumerate(values)])
    crowded = evals([("m", f"task {i}", 0.5, 0.0, None) for i in range(80)])
    page = render(page_of(
        ev.scores_heatmap(data, sort=None, width=900, cell=ev.CellOptions(annot_fmt="{:.0%}")),
        ev.scores_heatmap(crowded),
        ev.scores_heatmap(data, sort=None, width=900, cell=ev.CellOptions(text="red")),
    ), wait_for=3)
    cells = page.cells(0)
    assert len(cells) == 22
    for cell in cells:
        (text,) = page.marks_on(cell)
        assert text.text == f"{cell.datum['value']:.0%}"
        black, white = contrast(cell.fill, "black"), contrast(cell.fill, "white")
        assert text.fill == ("black" if black >= white else "white"), (cell.datum, cell.fill, text.fill)
        assert max(black, white) >= 4.5
    # Both colours are in use across viridis.
    assert {page.marks_on(c)[0].fill for c in cells} == {"black", "white"}
    # 80 narrow cells: no annotations, but every cell is drawn.
    assert len(page.cells(1)) == 80
    assert [i for i in page.items(1) if i.marktype == "text" and i.role == "mark"] == []
    # A fixed text colour is used as given.
    assert {page.marks_on(c, index=2)[0].fill for c in page.cells(2)} == {"red"}


def test_hostile_labels_stay_text_everywhere(render) -> None:
    data = evals([
        (HOSTILE_MODEL, HOSTILE_TASK, 0.5, 0.1, "javascript:alert(5)"),
        ("plain", HOSTILE_TASK, 0.7, 0.1, "https://logs.example.com/x"),
        (HOSTILE_MODEL, LONG_TASK, 0.2, 0.1, None),
    ])
    page = render(ev.scores_heatmap(data, title=HOSTILE_TITLE, task_label=HOSTILE_TASK))
    assert HOSTILE_TASK in page.axis_labels("x")
    assert HOSTILE_MODEL in page.axis_labels("y")
    assert page.axis_title("x") == HOSTILE_TASK
    assert HOSTILE_TITLE in page.title_texts()
    cell = page.cell(x=HOSTILE_TASK, y=HOSTILE_MODEL)
    tip = page.hover(cell)
    assert tip["Model"] == HOSTILE_MODEL and tip[HOSTILE_TASK] == HOSTILE_TASK
    assert page.page.locator("#vg-tooltip-element img, #vg-tooltip-element script").count() == 0
    assert page.page.locator(".evalviz-chart img, .evalviz-chart script:not(.evalviz-payload)").count() == 0
    assert page.click_opens(cell) is None
    # A long label is shortened on the axis and whole in the tooltip.
    shortened = [label for label in page.axis_labels("x") if label.startswith("A task whose")]
    assert len(shortened) == 1 and "…" in shortened[0] and len(shortened[0]) < len(LONG_TASK)
    head, tail = shortened[0].split("…")  # cut in the middle: its start and its end kept
    assert LONG_TASK.startswith(head) and LONG_TASK.endswith(tail)
    assert page.hover(page.cell(x=LONG_TASK, y=HOSTILE_MODEL))[HOSTILE_TASK] == LONG_TASK
    # render() fails the test on any dialog (script from the data ran), request or page error.


def test_scores_heatmap_on_the_example_evals(evals_path: Path, render) -> None:
    data = ev.Data.from_file(evals_path)
    models = data.sql("SELECT DISTINCT model_display_name AS m FROM this")["m"].to_pylist()
    tasks = data.sql("SELECT DISTINCT task_display_name AS t FROM this")["t"].to_pylist()
    star = alt.Chart().mark_text(text="★", dy=-14, fontSize=20).encode(
        x="x:N", y="y:N", tooltip=[alt.Tooltip("value:Q", title="starred", format=".1f")])
    star = star.transform_filter("datum.value > 0.9")
    page = render(ev.scores_heatmap(data, legend="Headline score", marks=[star]))
    one_per_cell(page.cells())
    assert len(page.cells()) == len(models) * len(tasks)
    assert sorted(page.axis_labels("y")) == sorted(models)
    assert page.legend_titles() == ["Headline score"]
    # Ascending: the mean score of the drawn columns grows left to right.
    order = page.axis_labels_in_order("x")
    means = {t: np.mean([c.datum["value"] for c in page.cells() if c.datum["x"] == t]) for t in order}
    assert [means[t] for t in order] == sorted(means.values())
    # The extra mark is drawn on top, on the cells it selects.
    stars = [i for i in page.items() if i.text == "★"]
    assert len(stars) == len([c for c in page.cells() if c.datum["value"] > 0.9]) > 0
    # An extra layer keeps its own Vega-Lite tooltip (the star is drawn 14 px above its anchor).
    glyph = dataclasses.replace(stars[0], y=stars[0].y - 14)
    assert page.hover(glyph) == {"starred": f"{stars[0].datum['value']:.1f}"}
    cell = page.cells()[0]
    assert page.click_opens(cell) == cell.datum["link"]
    assert set(page.hover(cell)) == {"Model", "Task", "Score", "95% CI", "rows", "Scorer", "Log"}


# -- sample_heatmap ------------------------------------------------------------------------------------------
def test_sample_heatmap_aggregates_epochs_into_one_cell(samples_path: Path, render) -> None:
    samples = ev.Data.from_file(samples_path)
    tasks = samples.sql("SELECT DISTINCT task_name AS t FROM this ORDER BY 1")["t"].to_pylist()
    one_task = samples.filter(f"task_name = '{tasks[0]}'")
    expected = one_task.sql(
        "SELECT id, model_display_name AS m, avg(score_match) AS v, count(*) AS n FROM this GROUP BY ALL"
    ).to_pylist()
    page = render(page_of(
        ev.sample_heatmap(one_task, score_value="score_match", width=900, height=300),
        ev.sample_heatmap(samples, score_value="score_match", legend=None),
    ), wait_for=2)
    cells = one_per_cell(page.cells(0))
    assert len(cells) == len(expected)
    for row in expected:
        cell = cells[(row["id"], row["m"])]
        assert cell.datum["value"] == pytest.approx(row["v"]) and cell.datum["n"] == row["n"]
    assert max(r["n"] for r in expected) > 1  # the example has several epochs
    assert page.axis_title("x") == "Sample" and page.axis_title("y") == "Model"
    several = next(c for c in cells.values() if c.datum["n"] > 1)
    tip = page.hover(several)
    assert tip["rows"] == str(several.datum["n"]) and tip["Sample"] == several.datum["x"]
    assert page.click_opens(several) == several.datum["link"]
    assert page.legend_titles() == ["Score (match)"]

    # Several tasks: ids repeat across tasks, so each is shown with its task; no legend when asked.
    all_cells = one_per_cell(page.cells(1))
    assert all(" · " in x for x, _ in all_cells)
    assert page.legend_titles(1) == [] and page.legend_labels(1) == []


# -- slice_metric_heatmap ------------------------------------------------------------------------------------
def test_slice_metric_heatmap_grid_and_long_form(render) -> None:
    grid = np.array([[0.91, 0.72, 0.05], [0.65, np.nan, -0.2]])
    long_form = ev.Data.from_dataframe(pa.table({
        "slice": ["all", "all", "long", "long", "short", "short"],
        "scorer": ["match", "includes"] * 3,
        "metric": ["accuracy"] * 6,
        "value": [0.8, 0.7, None, 0.6, 0.5, None],
        "low": [0.7, 0.6, None, 0.5, 0.4, None],
        "high": [0.9, 0.8, None, 0.7, 0.6, None],
        "n": [100, 100, 3, 50, 40, 40],
        "status": ["ok", "ok", "skipped", "ok", "ok", "error"],
        "reason": [None, None, "fewer than 10 samples", None, None, "division by zero"],
    }))
    page = render(page_of(
        ev.slice_metric_heatmap(grid, ["easy", "hard"], ["match", "includes", "f1"],
                                metric_name="accuracy gap", annot_fmt="{:.0%}", cmap="RdBu_r", center=0,
                                title="Gap by slice"),
        ev.slice_metric_heatmap(long_form, row="slice", col="scorer", metric_name="accuracy"),
    ), wait_for=2)

    # The grid: rows and columns in input order, annotations in the given format, NaN neutral.
    assert page.axis_labels_in_order("y") == ["easy", "hard"]
    assert page.axis_labels_in_order("x") == ["match", "includes", "f1"]
    assert page.legend_titles() == ["accuracy gap"]
    assert page.title_texts() == ["Gap by slice"]
    cells = one_per_cell(page.cells())
    assert cells[("includes", "hard")].fill == MISSING_COLOR
    assert [t.text for t in page.marks_on(cells[("match", "easy")])] == ["91%"]
    assert [t.text for t in page.marks_on(cells[("f1", "hard")])] == ["−20%"]
    # RdBu_r centred on 0: high values red, low values blue, 0.05 close to white.
    r, g, b = rgb(cells[("match", "easy")].fill)
    assert r > 100 and b < 60
    r, g, b = rgb(cells[("f1", "hard")].fill)
    assert b > r
    assert min(rgb(cells[("f1", "easy")].fill)) > 200
    tip = page.hover(cells[("match", "easy")])
    assert tip == {"row": "easy", "column": "match", "accuracy gap": "91%"}

    # The long form: skipped cells neutral with their reason, error cells marked apart, intervals and n.
    cells = one_per_cell(page.cells(1))
    assert len(cells) == 6
    skipped, error = cells[("match", "long")], cells[("includes", "short")]
    assert skipped.fill == SKIPPED_COLOR and error.fill == ERROR_COLOR
    assert [t.text for t in page.marks_on(error, index=1)] == ["×"]
    assert page.marks_on(skipped, index=1) == []
    assert {"skipped", "error"} <= set(page.legend_labels(1))
    assert page.hover(skipped) == {
        "slice": "long", "scorer": "match", "accuracy": "skipped: fewer than 10 samples", "n": "3",
    }
    assert page.hover(error)["accuracy"] == "error: division by zero"
    tip = page.hover(cells[("match", "all")])
    assert tip == {
        "slice": "all", "scorer": "match", "accuracy": "0.800", "interval": "[0.700, 0.900]", "n": "100",
    }
    assert page.axis_title("x", 1) == "scorer" and page.axis_title("y", 1) == "slice"


# -- hconcat / vconcat ---------------------------------------------------------------------------------------
def test_concat_keeps_each_chart_whole(scores_data, render) -> None:
    grid = ev.slice_metric_heatmap([[0.1, 0.9], [0.5, 0.3]], ["a", "b"], ["x", "y"], metric_name="acc")
    both = ev.hconcat(ev.scores_heatmap(scores_data, width=450), grid)
    stacked = ev.vconcat(both, ev.scores_heatmap(scores_data, orientation="vertical", width=450))
    assert len(stacked.datasets) == 3
    page = render(stacked)
    cells = page.cells()
    assert len(cells) == 9 + 4 + 9
    # Annotations in every part still contrast with their own cells (each part keeps its colour scale).
    for cell in cells:
        if cell.datum["status"] == "ok":
            (text,) = page.marks_on(cell)
            other = "white" if text.fill == "black" else "black"
            assert contrast(cell.fill, text.fill) >= contrast(cell.fill, other)
    assert {"Score", "acc"} <= set(page.legend_titles())
    # Links work in the last part, and tooltips carry that part's titles.
    vertical = [c for c in cells if c.datum["x"] == "alpha" and c.datum["y"] == "Capitals"]
    assert len(vertical) == 1
    assert page.hover(vertical[0])["Task"] == "Capitals"
    assert page.click_opens(vertical[0]) == "https://logs.example.com/viewer/#/logs/a2.eval"
    # A part nested two levels down has its own tooltip rows too.
    nested = next(c for c in cells if (c.datum["x"], c.datum["y"]) == ("y", "a"))
    assert page.hover(nested)["acc"] == "0.900"
