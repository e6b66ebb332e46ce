"""Issue 10 in the analysis layer: where a metric is undefined (one rule on every path), arguments checked
before any work, and slices kept in the order they are given. Values are checked against scikit-learn."""

from __future__ import annotations

import doctest
import math
import os
import time
import tracemalloc

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import average_precision_score, roc_auc_score

from evalviz.analysis import (
    bootstrap_metric,
    bootstrap_metric_from_predictions,
    bootstrap_metrics,
    compute_metric,
    evaluate_slices,
    get_metric,
    paired_bootstrap_diff,
    paired_diff_between_models,
    paired_diff_from_prediction_refs,
    paired_diff_table,
    register_metric,
    resample_metric_values,
    unregister_metric,
)
from evalviz.analysis import evaluation as evaluation_module
from evalviz.analysis.arguments import check_resampling, max_resamples
from evalviz.analysis.evaluation import Evaluator
from evalviz.analysis.metrics import RankedScores
from evalviz.analysis.resampling import Design, Resample
from evalviz.analysis.tables import evaluate_slices_arrow, paired_diff_table_arrow
from evalviz.errors import EvalvizError

SKLEARN = {"pr_auc": average_precision_score, "roc_auc": roc_auc_score}


def _reference(name: str, labels: np.ndarray, scores: np.ndarray) -> float:
    """scikit-learn's value where the metric is defined (both classes present), else NaN."""
    if labels.min() == labels.max():
        with pytest.warns(UndefinedMetricWarning, match="Only one class"):  # scikit-learn: ROC-AUC is undefined
            undefined = roc_auc_score(labels, scores)
        assert math.isnan(undefined)
        return undefined
    return float(SKLEARN[name](labels, scores))


def _few_negatives(n_pos: int = 40, n_neg: int = 2, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = np.r_[np.ones(n_pos), np.zeros(n_neg)].astype(int)
    return labels, rng.random(n_pos + n_neg)


# -- 7. one rule of definedness ------------------------------------------------------------------------------
@pytest.mark.parametrize("metric", ["pr_auc", "roc_auc"])
@pytest.mark.parametrize("labels", [[1, 1, 1, 1], [0, 0, 0, 0]])
def test_compute_metric_is_nan_on_single_class_labels(metric, labels):
    scores = np.array([0.1, 0.4, 0.35, 0.8])
    assert math.isnan(compute_metric(metric, labels, scores))
    assert math.isnan(_reference(metric, np.array(labels), scores))
    # scikit-learn's average precision gives a number here (1.0 without negatives, 0.0 without positives) that
    # means nothing; ours is NaN, as is its ROC-AUC.
    both = np.array([1, 0, 1, 0])
    assert compute_metric(metric, both, scores) == pytest.approx(SKLEARN[metric](both, scores), abs=1e-12)


def test_pr_auc_and_roc_auc_share_status_and_reason_when_resamples_lack_a_class():
    labels, scores = _few_negatives()
    out = bootstrap_metrics(labels, scores, metrics=["pr_auc", "roc_auc"], n_resamples=1000, seed=0)
    pr, roc = out["pr_auc"], out["roc_auc"]
    assert pr["status"] == roc["status"] == "skipped"
    assert pr["reason"] == roc["reason"]
    assert pr["low"] is pr["high"] is None
    # The invalid resamples are those without a negative: with 2 negatives in 42 rows about (40/42)**42 of them.
    share = pr["details"]["n_invalid_resamples"] / 1000
    assert share == pytest.approx((40 / 42) ** 42, abs=0.04)
    assert pr["details"]["n_invalid_resamples"] == roc["details"]["n_invalid_resamples"]
    # With both classes kept in every resample, both metrics have intervals.
    kept = bootstrap_metrics(labels, scores, metrics=["pr_auc", "roc_auc"], n_resamples=300, stratify=True)
    assert kept["pr_auc"]["status"] == kept["roc_auc"]["status"] == "ok"


@pytest.mark.parametrize("metric", ["pr_auc", "roc_auc"])
def test_every_resample_is_sklearn_or_nan_where_a_class_is_missing(metric):
    labels, scores = _few_negatives(8, 2, seed=1)
    idx = np.random.default_rng(2).integers(0, len(labels), size=(400, len(labels)))
    ours = resample_metric_values(metric, labels, scores, idx)
    reference = np.array([_reference(metric, labels[i], scores[i]) for i in idx])
    assert np.isnan(reference).sum() > 20  # the case is exercised
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(reference))
    np.testing.assert_allclose(ours[~np.isnan(ours)], reference[~np.isnan(reference)], rtol=0, atol=1e-12)


