"""Every requested metric on every resample: the bootstrap distribution, and the jackknife BCa needs.

An `Evaluator` holds one scorer's data prepared once for all its metrics (scores sorted once for the rank metrics,
row values scaled for the row means); `distribution` draws the resamples in chunks, on up to `_THREADS` threads,
and evaluates every scorer on each chunk, so that all metrics of all scorers share their resamples.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from evalviz.analysis.arguments import Resampling
from evalviz.analysis.metrics import Metric, RankedScores, Workspace, class_counts, scaled_rows
from evalviz.analysis.resampling import CHUNK_ELEMENTS, Design, Resample

__all__ = ["Evaluator", "distribution"]

#: Rows x clusters evaluated at most for an exact weighted leave-one-cluster-out jackknife.
_JACKKNIFE_BUDGET = 20_000_000
#: Units above which a custom metric's jackknife is grouped.
_CUSTOM_JACKKNIFE_UNITS = 1000
_THREADS = max(1, min(4, os.cpu_count() or 1))


class Evaluator:
    """One scorer's data prepared for every requested metric: scores ranked once for the rank metrics, row
    values scaled once for the row means.

    Args:
        labels: 0/1 labels (None for score-only metrics).
        scores: The scorer's scores, one per row.
        metrics: The metrics to evaluate.

    Example:
        >>> from evalviz.analysis.metrics import get_metric
        >>> ev = Evaluator(None, np.array([1.0, 2.0, 6.0]), [get_metric("mean")])
        >>> ev.evaluate(Resample(idx=np.array([[0, 1, 2], [2, 2, 2]])))["mean"]
        array([3., 6.])
    """

    def __init__(self, labels: np.ndarray | None, scores: np.ndarray, metrics: Sequence[Metric]) -> None:
        self.labels = labels
        self.scores = scores
        self.n = len(scores)
        self.metrics = list(metrics)
        self.rank_names = tuple(m.name for m in metrics if m.kind == "rank")
        self.ranked = RankedScores(labels, scores) if self.rank_names else None  # type: ignore[arg-type]
        # Row values scaled so that no sum overflows: a mean is np.ldexp(mean of scaled values, exponent).
        self.rows: dict[str, np.ndarray] = {}
        self.row_exp: dict[str, int] = {}
        for m in metrics:
            if m.kind == "rowmean":
                self.rows[m.name], self.row_exp[m.name] = scaled_rows(m.row_values(labels, scores))
        self.custom = [m for m in metrics if m.kind == "custom"]
        # Rank metrics apply the rule of definedness themselves, from the class counts they compute anyway.
        self.class_bound = [m for m in metrics if m.kind != "rank" and m.needs_classes and labels is not None]

    def evaluate(
        self, rs: Resample, *, strict: bool = False, ws: Workspace | None = None
    ) -> dict[str, np.ndarray]:
        """Every metric on every resample of `rs`, NaN where undefined; `strict` lets a custom metric's
        exception through (for the point values), and `ws` lends reusable buffers."""
        out: dict[str, np.ndarray] = {}
        if self.ranked is not None:
            if rs.idx is not None:
                out.update(self.ranked.metrics_from_indices(rs.idx, self.rank_names, ws))
            else:
                out.update(self.ranked.metrics_from_weights(rs.weights, self.rank_names, ws))  # type: ignore[arg-type]
        for name, values in self.rows.items():
            if rs.idx is not None:
                taken = np.take(
                    values,
                    rs.idx,
                    mode="clip",
                    out=None if ws is None else ws.get("rowvalues", rs.idx.shape, np.float64),
                )
                out[name] = np.ldexp(taken.mean(axis=1), self.row_exp[name])
            else:
                w = rs.weights
                with np.errstate(divide="ignore", invalid="ignore"):
                    out[name] = np.ldexp((w @ values) / w.sum(axis=1), self.row_exp[name])  # type: ignore[union-attr]
        counts = self._class_counts(rs) if self.class_bound else None
        for metric in self.custom:
            vals = np.full(rs.size, np.nan)
            defined = metric.defined(*counts) if counts is not None and metric in self.class_bound else None
            for i in range(rs.size):
                if defined is not None and not defined[i]:
                    continue  # undefined here: the function is not called
                if rs.idx is not None:
                    sel = rs.idx[i]
                else:
                    sel = np.repeat(np.arange(self.n), rs.weights[i].astype(np.int64))  # type: ignore[index]
                vals[i] = self.call_custom(metric, sel, strict=strict)
            out[metric.name] = vals
        if counts is not None:
            for metric in self.class_bound:
                out[metric.name] = metric.where_defined(out[metric.name], *counts)
        return out

    def _class_counts(self, rs: Resample) -> tuple[np.ndarray, np.ndarray]:
        """Positive and negative rows of each resample."""
        labels = self.labels.astype(np.float64)  # type: ignore[union-attr]
        if rs.idx is not None:
            n_pos = np.take(labels, rs.idx, mode="clip").sum(axis=1)
            return n_pos, rs.idx.shape[1] - n_pos
        n_pos = rs.weights @ labels  # type: ignore[operator]
        return n_pos, rs.weights.sum(axis=1) - n_pos  # type: ignore[union-attr]

    def call_custom(self, metric: Metric, sel: np.ndarray | None, *, strict: bool = False) -> float:
        """A custom metric's function on the rows `sel` (all rows when None); NaN where it fails, unless
        `strict`."""
        labels = None if self.labels is None or not metric.requires_labels else self.labels
        scores = self.scores
        if sel is not None:
            labels = None if labels is None else labels[sel]
            scores = scores[sel]
        try:
            return float(metric.func(labels, scores))  # type: ignore[misc]
        except Exception:
            if strict:
                raise
            return math.nan  # undefined on this resample

    def jackknife(self, metric: Metric, design: Design, resampling: Resampling) -> tuple[np.ndarray, str]:
        """Leave-one-unit-out values of `metric` (a unit is a row or a cluster), NaN where leaving a unit out
        leaves the metric undefined, and how they were computed ("exact", or "grouped (k groups)" on large data).
        """
        values, how, groups = self._leave_out(metric, design, resampling)
        if metric.needs_classes and self.labels is not None:
            left_pos = np.bincount(groups, weights=self.labels, minlength=len(values))
            left_size = np.bincount(groups, minlength=len(values))
            n_pos, n_neg = class_counts(self.labels)  # type: ignore[misc]
            values = metric.where_defined(values, n_pos - left_pos, n_neg - (left_size - left_pos))
        return values, how

    def _leave_out(
        self, metric: Metric, design: Design, resampling: Resampling
    ) -> tuple[np.ndarray, str, np.ndarray]:
        """(the metric with each group of rows left out in turn, how, each row's group)."""
        name = metric.name
        n = self.n
        if metric.kind == "rowmean":
            values, e = self.rows[name], self.row_exp[name]
            total = values.sum()
            with np.errstate(divide="ignore", invalid="ignore"):
                if design.codes is None:
                    return np.ldexp((total - values) / (n - 1), e), "exact", np.arange(n)
                sums = np.bincount(design.codes, weights=values, minlength=design.n_clusters)
                sizes = np.bincount(design.codes, minlength=design.n_clusters)
                return np.ldexp((total - sums) / (n - sizes), e), "exact", design.codes
        if metric.kind == "rank" and self.ranked is not None:
            if design.codes is None:
                loo = self.ranked.loo_roc_auc() if name == "roc_auc" else self.ranked.loo_pr_auc()
                return loo, "exact", np.arange(n)
            if name == "roc_auc":
                return self.ranked.loo_roc_auc_clusters(design.codes, design.n_clusters), "exact", design.codes
        units = design.codes if design.codes is not None else np.arange(n)
        n_units = design.n_units
        if metric.kind == "rank":
            exact = n_units * n <= _JACKKNIFE_BUDGET
            n_groups = n_units if exact else max(50, _JACKKNIFE_BUDGET // max(n, 1))
        else:
            exact = n_units <= _CUSTOM_JACKKNIFE_UNITS
            n_groups = n_units if exact else _CUSTOM_JACKKNIFE_UNITS
        if exact:
            groups = units
        else:
            assign = np.random.default_rng(resampling.child_seed(0)).permutation(n_units) % n_groups
            groups = assign[units]
        out = np.empty(n_groups)
        if metric.kind == "rank":
            step = max(1, CHUNK_ELEMENTS // max(n, 1))
            for start in range(0, n_groups, step):
                ids = np.arange(start, min(start + step, n_groups))
                weights = (groups[None, :] != ids[:, None]).astype(np.float64)
                out[ids] = self.evaluate(Resample(weights=weights))[name]
        else:
            for g in range(n_groups):
                out[g] = self.call_custom(metric, np.flatnonzero(groups != g))
        how = "exact" if exact else f"grouped ({n_groups} groups)"
        return out, how, groups


def distribution(
    evaluators: Sequence[Evaluator], design: Design, resampling: Resampling
) -> list[dict[str, np.ndarray]]:
    """Bootstrap values of every metric of every evaluator, on shared resamples.

    Chunk `i` draws from the `i`-th child of the seed and writes its slice of the preallocated results, so the
    values do not depend on the number of threads, and memory holds the results and one chunk per thread.

    Args:
        evaluators: One per scorer; all are evaluated on the same resamples.
        design: How the resamples are drawn.
        resampling: The number of resamples and the seed.

    Returns:
        Per evaluator, `{metric name: its value on each resample}` (NaN where undefined).

    Example:
        >>> from evalviz.analysis.arguments import check_resampling
        >>> from evalviz.analysis.metrics import get_metric
        >>> ev = Evaluator(None, np.arange(10.0), [get_metric("mean")])
        >>> (boot,) = distribution([ev], Design(10), check_resampling(n_resamples=200, seed=1))
        >>> boot["mean"].shape, bool(0 <= boot["mean"].min() <= boot["mean"].max() <= 9)
        ((200,), True)
    """
    n_resamples = resampling.n_resamples
    per_chunk = design.chunk_size(n_resamples)
    n_chunks = -(-n_resamples // per_chunk)
    out = [{m.name: np.empty(n_resamples) for m in ev.metrics} for ev in evaluators]
    lock = threading.Lock()
    next_chunk = iter(range(n_chunks))

    def work() -> None:
        ws = Workspace()
        while True:
            with lock:
                i = next(next_chunk, None)
            if i is None:
                return
            start = i * per_chunk
            b = min(per_chunk, n_resamples - start)
            # SFC64: a fast, statistically strong generator; each chunk has its own child seed.
            resample = design.draw(np.random.Generator(np.random.SFC64(resampling.child_seed(i))), b, ws)
            for ev, dest in zip(evaluators, out, strict=True):
                for name, values in ev.evaluate(resample, ws=ws).items():
                    dest[name][start : start + b] = values

    threads = _THREADS if n_chunks > 1 and design.n * n_resamples >= (1 << 20) else 1
    if threads == 1:
        work()
    else:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            for future in [pool.submit(work) for _ in range(threads)]:
                future.result()
    return out
