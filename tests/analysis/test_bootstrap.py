"""Bootstrap behaviour: result shape, reproducibility, skipped and error metrics, resampling designs."""

from __future__ import annotations

import json

import numpy as np
import pytest

import evalviz.analysis.evaluation as evaluation_module
from evalviz.analysis import (
    bootstrap_metric,
    bootstrap_metric_from_predictions,
    bootstrap_metrics,
    paired_bootstrap_diff,
    register_metric,
    unregister_metric,
)
from evalviz.analysis.metrics import RankedScores
from evalviz.analysis.resampling import Design

CONTRACT = {"metric", "point", "low", "high", "ci_95", "confidence", "n_resamples", "method", "n"}


def _data(n=2000, seed=0, rate=0.3):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < rate).astype(int)
    return y, y + rng.normal(size=n)


@pytest.mark.parametrize("method", ["percentile", "basic", "bca"])
def test_result_has_the_contract_keys(method):
    y, s = _data()
    r = bootstrap_metric(y, s, metric="roc_auc", n_resamples=300, method=method, confidence=0.9)
    assert CONTRACT <= set(r) and r["status"] == "ok" and r["reason"] == ""
    assert r["metric"] == "roc_auc" and r["method"] == method and r["n"] == 2000 and r["n_resamples"] == 300
    assert r["confidence"] == 0.9
    assert r["low"] < r["point"] < r["high"]
    lo95, hi95 = r["ci_95"]
    assert lo95 < r["low"] and r["high"] < hi95  # ci_95 is the 95% interval, wider than the 90% one
    json.dumps(r.to_dict(), allow_nan=False)


def test_seed_reproducibility_and_shared_resamples(monkeypatch):
    y, s = _data()
    a = bootstrap_metrics(y, s, metrics=["pr_auc", "roc_auc", "mean"], n_resamples=400, seed=3)
    b = bootstrap_metrics(y, s, metrics=["pr_auc", "roc_auc", "mean"], n_resamples=400, seed=3)
    assert a == b
    c = bootstrap_metrics(y, s, metrics=["pr_auc"], n_resamples=400, seed=4)
    assert c["pr_auc"]["low"] != a["pr_auc"]["low"]
    # The same seed draws the same resamples whatever else is computed alongside, and whatever the threads.
    alone = bootstrap_metric(y, s, metric="roc_auc", n_resamples=400, seed=3)
    assert alone["low"] == a["roc_auc"]["low"] and alone["high"] == a["roc_auc"]["high"]
    monkeypatch.setattr(evaluation_module, "_THREADS", 1)
    assert bootstrap_metrics(y, s, metrics=["pr_auc", "roc_auc", "mean"], n_resamples=400, seed=3) == a


def test_large_input_runs_threaded_and_matches_serial(monkeypatch):
    y, s = _data(n=30_000)
    threaded = bootstrap_metrics(y, s, metrics=["pr_auc", "roc_auc"], n_resamples=60, seed=1)
    monkeypatch.setattr(evaluation_module, "_THREADS", 1)
    assert bootstrap_metrics(y, s, metrics=["pr_auc", "roc_auc"], n_resamples=60, seed=1) == threaded


def test_single_class_and_too_few_rows_are_skipped_not_raised():
    s = np.linspace(0, 1, 50)
    r = bootstrap_metric(np.zeros(50, dtype=int), s, metric="pr_auc")
    assert r["status"] == "skipped" and r["value"] is None and r["point"] is None and r["ci_95"] is None
    assert r["reason"] == "single-class data: 0 positive and 50 negative rows"
    assert CONTRACT <= set(r)
    json.dumps(r.to_dict(), allow_nan=False)
    # Single class is fine for metrics that do not need both classes.
    assert bootstrap_metric(np.zeros(50, dtype=int), s, metric="brier", n_resamples=50)["status"] == "ok"
    few = bootstrap_metric([0, 1, 0], [0.1, 0.9, 0.2], metric="roc_auc")
    assert few["status"] == "skipped" and few["reason"] == "too few rows: 3 (min_rows=10)"
    assert (
        bootstrap_metric([0, 1, 0], [0.1, 0.9, 0.2], metric="roc_auc", min_rows=3, n_resamples=50, stratify=True)[
            "status"
        ]
        == "ok"
    )
    empty = bootstrap_metric([], [], metric="mean")
    assert empty["status"] == "skipped" and "too few rows: 0" in empty["reason"]
    one_cluster = bootstrap_metric(None, np.ones(20), metric="mean", clusters=np.zeros(20))
    assert one_cluster["status"] == "skipped" and one_cluster["reason"] == "too few clusters to resample: 1"


