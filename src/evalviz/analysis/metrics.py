"""Metrics, their registry, and vectorised versions that score many bootstrap resamples at once.

Three kinds of metric:

* **rank** metrics (``pr_auc``, ``roc_auc``) depend on the order of scores. Scores are sorted once;
  a resample is then just a count per (tied-score group, label), and the metric is a pass over
  cumulative counts. Tied scores form one group, exactly like scikit-learn's curves.
* **row-mean** metrics (``accuracy``, ``brier``, ``log_loss``, ``mean``) average a per-row value,
  so a resample is a weighted mean.
* **custom** metrics registered with :func:`register_metric` are plain functions
  ``f(labels, scores) -> float``, called once per resample (or, with ``per_row=True``, a
  function returning per-row values, which gets the fast row-mean path).

Where a metric is undefined is one rule, :meth:`Metric.defined`, read from what the metric declares it needs
(both classes, or a positive row). The value on the data (:func:`compute_metric`), every resample of the
vectorised paths, every leave-one-out value of the jackknife and the bootstrap's count of valid resamples all
apply it, so a metric is NaN exactly where the rule says, on every path.
"""

from __future__ import annotations

import inspect
import math
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from evalviz.errors import ArgumentTypeError, EvalvizError, UnknownNameError

__all__ = [
    "Metric",
    "available_metrics",
    "compute_metric",
    "get_metric",
    "register_metric",
    "unregister_metric",
]

MetricKind = Literal["rank", "rowmean", "custom"]


@dataclass(frozen=True)
class Metric:
    """A named metric and what it needs from the data.

    Attributes:
        name: The name `metric=` takes ("accuracy@0.3" for accuracy at a threshold).
        kind: How resamples are scored: "rank" (from sorted scores: pr_auc, roc_auc), "rowmean" (a mean of row
            values, vectorised) or "custom" (a function called once per resample).
        requires_labels: Needs a 0/1 label column.
        requires_both_classes: Undefined unless both labels occur (a single-class slice is skipped, a
            single-class resample is invalid).
        unit_interval: Scores must lie in [0, 1].
        higher_is_better: Informational (for reading a paired difference).
        description: One line saying what the metric is.
        func: The function of a registered metric.
        threshold: Accuracy's threshold.
        requires_positive: Undefined without a positive row (e.g. a recall).

    Example:
        >>> get_metric("roc_auc").requires_both_classes
        True
    """

    name: str
    kind: MetricKind
    requires_labels: bool = True
    requires_both_classes: bool = False
    unit_interval: bool = False
    higher_is_better: bool = True
    description: str = ""
    func: Callable[..., object] | None = field(default=None, repr=False, compare=False)
    threshold: float | None = None
    requires_positive: bool = False

    @property
    def needs_classes(self) -> bool:
        """Whether the metric's definedness depends on how many rows of each class there are."""
        return self.requires_both_classes or self.requires_positive

    def defined(self, n_positive: Any, n_negative: Any) -> np.ndarray:
        """Where the metric is defined, given the counts of positive and negative rows (arrays broadcast).

        Example:
            >>> get_metric("pr_auc").defined(np.array([3, 5, 0]), np.array([0, 2, 4])).tolist()
            [False, True, False]
        """
        n_positive, n_negative = np.asarray(n_positive), np.asarray(n_negative)
        ok = np.ones(np.broadcast_shapes(n_positive.shape, n_negative.shape), dtype=bool)
        if self.needs_classes:
            ok &= n_positive > 0
        if self.requires_both_classes:
            ok &= n_negative > 0
        return ok

    def undefined_reason(self, n_positive: int, n_negative: int) -> str | None:
        """Why the metric is undefined on data with these class counts, or None when it is defined.

        Example:
            >>> get_metric("roc_auc").undefined_reason(9, 0)
            'single-class data: 9 positive and 0 negative rows'
        """
        if bool(self.defined(n_positive, n_negative)):
            return None
        if self.requires_both_classes:
            return f"single-class data: {n_positive} positive and {n_negative} negative rows"
        return f"no positive rows (0 positive and {n_negative} negative rows)"

    def where_defined(self, values: np.ndarray, n_positive: Any, n_negative: Any) -> np.ndarray:
        """``values`` with NaN wherever the metric is undefined (see :meth:`defined`)."""
        if not self.needs_classes:
            return values
        return np.where(self.defined(n_positive, n_negative), values, np.nan)

    def row_values(self, labels: np.ndarray | None, scores: np.ndarray) -> np.ndarray:
        """Per-row values whose mean is the metric (row-mean metrics only)."""
        if self.kind != "rowmean":
            raise ArgumentTypeError(f"metric {self.name!r} is not a row-mean metric")
        if self.func is not None:
            values = np.asarray(self.func(labels, scores), dtype=np.float64)
            if values.shape != scores.shape:
                raise EvalvizError(
                    f"per-row metric {self.name!r} returned shape {values.shape}, expected {scores.shape}"
                )
            return values
        return _BUILTIN_ROWS[self.name.split("@")[0]](self, labels, scores)