@pytest.mark.parametrize("heavy_ties", [False, True])
def test_both_vectorised_layouts_and_weights_apply_the_rule(heavy_ties):
    labels, scores = _few_negatives(30, 2, seed=3)
    if heavy_ties:
        scores = np.round(scores * 2) / 2  # few distinct scores: counted per (score group, label)
    ranked = RankedScores(labels.astype(np.int8), scores)
    assert ranked.per_row == (not heavy_ties)
    idx = np.random.default_rng(4).integers(0, len(labels), size=(200, len(labels)))
    weights = np.stack([np.bincount(i, minlength=len(labels)) for i in idx]).astype(float)
    ev = Evaluator(labels.astype(np.int8), scores, [get_metric("pr_auc"), get_metric("roc_auc")])
    by_idx, by_weight = ev.evaluate(Resample(idx=idx)), ev.evaluate(Resample(weights=weights))
    no_negative = (labels[idx] == 1).all(axis=1)
    assert no_negative.any()
    for name in ("pr_auc", "roc_auc"):
        np.testing.assert_array_equal(np.isnan(by_idx[name]), no_negative)
        np.testing.assert_allclose(by_weight[name], by_idx[name], rtol=0, atol=1e-12)


def test_leave_one_out_is_nan_where_the_left_out_row_was_the_only_negative():
    labels, scores = _few_negatives(20, 1, seed=5)
    ranked = RankedScores(labels.astype(np.int8), scores)
    keep = ~np.eye(len(labels), dtype=bool)
    for name, loo in (("pr_auc", ranked.loo_pr_auc()), ("roc_auc", ranked.loo_roc_auc())):
        brute = np.array([_reference(name, labels[k], scores[k]) for k in keep])
        np.testing.assert_array_equal(np.isnan(loo), labels == 0)
        np.testing.assert_allclose(loo[labels == 1], brute[labels == 1], rtol=0, atol=1e-12)
    # Left out by cluster: the cluster holding the only negative leaves both metrics undefined.
    clusters = np.arange(len(labels)) // 3
    ev = Evaluator(labels.astype(np.int8), scores, [get_metric("pr_auc"), get_metric("roc_auc")])
    design = Design(len(labels), clusters=clusters)
    for name in ("pr_auc", "roc_auc"):
        values, _ = ev.jackknife(get_metric(name), design, check_resampling(seed=0))
        brute = [_reference(name, labels[clusters != c], scores[clusters != c]) for c in np.unique(clusters)]
        np.testing.assert_allclose(values, brute, rtol=0, atol=1e-12)  # NaN where brute is NaN


def test_bca_is_skipped_alike_for_both_rank_metrics_when_a_class_has_one_row():
    labels, scores = _few_negatives(60, 1, seed=6)
    out = bootstrap_metrics(labels, scores, metrics=["pr_auc", "roc_auc"], n_resamples=200, method="bca",
                            stratify=True)
    assert out["pr_auc"]["status"] == out["roc_auc"]["status"] == "skipped"
    assert out["pr_auc"]["reason"] == out["roc_auc"]["reason"]
    assert "leaving one unit out" in out["pr_auc"]["reason"]


