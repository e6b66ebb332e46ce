"""metric_curve (issue 13): lines of per-step means, the best step's rule, panels per metric, read back from
Chromium and checked against DuckDB and numpy."""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa
import pytest

import evalviz as ev
from evalviz.errors import ColumnTypeError, MissingColumnError


def training_runs() -> pa.Table:
    """Two seeds over 30 steps, two rows per (seed, step) (averaged), an accuracy with a NaN and an infinite value,
    and a loss."""
    rng = np.random.default_rng(7)
    steps = np.repeat(np.arange(0, 300, 10), 2)
    seeds = ["a"] * len(steps) + ["b"] * len(steps)
    step = np.concatenate([steps, steps])
    accuracy = 1 - np.exp(-step / 80) + rng.normal(0, 0.05, len(step))
    accuracy[4], accuracy[5] = np.nan, np.nan  # step 20 of seed a: a gap
    accuracy[70] = np.inf  # one of seed b's rows: flagged, left out
    loss = np.exp(-step / 100) + rng.normal(0, 0.02, len(step))
    return pa.table({"step": step, "seed": seeds, "accuracy": accuracy, "loss": loss})


def expected(table: pa.Table, metric: str) -> dict[tuple[str, float], float | None]:
    """The mean of each (seed, step)'s finite values, by DuckDB."""
    db = duckdb.connect()
    db.register("runs", table)
    return {(s, float(x)): v for s, x, v in db.sql(
        f"SELECT seed, step, avg({metric}) FILTER (WHERE isfinite({metric})) FROM runs GROUP BY ALL").fetchall()}


# How many pieces each series' line is drawn in (the "M" commands of its SVG path), in series order.
SUBPATHS = "e => [...e.querySelectorAll('g.mark-line path')].map(p => (p.getAttribute('d').match(/M/g) || []).length)"


def marks(page, name: str) -> list:
    return [i for i in page.items() if i.role == "mark" and (i.name or "").endswith(f"{name}_marks")]


def test_lines_are_means_and_the_rule_sits_at_the_best_step(render) -> None:
    table = training_runs()
    means = expected(table, "accuracy")
    page = render(ev.metric_curve(table, y="accuracy", series="seed", title="Accuracy"))
    drawn = marks(page, "points")
    assert len(drawn) == len([v for v in means.values() if v is not None]) == 59  # the gap is not drawn
    for point in drawn:
        assert point.datum["value"] == pytest.approx(means[(point.datum["series"], point.datum["x"])])
    rules = {r.datum["series"]: r for r in marks(page, "best")}
    x_of = {(p.datum["series"], p.datum["x"]): p.center[0] for p in drawn}
    for seed in ("a", "b"):
        steps = sorted((x, v) for (s, x), v in means.items() if s == seed and v is not None)
        best_x = steps[int(np.argmax([v for _, v in steps]))][0]
        assert rules[seed].datum["x"] == best_x
        assert rules[seed].x == pytest.approx(x_of[(seed, best_x)], abs=1)  # drawn at that step
    labels = [t.text for t in marks(page, "best_value") + marks(page, "best_value_end")]
    assert sorted(labels) == sorted(f"{means[(s, r.datum['x'])]:.4g}" for s, r in rules.items())
    # The NaN step breaks seed a's line in two (a gap, not a zero); seed b's line is whole.
    assert page.chart().evaluate(SUBPATHS) == [2, 1]
    point = next(p for p in drawn if p.datum["series"] == "b" and p.datum["x"] == 30)
    assert point.opacity == 0  # points show on hover
    tip = page.hover(point)
    assert tip["seed"] == "b" and tip["Metric"] == "accuracy" and tip["Rows"] == "2" and tip["step"] == "30"
    assert tip["Value"] == f"{means[('b', 30.0)]:.4g}"
    assert [p.opacity for p in marks(page, "points") if p.datum == point.datum] == [1]
    flagged = marks(page, "infinite")
    assert [(f.datum["series"], f.datum["x"]) for f in flagged] == [("b", 50.0)]
    assert page.hover(flagged[0])["Infinite values (left out)"] == "1"


def test_two_metrics_give_two_panels_each_with_its_best(render) -> None:
    table = training_runs()
    page = render(ev.metric_curve(table, y=["accuracy", "loss"], series="seed", best="min"))
    rules = marks(page, "best")
    assert len(rules) == 4 and {r.name.split("_")[0] for r in rules} == {"c0", "c1"}
    loss = expected(table, "loss")
    for rule in (r for r in rules if r.name.startswith("c1")):
        steps = sorted((x, v) for (s, x), v in loss.items() if s == rule.datum["series"])
        assert rule.datum["x"] == steps[int(np.argmin([v for _, v in steps]))][0]
    panels = [p for p in marks(page, "points")]
    assert {p.name.split("_")[0] for p in panels} == {"c0", "c1"}
    assert page.axis_title("y") in ("accuracy", "loss")


def test_long_series_are_binned_in_duckdb_and_the_best_is_exact() -> None:
    steps = np.arange(10_000)
    values = np.sin(steps / 700.0) + steps / 20_000
    chart = ev.metric_curve(pa.table({"step": steps, "acc": values}), y="acc")
    curve = chart.datasets["curve"]
    assert curve.num_rows == 2000 and curve["steps"].to_pylist() == [5] * 2000
    assert curve["value"][0].as_py() == pytest.approx(values[:5].mean())
    assert curve["high"][0].as_py() == pytest.approx(values[:5].max())
    assert chart.datasets["best"]["x"][0].as_py() == steps[np.argmax(values)]


def test_bad_input_is_refused() -> None:
    table = training_runs()
    with pytest.raises(MissingColumnError, match="'acc'.*seed"):
        ev.metric_curve(table, y="acc")
    with pytest.raises(ColumnTypeError, match="'seed'"):
        ev.metric_curve(table, x="seed", y="loss")
    with pytest.raises(ColumnTypeError, match="'seed'"):
        ev.metric_curve(table, y=["loss", "seed"])
    with pytest.raises(ev.EvalvizError, match="best is 'max'"):
        ev.metric_curve(table, y="loss", best="lowest")
    with pytest.raises(ev.EvalvizError, match="y is a column"):
        ev.metric_curve(table, y=[])
    with pytest.raises(ev.EvalvizError, match="max_points"):
        ev.metric_curve(table, y="loss", max_points=0)


def test_a_null_series_and_one_named_null_stay_two_lines_both_labelled_as_such(render) -> None:
    runs = pa.table({"step": [0, 1, 0, 1], "run": [None, None, "(null)", "(null)"], "acc": [0.1, 0.2, 0.7, 0.9]})
    page = render(ev.metric_curve(runs, y="acc", series="run", best=None))
    drawn = marks(page, "points")
    by_series: dict[str, list[float]] = {}
    for point in drawn:
        by_series.setdefault(point.datum["series"], []).append(point.datum["value"])
    assert sorted(sorted(v) for v in by_series.values()) == [[0.1, 0.2], [0.7, 0.9]]  # two lines, not one mean
    assert page.legend_labels() == ["(null)", "(null)"]