def _rows_accuracy(metric: Metric, labels: np.ndarray, scores: np.ndarray) -> np.ndarray:
    return ((scores >= metric.threshold).astype(np.int8) == labels).astype(np.float64)


def _rows_brier(metric: Metric, labels: np.ndarray, scores: np.ndarray) -> np.ndarray:
    return (scores - labels) ** 2


def _rows_log_loss(metric: Metric, labels: np.ndarray, scores: np.ndarray) -> np.ndarray:
    # Like scikit-learn: the probabilities of both classes are clipped to [eps, 1 - eps].
    eps = np.finfo(np.float64).eps
    p1 = np.clip(scores, eps, 1 - eps)
    p0 = np.clip(1 - scores, eps, 1 - eps)
    y = labels.astype(np.float64)
    return -(y * np.log(p1) + (1 - y) * np.log(p0))


def _rows_mean(metric: Metric, labels: np.ndarray | None, scores: np.ndarray) -> np.ndarray:
    return scores


_BUILTIN_ROWS: dict[str, Callable[..., np.ndarray]] = {
    "accuracy": _rows_accuracy,
    "brier": _rows_brier,
    "log_loss": _rows_log_loss,
    "mean": _rows_mean,
}

_BUILTINS: dict[str, Metric] = {
    "pr_auc": Metric(
        "pr_auc",
        "rank",
        requires_both_classes=True,
        description="average precision (area under the precision-recall step curve), as scikit-learn",
    ),
    "roc_auc": Metric(
        "roc_auc",
        "rank",
        requires_both_classes=True,
        description="area under the ROC curve; tied scores count one half",
    ),
    "accuracy": Metric(
        "accuracy",
        "rowmean",
        threshold=0.5,
        description="share of rows where (score >= threshold) equals the label; 'accuracy@0.3' sets it",
    ),
    "brier": Metric(
        "brier",
        "rowmean",
        unit_interval=True,
        higher_is_better=False,
        description="mean squared difference between score and label",
    ),
    "log_loss": Metric(
        "log_loss",
        "rowmean",
        unit_interval=True,
        higher_is_better=False,
        description="mean negative log-likelihood, probabilities clipped to [eps, 1-eps]",
    ),
    "mean": Metric("mean", "rowmean", requires_labels=False, description="mean of the scores"),
}

#: Row values whose sums could come this close to the float64 maximum are scaled down first (see scaled_rows).
_SUM_LIMIT = float(np.finfo(np.float64).max) / 4


def scaled_rows(values: np.ndarray) -> tuple[np.ndarray, int]:
    """Row values divided by ``2**e`` (exactly) so that no sum of them overflows, and ``e``.

    A row-mean metric's mean, on the data or on any resample, is the mean of the scaled values times ``2**e``
    (``np.ldexp(mean, e)``): the mean of finite values is finite even where their sum is not (twenty rows of
    ``1e308``). ``e`` is 0, and the values are returned as they are, unless their sums could overflow.

    Example:
        >>> scaled, e = scaled_rows(np.full(20, 1e308))
        >>> float(np.ldexp(scaled.mean(), e))
        1e+308
    """
    top = float(np.max(np.abs(values))) if len(values) else 0.0
    with np.errstate(over="ignore"):
        if top * max(len(values), 1) < _SUM_LIMIT:
            return values, 0
    e = math.frexp(top)[1]
    return np.ldexp(values, -e), e


_registry_lock = threading.Lock()
_REGISTRY: dict[str, Metric] = dict(_BUILTINS)
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")