def test_unexpected_failure_is_an_error_metric(monkeypatch):
    y, s = _data(200)

    def boom(self, *args):
        raise RuntimeError("boom")

    monkeypatch.setattr(RankedScores, "metrics_from_indices", boom)
    out = bootstrap_metrics(y, s, metrics=["roc_auc", "mean"], n_resamples=50)
    assert out["roc_auc"]["status"] == "error"
    assert out["roc_auc"]["reason"] == "unexpected failure: RuntimeError: boom"
    json.dumps({name: result.to_dict() for name, result in out.items()}, allow_nan=False)


def test_custom_metric_failing_on_the_data_is_an_error():
    register_metric("fragile", lambda y, s: 1 / 0, overwrite=True)
    try:
        r = bootstrap_metric(*_data(100), metric="fragile", n_resamples=20)
        assert r["status"] == "error" and "ZeroDivisionError" in r["reason"]
    finally:
        unregister_metric("fragile")


def test_custom_metric_bootstrap_and_bca():
    register_metric("top_decile_rate", lambda y, s: float(np.mean(y[s >= np.quantile(s, 0.9)])), overwrite=True)
    try:
        y, s = _data(300)
        for method in ("percentile", "bca"):
            r = bootstrap_metric(y, s, metric="top_decile_rate", n_resamples=200, method=method)
            assert r["status"] == "ok" and r["low"] <= r["point"] <= r["high"]
        assert r["details"]["jackknife"] == "exact"
        big = bootstrap_metric(*_data(3000), metric="top_decile_rate", n_resamples=20, method="bca")
        assert big["details"]["jackknife"] == "grouped (1000 groups)"
    finally:
        unregister_metric("top_decile_rate")


def test_degenerate_resamples_are_dropped_and_counted():
    y = np.zeros(40, dtype=int)
    y[:4] = 1
    s = np.linspace(1, 0, 40)
    r = bootstrap_metric(y, s, metric="roc_auc", n_resamples=500, seed=0)
    assert r["status"] == "ok"
    assert 0 < r["details"]["n_invalid_resamples"] < 50  # resamples without a positive (about 2%)
    strat = bootstrap_metric(y, s, metric="roc_auc", n_resamples=500, stratify=True)
    assert "n_invalid_resamples" not in strat["details"] and strat["details"]["resampling"] == "stratified"
    y1 = np.zeros(40, dtype=int)
    y1[0] = 1
    mostly = bootstrap_metric(y1, s, metric="roc_auc", n_resamples=500)
    assert mostly["status"] == "skipped" and "stratify=True keeps both classes" in mostly["reason"]
    assert mostly["reason"].startswith("the metric is undefined on 1")  # about a third of the resamples
    bca = bootstrap_metric(y1, s, metric="roc_auc", n_resamples=200, stratify=True, method="bca")
    assert bca["status"] == "skipped"
    assert bca["reason"].startswith("BCa is undefined: leaving one unit out makes the metric undefined")


def test_bca_undefined_when_all_resamples_on_one_side():
    # The share of distinct rows is 1 on the data and below 1 on every resample.
    register_metric("distinct_share", lambda y, s: len(np.unique(s)) / len(s), requires_labels=False, overwrite=True)
    try:
        r = bootstrap_metric(None, np.linspace(0, 1, 30), metric="distinct_share", n_resamples=100, method="bca")
        assert r["status"] == "skipped"
        assert r["reason"].startswith("BCa is undefined: every resample lies on one side of the point estimate")
        ok = bootstrap_metric(None, np.linspace(0, 1, 30), metric="distinct_share", n_resamples=100)
        assert ok["status"] == "ok" and ok["high"] < 1
    finally:
        unregister_metric("distinct_share")


def test_constant_statistic_gives_zero_width_bca():
    y = np.ones(30, dtype=int)
    r = bootstrap_metric(y, np.linspace(0, 1, 30), metric="accuracy@0", n_resamples=100, method="bca")
    assert r["status"] == "ok" and r["low"] == r["high"] == 1.0