def test_custom_metrics_declare_what_they_need_and_are_not_called_without_it():
    calls = []

    def recall_at_half(labels, scores):
        calls.append(len(labels))
        return float(np.mean(scores[labels == 1] >= 0.5))

    def per_row_hits(labels, scores):
        return (scores >= 0.5) * labels

    try:
        register_metric("t10_recall", recall_at_half, requires_positive=True, overwrite=True)
        register_metric("t10_hits", per_row_hits, per_row=True, requires_both_classes=True, overwrite=True)
        assert math.isnan(compute_metric("t10_recall", [0, 0, 0], [0.2, 0.7, 0.9])) and calls == []
        assert compute_metric("t10_recall", [1, 1, 0], [0.2, 0.7, 0.9]) == 0.5
        assert math.isnan(compute_metric("t10_hits", [1, 1, 1], [0.2, 0.7, 0.9]))
        # The per-row path counts classes per resample as the rank metrics do.
        labels, scores = _few_negatives(8, 3, seed=7)
        idx = np.random.default_rng(8).integers(0, len(labels), size=(100, len(labels)))
        hits = resample_metric_values("t10_hits", labels, scores, idx)
        roc = resample_metric_values("roc_auc", labels, scores, idx)
        np.testing.assert_array_equal(np.isnan(hits), np.isnan(roc))
        calls.clear()
        rare, rare_scores = _few_negatives(8, 2, seed=9)
        rare = 1 - rare  # 2 positives in 10 rows: about a tenth of the resamples have none
        idx = np.random.default_rng(10).integers(0, len(rare), size=(200, len(rare)))
        recall = resample_metric_values("t10_recall", rare, rare_scores, idx)
        with_positive = (rare[idx] == 1).any(axis=1)
        assert len(calls) == with_positive.sum() < len(idx)  # called only where defined
        np.testing.assert_array_equal(np.isnan(recall), ~with_positive)
        skipped = bootstrap_metric([0] * 12, np.linspace(0, 1, 12), metric="t10_recall", n_resamples=50)
        assert skipped["status"] == "skipped" and skipped["reason"].startswith("no positive rows")
        with pytest.raises(EvalvizError, match="without labels"):
            register_metric("t10_bad", recall_at_half, requires_labels=False, requires_positive=True)
    finally:
        unregister_metric("t10_recall")
        unregister_metric("t10_hits")


@pytest.mark.parametrize(
    ("metric", "labels", "scores", "message"),
    [
        ("log_loss", [0, 2], [0.2, 0.4], "labels must be 0 or 1; row 1 has 2"),
        ("roc_auc", [0.5, 1, 0], [0.2, 0.4, 0.3], "labels must be 0 or 1; row 0 has 0.5"),
        ("accuracy", [0, 1, 1], [0.2, float("nan"), 0.3], "scores must be finite numbers; row 1 has nan"),
        ("brier", [0, 1], [0.2, 0.3, 0.4], "labels has 2 rows but scores has 3"),
    ],
)
def test_compute_metric_checks_its_inputs_like_the_bootstrap(metric, labels, scores, message):
    with pytest.raises(EvalvizError, match=message):
        compute_metric(metric, labels, scores)
    with pytest.raises(EvalvizError, match=message):
        bootstrap_metric(labels, scores, metric=metric)


# -- 8. arguments checked before any work --------------------------------------------------------------------
_MISSING_REF = {"uri": "/nonexistent/preds.csv", "media_type": "text/csv", "columns": {"label": "y", "score": "p"}}


def _samples() -> pa.Table:
    rng = np.random.default_rng(9)
    rows = []
    for model, shift in (("a", 0.0), ("b", 0.2)):
        for task in ("medium", "easy", "hard"):
            for i in range(15):
                rows.append({"model": model, "task": task, "id": f"{task}{i}", "epoch": 1,
                             "score_match": float(rng.random() < 0.4 + shift)})
    return pa.Table.from_pylist(rows)


