"""score_distribution (issue 13): boxes, violins, strips and histograms read back from Chromium and checked against
numpy, scipy and DuckDB computed here."""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa
import pytest
from scipy.stats import gaussian_kde

import evalviz as ev
from evalviz.errors import ColumnTypeError, EmptyDataError, MissingColumnError


def samples_table() -> pa.Table:
    """Three models with differently shaped times (one with far outliers), a correct/incorrect split, a NULL and
    a NaN time."""
    rng = np.random.default_rng(11)
    models = np.repeat(["alpha", "beta", "<b>gamma</b>"], 150)
    time = np.concatenate([rng.normal(2, 0.5, 150), rng.gamma(2, 1.5, 150), rng.normal(5, 1, 150)])
    time[5], time[6], time[7] = 30.0, 28.0, -12.0  # alpha's outliers
    correct = rng.integers(0, 2, len(time))
    values = pa.array(time).to_pylist()
    values[20], values[170] = None, float("nan")
    return pa.table({"model_display_name": models, "total_time": pa.array(values, pa.float64()),
                     "correct": correct})


def finite(table: pa.Table, **where: object) -> np.ndarray:
    rows = table.to_pylist()
    kept = [r["total_time"] for r in rows if all(r[k] == v for k, v in where.items())]
    return np.array([v for v in kept if v is not None and not np.isnan(v)])


def marks(page, name: str) -> list:
    return [i for i in page.items() if i.role == "mark" and (i.name or "").endswith(f"{name}_marks")]


def test_boxes_draw_numpy_quartiles_whiskers_and_outliers(render) -> None:
    table = samples_table()
    page = render(ev.score_distribution(table, "total_time", kind="box"))
    boxes = {b.datum["group"]: b for b in marks(page, "boxes")}
    assert sorted(boxes) == sorted(set(table["model_display_name"].to_pylist()))
    scale = []
    for model, box in boxes.items():
        v = finite(table, model_display_name=model)
        q1, median, q3 = np.percentile(v, [25, 50, 75])  # linear, as quantile_cont
        iqr = q3 - q1
        assert (box.datum["q1"], box.datum["median"], box.datum["q3"]) == pytest.approx((q1, median, q3))
        assert box.datum["n"] == len(v) and box.datum["mean"] == pytest.approx(v.mean())
        assert box.datum["low"] == pytest.approx(v[v >= q1 - 1.5 * iqr].min())
        assert box.datum["high"] == pytest.approx(v[v <= q3 + 1.5 * iqr].max())
        drawn = sorted(p.datum["value"] for p in marks(page, "outliers") if p.datum["group"] == model)
        assert drawn == pytest.approx(sorted(v[(v < q1 - 1.5 * iqr) | (v > q3 + 1.5 * iqr)]))
        scale.append(box.height / (q3 - q1))  # pixels per unit: the same for every box when drawn to scale
    assert max(scale) == pytest.approx(min(scale), rel=0.02)
    tip = page.hover(boxes["<b>gamma</b>"])  # hostile label: text in the tooltip, no markup ran
    gamma = finite(table, model_display_name="<b>gamma</b>")
    assert tip["model_display_name"] == "<b>gamma</b>" and tip["Values"] == str(len(gamma))
    assert tip["Median"] == f"{np.median(gamma):.4g}" and "Q1 (25%)" in tip and "Mean" in tip
    assert "&lt;b&gt;gamma" in page.tooltip_html()
    assert any("2 rows without a value (NULL or NaN) left out." in t for t in page.title_texts())


def test_split_violins_are_scipy_densities_in_two_halves(render) -> None:
    table = samples_table()
    page = render(ev.score_distribution(table, "total_time", split="correct"))
    areas = marks(page, "violin")
    assert {(a.datum["group"], a.datum["half"]) for a in areas} == {
        (m, h) for m in set(table["model_display_name"].to_pylist()) for h in ("0", "1")}
    for (model, half) in {("alpha", "0"), ("beta", "1")}:
        values = finite(table, model_display_name=model, correct=int(half))
        kde = gaussian_kde(values)  # Scott's rule
        drawn = [a for a in areas if a.datum["group"] == model and a.datum["half"] == half]
        assert len(drawn) == 100
        grid = np.array([a.datum["value"] for a in drawn])
        assert grid.min() == pytest.approx(values.min()) and grid.max() == pytest.approx(values.max())
        assert [a.datum["density"] for a in drawn] == pytest.approx(kde(grid), rel=1e-9)
        assert drawn[0].datum["bandwidth"] == pytest.approx(kde.factor * values.std(ddof=1))
    # Left half for the first level, right half for the second, each its own colour.
    for model in ("alpha", "beta"):
        medians = {p.datum["half"]: p for p in marks(page, "median") if p.datum["group"] == model}
        left = [a for a in areas if a.datum["group"] == model and a.datum["half"] == "0"]
        right = [a for a in areas if a.datum["group"] == model and a.datum["half"] == "1"]
        middle = (medians["0"].x + medians["1"].x) / 2
        assert all(a.x <= middle + 0.5 for a in left) and all(a.x >= middle - 0.5 for a in right)
        assert left[0].fill != right[0].fill
    tip = page.hover(marks(page, "median")[0])
    assert {"correct", "Values", "Mean", "Q1 (25%)", "Median", "Q3 (75%)"} <= set(tip)