def test_argument_errors_are_clear():
    y, s = _data(100)
    with pytest.raises(ValueError, match="n_resamples must be an int of at least 2 .*got 0"):
        bootstrap_metric(y, s, n_resamples=0)
    with pytest.raises(ValueError, match="method must be one of percentile, basic, bca, got 'BCa'"):
        bootstrap_metric(y, s, method="BCa")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="confidence must be a number strictly between 0 and 1, got 95"):
        bootstrap_metric(y, s, confidence=95)
    with pytest.raises(ValueError, match="min_rows must be a positive int"):
        bootstrap_metric(y, s, min_rows=0)
    with pytest.raises(ValueError, match="labels must be 0 or 1; row 1 has 2"):
        bootstrap_metric([0, 2, 1], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="scores must be finite numbers; row 2 has nan"):
        bootstrap_metric([0, 1, 1], [0.1, 0.2, np.nan])
    with pytest.raises(ValueError, match="labels has 2 rows but scores has 3"):
        bootstrap_metric([0, 1], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="stratify=True needs labels to stratify by"):
        bootstrap_metric(None, s, metric="mean", stratify=True)
    with pytest.raises(ValueError, match="stratify=True and clusters cannot be combined"):
        bootstrap_metric(y, s, stratify=True, clusters=np.arange(100) // 2)
    with pytest.raises(ValueError, match="cluster ids must not be missing; row 3 is NaN"):
        bootstrap_metric(y, s, clusters=np.where(np.arange(100) == 3, np.nan, 1.0))
    with pytest.raises(ValueError, match="cluster ids must not be missing; row 0 is None"):
        bootstrap_metric(y, s, clusters=np.array([None] + ["a"] * 99, dtype=object))
    with pytest.raises(ValueError, match=r"clusters must give one id per row \(100 rows\)"):
        bootstrap_metric(y, s, clusters=[1, 2])
    with pytest.raises(ValueError, match="metric 'pr_auc' needs 0/1 labels"):
        bootstrap_metric(None, s)
    with pytest.raises(ValueError, match=r"metric\(s\) listed twice: roc_auc"):
        bootstrap_metrics(y, s, metrics=["roc_auc", "roc_auc"])


def test_stratified_and_cluster_designs():
    y = np.array([1] * 30 + [0] * 70)
    design = Design(100, labels=y, stratify=True)
    rs = design.draw(np.random.default_rng(0), 50)
    assert (y[rs.idx].sum(axis=1) == 30).all()
    clusters = np.repeat(np.arange(25), 4)
    design = Design(100, clusters=clusters)
    rs = design.draw(np.random.default_rng(0), 50)
    w = rs.weights.reshape(50, 25, 4)
    assert (w == w[:, :, :1]).all() and (w.sum(axis=(1, 2)) == 100).all()


def test_cluster_bootstrap_is_wider_for_correlated_epochs():
    rng = np.random.default_rng(1)
    k, epochs = 200, 5
    sample_effect = rng.normal(size=k)
    cluster = np.repeat(np.arange(k), epochs)
    scores = (sample_effect[cluster] + 0.1 * rng.normal(size=k * epochs) > 0).astype(float)
    rows = bootstrap_metric(None, scores, metric="mean", n_resamples=1000)
    clustered = bootstrap_metric(None, scores, metric="mean", clusters=cluster, n_resamples=1000)
    assert (clustered["high"] - clustered["low"]) > 1.8 * (rows["high"] - rows["low"])
    assert clustered["details"]["resampling"] == "cluster" and clustered["details"]["n_clusters"] == k


def test_paired_identical_scorers_have_zero_width():
    y, s = _data(500)
    d = paired_bootstrap_diff(y, s, s.copy(), metric="pr_auc", n_resamples=200)
    assert d["delta"] == 0 and d["low"] == 0 and d["high"] == 0 and d["overlaps_zero"] is True
    assert {"metric", "delta", "low", "high", "ci_95", "overlaps_zero", "n_resamples", "n"} <= set(d)
    assert d["baseline"] == d["candidate"]


def test_paired_difference_detects_a_better_scorer():
    rng = np.random.default_rng(2)
    y = rng.integers(0, 2, 3000)
    old, new = y + rng.normal(size=3000), y + rng.normal(scale=0.6, size=3000)
    d = paired_bootstrap_diff(y, old, new, metric="roc_auc", n_resamples=500, method="bca")
    assert d["status"] == "ok" and d["delta"] > 0 and d["low"] > 0 and d["overlaps_zero"] is False
    assert d["candidate"] - d["baseline"] == pytest.approx(d["delta"])
    assert d["details"]["jackknife"] == "exact"
    unpaired = bootstrap_metrics(y, new, metrics=["roc_auc"], n_resamples=500)["roc_auc"]
    # Pairing removes the shared noise: the difference is known more precisely than each AUC alone allows.
    assert d["high"] - d["low"] < 2 * (unpaired["high"] - unpaired["low"])


def test_from_predictions_with_cluster_column(tmp_path, write_predictions, make_ref):
    rng = np.random.default_rng(5)
    k = 60
    ids = np.repeat([f"s{i}" for i in range(k)], 3)
    y = np.repeat(rng.integers(0, 2, k), 3)
    s = np.round(y + rng.normal(size=3 * k), 2)
    path = write_predictions(tmp_path / "p", {"label": y.tolist(), "score": s.tolist(), "sample": ids.tolist()}, "csv")
    ref = make_ref(path, "csv")
    r = bootstrap_metric_from_predictions(
        ref.to_dict(), metric="roc_auc", cluster="sample", n_resamples=300, method="bca"
    )
    assert r["status"] == "ok" and r["details"]["n_clusters"] == k and r["n"] == 3 * k
    same = bootstrap_metric(y, s, metric="roc_auc", clusters=ids, n_resamples=300, method="bca")
    assert (r["point"], r["low"], r["high"]) == (same["point"], same["low"], same["high"])
    with pytest.raises(ValueError, match=r"has no column\(s\) 'nope'"):
        bootstrap_metric_from_predictions(ref, cluster="nope")
