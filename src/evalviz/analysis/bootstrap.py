"""Bootstrap confidence intervals (percentile, basic, BCa), fast enough for 50,000-row slices.

All metrics of all scorers in one call share the same resamples. Resamples are drawn in
chunks, each from its own child of ``numpy.random.SeedSequence(seed)``, so a seed gives the same
answer whatever the number of threads (a numpy Generator is accepted as the seed: entropy is drawn
from it). Rows can be resampled freely, within each label
(``stratify=True``), or by cluster (``clusters=``: all rows of a drawn cluster enter together,
e.g. the epochs of one sample, as in Miller 2024, "Adding Error Bars to Evals").
"""

from __future__ import annotations

import functools
import math
import os
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from statistics import NormalDist
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
from evalviz.analysis.artifacts import MetricState, PredictionArtifactRef
from evalviz.analysis.metrics import (
    Metric,
    RankedScores,
    Workspace,
    as_labels,
    as_scores,
    check_metric_inputs,
    class_counts,
    get_metric,
    same_metric,
    scaled_rows,
)
from evalviz.errors import EvalvizError

__all__ = [
    "bootstrap_metric",
    "bootstrap_metric_from_predictions",
    "bootstrap_metrics",
    "paired_bootstrap_diff",
    "resample_metric_values",
]

Method = Literal["percentile", "basic", "bca"]

#: Elements (resamples x rows) drawn per chunk; bounds memory at a few tens of MB per thread.
_CHUNK_ELEMENTS = 1 << 18
#: Rows x clusters evaluated at most for an exact weighted leave-one-cluster-out jackknife.
_JACKKNIFE_BUDGET = 20_000_000
#: Units above which a custom metric's jackknife is grouped.
_CUSTOM_JACKKNIFE_UNITS = 1000
#: Below this share of resamples where the metric is defined, the interval is not reported.
_MIN_VALID_SHARE = 0.9
_THREADS = max(1, min(4, os.cpu_count() or 1))
_NORMAL = NormalDist()


class _Undefined(Exception):
    """An interval cannot be computed for a known reason (reported as a skipped metric)."""


@dataclass(frozen=True)
class _Resample:
    idx: np.ndarray | None = None  # (b, n) row indices
    weights: np.ndarray | None = None  # (b, n) row multiplicities

    @property
    def size(self) -> int:
        return (self.idx if self.idx is not None else self.weights).shape[0]  # type: ignore[union-attr]


def encode_clusters(clusters: Any, n: int) -> tuple[np.ndarray, int]:
    """Cluster ids -> (integer codes 0..K-1 per row, K), numbered in sorted order of the ids where they sort.

    Ids are told apart by value, as Python compares them: ``1`` and ``"1"`` are two clusters (a list is not
    first turned into one array type, which would make both the text ``"1"``), ``1`` and ``1.0`` one.

    Example:
        >>> encode_clusters([1, "1", 1.0, "a"], 4)[1]
        3
    """
    if isinstance(clusters, np.ndarray) and clusters.dtype != object:
        values = clusters
    elif isinstance(clusters, (str, bytes, Mapping)) or not hasattr(clusters, "__len__"):
        raise EvalvizError(f"clusters must give one id per row ({n} rows), got {type(clusters).__name__}")
    else:
        values = np.fromiter(clusters, dtype=object, count=len(clusters))
    if values.ndim != 1 or len(values) != n:
        raise EvalvizError(f"clusters must give one id per row ({n} rows), got shape {values.shape}")
    if values.dtype == object:
        return _codes_by_value(values)
    if values.dtype.kind == "f" and np.isnan(values).any():
        raise EvalvizError(
            f"cluster ids must not be missing; row {int(np.flatnonzero(np.isnan(values))[0])} is NaN"
        )
    _, codes = np.unique(values, return_inverse=True)
    codes = codes.astype(np.int64).ravel()
    return codes, int(codes.max() + 1) if n else 0