def test_histograms_share_numpy_bin_edges(render) -> None:
    table = samples_table()
    page = render(ev.score_distribution(table, "total_time", kind="histogram", bins=12))
    everything = finite(table)
    edges = np.histogram_bin_edges(everything, bins=12)
    bars = marks(page, "bins")
    for model in set(table["model_display_name"].to_pylist()):
        counts, _ = np.histogram(finite(table, model_display_name=model), bins=edges)
        drawn = {b.datum["bin"]: b for b in bars if b.datum["panel"] == model}
        assert {i: b.datum["n"] for i, b in drawn.items()} == {i: int(c) for i, c in enumerate(counts) if c}
        for i, bar in drawn.items():
            assert (bar.datum["x0"], bar.datum["x1"]) == pytest.approx((edges[i], edges[i + 1]))
    per_count = [b.height / b.datum["n"] for b in bars]
    assert max(per_count) == pytest.approx(min(per_count), rel=0.05)


def test_strip_keeps_each_groups_share_when_capped(render) -> None:
    table = samples_table()
    chart = ev.score_distribution(table, "total_time", kind="strip", max_points=101)
    page = render(chart)
    drawn = marks(page, "points")
    db = duckdb.connect()
    db.register("t", table)
    counts = dict(db.sql("SELECT model_display_name, count(*) FROM t WHERE total_time IS NOT NULL AND NOT "
                         "isnan(total_time) GROUP BY 1").fetchall())
    total = sum(counts.values())
    assert len(drawn) == 101
    for model, m in counts.items():
        shown = sum(1 for p in drawn if p.datum["group"] == model)
        assert abs(shown - 101 * m / total) < 1
    assert any(f"101 of {total} values shown, stratified by model_display_name" in t for t in page.title_texts())


def test_bad_input_is_refused_before_drawing() -> None:
    table = samples_table()
    with pytest.raises(ev.EvalvizError, match=r"'correct' has only '1'"):
        ev.score_distribution(table.filter(pa.compute.equal(table["correct"], 1)), "total_time", split="correct")
    with pytest.raises(ev.EvalvizError, match=r"'model_display_name' has '<b>gamma</b>', 'alpha', 'beta'"):
        ev.score_distribution(table, "total_time", by=None, split="model_display_name")
    infinite = table.set_column(1, "total_time", pa.array([float("inf")] + [1.0] * (table.num_rows - 1)))
    with pytest.raises(ColumnTypeError, match="inf at row 0"):
        ev.score_distribution(infinite, "total_time")
    with pytest.raises(MissingColumnError, match="'time'"):
        ev.score_distribution(table, "time")
    with pytest.raises(ColumnTypeError, match="'model_display_name'"):
        ev.score_distribution(table, "model_display_name")
    with pytest.raises(ev.EvalvizError, match="kind is one of"):
        ev.score_distribution(table, "total_time", kind="ridge")
    with pytest.raises(ev.EvalvizError, match="bins"):
        ev.score_distribution(table, "total_time", kind="histogram", bins=1)
    with pytest.raises(EmptyDataError, match="NULL or NaN"):
        ev.score_distribution(pa.table({"v": pa.array([None, float("nan")], pa.float64())}), "v", by=None)


def subtitle(chart: ev.Component) -> str:
    """The chart's title lines as drawn, joined."""
    title = chart.spec["title"]
    return " ".join([*title.get("text", []), *title.get("subtitle", [])])


