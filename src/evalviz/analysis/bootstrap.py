"""Bootstrap confidence intervals (percentile, basic, BCa) of metrics, fast enough for 50,000-row slices.

The public functions: on arrays (`bootstrap_metric`, `bootstrap_metrics`, `paired_bootstrap_diff`), and on a
persisted prediction artifact (`bootstrap_metric_from_predictions`). They check their arguments
(`evalviz.analysis.arguments`), then run one engine: the resampling design (`evalviz.analysis.resampling`), the
metrics on every resample (`evalviz.analysis.evaluation`) and the intervals (`evalviz.analysis.intervals`).

All metrics of all scorers in one call share the same resamples. Resamples are drawn in chunks, each from its own
child of `numpy.random.SeedSequence(seed)`, so a seed gives the same answer whatever the number of threads (a numpy
Generator is accepted as the seed: entropy is drawn from it). Rows can be resampled freely, within each label
(`stratify=True`), or by cluster (`clusters=`: all rows of a drawn cluster enter together, e.g. the epochs of one
sample, as in Miller 2024, "Adding Error Bars to Evals").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np

from evalviz.analysis.arguments import (
    Resampling,
    SeedLike,
    check_column_name,
    check_memory,
    check_resampling,
    check_scorer,
)
from evalviz.analysis.artifacts import PredictionArtifactRef
from evalviz.analysis.evaluation import Evaluator, distribution
from evalviz.analysis.intervals import not_ok, summarise
from evalviz.analysis.metrics import (
    Metric,
    as_labels,
    as_scores,
    check_metric_inputs,
    class_counts,
    get_metric,
    same_metric,
)
from evalviz.analysis.resampling import CHUNK_ELEMENTS, Design, Resample
from evalviz.analysis.results import BootstrapResult, PairedDiffResult
from evalviz.constants.statuses import ERROR, SKIPPED
from evalviz.errors import EvalvizError

__all__ = [
    "BootstrapResult",
    "PairedDiffResult",
    "bootstrap_metric",
    "bootstrap_metric_from_predictions",
    "bootstrap_metrics",
    "paired_bootstrap_diff",
    "resample_metric_values",
]

Method = Literal["percentile", "basic", "bca"]


def _precheck(metric: Metric, labels: np.ndarray | None, n: int, design: Design, min_rows: int) -> str | None:
    """Why this metric is skipped on this data, or None."""
    if n < min_rows:
        return f"too few rows: {n} (min_rows={min_rows})"
    if design.codes is not None and design.n_clusters < 2:
        return f"too few clusters to resample: {design.n_clusters}"
    counts = class_counts(labels)
    return None if counts is None else metric.undefined_reason(*counts)


def _base_details(labels: np.ndarray | None, design: Design, resampling: Resampling) -> dict[str, Any]:
    """The details every result of a run reports: the design, the seed, the clusters and the positive rows."""
    details: dict[str, Any] = {"resampling": design.describe(), "seed": resampling.seed_label}
    if design.codes is not None:
        details["n_clusters"] = design.n_clusters
    counts = class_counts(labels)
    if counts is not None:
        details["n_positive"] = counts[0]
    return details


def run_bootstrap(
    labels: np.ndarray | None,
    score_arrays: Sequence[np.ndarray],
    metrics: Sequence[Metric],
    resampling: Resampling,
    *,
    clusters: Any,
    paired: bool,
) -> list[dict[str, BootstrapResult]]:
    """The engine: per scorer (or, when paired, for candidate - baseline), per metric, a result.

    Args:
        labels: 0/1 labels, or None for score-only metrics.
        score_arrays: One array of scores per scorer; when `paired`, `[baseline, candidate]`.
        metrics: The metrics, checked against the inputs.
        resampling: The checked resampling options.
        clusters: One cluster id per row, or None.
        paired: Whether to bootstrap the difference candidate - baseline (its details then hold the two point
            values as "baseline" and "candidate").

    Returns:
        One `{metric name: result}` per scorer (a single one when paired). A metric that cannot be computed on
        the data is skipped with the reason, and an unexpected failure is an error result.

    Example:
        >>> from evalviz.analysis.arguments import check_resampling
        >>> (res,) = run_bootstrap(None, [np.arange(20.0)], [get_metric("mean")], check_resampling(n_resamples=50),
        ...                        clusters=None, paired=False)
        >>> res["mean"].point, res["mean"].status
        (9.5, 'ok')
    """
    n = len(score_arrays[0])
    check_memory(resampling.n_resamples, len(metrics) * len(score_arrays))
    design = Design(n, labels=labels, stratify=resampling.stratify, clusters=clusters)
    common = {
        "confidence": resampling.confidence,
        "n_resamples": resampling.n_resamples,
        "method": resampling.method,
        "n": n,
    }
    base_details = _base_details(labels, design, resampling)
    results: list[dict[str, BootstrapResult]] = [{} for _ in range(1 if paired else len(score_arrays))]
    runnable: list[Metric] = []
    for metric in metrics:
        reason = _precheck(metric, labels, n, design, resampling.min_rows)
        if reason is None:
            runnable.append(metric)
        else:
            for res in results:
                res[metric.name] = not_ok(metric.name, SKIPPED, reason, common, base_details)
    if not runnable:
        return results
    try:
        _summarise_all(labels, score_arrays, runnable, resampling, design, common, base_details, results, paired)
    except Exception as exc:  # an unexpected failure becomes an error metric, not a crash
        reason = f"unexpected failure: {type(exc).__name__}: {exc}"
        for metric in runnable:
            for res in results:
                res[metric.name] = not_ok(metric.name, ERROR, reason, common, base_details)
    return results


def _summarise_all(
    labels: np.ndarray | None,
    score_arrays: Sequence[np.ndarray],
    metrics: Sequence[Metric],
    resampling: Resampling,
    design: Design,
    common: Mapping[str, Any],
    base_details: Mapping[str, Any],
    results: list[dict[str, BootstrapResult]],
    paired: bool,
) -> None:
    """Evaluate the metrics on the data and on every resample, and write each one's result into `results`."""
    evaluators = [Evaluator(labels, s, metrics) for s in score_arrays]
    points = [ev.evaluate(design.identity(), strict=True) for ev in evaluators]
    boots = distribution(evaluators, design, resampling)
    options = {"method": resampling.method, "confidence": resampling.confidence, "common": common}
    for metric in metrics:
        name = metric.name
        if not paired:
            for i, ev in enumerate(evaluators):

                def jackknife(metric: Metric = metric, ev: Evaluator = ev) -> tuple[np.ndarray, str]:
                    return ev.jackknife(metric, design, resampling)

                results[i][name] = summarise(
                    metric, float(points[i][name][0]), boots[i][name], jackknife, details=base_details, **options
                )
            continue
        base_ev, cand_ev = evaluators
        point_b, point_c = float(points[0][name][0]), float(points[1][name][0])

        def paired_jackknife(
            metric: Metric = metric, base_ev: Evaluator = base_ev, cand_ev: Evaluator = cand_ev
        ) -> tuple[np.ndarray, str]:
            jb, how = base_ev.jackknife(metric, design, resampling)
            jc, _ = cand_ev.jackknife(metric, design, resampling)
            return jc - jb, how

        with np.errstate(over="ignore"):  # a difference beyond a float64 is inf, and said so
            diff_point, diff_boot = point_c - point_b, boots[1][name] - boots[0][name]
        details = {**base_details, "baseline": point_b, "candidate": point_c}
        results[0][name] = summarise(
            metric, diff_point, diff_boot, paired_jackknife, details=details, what="difference", **options
        )