def register_metric(
    name: str,
    func: Callable[..., object],
    *,
    per_row: bool = False,
    requires_labels: bool = True,
    requires_both_classes: bool = False,
    requires_positive: bool = False,
    unit_interval: bool = False,
    higher_is_better: bool = True,
    overwrite: bool = False,
) -> Metric:
    """Register a metric by name so every bootstrap and table function accepts it.

    Args:
        name: An identifier-like name, without "@".
        func: `func(labels, scores)` gets numpy arrays (`labels` is None when `requires_labels=False`) and
            returns a float; it is called once per resample.
        per_row: `func` returns one value per row instead, and the metric is their mean, computed for all
            resamples at once (much faster).
        requires_labels: The metric needs 0/1 labels.
        requires_both_classes: Undefined unless both classes occur: there it is NaN, on the data and on every
            resample, and `func` is not called.
        requires_positive: Undefined without a positive row, likewise.
        unit_interval: Scores must lie in [0, 1].
        higher_is_better: Whether a larger value is better.
        overwrite: Replace a metric registered under the same name.

    Returns:
        The registered `Metric`.

    Raises:
        EvalvizError: A bad name, a built-in name, a name already registered without `overwrite`, or classes
            required without labels.
        ArgumentTypeError: `func` is not callable or does not take two arguments (labels, scores).

    Example:
        >>> import numpy as np
        >>> m = register_metric("positive_rate", lambda y, s: float(np.mean(s >= 0.5)),
        ...                     requires_labels=False, overwrite=True)
        >>> compute_metric("positive_rate", None, np.array([0.2, 0.7]))
        0.5
    """
    if isinstance(name, str) and "@" in name:
        raise EvalvizError(f"metric name {name!r} must not contain '@' (it separates accuracy's threshold)")
    if not isinstance(name, str) or not _NAME.match(name):
        raise EvalvizError(f"metric name must be an identifier-like string, got {name!r}")
    if not callable(func):
        raise ArgumentTypeError(f"metric {name!r} needs a callable, got {type(func).__name__}")
    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError):  # some builtins have no signature
        signature = None
    if signature is not None:
        try:
            signature.bind(None, None)
        except TypeError:
            raise ArgumentTypeError(f"metric {name!r} must accept two arguments (labels, scores)") from None
    if (requires_both_classes or requires_positive) and not requires_labels:
        raise EvalvizError(
            f"metric {name!r} cannot need classes (requires_both_classes/requires_positive) without labels; "
            "drop requires_labels=False"
        )
    metric = Metric(
        name,
        "rowmean" if per_row else "custom",
        requires_labels=requires_labels,
        requires_both_classes=requires_both_classes,
        unit_interval=unit_interval,
        higher_is_better=higher_is_better,
        description=(func.__doc__ or "").strip().splitlines()[0] if func.__doc__ else "",
        func=func,
        requires_positive=requires_positive,
    )
    with _registry_lock:
        if name in _BUILTINS:
            raise EvalvizError(f"{name!r} is a built-in metric and cannot be replaced")
        if name in _REGISTRY and not overwrite:
            raise EvalvizError(
                f"a metric named {name!r} is already registered; pass overwrite=True to replace it"
            )
        _REGISTRY[name] = metric
    return metric


def unregister_metric(name: str) -> None:
    """Remove a metric added with `register_metric`.

    Args:
        name: The metric's name.

    Raises:
        EvalvizError: `name` is a built-in metric.
        UnknownNameError: No metric of that name is registered (a `KeyError` too).

    Example:
        >>> _ = register_metric("tmp_metric", lambda y, s: 0.0, overwrite=True)
        >>> unregister_metric("tmp_metric")
    """
    with _registry_lock:
        if name in _BUILTINS:
            raise EvalvizError(f"{name!r} is a built-in metric and cannot be removed")
        if name not in _REGISTRY:
            raise UnknownNameError(f"no metric named {name!r} is registered")
        del _REGISTRY[name]


def available_metrics() -> list[str]:
    """Names accepted as `metric=`, built-in ones first.

    Returns:
        The names, in registration order.

    Example:
        >>> available_metrics()[:2]
        ['pr_auc', 'roc_auc']
    """
    with _registry_lock:
        return list(_REGISTRY)