def test_a_null_group_and_one_named_null_are_two_groups_both_labelled(render) -> None:
    table = pa.table({"g": [None] * 4 + ["(null)"] * 4 + ["x"] * 4,
                      "v": [1.0, 2.0, 3.0, 4.0, 10.0, 11.0, 12.0, 13.0, 5.0, 6.0, 7.0, 8.0]})
    page = render(ev.score_distribution(table, "v", by="g", kind="box"))
    medians = sorted(b.datum["median"] for b in marks(page, "boxes"))
    rows = table.to_pylist()
    assert medians == sorted(np.median([r["v"] for r in rows if r["g"] == g]) for g in (None, "(null)", "x"))
    assert page.axis_labels("x") == ["(null)", "(null)", "x"]
    page = render(ev.score_distribution(table, "v", by="g", kind="histogram", bins=4))
    assert [t for t in page.title_texts() if "bins" not in t] == ["(null)", "(null)", "x"]
    page = render(ev.score_distribution(table, "v", by="g"))
    assert sorted(page.texts("g.role-axis-title text")) == ["(null)", "(null)", "v", "x"]


def test_histogram_values_on_bin_edges_fall_where_numpy_puts_them(render) -> None:
    values = np.concatenate([np.arange(101) / 100, np.arange(101) * 0.01, [0.29, 0.57, 0.58]])
    page = render(ev.score_distribution(pa.table({"v": values}), "v", by=None, kind="histogram", bins=100))
    counts, edges = np.histogram(values, bins=100)
    drawn = {b.datum["bin"]: b for b in marks(page, "bins")}
    assert {i: b.datum["n"] for i, b in drawn.items()} == {i: int(c) for i, c in enumerate(counts) if c}
    assert all((b.datum["x0"], b.datum["x1"]) == (edges[i], edges[i + 1]) for i, b in drawn.items())


def test_violins_over_a_span_of_a_few_ulps_and_their_notes_are_true(render) -> None:
    close = 1.0 + np.arange(6) * 2.0 ** -52  # grid points round onto each other: each must stay its own point
    table = pa.table({"g": ["a"] * 6 + ["b"] * 6 + ["c"] * 4,
                      "v": [*close, *np.linspace(0, 5, 6), 2.0, 2.0, 3.0, 4.0],
                      "s": [0, 1] * 3 + [0] * 6 + [0, 0, 1, 1]})
    page = render(ev.score_distribution(table.filter(pa.compute.equal(table["g"], "a")), "v", by="g"))
    drawn = marks(page, "violin")
    kde = gaussian_kde(close - 1.0)  # shifted to 0, where numpy's mean and deviations keep every digit
    assert len(drawn) == 100
    assert [a.datum["density"] for a in drawn] == pytest.approx(kde([a.datum["value"] - 1.0 for a in drawn]),
                                                                 rel=1e-6)
    said = " ".join(page.title_texts())
    assert "cut at each group's least and greatest value" in said
    # "b" has no second level (no half to draw, not "all values equal"); c's first half is all 2.0.
    chart = ev.score_distribution(table.filter(pa.compute.not_equal(table["g"], "a")), "v", by="g", split="s")
    assert "1 half with all values equal: median only." in subtitle(chart)


def test_too_many_groups_draw_those_with_the_most_values_and_say_so() -> None:
    sizes = {f"g{k:02d}": k + 1 for k in range(45)}
    table = pa.table({"g": [g for g, n in sizes.items() for _ in range(n)],
                      "v": np.random.default_rng(0).normal(size=sum(sizes.values()))})
    largest = sorted(sizes, key=lambda g: -sizes[g])[:30]
    left = sum(n for g, n in sizes.items() if g not in largest)
    for kind in ("violin", "histogram", "box", "strip"):
        chart = ev.score_distribution(table, "v", by="g", kind=kind)
        groups = {g for t in chart.datasets.values() for g in t["panel" if "panel" in t.column_names else "group"]
                  .to_pylist()}
        assert groups == set(largest), kind
        assert f"The 30 groups with the most values drawn, of 45; the {left} rows of the others are not" \
            in subtitle(chart), kind


def test_values_too_large_to_draw_are_refused_naming_their_row() -> None:
    with pytest.raises(ColumnTypeError, match=r"1e\+200 at row 2: a value beyond ±1e\+150 .* Rescale"):
        ev.score_distribution(pa.table({"v": [-1.0, 0.0, 1e200]}), "v", by=None, kind="histogram")
    with pytest.raises(ev.EvalvizError, match="from 1 to 100,000"):
        ev.score_distribution(samples_table(), "total_time", kind="strip", max_points=10**9)