def _codes_by_value(values: np.ndarray) -> tuple[np.ndarray, int]:
    """Codes of Python objects, numbered in sorted order (in order of first appearance where ids of different
    types do not sort); a missing or unhashable id raises."""
    index: dict[Any, int] = {}
    codes = np.empty(len(values), dtype=np.int64)
    for i, value in enumerate(values):
        if value is None or (isinstance(value, float) and math.isnan(value)):
            raise EvalvizError(f"cluster ids must not be missing; row {i} is {value!r}")
        try:
            codes[i] = index.setdefault(value, len(index))
        except TypeError:
            raise EvalvizError(
                f"cluster ids must be single values (text or numbers); row {i} has {type(value).__name__} {value!r}"
            ) from None
    try:
        ordered = sorted(index)
    except TypeError:
        return codes, len(index)
    number = np.empty(len(index), dtype=np.int64)
    number[[index[v] for v in ordered]] = np.arange(len(index))
    return number[codes], len(index)


def _uniform_indices(
    rng: np.random.Generator, upper: int, shape: tuple[int, int], ws: Workspace, name: str
) -> np.ndarray:
    """Integers uniform on [0, upper), written into a reused buffer.

    ``floor(u * upper)`` of a 53-bit uniform double: each value's probability is off by at most
    ``upper / 2**53`` (about 1e-11 for 50,000 rows), far below any Monte Carlo error, and unlike
    ``Generator.integers`` it needs no fresh array per chunk.
    """
    uniform = ws.get(name + "_uniform", shape, np.float64)
    rng.random(out=uniform)
    out = ws.get(name, shape, np.int64)
    # u <= 1 - 2**-53, so u * upper rounds below upper for any upper < 2**53: the cast floors into range.
    np.multiply(uniform, upper, out=out, casting="unsafe")
    return out