#: The threshold of ``accuracy@<threshold>``: a decimal number, as ``0.3``, ``.3``, ``-1`` or ``5e-1``.
_THRESHOLD = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def get_metric(metric: str | Metric) -> Metric:
    """Look a metric up by name; "accuracy@0.3" sets accuracy's threshold.

    The threshold is a decimal number; the metric is named with it as Python writes it, so "accuracy@.30" and
    "accuracy@ 0.3" are both "accuracy@0.3" (and listing both is listing one metric twice).

    Args:
        metric: A name, or a `Metric` (returned as it is).

    Returns:
        The `Metric`.

    Raises:
        ArgumentTypeError: `metric` is neither a str nor a `Metric`.
        EvalvizError: An unknown name (the message lists the available ones), or a parameter on a metric other
            than accuracy, or a threshold that is not a number.

    Example:
        >>> get_metric("accuracy@0.3").threshold
        0.3
        >>> get_metric("accuracy@ .30").name
        'accuracy@0.3'
    """
    if isinstance(metric, Metric):
        return metric
    if not isinstance(metric, str):
        raise ArgumentTypeError(f"metric must be a name (str), got {type(metric).__name__}")
    base, at, param = metric.partition("@")
    with _registry_lock:
        found = _REGISTRY.get(base)
        names = list(_REGISTRY)
    if found is None:
        raise EvalvizError(
            f"unknown metric {metric!r}; available: {', '.join(names)} (or accuracy@<threshold>)"
        )
    if not at:
        return found
    if base != "accuracy":
        raise EvalvizError(f"only accuracy takes a parameter ('accuracy@0.3'), got {metric!r}")
    if not _THRESHOLD.match(param.strip()):
        raise EvalvizError(
            f"accuracy threshold in {metric!r} must be a number: a finite decimal after '@', as in 'accuracy@0.3'"
        )
    threshold = float(param) + 0.0  # -0.0 is 0.0
    if not math.isfinite(threshold):
        raise EvalvizError(f"accuracy threshold in {metric!r} must be finite")
    return Metric(
        f"accuracy@{threshold!r}", "rowmean", threshold=threshold, description=f"accuracy at threshold {threshold:g}"
    )


def same_metric(a: Metric, b: Metric) -> bool:
    """Whether two metrics compute the same thing: the same name, or accuracy at the same threshold
    (``accuracy`` is ``accuracy@0.5``).

    Example:
        >>> same_metric(get_metric("accuracy"), get_metric("accuracy@0.50"))
        True
    """
    if a.name == b.name:
        return True
    accuracy = a.name.partition("@")[0] == b.name.partition("@")[0] == "accuracy"
    return accuracy and a.threshold == b.threshold


def as_labels(labels: Any, n: int | None = None) -> np.ndarray | None:
    """Labels as int8 0/1 (None stays None); raise naming the first row that is not 0 or 1.

    Example:
        >>> as_labels([True, False, 1]).tolist()
        [1, 0, 1]
    """
    if labels is None:
        return None
    arr = np.asarray(labels)
    if arr.ndim != 1:
        raise EvalvizError(f"labels must be one-dimensional, got shape {arr.shape}")
    if arr.dtype == bool:
        return arr.astype(np.int8)
    if not np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.complexfloating):
        raise EvalvizError(f"labels must be 0/1 numbers, got dtype {arr.dtype}")
    bad = (arr != 0) & (arr != 1)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise EvalvizError(f"labels must be 0 or 1; row {i} has {arr[i].item()!r}")
    if n is not None and len(arr) != n:
        raise EvalvizError(f"labels has {len(arr)} rows but scores has {n}")
    return arr.astype(np.int8)


