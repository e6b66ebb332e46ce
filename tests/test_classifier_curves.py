"""roc_curve and pr_curve (issue 13): every point drawn in Chromium lies on scikit-learn's curve at the same
threshold, the legend's AUC / AP equal scikit-learn's, long curves draw at most max_points exact vertices, and
bad input is refused before any output."""

from __future__ import annotations

import doctest
import json
import subprocess
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sklearn.metrics import average_precision_score, precision_recall_curve, roc_auc_score, roc_curve

import evalviz as ev
import evalviz.analysis.classifier_curves as curves_module
import evalviz.data.numpy_arrow as numpy_arrow
from evalviz.analysis import prediction_ref_for_file
from evalviz.analysis.classifier_curves import PR, ROC, kept_vertices, rank
from evalviz.errors import ArgumentTypeError, ColumnTypeError, EmptyDataError, MissingColumnError

HOSTILE = "<img src=x onerror=alert(1)>"


def predictions(n: int = 600, seed: int = 3) -> pa.Table:
    """Two models' scores with many ties (rounded to one decimal for model-a), a hostile model name, and a model
    whose labels are all 0."""
    rng = np.random.default_rng(seed)
    label = rng.integers(0, 2, n)
    model = np.array(["model-a", HOSTILE])[np.arange(n) % 2]
    score = np.where(model == "model-a", np.round(rng.normal(0, 1, n) + label, 1), rng.normal(0, 1, n) + label / 2)
    negatives_only = ["model-c"] * 20
    return pa.table({"model": [*model, *negatives_only], "label": [*label, *[0] * 20],
                     "score": [*score, *np.linspace(0, 1, 20)]})


def by_series(table: pa.Table, name: str) -> tuple[np.ndarray, np.ndarray]:
    rows = [r for r in table.to_pylist() if r["model"] == name]
    return np.array([r["label"] for r in rows]), np.array([r["score"] for r in rows])


def sklearn_roc(y: np.ndarray, s: np.ndarray) -> dict[float, tuple[float, float]]:
    """threshold -> (FPR, TPR) of every vertex; the start vertex is at threshold inf."""
    fpr, tpr, thresholds = roc_curve(y, s, drop_intermediate=False)
    return {float(t): (float(f), float(r)) for f, r, t in zip(fpr, tpr, thresholds, strict=True)}


def sklearn_pr(y: np.ndarray, s: np.ndarray) -> dict[float, tuple[float, float]]:
    """threshold -> (recall, precision) of every vertex; the start vertex (recall 0, precision 1) at inf."""
    precision, recall, thresholds = precision_recall_curve(y, s)
    vertices = {float(t): (float(r), float(p)) for p, r, t in zip(precision, recall, thresholds, strict=False)}
    return {**vertices, np.inf: (float(recall[-1]), float(precision[-1]))}


def drawn(page, mark: str = "points") -> dict[str, list[dict]]:
    """The data of each drawn item of a mark, by series."""
    out: dict[str, list[dict]] = {}
    for item in page.items():
        if item.role == "mark" and (item.name or "").endswith(f"{mark}_marks"):
            out.setdefault(item.datum["series"], []).append({**item.datum, "center": item.center})
    return out


def assert_on_curve(points: list[dict], curve: dict[float, tuple[float, float]]) -> None:
    """Each point is a vertex of the curve: the same (x, y) pair, exactly, at the same threshold."""
    for point in points:
        threshold = np.inf if point["threshold"] is None else point["threshold"]
        assert (point["x"], point["y"]) == curve[threshold], f"off the curve at threshold {threshold}"