def _prepare_inputs(
    labels: Any, scores_list: Sequence[Any], metrics: Sequence[Metric], what: Sequence[str]
) -> tuple[np.ndarray | None, list[np.ndarray]]:
    """The labels and score arrays, checked (named by `what` in errors) against each other and the metrics."""
    arrays = [as_scores(s, w) for s, w in zip(scores_list, what, strict=True)]
    n = len(arrays[0])
    for arr, w in zip(arrays[1:], what[1:], strict=True):
        if len(arr) != n:
            raise EvalvizError(f"{w} has {len(arr)} rows but {what[0]} has {n}")
    y = as_labels(labels, n)
    for metric in metrics:
        for arr in arrays:
            check_metric_inputs(metric, y, arr)
    return y, arrays


def bootstrap_arrays(
    labels: Any,
    scores_list: Sequence[Any],
    what: Sequence[str],
    metrics: Sequence[Metric],
    resampling: Resampling,
    *,
    paired: bool,
    clusters: Any,
) -> dict[str, BootstrapResult]:
    """Check user arrays (named by `what` in errors) and run the engine on them: `{metric: result}`.

    With `paired`, `scores_list` is `[baseline, candidate]` and the results are of the difference.

    Example:
        >>> from evalviz.analysis.arguments import check_resampling
        >>> res = bootstrap_arrays(None, [[1.0] * 12], ["scores"], [get_metric("mean")],
        ...                        check_resampling(n_resamples=20), paired=False, clusters=None)
        >>> res["mean"].ci_95
        (1.0, 1.0)
    """
    y, arrays = _prepare_inputs(labels, scores_list, metrics, what)
    (res,) = run_bootstrap(y, arrays, metrics, resampling, clusters=clusters, paired=paired)
    return res