def _call(name: str, **kwargs):
    """Each public analysis function, on small arrays, or on a file that does not exist (to show that the
    arguments are checked before anything is read)."""
    y, s = _few_negatives(20, 20, seed=10)
    table = pa.table({"label": y, "old": s, "new": s[::-1].copy(), "lang": ["x", "y"] * 20})
    calls = {
        "bootstrap_metric": lambda: bootstrap_metric(y, s, **kwargs),
        "bootstrap_metrics": lambda: bootstrap_metrics(y, s, **kwargs),
        "bootstrap_metric_from_predictions": lambda: bootstrap_metric_from_predictions(_MISSING_REF, **kwargs),
        "paired_bootstrap_diff": lambda: paired_bootstrap_diff(y, s, s[::-1].copy(), **kwargs),
        "paired_diff_from_prediction_refs": lambda: paired_diff_from_prediction_refs(
            _MISSING_REF, _MISSING_REF, **kwargs),
        "evaluate_slices": lambda: evaluate_slices(table, scorers=["old", "new"], slice_by="lang",
                                                   **{"progress": False, **kwargs}),
        "evaluate_slices_refs": lambda: evaluate_slices({"a": _MISSING_REF}, **kwargs),
        "paired_diff_table": lambda: paired_diff_table(_MISSING_REF, _MISSING_REF, **kwargs),
        "paired_diff_between_models": lambda: paired_diff_between_models(
            _samples(), "a", "b", score="match", **{"progress": False, **kwargs}),
    }
    return calls[name]()


FUNCTIONS = ["bootstrap_metric", "bootstrap_metrics", "bootstrap_metric_from_predictions", "paired_bootstrap_diff",
             "paired_diff_from_prediction_refs", "evaluate_slices", "evaluate_slices_refs", "paired_diff_table",
             "paired_diff_between_models"]
BAD = [
    ("seed", -1, "seed must be a non-negative int"),
    ("seed", "abc", "seed must be a non-negative int, None or a numpy Generator.*got str 'abc'"),
    ("seed", 1.5, "seed must be .*got float 1.5"),
    ("seed", True, "seed must be .*got bool True"),
    ("n_resamples", 0, "n_resamples must be an int of at least 2 .*got 0"),
    ("n_resamples", 100.0, "n_resamples must be an int of at least 2 .*got 100.0"),
    ("n_resamples", 10**12, "n_resamples=1,000,000,000,000 is more than memory allows"),
    ("confidence", 0, "confidence must be a number strictly between 0 and 1, got 0"),
    ("confidence", float("nan"), "confidence must be .*got nan"),
    ("confidence", "0.95", "confidence must be .*got '0.95'"),
    ("method", "BCA", "method must be one of percentile, basic, bca, got 'BCA'"),
    ("min_rows", 0, "min_rows must be a positive int, got 0"),
]


@pytest.mark.parametrize("function", FUNCTIONS)
@pytest.mark.parametrize(("parameter", "value", "message"), BAD, ids=[f"{p}={v!r}" for p, v, _ in BAD])
def test_bad_arguments_raise_naming_the_parameter_before_any_work(function, parameter, value, message):
    start = time.perf_counter()
    with pytest.raises(EvalvizError, match=message) as caught:
        _call(function, **{parameter: value})
    assert isinstance(caught.value, ValueError)
    assert time.perf_counter() - start < 2


@pytest.mark.parametrize("function", ["bootstrap_metric", "paired_bootstrap_diff", "evaluate_slices",
                                      "paired_diff_table", "paired_diff_from_prediction_refs"])
def test_stratify_is_a_flag(function):
    with pytest.raises(EvalvizError, match="stratify must be True or False, got 'yes'"):
        _call(function, stratify="yes")


@pytest.mark.parametrize("function", ["evaluate_slices", "evaluate_slices_refs", "paired_diff_table",
                                      "paired_diff_between_models"])
