"""ROC and precision-recall curves of one series of predictions, exact at every threshold, as scikit-learn's.

A series' scores are ranked once (`rank`): its distinct scores, highest first, with the positives and negatives
at each. The curve's vertices are the cumulative counts at each distinct threshold, after a start vertex above
every score, as `sklearn.metrics.roc_curve(drop_intermediate=False)` and `precision_recall_curve` give them; the
area (ROC AUC, or average precision as `average_precision_score`, step-wise) is computed over every vertex. A
curve of more vertices than a chart draws keeps a subset of them (`kept_vertices`): never a point off the curve.
An optional bootstrap band (`bootstrap_band`) resamples the predictions and reads each resample's curve on a grid.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pyarrow as pa

from evalviz.data.numpy_arrow import numbers

__all__ = ["PR", "ROC", "CurveKind", "Ranking", "bootstrap_band", "by_series", "kept_vertices", "rank"]

GRID = np.linspace(0.0, 1.0, 101)  # where a bootstrap band is read: FPR (ROC) or recall (PR)


@dataclass(frozen=True)
class Ranking:
    """One series' predictions ranked by score.

    Attributes:
        thresholds: The distinct scores, highest first.
        positives_at, negatives_at: How many positives and negatives have each of those scores (int64).

    Example:
        >>> r = rank(np.array([0.9, 0.4]), np.array([0.4, 0.1]))
        >>> r.thresholds.tolist(), r.tp.tolist(), r.fp.tolist()
        ([0.9, 0.4, 0.1], [0, 1, 2, 2], [0, 0, 1, 2])
    """

    thresholds: np.ndarray
    positives_at: np.ndarray
    negatives_at: np.ndarray

    @cached_property
    def tp(self) -> np.ndarray:
        """True positives at the start vertex (0), then at each threshold (scores >= it predicted positive)."""
        return _cumulative(self.positives_at)

    @cached_property
    def fp(self) -> np.ndarray:
        """False positives at the start vertex (0), then at each threshold."""
        return _cumulative(self.negatives_at)

    @property
    def vertex_thresholds(self) -> np.ndarray:
        """The threshold of each vertex: NaN for the start vertex (above every score), then `thresholds`."""
        return np.concatenate([[np.nan], self.thresholds])


def _cumulative(counts: np.ndarray) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(counts, dtype=np.int64)])


def by_series(scores: pa.Table) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(name, scores of positives, scores of negatives) of each series, in order of name, from one row per series
    and label (`query.classifier_curves.class_scores_sql`: columns `series`, text; `label`, 0/1; `scores`, a list
    of DOUBLE without NULLs). A series without one of the classes has an empty array for it.

    Example:
        >>> scores = pa.table({"series": ["b", "b", "a"], "label": [1, 0, 0], "scores": [[0.9], [0.2, 0.3], [0.1]]})
        >>> by_series(scores)
        [('a', array([], dtype=float64), array([0.1])), ('b', array([0.9]), array([0.2, 0.3]))]
    """
    classes: dict[str, list[np.ndarray]] = {}  # name -> [positives, negatives]
    names, labels, lists = scores["series"].to_pylist(), scores["label"].to_pylist(), scores["scores"]
    for i, (name, label) in enumerate(zip(names, labels, strict=True)):
        of_series = classes.setdefault(name, [np.zeros(0), np.zeros(0)])
        of_series[0 if label == 1 else 1] = numbers(lists[i].values, np.float64)
    return [(name, *classes[name]) for name in sorted(classes)]


def rank(positives: np.ndarray, negatives: np.ndarray) -> Ranking:
    """Rank a series' scores: the scores of its positives and of its negatives (finite, in any order).

    Each class is sorted, then the two sorted runs are merged by a stable sort (linear for two runs), which
    tells for every score in order whether it is a positive's; each distinct score counts its positives.

    Example:
        >>> rank(np.array([0.5, 0.5]), np.array([0.5])).negatives_at.tolist()
        [1]
    """
    runs = np.concatenate([np.sort(positives), np.sort(negatives)])
    order = np.argsort(runs, kind="stable")
    scores = runs[order]
    first = np.flatnonzero(np.concatenate([[True], scores[1:] != scores[:-1]])) if len(scores) else np.arange(0)
    positives_at = np.add.reduceat((order < len(positives)).astype(np.int64), first) if len(first) else first
    rows_at = np.diff(np.append(first, len(scores)))
    return Ranking(scores[first][::-1], positives_at[::-1], (rows_at - positives_at)[::-1])