def metric_list(metrics: str | Metric | Sequence[str | Metric]) -> list[Metric]:
    """The metrics named, each looked up once.

    Raises:
        EvalvizError: No metric is named, a name is unknown, or a metric is listed twice (also under two
            spellings, "accuracy@0.3" and "accuracy@.30").

    Example:
        >>> [m.name for m in metric_list(["pr_auc", "accuracy@.5"])]
        ['pr_auc', 'accuracy@0.5']
    """
    if isinstance(metrics, (str, Metric)):
        metrics = [metrics]
    out = [get_metric(m) for m in metrics]
    if not out:
        raise EvalvizError("metrics must name at least one metric")
    for i, later in enumerate(out):
        twin = next((m for m in out[:i] if same_metric(m, later)), None)
        if twin is not None:
            same = "" if twin.name == later.name else f" (as {twin.name!r} and {later.name!r}: the same metric)"
            raise EvalvizError(f"metric(s) listed twice: {twin.name}{same}; list each metric once")
    return out


def check_paired(**options: Any) -> Resampling:
    """`evalviz.analysis.arguments.check_resampling` for a paired comparison of one metric: each resample keeps
    the baseline's and the candidate's value.

    Example:
        >>> check_paired(n_resamples=100, seed=1).n_resamples
        100
    """
    return check_resampling(**options, values_per_resample=2)


def bootstrap_metrics(
    labels: Any,
    scores: Any,
    *,
    metrics: str | Sequence[str | Metric] = ("pr_auc", "roc_auc"),
    n_resamples: int = 1000,
    seed: SeedLike = 0,
    method: Method = "percentile",
    confidence: float = 0.95,
    stratify: bool = False,
    clusters: Any = None,
    min_rows: int = 10,
) -> dict[str, BootstrapResult]:
    """Bootstrap intervals of several metrics at once, on the same resamples.

    Args:
        labels: 0/1 labels, one per row (None is fine for score-only metrics such as "mean").
        scores: Finite numbers, one per row.
        metrics: Metric names (`evalviz.analysis.available_metrics`, "accuracy@0.3") or `Metric` objects.
        n_resamples: Resamples to draw, at least 2 (1,000 to 10,000 are usual); bounded by memory
            (`evalviz.analysis.arguments.max_resamples`).
        seed: A non-negative int, None (fresh entropy, reported in `details["seed"]`), or a numpy Generator
            (entropy is drawn from it). The same seed gives the same resamples whatever else is computed.
        method: "percentile", "basic" (reflected percentile) or "bca" (bias-corrected and accelerated).
        confidence: The confidence level of `low` and `high`, strictly between 0 and 1 (`ci_95` is always at
            0.95).
        stratify: Resample positives and negatives separately, keeping the class balance (needs labels).
        clusters: One cluster id per row: all rows of a drawn cluster enter a resample together.
        min_rows: Data with fewer rows gives a skipped result.

    Returns:
        `{metric name: BootstrapResult}`. A single-class slice or fewer than `min_rows` rows gives a result with
        `status="skipped"` and the reason; an unexpected failure gives `status="error"`.

    Raises:
        EvalvizError: A bad argument (named, before any work), an unknown metric, labels that are not 0/1,
            scores that are not finite numbers, arrays of different lengths.

    Example:
        >>> import numpy as np
        >>> rng = np.random.default_rng(1)
        >>> y = rng.integers(0, 2, 500); s = y + rng.normal(size=500)
        >>> out = bootstrap_metrics(y, s, metrics=["pr_auc", "roc_auc"], n_resamples=200)
        >>> out["roc_auc"].low < out["roc_auc"].point < out["roc_auc"].high
        True
    """
    metric_objs = metric_list(metrics)
    resampling = check_resampling(
        n_resamples=n_resamples,
        seed=seed,
        method=method,
        confidence=confidence,
        min_rows=min_rows,
        stratify=stratify,
        values_per_resample=len(metric_objs),
    )
    return bootstrap_arrays(labels, [scores], ["scores"], metric_objs, resampling, paired=False, clusters=clusters)