class _Design:
    """How resamples are drawn: free rows, within labels, or whole clusters."""

    def __init__(
        self,
        n: int,
        *,
        labels: np.ndarray | None = None,
        stratify: bool = False,
        clusters: Any = None,
    ) -> None:
        self.n = n
        self.codes: np.ndarray | None = None
        self.n_clusters = 0
        self.strata: list[np.ndarray] | None = None
        if clusters is not None:
            self.codes, self.n_clusters = encode_clusters(clusters, n)
        if stratify:
            if labels is None:
                raise EvalvizError("stratify=True needs labels to stratify by")
            if clusters is not None:
                raise EvalvizError("stratify=True and clusters cannot be combined; choose one")
            self.strata = [s for s in (np.flatnonzero(labels == 1), np.flatnonzero(labels == 0)) if len(s)]
            # Column j of a resample draws from the rows of its stratum: strata_rows[start + floor(u * size)].
            self.strata_rows = np.concatenate(self.strata)
            self.strata_size = np.concatenate([np.full(len(r), float(len(r))) for r in self.strata])
            self.strata_start = np.concatenate(
                [
                    np.full(len(r), start, dtype=np.int64)
                    for r, start in zip(self.strata, self._starts(), strict=True)
                ]
            )

    def _starts(self) -> list[int]:
        starts, total = [], 0
        for rows in self.strata or []:
            starts.append(total)
            total += len(rows)
        return starts

    @property
    def n_units(self) -> int:
        return self.n_clusters if self.codes is not None else self.n

    def describe(self) -> str:
        if self.codes is not None:
            return "cluster"
        return "stratified" if self.strata is not None else "rows"

    def chunk_size(self, n_resamples: int) -> int:
        """Resamples drawn per chunk: a chunk holds about ``_CHUNK_ELEMENTS`` (resample, row) pairs."""
        width = max(self.n, self.n_clusters, 1)
        return max(1, min(n_resamples, _CHUNK_ELEMENTS // width))

    def draw(self, rng: np.random.Generator, b: int, ws: Workspace | None = None) -> _Resample:
        ws = ws or Workspace()
        if self.codes is not None:
            k = self.n_clusters
            picks = _uniform_indices(rng, k, (b, k), ws, "cluster")
            picks += (np.arange(b, dtype=np.int64) * k)[:, None]
            counts = np.bincount(picks.ravel(), minlength=b * k).reshape(b, k).astype(np.float64)
            weights = ws.get("weights", (b, self.n), np.float64)
            return _Resample(weights=np.take(counts, self.codes, axis=1, out=weights, mode="clip"))
        if self.strata is not None:
            uniform = ws.get("idx_uniform", (b, self.n), np.float64)
            rng.random(out=uniform)
            local = ws.get("strata_local", (b, self.n), np.int64)
            np.multiply(uniform, self.strata_size, out=local, casting="unsafe")  # floor(u * size) < size
            local += self.strata_start
            idx = ws.get("idx", (b, self.n), np.int64)
            return _Resample(idx=np.take(self.strata_rows, local, out=idx, mode="clip"))
        return _Resample(idx=_uniform_indices(rng, self.n, (b, self.n), ws, "idx"))

    def identity(self) -> _Resample:
        return _Resample(idx=np.arange(self.n)[None, :])


class _Evaluator:
    """One scorer's data prepared for every requested metric."""

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
        self, rs: _Resample, *, strict: bool = False, ws: Workspace | None = None
    ) -> dict[str, np.ndarray]:
        """Every metric on every resample, NaN where undefined; ``strict`` lets a custom metric's exception
        through."""
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

    def _class_counts(self, rs: _Resample) -> tuple[np.ndarray, np.ndarray]:
        """Positive and negative rows of each resample."""
        labels = self.labels.astype(np.float64)  # type: ignore[union-attr]
        if rs.idx is not None:
            n_pos = np.take(labels, rs.idx, mode="clip").sum(axis=1)
            return n_pos, rs.idx.shape[1] - n_pos
        n_pos = rs.weights @ labels  # type: ignore[operator]
        return n_pos, rs.weights.sum(axis=1) - n_pos  # type: ignore[union-attr]

    def call_custom(self, metric: Metric, sel: np.ndarray | None, *, strict: bool = False) -> float:
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

    def jackknife(self, metric: Metric, design: _Design, resampling: Resampling) -> tuple[np.ndarray, str]:
        """Leave-one-unit-out values of ``metric`` (a unit is a row or a cluster), NaN where leaving a unit out
        leaves the metric undefined."""
        values, how, groups = self._leave_out(metric, design, resampling)
        if metric.needs_classes and self.labels is not None:
            left_pos = np.bincount(groups, weights=self.labels, minlength=len(values))
            left_size = np.bincount(groups, minlength=len(values))
            n_pos, n_neg = class_counts(self.labels)  # type: ignore[misc]
            values = metric.where_defined(values, n_pos - left_pos, n_neg - (left_size - left_pos))
        return values, how

    def _leave_out(
        self, metric: Metric, design: _Design, resampling: Resampling
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
            step = max(1, _CHUNK_ELEMENTS // max(n, 1))
            for start in range(0, n_groups, step):
                ids = np.arange(start, min(start + step, n_groups))
                weights = (groups[None, :] != ids[:, None]).astype(np.float64)
                out[ids] = self.evaluate(_Resample(weights=weights))[name]
        else:
            for g in range(n_groups):
                out[g] = self.call_custom(metric, np.flatnonzero(groups != g))
        how = "exact" if exact else f"grouped ({n_groups} groups)"
        return out, how, groups


def _distribution(
    evaluators: Sequence[_Evaluator], design: _Design, resampling: Resampling
) -> list[dict[str, np.ndarray]]:
    """Bootstrap values of every metric of every evaluator, on shared resamples.

    Chunk ``i`` draws from the ``i``-th child of the seed and writes its slice of the preallocated results, so
    the values do not depend on the number of threads, and memory holds the results and one chunk per thread.
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


def _quantiles(values: np.ndarray, probs: Sequence[float]) -> tuple[float, float]:
    lo, hi = np.quantile(values, probs)
    return float(lo), float(hi)


def _acceleration(jack: np.ndarray) -> float:
    top = float(np.max(np.abs(jack))) if len(jack) else 0.0
    jack = jack / top if top > 0 else jack  # the acceleration does not change with the scale: no overflow
    d = jack.mean() - jack
    den = 6.0 * float(np.sum(d**2)) ** 1.5
    return float(np.sum(d**3)) / den if den > 0 else 0.0


def _interval(
    point: float, boot: np.ndarray, method: str, confidence: float, jack: np.ndarray | None
) -> tuple[float, float]:
    alpha = (1 - confidence) / 2
    if method == "percentile":
        return _quantiles(boot, [alpha, 1 - alpha])
    if method == "basic":
        lo, hi = _quantiles(boot, [alpha, 1 - alpha])
        return 2 * point - hi, 2 * point - lo
    share = (np.count_nonzero(boot < point) + np.count_nonzero(boot <= point)) / (2 * len(boot))
    if share <= 0 or share >= 1:
        raise _Undefined(
            "BCa is undefined: every resample lies on one side of the point estimate; use method='percentile'"
        )
    if jack is None or not np.all(np.isfinite(jack)):
        raise _Undefined(
            "BCa is undefined: leaving one unit out makes the metric undefined "
            "(e.g. a class with a single row)"
        )
    z0 = _NORMAL.inv_cdf(share)
    a = _acceleration(jack)
    probs = []
    for z in (_NORMAL.inv_cdf(alpha), _NORMAL.inv_cdf(1 - alpha)):
        probs.append(_NORMAL.cdf(z0 + (z0 + z) / (1 - a * (z0 + z))))
    return _quantiles(boot, probs)


def _ok(
    metric: str,
    point: float,
    lo: float,
    hi: float,
    ci95: tuple[float, float],
    common: dict[str, Any],
    details: dict[str, Any],
) -> dict[str, Any]:
    return {
        "metric": metric,
        "point": point,
        "low": lo,
        "high": hi,
        "ci_95": [ci95[0], ci95[1]],
        **common,
        "status": "ok",
        "reason": "",
        "details": details,
    }


def _not_ok(
    metric: str, status: str, reason: str, common: dict[str, Any], details: dict[str, Any]
) -> dict[str, Any]:
    state = MetricState(None, status, reason, details).to_dict()  # type: ignore[arg-type]
    return {
        "metric": metric,
        "point": None,
        "low": None,
        "high": None,
        "ci_95": None,
        **common,
        **state,
        "details": state.get("details", {}),
    }


def _summarise(
    metric_obj: Metric,
    point: float,
    boot: np.ndarray,
    jack_fn: Any,
    *,
    method: str,
    confidence: float,
    common: dict[str, Any],
    details: dict[str, Any],
    what: str = "metric",
) -> dict[str, Any]:
    """Turn a bootstrap distribution into an ok/skipped result."""
    metric = metric_obj.name
    if math.isinf(point):
        reason = f"the {what} is {point} on this data: beyond what a float64 holds (about 1.8e308)"
        return _not_ok(metric, "skipped", reason, common, details)
    if not math.isfinite(point):
        return _not_ok(metric, "skipped", f"the {what} is undefined on this data", common, details)
    valid = np.isfinite(boot)
    n_valid = int(valid.sum())
    if n_valid < len(boot):
        details = {**details, "n_invalid_resamples": len(boot) - n_valid}
    if n_valid < max(2, _MIN_VALID_SHARE * len(boot)):
        if np.isinf(boot).sum() == len(boot) - n_valid:
            why = "there it is beyond what a float64 holds"
        elif metric_obj.needs_classes:
            why = "too few rows of one class; stratify=True keeps both classes in every resample"
        else:
            why = "the metric gave NaN or failed on them"
        return _not_ok(
            metric,
            "skipped",
            f"the {what} is undefined on {len(boot) - n_valid} of {len(boot)} resamples ({why})",
            common,
            details,
        )
    boot = boot[valid]
    jack = None
    if method == "bca":
        jack, how = jack_fn()
        details = {**details, "jackknife": how}
    try:
        lo, hi = _interval(point, boot, method, confidence, jack)
        ci95 = (lo, hi) if confidence == 0.95 else _interval(point, boot, method, 0.95, jack)
    except _Undefined as exc:
        return _not_ok(metric, "skipped", str(exc), common, details)
    return _ok(metric, point, lo, hi, ci95, common, details)


def _precheck(
    metric: Metric, labels: np.ndarray | None, n: int, design: _Design, min_rows: int
) -> str | None:
    """Why this metric is skipped on this data, or None."""
    if n < min_rows:
        return f"too few rows: {n} (min_rows={min_rows})"
    if design.codes is not None and design.n_clusters < 2:
        return f"too few clusters to resample: {design.n_clusters}"
    counts = class_counts(labels)
    return None if counts is None else metric.undefined_reason(*counts)


def _run_bootstrap(
    labels: np.ndarray | None,
    score_arrays: Sequence[np.ndarray],
    metrics: Sequence[Metric],
    resampling: Resampling,
    *,
    clusters: Any,
    paired: bool,
) -> list[dict[str, dict[str, Any]]]:
    """Shared engine: per scorer (or, when paired, for candidate - baseline), per metric, a result."""
    n = len(score_arrays[0])
    check_memory(resampling.n_resamples, len(metrics) * len(score_arrays))
    design = _Design(n, labels=labels, stratify=resampling.stratify, clusters=clusters)
    common = {
        "confidence": resampling.confidence,
        "n_resamples": resampling.n_resamples,
        "method": resampling.method,
        "n": n,
    }
    base_details: dict[str, Any] = {"resampling": design.describe(), "seed": resampling.seed_label}
    if design.codes is not None:
        base_details["n_clusters"] = design.n_clusters
    counts = class_counts(labels)
    if counts is not None:
        base_details["n_positive"] = counts[0]
    n_out = 1 if paired else len(score_arrays)
    results: list[dict[str, dict[str, Any]]] = [{} for _ in range(n_out)]
    runnable: list[Metric] = []
    for metric in metrics:
        reason = _precheck(metric, labels, n, design, resampling.min_rows)
        if reason is None:
            runnable.append(metric)
        else:
            for res in results:
                res[metric.name] = _not_ok(metric.name, "skipped", reason, common, dict(base_details))
    if not runnable:
        return results
    summarise = functools.partial(
        _summarise, method=resampling.method, confidence=resampling.confidence, common=common
    )
    try:
        evaluators = [_Evaluator(labels, s, runnable) for s in score_arrays]
        points = [ev.evaluate(design.identity(), strict=True) for ev in evaluators]
        boots = _distribution(evaluators, design, resampling)
        for metric in runnable:
            name = metric.name
            if paired:
                base_ev, cand_ev = evaluators
                point_b = float(points[0][name][0])
                point_c = float(points[1][name][0])

                def jack_fn(
                    metric: Metric = metric, base_ev: _Evaluator = base_ev, cand_ev: _Evaluator = cand_ev
                ) -> tuple[np.ndarray, str]:
                    jb, how = base_ev.jackknife(metric, design, resampling)
                    jc, _ = cand_ev.jackknife(metric, design, resampling)
                    return jc - jb, how

                with np.errstate(over="ignore"):  # a difference beyond a float64 is inf, and said so
                    diff_point, diff_boot = point_c - point_b, boots[1][name] - boots[0][name]
                results[0][name] = summarise(
                    metric,
                    diff_point,
                    diff_boot,
                    jack_fn,
                    details={**base_details, "baseline": point_b, "candidate": point_c},
                    what="difference",
                )
            else:
                for i, ev in enumerate(evaluators):

                    def jack_fn(metric: Metric = metric, ev: _Evaluator = ev) -> tuple[np.ndarray, str]:
                        return ev.jackknife(metric, design, resampling)

                    results[i][name] = summarise(
                        metric, float(points[i][name][0]), boots[i][name], jack_fn, details=dict(base_details)
                    )
    except Exception as exc:  # an unexpected failure becomes an error metric, not a crash
        reason = f"unexpected failure: {type(exc).__name__}: {exc}"
        for metric in runnable:
            for res in results:
                res[metric.name] = _not_ok(metric.name, "error", reason, common, dict(base_details))
    return results


def _prepare_inputs(
    labels: Any, scores_list: Sequence[Any], metrics: Sequence[Metric], what: Sequence[str]
) -> tuple[np.ndarray | None, list[np.ndarray]]:
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


def _bootstrap_arrays(
    labels: Any,
    scores_list: Sequence[Any],
    what: Sequence[str],
    metrics: Sequence[Metric],
    resampling: Resampling,
    *,
    paired: bool,
    clusters: Any,
) -> dict[str, dict[str, Any]]:
    """Check user arrays (named by ``what`` in errors) and run the engine on them: ``{metric: result}``.

    With ``paired``, ``scores_list`` is ``[baseline, candidate]`` and the results are of the difference.
    """
    y, arrays = _prepare_inputs(labels, scores_list, metrics, what)
    (res,) = _run_bootstrap(y, arrays, metrics, resampling, clusters=clusters, paired=paired)
    return res


def _metric_list(metrics: str | Metric | Sequence[str | Metric]) -> list[Metric]:
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
) -> dict[str, dict[str, Any]]:
    """Bootstrap intervals of several metrics at once, on the same resamples.

    ``labels`` are 0/1 (``None`` is fine for score-only metrics such as ``mean``), ``scores``
    finite numbers. Returns ``{metric: result}`` where each result has ``metric, point, low, high,
    ci_95, confidence, n_resamples, method, n, status, reason, details``. A slice with a single
    class or fewer than ``min_rows`` rows gives ``status="skipped"`` with the reason; an
    unexpected failure gives ``status="error"``. ``seed`` is a non-negative int, None or a numpy
    Generator (entropy is drawn from it); bad arguments raise an ``EvalvizError`` before any work, and
    ``n_resamples`` is bounded by memory (:func:`evalviz.analysis.arguments.max_resamples`).

    Example:
        >>> import numpy as np
        >>> rng = np.random.default_rng(1)
        >>> y = rng.integers(0, 2, 500); s = y + rng.normal(size=500)
        >>> out = bootstrap_metrics(y, s, metrics=["pr_auc", "roc_auc"], n_resamples=200)
        >>> out["roc_auc"]["low"] < out["roc_auc"]["point"] < out["roc_auc"]["high"]
        True
    """
    metric_objs = _metric_list(metrics)
    resampling = check_resampling(
        n_resamples=n_resamples,
        seed=seed,
        method=method,
        confidence=confidence,
        min_rows=min_rows,
        stratify=stratify,
        values_per_resample=len(metric_objs),
    )
    return _bootstrap_arrays(labels, [scores], ["scores"], metric_objs, resampling, paired=False, clusters=clusters)


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
) -> dict[str, Any]:
    """Bootstrap interval of one metric on arrays; see :func:`bootstrap_metrics`.

    Example:
        >>> import numpy as np
        >>> r = bootstrap_metric(None, np.linspace(0, 1, 101), metric="mean", n_resamples=500)
        >>> round(r["point"], 3), r["status"]
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
) -> dict[str, Any]:
    """Bootstrap interval of a metric, recomputed from a persisted prediction artifact.

    ``ref`` is a :class:`PredictionArtifactRef` or its ``to_dict()``. ``cluster`` names a column
    of the artifact whose rows are resampled together (e.g. the sample id across epochs). An artifact
    that holds several scorers in long form (a mapped ``scorer`` column) is never pooled: ``scorer``
    picks one (``evaluate_slices({"run": ref})`` gives them all).
    Returns ``metric, point, low, high, ci_95, confidence, n_resamples, method, n`` plus
    ``status`` (``ok``/``skipped``/``error``), ``reason`` and ``details``. The arguments are
    checked before the artifact is read (see :func:`bootstrap_metrics`).

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
    res = _bootstrap_arrays(
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
) -> dict[str, Any]:
    """Interval of ``metric(candidate) - metric(baseline)`` on the same rows, resampled together.

    Both scorers are evaluated on every resample, so the interval reflects the paired design.
    Returns ``metric, delta, low, high, ci_95, overlaps_zero, n_resamples, n`` plus
    ``baseline``/``candidate`` point values, ``confidence, method, status, reason, details``.
    The arguments are checked as in :func:`bootstrap_metrics`.

    Example:
        >>> import numpy as np
        >>> rng = np.random.default_rng(0)
        >>> y = rng.integers(0, 2, 2000)
        >>> old, new = y + rng.normal(size=2000), y + rng.normal(scale=0.7, size=2000)
        >>> d = paired_bootstrap_diff(y, old, new, metric="roc_auc", n_resamples=300)
        >>> d["delta"] > 0, d["overlaps_zero"]
        (True, False)
    """
    metric_obj = get_metric(metric)
    resampling = _check_paired(
        n_resamples=n_resamples,
        seed=seed,
        method=method,
        confidence=confidence,
        min_rows=min_rows,
        stratify=stratify,
    )
    res = _bootstrap_arrays(
        labels,
        [baseline_scores, candidate_scores],
        ["baseline_scores", "candidate_scores"],
        [metric_obj],
        resampling,
        paired=True,
        clusters=clusters,
    )
    return _paired_shape(res[metric_obj.name])


def _check_paired(**options: Any) -> Resampling:
    """:func:`~evalviz.analysis.arguments.check_resampling` for a paired comparison of one metric: each
    resample keeps the baseline's and the candidate's value."""
    return check_resampling(**options, values_per_resample=2)


def _paired_shape(res: dict[str, Any]) -> dict[str, Any]:
    details = dict(res.get("details") or {})
    ok = res["status"] == "ok"
    out: dict[str, Any] = {
        "metric": res["metric"],
        "delta": res["point"],
        "low": res["low"],
        "high": res["high"],
        "ci_95": res["ci_95"],
        "overlaps_zero": (res["low"] <= 0 <= res["high"]) if ok else None,
        "n_resamples": res["n_resamples"],
        "n": res["n"],
        "baseline": details.pop("baseline", None),
        "candidate": details.pop("candidate", None),
        "confidence": res["confidence"],
        "method": res["method"],
        "status": res["status"],
        "reason": res["reason"],
        "details": details,
    }
    if not ok:
        out["value"] = None
    return out


def resample_metric_values(metric: str | Metric, labels: Any, scores: Any, indices: np.ndarray) -> np.ndarray:
    """The metric on each resample given by row indices (one resample per row of ``indices``).

    This is the vectorised path the bootstrap uses, exposed to check it against a reference
    implementation on the very same resamples. NaN marks a resample where the metric is undefined.

    Example:
        >>> import numpy as np
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
    ev = _Evaluator(y, s, [m])
    out = np.empty(idx.shape[0])
    step = max(1, _CHUNK_ELEMENTS // max(idx.shape[1], 1))
    for start in range(0, idx.shape[0], step):
        out[start : start + step] = ev.evaluate(_Resample(idx=idx[start : start + step]))[m.name]
    return out
