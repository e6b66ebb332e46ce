"""Distribution views linked by selections on a standalone page (Chromium, network cut): what score_distribution
and sample_scatter draw after a clause is published is what numpy computes over the filtered rows, read from the
page; a brush and a click publish the right clause; hostile labels stay text; the live widget's re-query of these
views answers with the statistics of the filtered rows."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from test_chart_filters import note, publish, redraws, wait_redrawn
from test_chart_linking import shared_clauses

import evalviz as ev
from browser import ChartPage
from evalviz.rendering.requery import requeried

HOSTILE = "<img src=x onerror=alert(1)>"
MODELS = {"m-a": "Org X", "m-b": "Org X", HOSTILE: "Org Y"}
BINS = 5


def rows_table() -> pa.Table:
    rng = np.random.default_rng(3)
    rows: dict[str, list[Any]] = {k: [] for k in ("model", "org", "level", "x", "v")}
    for m, (model, org) in enumerate(MODELS.items()):
        for i in range(30 + 7 * m):
            rows["model"].append(model)
            rows["org"].append(org)
            rows["level"].append(("easy", "hard", "hard")[i % 3])
            rows["x"].append(round(float(rng.uniform(0, 10)), 3))
            rows["v"].append(round(float(rng.normal(m, 1)), 3))
    return pa.table(rows)


@pytest.fixture(scope="module")
def table() -> pa.Table:
    return rows_table()


@pytest.fixture(scope="module")
def data(table) -> ev.Data:
    return ev.Data.from_dataframe(table)


def kept(table: pa.Table, **where: tuple) -> dict[str, np.ndarray]:
    """The rows whose columns take one of the values given, as numpy arrays by column."""
    keep = np.ones(table.num_rows, dtype=bool)
    for column, values in where.items():
        keep &= np.isin(np.asarray(table[column].to_pylist(), dtype=object), list(values))
    return {c: np.asarray(table[c].to_pylist(), dtype=object)[keep] for c in table.column_names}


def marks(page: ChartPage, name: str) -> list[dict[str, Any]]:
    return [i.datum for i in page.items() if i.name == f"{name}_marks" and i.datum is not None]


def box_width(page: ChartPage) -> float:
    [width] = {round(i.width, 1) for i in page.items() if i.name == "c0_boxes_marks"}
    return width


def histogram_counts(page: ChartPage, prefix: str) -> dict[tuple[str, int], int]:
    """(panel, bin) -> the count of each bar drawn, over every panel of the histogram at `prefix`."""
    return {(d["panel"], d["bin"]): d["n"] for i in range(len(MODELS)) for d in marks(page, f"{prefix}c{i}_bins")}


def expected_counts(rows: dict[str, np.ndarray], edges: np.ndarray) -> dict[tuple[str, int], int]:
    out = {}
    for model in sorted(set(rows["model"])):
        counts, _ = np.histogram(rows["v"][rows["model"] == model].astype(float), bins=edges)
        out.update({(model, b): int(n) for b, n in enumerate(counts) if n})
    return out


@pytest.fixture(scope="module")
def selection() -> ev.Selection:
    chosen = ev.Selection.intersect()
    chosen.add_columns("org", "level")
    return chosen


def test_box_strip_and_histogram_follow_filters_as_numpy_computes_on_the_filtered_rows(render, data, table,
                                                                                      selection):
    charts = [ev.score_distribution(data, "v", by="model", kind=kind, bins=BINS, filter_by=selection)
              for kind in ("box", "strip", "histogram")]
    page = render(ev.vconcat(*charts))
    values = np.asarray(table["v"].to_pylist())
    edges = np.linspace(values.min(), values.max(), BINS + 1)
    assert histogram_counts(page, "c2_") == expected_counts(kept(table), edges)
    width = box_width(page)

    # A column with one value per group: whole boxes, strips and panels kept or dropped; no empty band left.
    publish(page, selection, {"source": "org", "fields": ["org"], "op": "in", "value": [["Org X"]]})
    rows = kept(table, org=("Org X",))
    boxes = {d["group"]: d for d in marks(page, "c0_boxes")}
    assert sorted(boxes) == ["m-a", "m-b"]
    for model, box in boxes.items():
        q1, median, q3 = np.percentile(rows["v"][rows["model"] == model].astype(float), [25, 50, 75])
        assert (box["q1"], box["median"], box["q3"]) == pytest.approx((q1, median, q3))
    assert box_width(page) == pytest.approx(width * 3 / 2, rel=0.05)  # two bands share the plot, not three
    assert sorted(d["y"] for d in marks(page, "c1_points")) == sorted(rows["v"].astype(float))
    assert histogram_counts(page, "c2_") == expected_counts(rows, edges)
    assert note(page)[0] is False

    # A column varying within a group: points and histogram counts are those of the filtered rows; the boxes'
    # quartiles cannot be recomputed on the page, and the note says so (as text).
    publish(page, selection, {"source": "level", "fields": ["level"], "op": "in", "value": [["easy"]]})
    rows = kept(table, org=("Org X",), level=("easy",))
    assert sorted(d["y"] for d in marks(page, "c1_points")) == sorted(rows["v"].astype(float))
    assert histogram_counts(page, "c2_") == expected_counts(rows, edges)
    shares = {(d["panel"], d["bin"]): d["share"] for i in range(2) for d in marks(page, f"c2_c{i}_bins")}
    for (model, b), share in shares.items():
        assert share == pytest.approx(expected_counts(rows, edges)[(model, b)] / np.sum(rows["model"] == model))
    shown, text, children = note(page)
    assert shown and "'level' varies within a group" in text and "live widget" in text and children == 0


def test_violins_keep_or_drop_whole_groups_and_name_what_they_cannot_answer(render, data, selection):
    page = render(ev.score_distribution(data, "v", by="model", filter_by=selection))
    groups = {d["group"] for i in range(len(MODELS)) for d in marks(page, f"c{i}_violin")}
    assert groups == set(MODELS)
    publish(page, selection, {"source": "org", "fields": ["org"], "op": "in", "value": [["Org Y"]]})
    assert {d["group"] for i in range(len(MODELS)) for d in marks(page, f"c{i}_violin")} == {HOSTILE}
    assert {d["group"] for i in range(len(MODELS)) for d in marks(page, f"c{i}_median")} == {HOSTILE}
    publish(page, selection, {"source": "level", "fields": ["level"], "op": "in", "value": [["hard"]]})
    assert "'level' varies within a group" in note(page)[1]


def test_a_brush_on_the_scatter_publishes_a_range_the_histogram_follows_and_a_click_publishes_the_point(
        render, data, table):
    picked = ev.Selection.intersect()
    scatter = ev.sample_scatter(data, x="x", y="v", color="model", target=picked, width=500, height=300)
    histogram = ev.score_distribution(data, "v", by="model", kind="histogram", bins=BINS, filter_by=picked)
    page = render(ev.vconcat(scatter, histogram))
    assert HOSTILE in page.legend_labels()  # a hostile model name is a label, as text (no dialog opened)
    # Page pixels of x = 2 and x = 6, from two drawn points (the x scale is linear).
    points = sorted((i for i in page.items() if i.name == "c0_points_marks"), key=lambda i: i.datum["x"])
    (a, b) = points[0], points[-1]
    at = [a.center[0] + (v - a.datum["x"]) * (b.center[0] - a.center[0]) / (b.datum["x"] - a.datum["x"])
          for v in (2, 6)]
    y = sum(i.center[1] for i in points) / len(points)  # inside the plot
    before = redraws(page)
    page.page.mouse.move(at[0], y)
    page.page.mouse.down()
    page.page.mouse.move(at[1], y, steps=5)
    page.page.mouse.up()
    wait_redrawn(page, 0, before)
    [clause] = shared_clauses(page, picked)
    assert clause["op"] == "range" and clause["fields"] == ["x"]
    low, high = clause["value"]
    assert low == pytest.approx(2, abs=0.05) and high == pytest.approx(6, abs=0.05)
    x = np.asarray(table["x"].to_pylist())
    rows = {c: np.asarray(table[c].to_pylist(), dtype=object)[(x >= low) & (x <= high)] for c in table.column_names}
    values = np.asarray(table["v"].to_pylist())
    edges = np.linspace(values.min(), values.max(), BINS + 1)
    assert histogram_counts(page, "c1_") == expected_counts(rows, edges)

    # Cleared; then a click on a point (away from the brush's rectangle) publishes its model.
    page.page.evaluate("([n, s]) => globalThis.evalviz.selections.clear(n, s)", [picked.name, clause["source"]])
    point = next(i for i in page.items() if i.name == "c0_points_marks" and i.datum["color"] == HOSTILE
                 and i.datum["x"] > 7)
    before = redraws(page)
    page.page.mouse.click(*point.center)
    wait_redrawn(page, 0, before)
    [clause] = shared_clauses(page, picked)
    assert clause["op"] == "in" and clause["fields"] == ["model"] and clause["value"] == [[HOSTILE]]
    assert {panel for panel, _ in histogram_counts(page, "c1_")} == {HOSTILE}


def test_the_live_widget_requeries_these_views_over_the_filtered_rows(data, table):
    chosen = ev.Selection.intersect()
    clause = {"source": "level", "fields": ["level"], "op": "in", "value": [["easy"]]}
    rows = kept(table, level=("easy",))
    box = ev.score_distribution(data, "v", by="model", kind="box", filter_by=chosen)
    again, said = requeried(box, [clause], "intersect")
    assert said is None
    summary = [r for r in again.datasets["boxes"].to_pylist() if r["part"] == "summary"]
    for r in summary:
        expected = np.percentile(rows["v"][rows["model"] == r["group"]].astype(float), [25, 50, 75])
        assert (r["q1"], r["median"], r["q3"]) == pytest.approx(tuple(expected))
    scatter = ev.sample_scatter(data, x="x", y="v", color="model", filter_by=chosen)
    again, _ = requeried(scatter, [clause], "intersect")
    assert sorted(again.datasets["points"]["y"].to_pylist()) == sorted(rows["v"].astype(float))


def test_score_histograms_recount_the_filtered_predictions(render):
    rng = np.random.default_rng(5)
    n = 120
    table = pa.table({"y": (np.arange(n) % 2).tolist(), "p": rng.uniform(0, 1, n).round(3).tolist(),
                      "model": [("m1", "m2")[i % 3 == 0] for i in range(n)],
                      "epoch": [i % 4 for i in range(n)]})
    epochs = ev.Selection.intersect()
    epochs.add_columns("epoch")
    page = render(ev.score_histograms(ev.Data.from_dataframe(table), label="y", score="p", series="model", bins=4,
                                      filter_by=epochs))
    publish(page, epochs, {"source": "e", "fields": ["epoch"], "op": "in", "value": [[1], [2]]})
    keep = np.isin(np.asarray(table["epoch"].to_pylist()), [1, 2])
    p, y, m = (np.asarray(table[c].to_pylist(), dtype=object)[keep] for c in ("p", "y", "model"))
    expected = {}
    for model in ("m1", "m2"):
        for label in (0, 1):
            counts, _ = np.histogram(p[(m == model) & (y == label)].astype(float), bins=np.linspace(0, 1, 5))
            expected.update({(model, str(label), b): int(c) for b, c in enumerate(counts) if c})
    drawn = {(d["panel"], d["color"], d["bin"]): d["n"] for i in range(2) for d in marks(page, f"c{i}_bins")}
    assert drawn == expected
    assert note(page)[0] is False