def test_roc_points_lie_on_sklearns_curve_and_the_legend_has_its_auc(render) -> None:
    table = predictions()
    page = render(ev.roc_curve(table, series="model", title="ROC"))
    points = drawn(page)
    assert set(points) == {"model-a", HOSTILE}  # model-c has no positives: no curve
    for name, series_points in points.items():
        y, s = by_series(table, name)
        curve = sklearn_roc(y, s)
        assert len(series_points) == len(curve)  # every vertex is drawn: fewer than max_points
        assert_on_curve(series_points, curve)
    labels = page.legend_labels()
    expected = [f"{name} (AUC {roc_auc_score(*by_series(table, name)):.3f})" for name in sorted(points)]
    assert sorted(labels) == sorted(expected)
    assert any("ROC AUC" in t for t in page.legend_titles())
    subtitle = " ".join(page.title_texts())
    assert "model-c: no positives, ROC undefined." in subtitle
    # Drawn where the axes say: the pixel position is linear in (FPR, TPR) through the corners (0, 0) and (1, 1).
    a = points["model-a"]
    start = next(p for p in a if p["threshold"] is None)["center"]
    end = next(p for p in a if p["x"] == 1 and p["y"] == 1)["center"]
    for p in a:
        assert p["center"][0] == pytest.approx(start[0] + p["x"] * (end[0] - start[0]), abs=0.6)
        assert p["center"][1] == pytest.approx(start[1] + p["y"] * (end[1] - start[1]), abs=0.6)
    chance = [i for i in page.items() if (i.name or "").endswith("chance_marks")]
    assert len(chance) == 1 and (chance[0].x, chance[0].y) == pytest.approx(start, abs=0.6)
    tip = page.hover(next(i for i in page.items() if (i.name or "").endswith("points_marks")
                          and i.datum["series"] == HOSTILE and i.datum["vertex"] == 25))
    # Points are a few pixels apart: the hovered one is the one whose threshold the tooltip shows.
    threshold = next(p["threshold"] for p in points[HOSTILE]
                     if p["threshold"] is not None and f"{p['threshold']:.6g}" == tip["Threshold (score ≥)"])
    y, s = by_series(table, HOSTILE)
    predicted = s >= threshold
    assert tip["model"] == HOSTILE
    assert tip["True positives"] == f"{int(np.sum(predicted & (y == 1))):,}"
    assert tip["False positives"] == f"{int(np.sum(predicted & (y == 0))):,}"
    assert tip["False positive rate"] == f"{np.sum(predicted & (y == 0)) / np.sum(y == 0):.4f}"


def test_pr_points_lie_on_sklearns_curve_with_ap_and_prevalence(render) -> None:
    table = predictions(seed=5)
    page = render(ev.pr_curve(table, series="model"))
    points = drawn(page)
    assert set(points) == {"model-a", HOSTILE}
    for name, series_points in points.items():
        curve = sklearn_pr(*by_series(table, name))
        assert len(series_points) == len(curve)
        assert_on_curve(series_points, curve)
    expected = [f"{name} (AP {average_precision_score(*by_series(table, name)):.3f})" for name in points]
    assert sorted(page.legend_labels()) == sorted(expected)
    prevalence = {i.datum["series"]: i.datum["prevalence"] for i in page.items()
                  if (i.name or "").endswith("prevalence_marks")}
    assert prevalence == pytest.approx({name: float(np.mean(by_series(table, name)[0])) for name in points})
    assert "model-c: no positives, PR curve undefined." in " ".join(page.title_texts())


