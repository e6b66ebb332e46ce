"""reliability_diagram (issue 13): binned calibration read back from Chromium and checked against scikit-learn's
calibration_curve, a numpy ECE and scipy's Wilson interval."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from scipy.stats import binomtest
from sklearn.calibration import calibration_curve

import evalviz as ev
from evalviz.analysis import PredictionArtifactRef
from evalviz.errors import ColumnTypeError

HOSTILE = "<img src=x onerror=alert(1)>"


def predictions(seed: int = 11, n: int = 1500) -> pa.Table:
    """Two models' predictions: one overconfident, one with scores rounded to 0.1 (scores on the bin edges,
    0.0 and 1.0 included) and a hostile name; a row without a label."""
    rng = np.random.default_rng(seed)
    p = rng.random(n)
    model = np.where(np.arange(n) % 2 == 0, "over", HOSTILE)
    p = np.where(model == HOSTILE, np.round(p, 1), p)
    y = (rng.random(n) < np.where(model == "over", 0.5 + (p - 0.5) * 0.6, p)).astype(np.int64)
    label = pa.array(y, pa.int64()).to_pylist()
    label[5] = None
    return pa.table({"label": label, "score": p, "model": model})


def ece(y: np.ndarray, p: np.ndarray, bins: int, strategy: str) -> float:
    """Expected calibration error over scikit-learn's bins, by numpy."""
    edges = np.linspace(0, 1, bins + 1) if strategy == "uniform" else np.percentile(p, np.linspace(0, 1, bins + 1)
                                                                                     * 100)
    ids = np.searchsorted(edges[1:-1], p)
    n = np.bincount(ids, minlength=bins)
    hit = n > 0
    observed = np.bincount(ids, weights=y, minlength=bins)[hit] / n[hit]
    mean = np.bincount(ids, weights=p, minlength=bins)[hit] / n[hit]
    return float(np.sum(n[hit] / len(p) * np.abs(observed - mean)))


def series_arrays(table: pa.Table, model: str) -> tuple[np.ndarray, np.ndarray]:
    rows = [r for r in table.to_pylist() if r["model"] == model and r["label"] is not None]
    return np.array([r["label"] for r in rows]), np.array([r["score"] for r in rows])


def marks(page, name: str) -> list:
    return [i for i in page.items() if i.role == "mark" and (i.name or "").endswith(f"{name}_marks")]


@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
def test_points_are_sklearns_calibration_curve_with_ece_counts_and_intervals(render, strategy: str) -> None:
    table = predictions()
    page = render(ev.reliability_diagram(table, series="model", bins=8, strategy=strategy, title="Calibration"))
    points = marks(page, "points")
    for model in ("over", HOSTILE):
        y, p = series_arrays(table, model)
        observed, mean = calibration_curve(y, p, n_bins=8, strategy=strategy)
        drawn = sorted((d.datum["predicted"], d.datum["observed"], d.datum["n"]) for d in points
                       if d.datum["series"] == model)
        assert [d[0] for d in drawn] == pytest.approx(mean, rel=1e-12)
        assert [d[1] for d in drawn] == pytest.approx(observed, abs=1e-12)
        assert sum(d[2] for d in drawn) == len(p)  # every prediction in one bin
        assert f"{model} · ECE {ece(y, p, 8, strategy):.3f}" in page.legend_labels()
    # Points sit at (mean score, observed share) on linear axes whose 0 is the diagonal's start.
    xs = np.array([[d.datum["predicted"], d.center[0]] for d in points])
    slope, start = np.polyfit(xs[:, 0], xs[:, 1], 1)
    assert np.abs(start + slope * xs[:, 0] - xs[:, 1]).max() < 0.6
    diagonal = marks(page, "diagonal")[0]
    assert start == pytest.approx(diagonal.x, abs=0.6)
    # The tooltip: bin, counts and the Wilson interval, as scipy computes it.
    point = max((d for d in points if d.datum["series"] == "over"), key=lambda d: d.datum["n"])
    tip = page.hover(point)
    positives, n = point.datum["positives"], point.datum["n"]
    wilson = binomtest(positives, n).proportion_ci(0.95, method="wilson")
    assert tip["95% Wilson interval"] == f"[{wilson.low:.3f}, {wilson.high:.3f}]"
    assert tip["Predictions"] == f"{n:,}" and tip["Positives"] == f"{positives:,}" and tip["model"] == "over"
    assert tip["Bin"].endswith("]") and tip["Bin"][0] in "[("
    bars = marks(page, "counts")
    assert sorted(b.datum["n"] for b in bars) == sorted(d.datum["n"] for d in points)
    assert any("1 prediction without a label or score is not drawn" in t for t in page.title_texts())


def test_bin_edges_are_sklearns_scores_on_an_edge_fall_below_it_and_empty_bins_are_not_drawn(render) -> None:
    # Scores on the edges 0.0, 0.1, 0.3 and 1.0, and none in (0.3, 0.7]: four empty bins.
    scores = [0.0, 0.1, 0.1, 0.25, 0.3, 0.71, 0.9, 1.0, 1.0, 1.0]
    labels = [0, 0, 1, 0, 1, 1, 0, 1, 1, 1]
    page = render(ev.reliability_diagram(pa.table({"label": labels, "score": scores}), ci=None))
    observed, mean = calibration_curve(labels, scores, n_bins=10)
    drawn = sorted((d.datum["predicted"], d.datum["observed"], d.datum["low"], d.datum["high"])
                   for d in marks(page, "points"))
    assert [d[0] for d in drawn] == pytest.approx(mean) and [d[1] for d in drawn] == pytest.approx(observed)
    ids = np.searchsorted(np.linspace(0, 1, 11)[1:-1], scores)
    assert [(d[2], d[3]) for d in drawn] == [(np.linspace(0, 1, 11)[i], np.linspace(0, 1, 11)[i + 1])
                                             for i in sorted(set(ids))]
    assert not any(0.3 < d[0] <= 0.7 for d in drawn) and marks(page, "intervals") == []
    assert page.hover(marks(page, "points")[-1])["Bin"] == "(0.9, 1]"  # 1.0 is in the last bin