def bootstrap_metric(
    labels: Any,
    scores: Any,
    *,
    metric: str | Metric = "pr_auc",
    n_resamples: int = 1000,
    seed: SeedLike = 0,
    method: Method = "percentile",
    confidence: float = 0.95,
    stratify: bool = False,
    clusters: Any = None,
    min_rows: int = 10,
) -> BootstrapResult:
    """Bootstrap interval of one metric on arrays.

    Args:
        labels: 0/1 labels, one per row (None for score-only metrics such as "mean").
        scores: Finite numbers, one per row.
        metric: A metric name or a `Metric`.
        n_resamples, seed, method, confidence, stratify, clusters, min_rows: As in `bootstrap_metrics`.

    Returns:
        The `BootstrapResult` (`to_dict()` gives eval-toolkit's dict).

    Raises:
        EvalvizError: As `bootstrap_metrics`.

    Example:
        >>> import numpy as np
        >>> r = bootstrap_metric(None, np.linspace(0, 1, 101), metric="mean", n_resamples=500)
        >>> round(r.point, 3), r.status
        (0.5, 'ok')
    """
    name = get_metric(metric).name
    return bootstrap_metrics(
        labels,
        scores,
        metrics=[metric],
        n_resamples=n_resamples,
        seed=seed,
        method=method,
        confidence=confidence,
        stratify=stratify,
        clusters=clusters,
        min_rows=min_rows,
    )[name]


def bootstrap_metric_from_predictions(
    ref: PredictionArtifactRef | Mapping[str, Any],
    *,
    metric: str | Metric = "pr_auc",
    n_resamples: int = 1000,
    seed: SeedLike = 0,
    method: Method = "percentile",
    confidence: float = 0.95,
    stratify: bool = False,
    cluster: str | None = None,
    min_rows: int = 10,
    scorer: str | None = None,
) -> BootstrapResult:
    """Bootstrap interval of a metric, recomputed from a persisted prediction artifact.

    The arguments are checked before the artifact is read.

    Args:
        ref: A `PredictionArtifactRef` or its `to_dict()`.
        metric: A metric name or a `Metric`.
        n_resamples, seed, method, confidence, stratify, min_rows: As in `bootstrap_metrics`.
        cluster: A column of the artifact whose rows are resampled together (e.g. the sample id across epochs).
        scorer: The scorer to pick from an artifact holding several in long form (a mapped `scorer` column);
            scorers are never pooled (`evaluate_slices({"run": ref})` gives them all).

    Returns:
        The `BootstrapResult`: `metric, point, low, high, ci_95, confidence, n_resamples, method, n` plus
        `status` ("ok", "skipped" or "error"), `reason` and `details`, read as a mapping or by attribute.

    Raises:
        EvalvizError: A bad argument, an unreadable or changed artifact (`DataSourceError`), a missing column,
            an artifact of several scorers without `scorer=`.

    Example:
        >>> ref = {"uri": "preds.parquet", "media_type": "application/vnd.apache.parquet",
        ...        "columns": {"label": "y", "score": "p"}}
        >>> r = bootstrap_metric_from_predictions(ref, metric="roc_auc", method="bca")  # doctest: +SKIP
        >>> r["point"], r["low"], r["high"]  # doctest: +SKIP
        (0.912, 0.905, 0.918)
    """
    from evalviz.analysis.readers import load_prediction_arrays, select_scorer

    metric_obj = get_metric(metric)
    resampling = check_resampling(
        n_resamples=n_resamples,
        seed=seed,
        method=method,
        confidence=confidence,
        min_rows=min_rows,
        stratify=stratify,
    )
    check_column_name("cluster", cluster)
    check_scorer("scorer", scorer)
    arrays = load_prediction_arrays(ref, extra_columns=[cluster] if cluster else [])
    alternative = ', or evaluate_slices({"name": ref}) for one result per scorer'
    arrays, _ = select_scorer(arrays, ref, scorer, alternative=alternative)
    res = bootstrap_arrays(
        arrays.labels,
        [arrays.scores],
        ["scores"],
        [metric_obj],
        resampling,
        paired=False,
        clusters=arrays.extra[cluster] if cluster else None,
    )
    return res[metric_obj.name]