@dataclass(frozen=True)
class CurveKind:
    """What tells a ROC curve from a precision-recall curve.

    Attributes:
        view: The view drawing it ("roc_curve").
        name: The curve's name in messages ("ROC").
        area_name: What the legend's number is ("ROC AUC"); `area_short` is its short form in each label ("AUC").
        x_title, y_title: The axes' titles.
        points: (x, y) of every vertex from the cumulative (tp, fp).
        area: The area from (tp, fp), over every vertex.
        corners: The vertices scikit-learn's `drop_intermediate` keeps (True where kept), from (tp, fp) of at least
            three vertices.
        at: A curve's y read at the x of a grid.
        undefined: Why a series of `positives` and `negatives` has no curve ("no positives"), or None.
        interpolate: How a chart draws the curve between vertices (Vega-Lite's line interpolation).
    """

    view: str
    name: str
    area_name: str
    area_short: str
    x_title: str
    y_title: str
    points: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
    area: Callable[[np.ndarray, np.ndarray], float]
    corners: Callable[[np.ndarray, np.ndarray], np.ndarray]
    at: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
    undefined: Callable[[int, int], str | None]
    interpolate: str


def _roc_points(tp: np.ndarray, fp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(FPR, TPR), as scikit-learn divides them."""
    return fp / fp[-1], tp / tp[-1]


def _roc_auc(tp: np.ndarray, fp: np.ndarray) -> float:
    """The trapezoids' area in whole counts (twice the Mann-Whitney U, ties counting a half), then divided: the
    area is exact whatever the number of vertices."""
    twice_u = int(np.dot(np.diff(fp), tp[1:] + tp[:-1]))
    return twice_u / (2 * int(tp[-1]) * int(fp[-1]))


def _roc_corners(tp: np.ndarray, fp: np.ndarray) -> np.ndarray:
    """The start vertex, then the thresholds' vertices scikit-learn's `roc_curve(drop_intermediate=True)` keeps:
    the first, the last and those where the curve turns (the others lie on a straight segment between them)."""
    turns = np.logical_or(np.diff(fp[1:], 2) != 0, np.diff(tp[1:], 2) != 0)
    return np.concatenate([[True, True], turns, [True]])


def _roc_at(x: np.ndarray, y: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """TPR at each FPR of `grid`, on the straight segments between vertices (the top of a vertical one)."""
    last = np.searchsorted(x, grid, side="right") - 1
    following = np.minimum(last + 1, len(x) - 1)
    width = x[following] - x[last]
    share = np.divide(grid - x[last], width, out=np.zeros_like(grid), where=width > 0)
    return y[last] + share * (y[following] - y[last])


def _roc_undefined(positives: int, negatives: int) -> str | None:
    return "no positives" if not positives else "no negatives" if not negatives else None


def _pr_points(tp: np.ndarray, fp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(recall, precision); the start vertex's precision is 1, as scikit-learn sets it."""
    predicted = tp + fp
    precision = np.divide(tp, predicted, out=np.ones(len(tp)), where=predicted > 0)
    return tp / tp[-1], precision


def _average_precision(tp: np.ndarray, fp: np.ndarray) -> float:
    """Each threshold's precision times the recall it adds (scikit-learn's `average_precision_score`); every
    threshold has a prediction at it, so no precision divides by zero."""
    return float(np.dot(np.diff(tp), tp[1:] / (tp[1:] + fp[1:])) / tp[-1])


def _pr_corners(tp: np.ndarray, fp: np.ndarray) -> np.ndarray:
    """The start vertex, then the thresholds' vertices scikit-learn's `precision_recall_curve(
    drop_intermediate=True)` keeps: the first, the last and, of a run of one recall, its first and last."""
    changes = np.diff(tp[1:]) != 0
    return np.concatenate([[True, True], changes[:-1] | changes[1:], [True]])


def _pr_at(x: np.ndarray, y: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Precision at each recall of `grid`, as the steps are drawn: that of the first vertex reaching it."""
    return y[np.minimum(np.searchsorted(x, grid, side="left"), len(x) - 1)]


def _pr_undefined(positives: int, negatives: int) -> str | None:
    return "no positives" if not positives else None


ROC = CurveKind("roc_curve", "ROC", "ROC AUC", "AUC", "False positive rate", "True positive rate", _roc_points,
                _roc_auc, _roc_corners, _roc_at, _roc_undefined, "linear")
PR = CurveKind("pr_curve", "PR curve", "average precision", "AP", "Recall", "Precision", _pr_points,
               _average_precision, _pr_corners, _pr_at, _pr_undefined, "step-before")


def kept_vertices(x: np.ndarray, y: np.ndarray, corners: np.ndarray, max_points: int) -> np.ndarray:
    """The indices of the vertices a chart draws, at most `max_points`, always the first and the last.

    All of them when they fit; else the corners (`CurveKind.corners`: the curve through them is the whole
    curve) when they fit; else, of the corners, the first in each of `max_points - 1` equal stretches of the
    curve's length through them, and the last. Every index is a vertex: nothing is interpolated.

    Example:
        >>> x = np.linspace(0, 1, 11)
        >>> kept_vertices(x, x, np.ones(11, dtype=bool), 3).tolist()
        [0, 5, 10]
    """
    if len(x) <= max_points:
        return np.arange(len(x))
    candidates = np.flatnonzero(corners)
    if len(candidates) <= max_points:
        return candidates
    length = np.concatenate([[0.0], np.cumsum(np.hypot(np.diff(x[candidates]), np.diff(y[candidates])))])
    stretch = np.minimum((length / length[-1] * (max_points - 1)).astype(np.int64), max_points - 2)
    drawn = np.concatenate([[True], stretch[1:] != stretch[:-1]])  # the first of each stretch
    drawn[-1] = True  # and the last
    return candidates[drawn]


def bootstrap_band(ranking: Ranking, kind: CurveKind, *, n_resamples: int, seed: np.random.SeedSequence,
                   confidence: float, grid: np.ndarray = GRID) -> tuple[np.ndarray, np.ndarray]:
    """The percentile interval of a curve's y at each x of `grid`, over bootstrap resamples of the predictions.

    Each resample draws as many predictions as the series has, with replacement, counts them at the series'
    thresholds and reads its curve on the grid (`CurveKind.at`); a resample with a class missing is left out.
    Cost: one pass over the series' predictions per resample (drawing n row indices and counting them), about
    50 ms per resample of a million predictions on two cores.

    Returns:
        (low, high) at each grid point; NaN where no resample has a curve.

    Example:
        >>> r = rank(np.array([0.9, 0.8, 0.3]), np.array([0.7, 0.2, 0.1]))
        >>> low, high = bootstrap_band(r, ROC, n_resamples=50, seed=np.random.SeedSequence(0), confidence=0.9)
        >>> bool(np.all(low <= high)), float(high[-1])
        (True, 1.0)
    """
    rng = np.random.default_rng(seed)
    count = len(ranking.thresholds)
    cells = np.concatenate([np.repeat(np.arange(count), ranking.positives_at),
                            np.repeat(np.arange(count, 2 * count), ranking.negatives_at)])
    values = np.full((n_resamples, len(grid)), np.nan)
    for i in range(n_resamples):
        drawn = np.bincount(cells[rng.integers(0, len(cells), len(cells))], minlength=2 * count)
        tp, fp = _cumulative(drawn[:count]), _cumulative(drawn[count:])
        if kind.undefined(int(tp[-1]), int(fp[-1])) is None:
            values[i] = kind.at(*kind.points(tp, fp), grid)
    tail = (1 - confidence) / 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a grid point without any resample's value: NaN
        low, high = np.nanquantile(values, [tail, 1 - tail], axis=0)
    return low, high