def test_artifacts_and_several_score_columns_are_series() -> None:
    table = predictions(n=200)
    chart = ev.reliability_diagram(table.append_column("other", pa.array(np.linspace(0, 1, 200))),
                                   score=["score", "other"], bins=4)
    bins = chart.datasets["c0_bins"]
    assert set(bins["series"].to_pylist()) == {"score", "other"}
    y = np.array([v for v in table["label"].to_pylist() if v is not None])
    other = np.linspace(0, 1, 200)[[i for i, v in enumerate(table["label"].to_pylist()) if v is not None]]
    assert [r["observed"] for r in bins.to_pylist() if r["series"] == "other"] == pytest.approx(
        calibration_curve(y, other, n_bins=4)[0])


def test_scores_outside_zero_one_are_refused_naming_the_row(tmp_path: Path) -> None:
    table = pa.table({"label": [0, 1, 1, 0], "score": [0.2, 0.9, 1.5, -0.1]})
    with pytest.raises(ColumnTypeError, match=r"'score' holds 1\.5 at row 2 .*outside \[0, 1\].*1 / \(1 \+ exp"):
        ev.reliability_diagram(table)
    path = tmp_path / "model.parquet"
    pq.write_table(pa.table({"y": [1, 0, 1], "p": [0.5, 0.2, 3.0]}), path)
    ref = PredictionArtifactRef(str(path), "application/vnd.apache.parquet", {"label": "y", "score": "p"})
    with pytest.raises(ColumnTypeError, match=r"3\.0 at row 2 of 'candidate'"):
        ev.reliability_diagram({"candidate": ref})


@pytest.mark.parametrize(("arguments", "says"), [
    ({"bins": 0}, "bins is how many bins"),
    ({"bins": 2.5}, "bins is how many bins"),
    ({"bins": True}, "bins is how many bins"),
    ({"bins": 10_001}, "from 1 to 1000"),
    ({"strategy": "quantiles"}, "Did you mean 'quantile'"),
    ({"ci": 1.5}, "ci is a confidence level"),
    ({"score": "probability"}, "'probability'"),
])
def test_bad_arguments_are_refused(arguments: dict, says: str) -> None:
    with pytest.raises(ev.EvalvizError, match=says):
        ev.reliability_diagram(pa.table({"label": [0, 1], "score": [0.2, 0.9]}), **arguments)


# Regressions (issue 13 breaker).

def test_a_numpy_integer_of_bins_draws_sklearns_curve() -> None:
    table = predictions(n=300)
    y, p = series_arrays(table, "over")
    chart = ev.reliability_diagram(table.filter(pa.compute.equal(table["model"], "over")), bins=np.int64(6),
                                   strategy="quantile")
    observed, mean = calibration_curve(y, p, n_bins=6, strategy="quantile")
    bins = chart.datasets["c0_bins"]
    assert bins["observed"].to_pylist() == pytest.approx(observed)
    assert bins["predicted"].to_pylist() == pytest.approx(mean)


def test_more_series_than_colours_are_refused_and_ten_are_drawn_each_with_its_own_colour(render) -> None:
    rng = np.random.default_rng(4)
    n = 11 * 30
    table = pa.table({"label": rng.integers(0, 2, n), "score": rng.random(n),
                      "model": [f"model {i % 11}" for i in range(n)]})
    with pytest.raises(ev.EvalvizError, match=r"would draw 11 series .*more than the 10 its colours tell apart"):
        ev.reliability_diagram(table, series="model")
    ten = table.filter(pa.compute.not_equal(table["model"], "model 10"))
    page = render(ev.reliability_diagram(ten, series="model", bins=4))
    assert len(page.legend_labels()) == 10
    points = marks(page, "points")
    assert len({p.fill for p in points}) == 10 == len({p.datum["series"] for p in points})


def test_the_subtitle_counts_predictions_left_out_over_several_score_columns() -> None:
    labels = [1, None, 0, 1, 0]
    a, b = [0.1, 0.2, 0.3, 0.4, float("nan")], [0.5, 0.6, None, 0.8, 0.9]
    chart = ev.reliability_diagram(pa.table({"label": labels, "a": a, "b": b}), score=["a", "b"])
    # A prediction is a (row, score column): left out where the label or that score is NULL or NaN.
    left = sum(labels[i] is None or column[i] is None or np.isnan(column[i])
               for column in (a, b) for i in range(len(labels)))
    assert left == 4  # 3 of the 5 rows: a row counts once per score column it lacks
    subtitle = " ".join(chart.spec["title"]["text"])  # no title given: the subtitle's wrapped lines
    assert f"{left} predictions without a label or score are not drawn" in subtitle
    assert chart.datasets["c0_bins"]["n"].to_pylist() and sum(chart.datasets["c0_bins"]["n"].to_pylist()) == 10 - left