def test_table_options_are_checked_before_any_work(function):
    with pytest.raises(EvalvizError, match="progress must be True, False or None, got 'yes'"):
        _call(function, progress="yes")
    with pytest.raises(EvalvizError, match="overall must be the overall slice's name"):
        _call(function, overall=1)


def test_n_resamples_is_bounded_by_memory_and_the_message_says_so():
    per_resample = 8 * 2 + 24  # two metric values plus the working copies, in bytes
    budget = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 2
    limit = max_resamples(2)
    assert limit == budget // per_resample
    check_resampling(n_resamples=limit, values_per_resample=2)  # the largest that fits passes
    tracemalloc.start()
    try:
        with pytest.raises(EvalvizError) as caught:
            bootstrap_metrics(*_few_negatives(20, 20), metrics=["pr_auc", "roc_auc"], n_resamples=limit + 1)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 10 << 20  # nothing was allocated for the resamples
    message = str(caught.value)
    assert f"n_resamples={limit + 1:,}" in message and f"at most n_resamples={limit:,}" in message
    assert "memory" in message and f"{per_resample} bytes" in message


def test_a_numpy_generator_is_taken_as_the_seed_and_the_result_follows_its_state():
    y, s = _few_negatives(30, 30, seed=11)
    first = bootstrap_metric(y, s, metric="roc_auc", seed=np.random.default_rng(5), n_resamples=300)
    again = bootstrap_metric(y, s, metric="roc_auc", seed=np.random.default_rng(5), n_resamples=300)
    assert first["status"] == "ok" and first["low"] < first["point"] < first["high"]
    assert (first["low"], first["high"]) == (again["low"], again["high"])
    assert first["details"]["seed"] == again["details"]["seed"]  # the entropy drawn, reported to repeat the run
    rng = np.random.default_rng(5)
    one = bootstrap_metric(y, s, metric="roc_auc", seed=rng, n_resamples=300)
    two = bootstrap_metric(y, s, metric="roc_auc", seed=rng, n_resamples=300)  # the generator moved on
    assert (one["low"], one["high"]) == (first["low"], first["high"]) != (two["low"], two["high"])
    # The reported entropy repeats the run as an int seed.
    repeated = bootstrap_metric(y, s, metric="roc_auc", seed=first["details"]["seed"], n_resamples=300)
    assert (repeated["low"], repeated["high"]) == (first["low"], first["high"])
    # Every public function takes it; a table draws once from it, and all its slices use that draw.
    def diffs(seed):
        return paired_diff_between_models(_samples(), "a", "b", score="match", seed=seed, n_resamples=200,
                                          progress=False).to_arrow()

    entropy = bootstrap_metric(y, s, seed=np.random.default_rng(1), n_resamples=20)["details"]["seed"]
    by_generator = diffs(np.random.default_rng(1))
    assert set(by_generator["status"].to_pylist()) == {"ok"}
    assert by_generator.equals(diffs(entropy))
    paired = paired_bootstrap_diff(y, s, s[::-1].copy(), seed=np.random.default_rng(2), n_resamples=200)
    assert paired["status"] == "ok"


def test_the_resamples_do_not_depend_on_the_number_of_threads(monkeypatch):
    rng = np.random.default_rng(12)
    y = (rng.random(3000) < 0.3).astype(int)
    s = y + rng.normal(size=3000)
    values = {}
    for threads in (1, 4):
        monkeypatch.setattr(evaluation_module, "_THREADS", threads)
        r = bootstrap_metrics(y, s, metrics=["pr_auc", "roc_auc", "mean"], n_resamples=2000, seed=3)
        values[threads] = [(r[m]["low"], r[m]["high"]) for m in ("pr_auc", "roc_auc", "mean")]
    assert values[1] == values[4]
    # Chunk i draws from the i-th child of the seed, as SeedSequence.spawn makes them.
    root = check_resampling(seed=3)
    spawned = np.random.SeedSequence(3).spawn(5)
    for i in range(5):
        np.testing.assert_array_equal(root.child_seed(i).generate_state(4), spawned[i].generate_state(4))