def test_a_million_predictions_draw_at_most_max_points_exact_vertices(render) -> None:
    rng = np.random.default_rng(11)
    n = 1_000_000
    label = rng.integers(0, 2, n).astype(np.int8)
    model = np.where(np.arange(n) < n // 2, "m1", "m2")
    score = rng.normal(0, 1, n) + label * np.where(model == "m1", 1.0, 0.4)
    table = pa.table({"model": model, "label": label, "score": score})
    page = render(ev.roc_curve(table, series="model", max_points=400))
    points = drawn(page)
    for name, series_points in points.items():
        y, s = label[model == name], score[model == name]
        assert 2 <= len(series_points) <= 400
        assert_on_curve(series_points, sklearn_roc(y, s))
        thresholds = {p["threshold"] for p in series_points}
        assert None in thresholds and float(s.min()) in thresholds  # the first and the last vertex
    expected = [f"{name} (AUC {roc_auc_score(label[model == name], score[model == name]):.3f})" for name in points]
    assert sorted(page.legend_labels()) == sorted(expected)
    assert "drawn through 400 of them" in " ".join(page.title_texts())


def test_a_long_curve_of_few_corners_draws_exactly_sklearns_drop_intermediate_vertices() -> None:
    # Positives at ten scores, negatives at 1,000 others: 1,010 thresholds, but between two positive scores the
    # curves run straight (ROC) or at one recall (PR), so only a few vertices are corners.
    label = np.r_[np.ones(300, int), np.zeros(1000, int)]
    score = np.r_[np.repeat(np.arange(10.0), 30), (np.arange(1000) + 0.5) / 100]
    table = pa.table({"label": label, "score": score})
    for view, thresholds in ((ev.roc_curve, roc_curve(label, score)[2]),
                             (ev.pr_curve, np.r_[precision_recall_curve(label, score, drop_intermediate=True)[2],
                                                 np.inf])):
        assert 3 < len(thresholds) <= 100
        curve = view(table, max_points=100).datasets["curve"]
        drawn_thresholds = [np.inf if t is None else t for t in curve["threshold"].to_pylist()]
        assert sorted(drawn_thresholds) == sorted(thresholds.tolist())
        assert view(table, max_points=1011).datasets["curve"].num_rows == 1011  # all fit: every vertex


def test_kept_vertices_are_a_subset_with_both_ends() -> None:
    rng = np.random.default_rng(4)
    x = np.sort(rng.random(5000))
    y = np.sort(rng.random(5000))
    for max_points in (2, 3, 17, 4999):
        kept = kept_vertices(x, y, np.ones(5000, dtype=bool), max_points)
        assert kept[0] == 0 and kept[-1] == 4999 and len(kept) <= max_points
        assert np.all(np.diff(kept) > 0)


def test_ties_are_counted_as_sklearn_counts_them() -> None:
    label = np.array([1, 0, 1, 0, 1, 1, 0, 0])
    score = np.array([0.5, 0.5, 0.5, 0.2, 0.9, 0.2, 0.9, 0.1])
    ranking = rank(score[label == 1], score[label == 0])
    fpr, tpr, thresholds = roc_curve(label, score, drop_intermediate=False)
    x, y = ROC.points(ranking.tp, ranking.fp)
    assert x.tolist() == fpr.tolist() and y.tolist() == tpr.tolist()
    assert ranking.thresholds.tolist() == thresholds[1:].tolist()
    assert ROC.area(ranking.tp, ranking.fp) == pytest.approx(roc_auc_score(label, score), abs=1e-15)
    assert PR.area(ranking.tp, ranking.fp) == pytest.approx(average_precision_score(label, score), abs=1e-15)


def test_artifacts_in_csv_and_parquet_draw_one_curve_each(tmp_path) -> None:
    table = predictions(n=400, seed=8)
    y, s = by_series(table, "model-a")
    pq.write_table(pa.table({"y": y, "p": s}), tmp_path / "a.parquet")
    y2, s2 = by_series(table, HOSTILE)
    (tmp_path / "b.csv").write_text("y,p\n" + "".join(f"{a},{float(b)!r}\n" for a, b in zip(y2, s2, strict=True)))
    refs = {name: prediction_ref_for_file(tmp_path / file, {"label": "y", "score": "p"})
            for name, file in (("parquet model", "a.parquet"), ("csv model", "b.csv"))}
    chart = ev.roc_curve(refs)
    series = {r["series"]: r["area"] for r in chart.datasets["series"].to_pylist()}
    assert series == pytest.approx({"parquet model": roc_auc_score(y, s), "csv model": roc_auc_score(y2, s2)})
    pr = ev.pr_curve(list(refs.values()))  # named by their files
    assert set(pr.datasets["series"]["series"].to_pylist()) == {"a", "b"}


def test_several_score_columns_are_several_curves() -> None:
    rng = np.random.default_rng(9)
    label = rng.integers(0, 2, 300)
    table = pa.table({"y": label, "judge": label + rng.normal(0, 1, 300), "probe": rng.random(300)})
    chart = ev.pr_curve(table, label="y", score=["judge", "probe"])
    rows = {r["series"]: r["area"] for r in chart.datasets["series"].to_pylist()}
    assert rows == pytest.approx({c: average_precision_score(label, table[c].to_numpy()) for c in ("judge", "probe")})
    assert "scorer · average precision" in json.dumps(chart.spec, ensure_ascii=False)


def test_the_bootstrap_band_is_seeded_and_agrees_with_a_sklearn_bootstrap() -> None:
    rng = np.random.default_rng(1)
    label = rng.integers(0, 2, 2000)
    score = rng.normal(0, 1, 2000) + label
    table = pa.table({"label": label, "score": score})
    band = ev.roc_curve(table, ci=0.9, n_resamples=300, seed=4).datasets["band"]
    again = ev.roc_curve(table, ci=0.9, n_resamples=300, seed=4).datasets["band"]
    other = ev.roc_curve(table, ci=0.9, n_resamples=300, seed=5).datasets["band"]
    assert band.equals(again) and not band.equals(other)
    grid = np.linspace(0, 1, 101)
    assert band["x"].to_pylist() == pytest.approx(grid.tolist())
    draws = np.empty((300, 101))
    for i in range(300):  # an independent bootstrap through scikit-learn, interpolated as usual
        pick = rng.integers(0, 2000, 2000)
        fpr, tpr, _ = roc_curve(label[pick], score[pick])
        draws[i] = np.interp(grid, fpr, tpr)
    low, high = np.quantile(draws, [0.05, 0.95], axis=0)
    inner = slice(5, 96)  # away from the ends where both are pinned to 0 and 1
    assert np.abs(band["low"].to_numpy()[inner] - low[inner]).max() < 0.03
    assert np.abs(band["high"].to_numpy()[inner] - high[inner]).max() < 0.03
    full = np.interp(grid, *roc_curve(label, score)[:2])
    assert np.mean((band["low"].to_numpy() <= full) & (full <= band["high"].to_numpy())) > 0.95


def test_the_band_is_drawn(render) -> None:
    rng = np.random.default_rng(6)
    label = rng.integers(0, 2, 500)
    table = pa.table({"label": label, "score": rng.normal(0, 1, 500) + label})
    page = render(ev.pr_curve(table, ci=0.95, n_resamples=50))
    assert [i for i in page.items() if (i.name or "").endswith("band_marks")]
    assert "95% bootstrap interval of the precision at each recall (50 resamples, seed 0)" in " ".join(
        page.title_texts()).replace("  ", " ")


def test_bad_input_is_refused() -> None:
    table = predictions(n=100)
    with pytest.raises(MissingColumnError, match="'truth'.*label"):
        ev.roc_curve(table, label="truth")
    with pytest.raises(ColumnTypeError, match="'model'"):
        ev.roc_curve(table, score="model")
    with pytest.raises(ColumnTypeError, match="label column 'label' holds '2'"):
        ev.pr_curve(pa.table({"label": [0, 1, 2], "score": [0.1, 0.2, 0.3]}))
    with pytest.raises(ColumnTypeError, match="infinite|inf"):
        ev.pr_curve(pa.table({"label": [0, 1], "score": [0.1, float("inf")]}))
    with pytest.raises(EmptyDataError):
        ev.roc_curve(pa.table({"label": pa.array([], pa.int8()), "score": pa.array([], pa.float64())}))
    with pytest.raises(EmptyDataError, match="both labels.*no positives"):
        ev.roc_curve(pa.table({"label": [0, 0], "score": [0.1, 0.2]}))
    with pytest.raises(ArgumentTypeError, match="prediction artifacts"):
        ev.roc_curve(42)
    with pytest.raises(ArgumentTypeError, match="PredictionArtifactRef"):
        ev.roc_curve([1, 2, 3])
    with pytest.raises(ev.EvalvizError, match="max_points"):
        ev.roc_curve(table, series="model", max_points=1)
    with pytest.raises(ev.EvalvizError, match="ci is None"):
        ev.pr_curve(table, series="model", ci=1.5)
    with pytest.raises(ev.EvalvizError, match="n_resamples"):
        ev.pr_curve(table, series="model", ci=0.9, n_resamples=1)
    with pytest.raises(ev.EvalvizError, match="seed"):
        ev.pr_curve(table, series="model", ci=0.9, seed=-2)


def test_the_examples_in_the_docstrings_run() -> None:
    for module in (curves_module, numpy_arrow):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0


FRESH = """
import sys, tempfile
import evalviz as ev
preds = ev.Data.from_sql("SELECT i % 2 AS label, (i % 7) / 7 + (i % 2) / 3 AS score FROM range(500) t(i)")
ev.pr_curve(preds, ci=0.9, n_resamples=5).write_html(tempfile.mkdtemp() + "/pr.html")
ev.roc_curve(preds).write_html(tempfile.mkdtemp() + "/roc.html")
print("pandas" in sys.modules)
"""


def test_a_first_curve_in_a_fresh_process_does_not_import_pandas() -> None:
    # pyarrow imports pandas (0.3 s and more) on its first conversion of numpy values; the curves build their
    # columns on Arrow buffers instead.
    done = subprocess.run([sys.executable, "-c", FRESH], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip() == "False"


def title_text(chart: ev.Component) -> str:
    """The chart's title lines (here, its notes: no title given) as one text."""
    return " ".join(chart.spec["title"]["text"])


def test_more_series_than_colours_are_refused_and_ten_are_drawn_with_sklearns_areas() -> None:
    rng = np.random.default_rng(11)
    n = 1100
    label = rng.integers(0, 2, n)
    model = np.array([f"m{k:02d}" for k in range(11)])[np.arange(n) % 11]
    score = rng.normal(0, 1, n) + label
    table = pa.table({"model": model, "label": label, "score": score})
    with pytest.raises(ev.EvalvizError, match=r"11 series.*more than the 10.*filter"):
        ev.roc_curve(table, series="model")
    ten = table.filter(pa.array(model != "m10"))
    areas = {r["series"]: r["area"] for r in ev.roc_curve(ten, series="model").datasets["series"].to_pylist()}
    expected = {m: roc_auc_score(label[model == m], score[model == m]) for m in set(model) - {"m10"}}
    assert areas.keys() == expected.keys()
    assert all(areas[m] == pytest.approx(expected[m], abs=1e-12) for m in expected)


def test_series_without_a_curve_are_named_in_a_bounded_subtitle() -> None:
    n = 400
    model = np.array([f"m{k:02d}" for k in range(20)])[np.arange(n) % 20]
    label = np.where(np.isin(model, ["m00", "m01"]), (np.arange(n) // 20) % 2, 0)
    chart = ev.roc_curve(pa.table({"model": model, "label": label, "score": np.arange(n) / n}), series="model")
    subtitle = title_text(chart)
    assert subtitle.count("no positives") == 3 and "15 more series without both labels" in subtitle
    assert sorted(chart.datasets["series"]["series"].to_pylist()) == ["m00", "m01"]


def test_numpy_numbers_are_taken_as_the_numbers_they_are() -> None:
    rng = np.random.default_rng(2)
    y = rng.integers(0, 2, 300)
    s = rng.normal(0, 1, 300) + y
    chart = ev.pr_curve(pa.table({"label": y, "score": s}), max_points=np.int64(3), ci=np.float32(0.9),
                        n_resamples=np.int64(10))
    points = chart.datasets["curve"].to_pylist()
    assert len(points) == 3
    assert_on_curve(points, sklearn_pr(y, s))
    assert "90% bootstrap interval" in json.dumps(chart.spec)


@pytest.mark.parametrize("scale", ["1e300 * s", "1e-300 * s", "-1e300 * s", "-s", "CAST(s > 0.5 AS INTEGER)"])
def test_scores_of_any_magnitude_or_sign_have_sklearns_areas(scale: str) -> None:
    rng = np.random.default_rng(4)
    data = ev.Data.from_dataframe(pa.table({"label": rng.integers(0, 2, 200), "s": rng.random(200)}))
    data = data.derive(f"SELECT label, {scale} AS score FROM this")
    rows = data.run("SELECT label, score FROM this").to_pylist()
    y, s = np.array([r["label"] for r in rows]), np.array([float(r["score"]) for r in rows])
    assert ev.roc_curve(data).datasets["series"]["area"][0].as_py() == pytest.approx(roc_auc_score(y, s), abs=1e-12)
    assert ev.pr_curve(data).datasets["series"]["area"][0].as_py() == pytest.approx(
        average_precision_score(y, s), abs=1e-12)


def test_one_left_out_prediction_is_said_in_the_singular() -> None:
    chart = ev.roc_curve(pa.table({"label": [0, 1, 1], "score": [0.1, 0.9, None]}))
    assert "1 prediction without a label or a score is left out." in title_text(chart)
