"""Metric values against scikit-learn, on the data and on the very same resample indices."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, average_precision_score, brier_score_loss, log_loss, roc_auc_score

from evalviz.analysis import (
    available_metrics,
    compute_metric,
    get_metric,
    register_metric,
    resample_metric_values,
    unregister_metric,
)
from evalviz.analysis.arguments import check_resampling
from evalviz.analysis.evaluation import Evaluator
from evalviz.analysis.metrics import RankedScores
from evalviz.analysis.resampling import Design, Resample

SKLEARN = {
    "pr_auc": average_precision_score,
    "roc_auc": roc_auc_score,
    "accuracy": lambda y, s: accuracy_score(y, s >= 0.5),
    "accuracy@0.3": lambda y, s: accuracy_score(y, s >= 0.3),
    "brier": brier_score_loss,
    "log_loss": lambda y, s: log_loss(y, s, labels=[0, 1]),
    "mean": lambda y, s: float(np.mean(s)),
}


def _data(n: int, ties: str, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = (rng.random(n) < 0.3).astype(int)
    scores = 1 / (1 + np.exp(-(1.2 * labels + rng.normal(size=n))))
    if ties == "few":
        scores[::10] = scores[1::10][: len(scores[::10])]  # a few pairs tie, of either labels
    elif ties == "some":
        scores = np.round(scores, 2)
    elif ties == "heavy":
        scores = np.round(scores * 4) / 4  # five distinct values
    elif ties == "extreme":
        scores[: n // 3] = 0.0
        scores[n // 3 :] = np.clip(scores[n // 3 :], 1e-3, 1)
        scores[-5:] = 1.0
    return labels, scores


def test_builtin_metrics_are_registered():
    assert available_metrics()[:6] == ["pr_auc", "roc_auc", "accuracy", "brier", "log_loss", "mean"]
    assert get_metric("roc_auc").requires_both_classes
    assert not get_metric("mean").requires_labels


@pytest.mark.parametrize("ties", ["none", "few", "some", "heavy", "extreme"])
@pytest.mark.parametrize("metric", list(SKLEARN))
def test_point_values_equal_sklearn(metric, ties):
    labels, scores = _data(500, ties)
    assert compute_metric(metric, labels, scores) == pytest.approx(SKLEARN[metric](labels, scores), abs=1e-12)


@pytest.mark.parametrize("ties", ["none", "few", "some", "heavy", "extreme"])
@pytest.mark.parametrize("metric", list(SKLEARN))
def test_each_resample_equals_sklearn_on_the_same_indices(metric, ties):
    labels, scores = _data(300, ties, seed=1)
    rng = np.random.default_rng(2)
    idx = rng.integers(0, len(labels), size=(60, len(labels)))
    ours = resample_metric_values(metric, labels, scores, idx)
    reference = np.array([SKLEARN[metric](labels[i], scores[i]) for i in idx])
    np.testing.assert_allclose(ours, reference, rtol=0, atol=1e-12)


@pytest.mark.parametrize("ties", ["none", "few", "heavy"])
def test_weights_path_equals_index_path(ties):
    """Cluster resamples are scored from row weights; same resample, same value."""
    labels, scores = _data(200, ties, seed=3)
    ranked = RankedScores(labels.astype(np.int8), scores)
    assert ranked.per_row == (ties != "heavy")  # heavy ties: counted per (score group, label) instead
    if ranked.per_row:
        assert ranked.pos_ties == ranked.cross_ties == (ties == "few")
    idx = np.random.default_rng(4).integers(0, 200, size=(25, 200))
    weights = np.stack([np.bincount(i, minlength=200) for i in idx]).astype(float)
    metrics = [get_metric(m) for m in ("pr_auc", "roc_auc", "brier", "mean")]
    ev = Evaluator(labels.astype(np.int8), scores, metrics)
    by_idx = ev.evaluate(Resample(idx=idx))
    by_weight = ev.evaluate(Resample(weights=weights))
    for m in metrics:
        np.testing.assert_allclose(by_weight[m.name], by_idx[m.name], rtol=0, atol=1e-12)


def test_undefined_resamples_are_nan():
    labels = np.array([0, 0, 1, 1])
    scores = np.array([0.1, 0.2, 0.3, 0.4])
    idx = np.array([[0, 1, 0, 1], [2, 3, 3, 2], [0, 2, 1, 3]])
    roc = resample_metric_values("roc_auc", labels, scores, idx)
    ap = resample_metric_values("pr_auc", labels, scores, idx)
    assert np.isnan(roc[0]) and np.isnan(roc[1]) and roc[2] == 1.0
    # Without a negative (resample 1) average precision is as undefined as ROC-AUC, not 1.0.
    assert np.isnan(ap[0]) and np.isnan(ap[1]) and ap[2] == 1.0


@pytest.mark.parametrize("ties", ["none", "heavy"])
def test_leave_one_out_rank_metrics_are_exact(ties):
    labels, scores = _data(120, ties, seed=5)
    ranked = RankedScores(labels.astype(np.int8), scores)
    keep = ~np.eye(len(labels), dtype=bool)
    brute_roc = [roc_auc_score(labels[k], scores[k]) for k in keep]
    brute_ap = [average_precision_score(labels[k], scores[k]) for k in keep]
    np.testing.assert_allclose(ranked.loo_roc_auc(), brute_roc, rtol=0, atol=1e-12)
    np.testing.assert_allclose(ranked.loo_pr_auc(), brute_ap, rtol=0, atol=1e-12)


@pytest.mark.parametrize("ties", ["none", "heavy"])
def test_leave_one_cluster_out_is_exact(ties):
    labels, scores = _data(150, ties, seed=6)
    clusters = np.random.default_rng(7).integers(0, 40, size=150)
    metrics = [get_metric(m) for m in ("pr_auc", "roc_auc", "log_loss", "mean")]
    ev = Evaluator(labels.astype(np.int8), scores, metrics)
    design = Design(150, clusters=clusters)
    for m in metrics:
        values, how = ev.jackknife(m, design, check_resampling(seed=0))
        assert how == "exact"
        brute = [SKLEARN[m.name](labels[clusters != c], scores[clusters != c]) for c in np.unique(clusters)]
        np.testing.assert_allclose(values, brute, rtol=0, atol=1e-12)


def test_accuracy_threshold_parameter():
    assert get_metric("accuracy@0.25").threshold == 0.25
    with pytest.raises(ValueError, match=r"only accuracy takes a parameter \('accuracy@0.3'\), got 'brier@0.2'"):
        get_metric("brier@0.2")
    with pytest.raises(ValueError, match="accuracy threshold in 'accuracy@x' must be a number"):
        get_metric("accuracy@x")


def test_unknown_metric_and_bad_inputs():
    with pytest.raises(ValueError, match="unknown metric 'prauc'; available: pr_auc, roc_auc"):
        get_metric("prauc")
    with pytest.raises(ValueError, match=r"metric 'brier' needs scores in \[0, 1\]; row 1 has 1.5"):
        compute_metric("brier", [0, 1], [0.2, 1.5])
    with pytest.raises(ValueError, match="metric 'roc_auc' needs 0/1 labels, but no label column was given"):
        compute_metric("roc_auc", None, [0.2, 0.4])
    with pytest.raises(TypeError, match=r"metric must be a name \(str\), got int"):
        get_metric(3)  # type: ignore[arg-type]


def test_register_custom_metrics():
    def recall_at_half(labels, scores):
        """Share of positives scored at least 0.5."""
        return float(np.mean(scores[labels == 1] >= 0.5))

    try:
        m = register_metric("recall_at_half", recall_at_half, requires_both_classes=True)
        assert m.kind == "custom" and m.description == "Share of positives scored at least 0.5."
        labels, scores = _data(200, "none")
        assert compute_metric("recall_at_half", labels, scores) == recall_at_half(labels, scores)
        idx = np.random.default_rng(0).integers(0, 200, size=(5, 200))
        np.testing.assert_array_equal(
            resample_metric_values("recall_at_half", labels, scores, idx),
            [recall_at_half(labels[i], scores[i]) for i in idx],
        )
        with pytest.raises(ValueError, match="already registered; pass overwrite=True"):
            register_metric("recall_at_half", recall_at_half)
        register_metric("recall_at_half", recall_at_half, overwrite=True)
        # per_row metrics get the vectorised path
        register_metric("sq_err", lambda y, s: (s - y) ** 2, per_row=True, overwrite=True)
        assert compute_metric("sq_err", labels, scores) == pytest.approx(brier_score_loss(labels, scores), abs=1e-12)
    finally:
        unregister_metric("recall_at_half")
        unregister_metric("sq_err")
    assert "recall_at_half" not in available_metrics()
    with pytest.raises(ValueError, match="'roc_auc' is a built-in metric and cannot be replaced"):
        register_metric("roc_auc", recall_at_half, overwrite=True)
    with pytest.raises(ValueError, match="must not contain '@'"):
        register_metric("a@b", recall_at_half)
    with pytest.raises(TypeError, match=r"must accept two arguments \(labels, scores\)"):
        register_metric("one_arg", lambda y: 0.0)
    with pytest.raises(KeyError, match="no metric named 'nope'"):
        unregister_metric("nope")