# -- 10. slices in the order they are given ------------------------------------------------------------------
def _difficulty_table(as_categorical: bool = False) -> pa.Table:
    rng = np.random.default_rng(13)
    given = ["medium", "easy", "hard"]
    level = np.array(given)[np.repeat([0, 1, 2], 30)]
    frame = pd.DataFrame({"label": rng.integers(0, 2, 90), "score": rng.random(90), "level": level})
    if as_categorical:  # a declared order that differs from the order of appearance
        frame["level"] = pd.Categorical(frame["level"], categories=["easy", "medium", "hard"], ordered=True)
    return pa.Table.from_pandas(frame, preserve_index=False)


def test_evaluate_slices_keeps_the_order_of_first_appearance():
    t = evaluate_slices(_difficulty_table(), scorers=["score"], slice_by="level", metrics="roc_auc",
                        n_resamples=50, progress=False).to_arrow()
    assert t["slice"].to_pylist() == ["all", "medium", "easy", "hard"]
    assert t["slice"].to_pylist()[1:] != sorted(t["slice"].to_pylist()[1:])  # not alphabetical


def test_evaluate_slices_follows_a_categorical_columns_declared_order():
    t = evaluate_slices_arrow(_difficulty_table(as_categorical=True), scorers=["score"], slice_by="level",
                              metrics="roc_auc", n_resamples=50)
    assert t["slice"].to_pylist() == ["all", "easy", "medium", "hard"]
    # A pyarrow dictionary column is categorical as well.
    table = _difficulty_table()
    table = table.set_column(2, "level", pa.array(table["level"].to_pylist()).dictionary_encode())
    assert evaluate_slices_arrow(table, scorers=["score"], slice_by="level", metrics="mean", label=None,
                                 n_resamples=20, overall=None)["slice"].to_pylist() == ["medium", "easy", "hard"]


def test_paired_tables_keep_the_given_order(tmp_path, write_predictions, make_ref):
    diffs = paired_diff_between_models(_samples(), "a", "b", score="match", n_resamples=50,
                                       progress=False).to_arrow()
    assert diffs["slice"].to_pylist() == ["all", "medium", "easy", "hard"]
    table = _difficulty_table()
    cols = {"id": [f"r{i}" for i in range(90)], "label": table["label"].to_pylist(),
            "score": table["score"].to_pylist(), "level": table["level"].to_pylist()}
    base = make_ref(write_predictions(tmp_path / "b", cols, "csv"), "csv", row_id="id")
    cand = make_ref(write_predictions(tmp_path / "c", cols, "parquet"), "parquet", row_id="id")
    out = paired_diff_table_arrow(base, cand, metric="roc_auc", slice_by="level", n_resamples=50)
    assert out["slice"].to_pylist() == ["all", "medium", "easy", "hard"]


def test_slices_that_would_share_a_name_are_refused_not_merged():
    table = pa.table({"label": [0, 1] * 10, "score": np.linspace(0, 1, 20),
                      "g": [None, "(missing)"] * 10})
    with pytest.raises(EvalvizError, match="two different slices would both be named '\\(missing\\)'"):
        evaluate_slices_arrow(table, scorers=["score"], slice_by="g", metrics="mean", label=None, n_resamples=20)
    joined = pa.table({"label": [0, 1] * 10, "score": np.linspace(0, 1, 20),
                       "a": ["x / y", "x"] * 10, "b": ["z", "y / z"] * 10})
    with pytest.raises(EvalvizError, match="'x / y / z'"):
        evaluate_slices_arrow(joined, scorers=["score"], slice_by=["a", "b"], metrics="mean", label=None,
                              n_resamples=20)


def test_the_argument_modules_examples_run():
    from evalviz.analysis import arguments

    result = doctest.testmod(arguments, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
