"""Bootstrap intervals agree with scipy.stats.bootstrap within Monte Carlo error (10,000 resamples).

Two independent 10,000-resample bootstraps differ at the 2.5% and 97.5% quantiles by about 0.04
bootstrap standard errors (SE); the tolerance is 0.15 SE, while the methods themselves differ by
much more on the skewed data used here, so a wrong method would be caught.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from sklearn.metrics import average_precision_score

from evalviz.analysis import bootstrap_metric, bootstrap_metrics, paired_bootstrap_diff

B = 10_000
TOL_SE = 0.15
SCIPY_METHOD = {"percentile": "percentile", "basic": "basic", "bca": "BCa"}


def auc_by_ranks(y, s, axis=-1):
    """ROC-AUC from the Mann-Whitney U with mid-ranks (an implementation independent of evalviz)."""
    r = stats.rankdata(s, axis=axis)
    pos = y.sum(axis=axis)
    neg = y.shape[axis] - pos
    return ((r * y).sum(axis=axis) - pos * (pos + 1) / 2) / (pos * neg)


def ap_by_sorting(y, s, axis=-1):
    """Average precision by sorting each resample (ties grouped), vectorised over resamples."""
    y = np.atleast_2d(y)
    s = np.atleast_2d(s)
    order = np.argsort(-s, axis=-1, kind="stable")
    ys = np.take_along_axis(y, order, axis=-1)
    ss = np.take_along_axis(s, order, axis=-1)
    n = ys.shape[-1]
    tp = np.cumsum(ys, axis=-1)
    seen = np.arange(1, n + 1)
    precision = tp / seen
    is_end = np.ones_like(ss, dtype=bool)
    is_end[..., :-1] = ss[..., :-1] != ss[..., 1:]
    end_at = np.where(is_end, np.arange(n), n)
    group_end = np.minimum.accumulate(end_at[..., ::-1], axis=-1)[..., ::-1]
    prec_at_end = np.take_along_axis(precision, group_end, axis=-1)
    out = (ys * prec_at_end).sum(axis=-1) / ys.sum(axis=-1)
    return out if out.size > 1 else out[0]


@pytest.fixture(scope="module")
def ranked_data():
    rng = np.random.default_rng(11)
    n = 300
    y = (rng.random(n) < 0.3).astype(int)
    s = np.round(0.8 * y + rng.normal(size=n), 1)  # ties on purpose
    return y, s


def _scipy_all_methods(data, statistic, *, paired, seed):
    """One 10,000-resample scipy bootstrap, then each method's interval from that same distribution."""
    first = stats.bootstrap(
        data, statistic, paired=paired, vectorized=True, n_resamples=B, method="percentile", random_state=seed
    )
    out = {}
    for ours, theirs in SCIPY_METHOD.items():
        res = stats.bootstrap(
            data,
            statistic,
            paired=paired,
            vectorized=True,
            n_resamples=0,
            method=theirs,
            bootstrap_result=first,
            random_state=seed,
        )
        out[ours] = (res.confidence_interval.low, res.confidence_interval.high)
    return out, first.standard_error


def _close(ours, theirs, se):
    assert abs(ours[0] - theirs[0]) <= TOL_SE * se, (ours, theirs, se)
    assert abs(ours[1] - theirs[1]) <= TOL_SE * se, (ours, theirs, se)


def test_reference_ap_matches_sklearn(ranked_data):
    y, s = ranked_data
    idx = np.random.default_rng(0).integers(0, len(y), size=(5, len(y)))
    np.testing.assert_allclose(
        ap_by_sorting(y[idx], s[idx]), [average_precision_score(y[i], s[i]) for i in idx], atol=1e-12
    )


@pytest.mark.parametrize("method", ["percentile", "basic", "bca"])
def test_mean_of_skewed_data_matches_scipy(method):
    x = np.random.default_rng(3).lognormal(0, 1, 60)
    ref, se = _scipy_all_methods((x,), np.mean, paired=False, seed=1)
    ours = bootstrap_metric(None, x, metric="mean", n_resamples=B, method=method, seed=5)
    assert ours["status"] == "ok" and ours["point"] == pytest.approx(x.mean())
    _close((ours["low"], ours["high"]), ref[method], se)
    # The methods really differ here (BCa shifts a skewed interval), so the check can tell them apart.
    assert abs(ref["bca"][1] - ref["percentile"][1]) > 3 * TOL_SE * se


@pytest.fixture(scope="module")
def scipy_auc(ranked_data):
    y, s = ranked_data
    return {
        name: _scipy_all_methods((y, s), statistic, paired=True, seed=2)
        for name, statistic in (("roc_auc", auc_by_ranks), ("pr_auc", ap_by_sorting))
    }


@pytest.mark.parametrize("method", ["percentile", "basic", "bca"])
def test_roc_and_pr_auc_match_scipy(ranked_data, scipy_auc, method):
    y, s = ranked_data
    ours = bootstrap_metrics(y, s, metrics=["roc_auc", "pr_auc"], n_resamples=B, method=method, seed=9)
    for name in ("roc_auc", "pr_auc"):
        ref, se = scipy_auc[name]
        _close((ours[name]["low"], ours[name]["high"]), ref[method], se)


@pytest.mark.parametrize("method", ["percentile", "bca"])
def test_paired_difference_matches_scipy(ranked_data, method):
    y, base = ranked_data
    cand = np.round(base + 0.5 * y + np.random.default_rng(4).normal(scale=0.5, size=len(y)), 1)

    def diff(y, b, c, axis=-1):
        return auc_by_ranks(y, c, axis) - auc_by_ranks(y, b, axis)

    ref, se = _scipy_all_methods((y, base, cand), diff, paired=True, seed=3)
    ours = paired_bootstrap_diff(y, base, cand, metric="roc_auc", n_resamples=B, method=method, seed=1)
    assert ours["delta"] == pytest.approx(auc_by_ranks(y, cand) - auc_by_ranks(y, base), abs=1e-12)
    _close((ours["low"], ours["high"]), ref[method], se)


@pytest.mark.parametrize("metric", ["roc_auc", "pr_auc"])
def test_cluster_bootstrap_matches_scipy_over_clusters(metric):
    rng = np.random.default_rng(8)
    k, epochs = 50, 3
    difficulty = rng.normal(size=k)
    cluster = np.repeat(np.arange(k), epochs)
    y = np.repeat((rng.random(k) < 0.4).astype(int), epochs)
    s = np.round(y + difficulty[cluster] + rng.normal(scale=0.5, size=k * epochs), 1)
    rows = [np.flatnonzero(cluster == c) for c in range(k)]
    fn = auc_by_ranks if metric == "roc_auc" else ap_by_sorting

    def statistic(ids):
        sel = np.concatenate([rows[i] for i in ids])
        return fn(y[sel], s[sel])

    first = stats.bootstrap(
        (np.arange(k),), statistic, vectorized=False, n_resamples=B, method="percentile", random_state=0
    )
    for method in ("percentile", "bca"):
        ref = stats.bootstrap(
            (np.arange(k),),
            statistic,
            vectorized=False,
            n_resamples=0,
            method=SCIPY_METHOD[method],
            bootstrap_result=first,
        )
        ours = bootstrap_metric(y, s, metric=metric, clusters=cluster, n_resamples=B, method=method, seed=2)
        assert ours["details"]["n_clusters"] == k
        _close(
            (ours["low"], ours["high"]),
            (ref.confidence_interval.low, ref.confidence_interval.high),
            first.standard_error,
        )