def paired_bootstrap_diff(
    labels: Any,
    baseline_scores: Any,
    candidate_scores: Any,
    *,
    metric: str | Metric = "pr_auc",
    n_resamples: int = 1000,
    seed: SeedLike = 0,
    method: Method = "percentile",
    confidence: float = 0.95,
    stratify: bool = False,
    clusters: Any = None,
    min_rows: int = 10,
) -> PairedDiffResult:
    """Interval of `metric(candidate) - metric(baseline)` on the same rows, resampled together.

    Both scorers are evaluated on every resample, so the interval reflects the paired design.

    Args:
        labels: 0/1 labels, one per row (None for score-only metrics).
        baseline_scores: The baseline's scores, one per row.
        candidate_scores: The candidate's scores on the same rows, in the same order.
        metric: A metric name or a `Metric`.
        n_resamples, seed, method, confidence, stratify, clusters, min_rows: As in `bootstrap_metrics`.

    Returns:
        The `PairedDiffResult`: `metric, delta, low, high, ci_95, overlaps_zero, n_resamples, n` plus the
        `baseline` and `candidate` point values, `confidence, method, status, reason, details`.

    Raises:
        EvalvizError: As `bootstrap_metrics`; also when the two score arrays differ in length.

    Example:
        >>> import numpy as np
        >>> rng = np.random.default_rng(0)
        >>> y = rng.integers(0, 2, 2000)
        >>> old, new = y + rng.normal(size=2000), y + rng.normal(scale=0.7, size=2000)
        >>> d = paired_bootstrap_diff(y, old, new, metric="roc_auc", n_resamples=300)
        >>> d.delta > 0, d.overlaps_zero
        (True, False)
    """
    metric_obj = get_metric(metric)
    resampling = check_paired(
        n_resamples=n_resamples,
        seed=seed,
        method=method,
        confidence=confidence,
        min_rows=min_rows,
        stratify=stratify,
    )
    res = bootstrap_arrays(
        labels,
        [baseline_scores, candidate_scores],
        ["baseline_scores", "candidate_scores"],
        [metric_obj],
        resampling,
        paired=True,
        clusters=clusters,
    )
    return PairedDiffResult.from_bootstrap(res[metric_obj.name])


def resample_metric_values(metric: str | Metric, labels: Any, scores: Any, indices: np.ndarray) -> np.ndarray:
    """The metric on each resample given by row indices (one resample per row of `indices`).

    This is the vectorised path the bootstrap uses, exposed to check it against a reference implementation on
    the very same resamples.

    Args:
        metric: A metric name or a `Metric`.
        labels: 0/1 labels, one per row (None for score-only metrics).
        scores: Finite numbers, one per row.
        indices: A 2-D array of row numbers, resamples x rows.

    Returns:
        The metric on each resample; NaN where it is undefined.

    Raises:
        EvalvizError: `indices` is not a 2-D array of row numbers in range, or the inputs are bad.

    Example:
        >>> y = np.array([0, 1, 0, 1]); s = np.array([0.1, 0.9, 0.3, 0.2])
        >>> resample_metric_values("roc_auc", y, s, np.array([[0, 1, 2, 3], [0, 1, 1, 2]]))
        array([0.75, 1.  ])
    """
    m = get_metric(metric)
    y, (s,) = _prepare_inputs(labels, [scores], [m], ["scores"])
    idx = np.asarray(indices)
    if idx.size and not np.issubdtype(idx.dtype, np.integer):
        raise EvalvizError(f"indices must be whole row numbers, got dtype {idx.dtype}")
    idx = idx.astype(np.int64)
    if idx.ndim != 2:
        raise EvalvizError(f"indices must be 2-D (resamples x rows), got shape {idx.shape}")
    if idx.size and (idx.min() < 0 or idx.max() >= len(s)):
        raise EvalvizError(f"indices must lie in [0, {len(s)})")
    ev = Evaluator(y, s, [m])
    out = np.empty(idx.shape[0])
    step = max(1, CHUNK_ELEMENTS // max(idx.shape[1], 1))
    for start in range(0, idx.shape[0], step):
        out[start : start + step] = ev.evaluate(Resample(idx=idx[start : start + step]))[m.name]
    return out