def as_scores(scores: Any, what: str = "scores") -> np.ndarray:
    """Scores as a contiguous float64 array; raise naming the first row that is not a finite number.

    Example:
        >>> as_scores([1, 0.5]).tolist()
        [1.0, 0.5]
    """
    try:
        arr = np.asarray(scores, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise EvalvizError(f"{what} must be finite numbers: {exc}") from None
    if arr.ndim != 1:
        raise EvalvizError(f"{what} must be one-dimensional, got shape {arr.shape}")
    finite = np.isfinite(arr)
    if not finite.all():
        i = int(np.flatnonzero(~finite)[0])
        raise EvalvizError(f"{what} must be finite numbers; row {i} has {arr[i].item()!r}")
    return np.ascontiguousarray(arr)


def class_counts(labels: np.ndarray | None) -> tuple[int, int] | None:
    """(positive rows, negative rows), or None without labels.

    Example:
        >>> class_counts(np.array([1, 0, 0]))
        (1, 2)
    """
    if labels is None:
        return None
    pos = int(np.count_nonzero(labels))
    return pos, len(labels) - pos


def check_metric_inputs(metric: Metric, labels: np.ndarray | None, scores: np.ndarray) -> None:
    """Raise an ``EvalvizError`` (a ``ValueError``) when ``metric`` cannot apply to these inputs at all."""
    if metric.requires_labels and labels is None:
        raise EvalvizError(f"metric {metric.name!r} needs 0/1 labels, but no label column was given")
    reason = unusable_scores(metric, scores)
    if reason is not None:
        raise EvalvizError(reason)


def unusable_scores(
    metric: Metric, scores: np.ndarray, rows: np.ndarray | None = None, source: str | None = None
) -> str | None:
    """Why ``metric`` cannot apply to these scores (brier on a score outside [0, 1]), or None when it can.

    The first offending score is named by its row: ``rows[i]`` is the row of ``scores[i]`` in the input the
    user gave (the table or file ``source``; by default its position), so a slice of a table names the
    table's row, not the slice's.

    Example:
        >>> unusable_scores(get_metric("brier"), np.array([0.5, 2.0]), rows=np.array([10, 17]), source="raw.csv")
        "metric 'brier' needs scores in [0, 1]; row 17 of 'raw.csv' has 2.0"
    """
    if not metric.unit_interval or not len(scores):
        return None
    outside = (scores < 0) | (scores > 1)
    if not outside.any():
        return None
    i = int(np.flatnonzero(outside)[0])
    row = i if rows is None else int(rows[i])
    where = f" of {source!r}" if source else ""
    return f"metric {metric.name!r} needs scores in [0, 1]; row {row}{where} has {float(scores[i])!r}"


def compute_metric(metric: str | Metric, labels: Any, scores: Any) -> float:
    """The metric on the full data (no resampling); NaN where undefined (see `Metric.defined`).

    "pr_auc" and "roc_auc" are NaN on single-class labels (scikit-learn's `roc_auc_score` raises there, and its
    `average_precision_score` returns a number that means nothing).

    Args:
        metric: A metric name or a `Metric`.
        labels: 0/1 labels (None for score-only metrics).
        scores: Finite numbers, one per row.

    Returns:
        The metric's value.

    Raises:
        EvalvizError: Labels that are not 0/1, scores that are not finite numbers (or outside [0, 1] for a
            metric that needs it), missing labels for a metric that needs them, an unknown metric.

    Example:
        >>> import numpy as np
        >>> compute_metric("roc_auc", np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8]))
        0.75
        >>> compute_metric("pr_auc", np.array([1, 1, 1]), np.array([0.1, 0.4, 0.8]))
        nan
    """
    m = get_metric(metric)
    scores = as_scores(scores)
    labels = as_labels(labels, len(scores))
    check_metric_inputs(m, labels, scores)
    counts = class_counts(labels)
    if not len(scores) or (counts is not None and not m.defined(*counts)):
        return math.nan
    if m.kind == "rank":
        ranked = RankedScores(labels, scores)
        return float(rank_metric_values(m.name, ranked.full_counts()[None])[0])
    if m.kind == "rowmean":
        values, e = scaled_rows(m.row_values(labels, scores))
        return float(np.ldexp(np.mean(values), e))
    return float(m.func(labels if m.requires_labels else None, scores))  # type: ignore[misc]


class Workspace:
    """Reusable scratch arrays, so that repeated chunks of resamples allocate (and page-fault) once.

    One workspace belongs to one thread. ``get`` returns a C-contiguous view of a cached buffer.
    """

    def __init__(self) -> None:
        self._buffers: dict[str, np.ndarray] = {}

    def get(self, name: str, shape: tuple[int, ...], dtype: Any) -> np.ndarray:
        size = int(np.prod(shape))
        buf = self._buffers.get(name)
        if buf is None or buf.dtype != np.dtype(dtype) or buf.size < size:
            buf = np.empty(size, dtype=dtype)
            self._buffers[name] = buf
        return buf[:size].reshape(shape)


def _scratch(ws: Workspace | None, name: str, shape: tuple[int, ...], dtype: Any) -> np.ndarray:
    return np.empty(shape, dtype=dtype) if ws is None else ws.get(name, shape, dtype)


class RankedScores:
    """Scores sorted once (descending) into tied-score groups, for fast rank metrics.

    After this one sort, a resample is only a vector of counts, and the AUCs follow from cumulative
    counts in O(n). Two layouts: per row (positives first, then negatives, each by descending
    score), used unless scores tie heavily; or ``counts[b, y, g]`` per label ``y`` and score group
    ``g`` (group 0 has the highest score), smaller when there are few distinct scores. Tied scores
    are one threshold, as in scikit-learn.
    """

    def __init__(self, labels: np.ndarray, scores: np.ndarray) -> None:
        n = len(scores)
        order = np.argsort(-scores, kind="stable")
        ordered = scores[order]
        new_group = np.empty(n, dtype=bool)
        if n:
            new_group[0] = True
            np.not_equal(ordered[1:], ordered[:-1], out=new_group[1:])
        group_sorted = np.cumsum(new_group) - 1
        self.n = n
        self.n_groups = int(group_sorted[-1] + 1) if n else 0
        self.group = np.empty(n, dtype=np.int64)
        self.group[order] = group_sorted
        self.labels = labels.astype(np.int64)
        # key = label * G + group: counts of one resample reshape to (2, G).
        self.key = self.labels * self.n_groups + self.group
        # The per-row layout: a resample is counted per row, positives first then negatives, each by
        # descending score; ties are resolved through static indices. Used unless scores tie so much that
        # counting per (score group, label) is smaller.
        y_sorted = self.labels[order]
        self.n_pos = int(y_sorted.sum())
        self.per_row = 0 < self.n_pos < n and 4 * self.n_groups > n
        self.pn_order = np.concatenate((order[y_sorted == 1], order[y_sorted == 0]))
        self.pn_code = np.empty(n, dtype=np.int64)
        self.pn_code[self.pn_order] = np.arange(n)
        pos_groups = group_sorted[y_sorted == 1]
        neg_groups = group_sorted[y_sorted == 0]
        # For each positive (by descending score): the last positive of its score group, and how many
        # negatives score at least as high / strictly higher.
        self.pos_group_end = np.searchsorted(pos_groups, pos_groups, side="right") - 1
        self.neg_at_or_above = np.searchsorted(neg_groups, pos_groups, side="right")
        self.neg_above = np.searchsorted(neg_groups, pos_groups, side="left")
        self.pos_ties = bool(np.any(self.pos_group_end != np.arange(self.n_pos)))
        self.cross_ties = bool(np.any(self.neg_at_or_above != self.neg_above))

    def full_counts(self) -> np.ndarray:
        """Counts of the data itself, shape (2, G)."""
        return np.bincount(self.key, minlength=2 * self.n_groups).reshape(2, self.n_groups)

    def counts_from_indices(self, idx: np.ndarray, ws: Workspace | None = None) -> np.ndarray:
        """Counts for resamples given as row indices, shape (b, 2, G) int64."""
        b = idx.shape[0]
        width = 2 * self.n_groups
        keys = np.take(self.key, idx, out=_scratch(ws, "keys", idx.shape, np.int64), mode="clip")
        keys += (np.arange(b, dtype=np.int64) * width)[:, None]
        return np.bincount(keys.ravel(), minlength=b * width).reshape(b, 2, self.n_groups)

    def counts_from_weights(self, weights: np.ndarray, ws: Workspace | None = None) -> np.ndarray:
        """Weighted counts for resamples given as per-row weights (b, n), shape (b, 2, G)."""
        b = weights.shape[0]
        width = 2 * self.n_groups
        keys = _scratch(ws, "keys", weights.shape, np.int64)
        np.add(self.key[None, :], (np.arange(b, dtype=np.int64) * width)[:, None], out=keys)
        out = np.bincount(keys.ravel(), weights=weights.ravel(), minlength=b * width)
        return out.reshape(b, 2, self.n_groups)

    def metrics_from_indices(
        self, idx: np.ndarray, names: tuple[str, ...], ws: Workspace | None = None
    ) -> dict[str, np.ndarray]:
        """Rank metrics of resamples given as row indices (b, n)."""
        if not self.per_row:
            return rank_metrics_from_counts(self.counts_from_indices(idx, ws), names)
        b, width = idx.shape[0], self.n
        codes = np.take(self.pn_code, idx, out=_scratch(ws, "codes", idx.shape, np.int64), mode="clip")
        codes += (np.arange(b, dtype=np.int64) * width)[:, None]
        counts = np.bincount(codes.ravel(), minlength=b * width).reshape(b, width)
        return self._metrics_from_pn_counts(counts, names, ws)

    def metrics_from_weights(
        self, weights: np.ndarray, names: tuple[str, ...], ws: Workspace | None = None
    ) -> dict[str, np.ndarray]:
        """Rank metrics of resamples given as per-row whole-number weights (b, n)."""
        if not self.per_row:
            return rank_metrics_from_counts(self.counts_from_weights(weights, ws), names)
        counts = np.take(
            weights,
            self.pn_order,
            axis=1,
            out=_scratch(ws, "ordered", weights.shape, weights.dtype),
            mode="clip",
        )
        return self._metrics_from_pn_counts(counts, names, ws)

    def _metrics_from_pn_counts(
        self, counts: np.ndarray, names: tuple[str, ...], ws: Workspace | None
    ) -> dict[str, np.ndarray]:
        """Rank metrics from per-row counts laid out positives first, negatives second.

        Only positive rows enter the sums. At a positive row, ``tp`` is the cumulative count of
        positives to the end of its score group, ``fp_ge``/``fp_gt`` the counts of negatives scoring at
        least as high / strictly higher (static columns of the cumulative negative counts). Then
        AP = sum(c * tp / (tp + fp_ge)) / P and 2U = 2PN - sum(c * fp_ge) - sum(c * fp_gt).
        """
        b, n_pos, dtype = counts.shape[0], self.n_pos, counts.dtype
        pos = counts[:, :n_pos]
        tp = np.cumsum(pos, axis=1, out=_scratch(ws, "tp", (b, n_pos), dtype))
        p_tot = tp[:, -1].astype(np.float64)
        if self.pos_ties:
            tp = np.take(
                tp, self.pos_group_end, axis=1, out=_scratch(ws, "tp_end", (b, n_pos), dtype), mode="clip"
            )
        neg_cum = _scratch(ws, "neg_cum", (b, self.n - n_pos + 1), dtype)
        neg_cum[:, 0] = 0
        np.cumsum(counts[:, n_pos:], axis=1, out=neg_cum[:, 1:])
        n_tot = neg_cum[:, -1].astype(np.float64)
        fp_ge = np.take(
            neg_cum, self.neg_at_or_above, axis=1, out=_scratch(ws, "fp_ge", (b, n_pos), dtype), mode="clip"
        )
        out: dict[str, np.ndarray] = {}
        with np.errstate(divide="ignore", invalid="ignore"):
            if "roc_auc" in names:
                below_ge = np.einsum("ij,ij->i", pos, fp_ge)
                if self.cross_ties:
                    fp_gt = np.take(
                        neg_cum,
                        self.neg_above,
                        axis=1,
                        out=_scratch(ws, "fp_gt", (b, n_pos), dtype),
                        mode="clip",
                    )
                    twice_above = below_ge + np.einsum("ij,ij->i", pos, fp_gt)
                else:
                    twice_above = 2 * below_ge
                u = p_tot * n_tot - twice_above.astype(np.float64) / 2
                out["roc_auc"] = u / (p_tot * n_tot)
            if "pr_auc" in names:
                seen = np.add(tp, fp_ge, out=_scratch(ws, "seen", (b, n_pos), dtype))
                np.maximum(seen, 1, out=seen)  # where nothing was drawn yet, tp == 0 as well
                precision = np.divide(tp, seen, out=_scratch(ws, "precision", (b, n_pos), np.float64))
                out["pr_auc"] = np.einsum("ij,ij->i", precision, pos) / p_tot
        return _where_defined(out, p_tot, n_tot)

    def _curve(self) -> tuple[np.ndarray, ...]:
        c = self.full_counts().astype(np.float64)
        neg, pos = c[0], c[1]
        tp = np.cumsum(pos)
        fp = np.cumsum(neg)
        return pos, neg, tp, fp, tp[-1], fp[-1]

    def loo_roc_auc(self) -> np.ndarray:
        """ROC-AUC with each row left out in turn (exact, O(n))."""
        pos, neg, tp, fp, p_tot, n_tot = self._curve()
        u = float(np.sum(neg * (tp - pos / 2)))
        with np.errstate(divide="ignore", invalid="ignore"):
            drop_pos = (u - ((n_tot - fp) + neg / 2)) / ((p_tot - 1) * n_tot)
            drop_neg = (u - (tp - pos / 2)) / (p_tot * (n_tot - 1))
        return self._loo_defined("roc_auc", np.where(self.labels == 1, drop_pos[self.group], drop_neg[self.group]))

    def loo_pr_auc(self) -> np.ndarray:
        """Average precision with each row left out in turn (exact, O(n))."""
        pos, neg, tp, fp, p_tot, _ = self._curve()
        d = tp + fp
        with np.errstate(divide="ignore", invalid="ignore"):
            a = np.where(d > 0, pos * tp / d, 0.0)
            before = np.concatenate(([0.0], np.cumsum(a)[:-1]))  # sum over groups above g
            # Removing a positive of group g lowers TP (and D) by one at g and below.
            shifted = np.where(d > 1, pos * (tp - 1) / (d - 1), 0.0)
            after_pos = np.concatenate((np.cumsum(shifted[::-1])[::-1][1:], [0.0]))  # groups below g
            own = np.where(d > 1, (pos - 1) * (tp - 1) / (d - 1), 0.0)
            drop_pos = (before + own + after_pos) / (p_tot - 1)
            # Removing a negative of group g lowers D by one at g and below.
            shifted_neg = np.where(d > 1, pos * tp / (d - 1), 0.0)
            from_g = np.cumsum(shifted_neg[::-1])[::-1]
            drop_neg = (before + from_g) / p_tot
        return self._loo_defined("pr_auc", np.where(self.labels == 1, drop_pos[self.group], drop_neg[self.group]))

    def _loo_defined(self, name: str, values: np.ndarray) -> np.ndarray:
        """Leave-one-out values with NaN where leaving the row out leaves the metric undefined."""
        n_pos = self.n_pos - self.labels
        return _BUILTINS[name].where_defined(values, n_pos, (self.n - self.n_pos) - (1 - self.labels))

    def loo_roc_auc_clusters(self, codes: np.ndarray, n_clusters: int) -> np.ndarray:
        """ROC-AUC with each cluster of rows left out in turn (exact, O(n log n))."""
        pos, neg, tp, fp, p_tot, n_tot = self._curve()
        u = float(np.sum(neg * (tp - pos / 2)))
        g = self.group
        y = self.labels
        # Pairs each row takes part in.
        per_row = np.where(y == 1, (n_tot - fp[g]) + neg[g] / 2, tp[g] - pos[g] / 2)
        lost = np.bincount(codes, weights=per_row, minlength=n_clusters)
        pos_c = np.bincount(codes, weights=y, minlength=n_clusters)
        size_c = np.bincount(codes, minlength=n_clusters)
        neg_c = size_c - pos_c
        # Pairs inside a cluster were counted twice above: add them back once.
        pair_key = codes.astype(np.int64) * max(self.n_groups, 1) + g
        uniq, inverse = np.unique(pair_key, return_inverse=True)
        pc = np.bincount(inverse, weights=y, minlength=len(uniq))
        nc = np.bincount(inverse, weights=1 - y, minlength=len(uniq))
        cl = uniq // max(self.n_groups, 1)
        starts = np.empty(len(uniq), dtype=bool)
        starts[0] = True
        np.not_equal(cl[1:], cl[:-1], out=starts[1:])
        cum = np.cumsum(pc)
        before_start = (cum - pc)[starts]
        tp_in_cluster = cum - before_start[np.cumsum(starts) - 1]
        within = np.bincount(cl, weights=nc * (tp_in_cluster - pc / 2), minlength=n_clusters)
        with np.errstate(divide="ignore", invalid="ignore"):
            values = (u - lost + within) / ((p_tot - pos_c) * (n_tot - neg_c))
        return _BUILTINS["roc_auc"].where_defined(values, p_tot - pos_c, n_tot - neg_c)


def rank_metric_values(name: str, counts: np.ndarray) -> np.ndarray:
    """``pr_auc`` or ``roc_auc`` of each resample from its counts (b, 2, G); NaN when undefined."""
    return rank_metrics_from_counts(counts, (name,))[name]


def rank_metrics_from_counts(counts: np.ndarray, names: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Several rank metrics from the same counts (b, 2, G), sharing the cumulative sums."""
    neg = counts[:, 0, :]
    pos = counts[:, 1, :]
    cum = np.cumsum(counts, axis=2)
    fp = cum[:, 0, :]
    tp = cum[:, 1, :]
    p_tot = tp[:, -1].astype(np.float64)
    n_tot = fp[:, -1].astype(np.float64)
    out: dict[str, np.ndarray] = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        if "pr_auc" in names:
            d = tp + fp
            d[d == 0] = 1  # a group holding no rows has tp == 0 as well
            precision = tp / d
            precision *= pos
            out["pr_auc"] = precision.sum(axis=1) / p_tot
        if "roc_auc" in names:
            if np.issubdtype(counts.dtype, np.integer):
                twice_u = 2 * np.einsum("ij,ij->i", neg, tp) - np.einsum("ij,ij->i", neg, pos)
                u = twice_u.astype(np.float64) / 2
            else:
                u = np.einsum("ij,ij->i", neg, tp) - np.einsum("ij,ij->i", neg, pos) / 2
            out["roc_auc"] = u / (p_tot * n_tot)
    return _where_defined(out, p_tot, n_tot)


def _where_defined(values: dict[str, np.ndarray], n_positive: Any, n_negative: Any) -> dict[str, np.ndarray]:
    """Rank metric values with NaN where their metric is undefined for these class counts."""
    return {name: _BUILTINS[name].where_defined(v, n_positive, n_negative) for name, v in values.items()}
