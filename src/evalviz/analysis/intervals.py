"""From a bootstrap distribution to an interval: percentile, basic (reflected percentile) and BCa.

`summarise` turns a metric's point value and its values on the resamples into a `BootstrapResult`: an interval
when enough resamples are defined, else a skipped result that says why (a point beyond a float64, more than 10%
of the resamples undefined, BCa undefined on the data).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from statistics import NormalDist
from typing import Any

import numpy as np

from evalviz.analysis.metrics import Metric
from evalviz.analysis.results import BootstrapResult
from evalviz.constants.statuses import OK, SKIPPED, MetricStatus

__all__ = ["UndefinedIntervalError", "interval", "not_ok", "summarise"]

#: Below this share of resamples where the metric is defined, the interval is not reported.
_MIN_VALID_SHARE = 0.9
_NORMAL = NormalDist()

#: What every result of one run shares: confidence, n_resamples, method, n.
Common = Mapping[str, Any]
#: The leave-one-unit-out values of a metric and how they were computed ("exact", "grouped (k groups)").
JackknifeFn = Callable[[], tuple[np.ndarray, str]]


class UndefinedIntervalError(Exception):
    """An interval cannot be computed for a known reason; the result is skipped with that reason (it never
    reaches a user as an exception)."""


def _quantiles(values: np.ndarray, probs: Sequence[float]) -> tuple[float, float]:
    lo, hi = np.quantile(values, probs)
    return float(lo), float(hi)


def _acceleration(jack: np.ndarray) -> float:
    """BCa's acceleration from the jackknife values (scaled first, as it does not change with scale)."""
    top = float(np.max(np.abs(jack))) if len(jack) else 0.0
    jack = jack / top if top > 0 else jack
    d = jack.mean() - jack
    den = 6.0 * float(np.sum(d**2)) ** 1.5
    return float(np.sum(d**3)) / den if den > 0 else 0.0


def interval(
    point: float, boot: np.ndarray, method: str, confidence: float, jack: np.ndarray | None
) -> tuple[float, float]:
    """The two-sided interval of a metric from its bootstrap values.

    Args:
        point: The metric on the data.
        boot: Its finite values on the resamples.
        method: "percentile", "basic" (the percentile interval reflected about the point) or "bca" (bias-corrected
            and accelerated, as in Efron 1987).
        confidence: The confidence level, strictly between 0 and 1.
        jack: The leave-one-unit-out values (needed by "bca" only).

    Returns:
        (low, high).

    Raises:
        UndefinedIntervalError: BCa is undefined: every resample lies on one side of the point, or a jackknife
            value is undefined.

    Example:
        >>> [round(end, 3) for end in interval(0.5, np.linspace(0, 1, 101), "percentile", 0.9, None)]
        [0.05, 0.95]
    """
    alpha = (1 - confidence) / 2
    if method == "percentile":
        return _quantiles(boot, [alpha, 1 - alpha])
    if method == "basic":
        lo, hi = _quantiles(boot, [alpha, 1 - alpha])
        return 2 * point - hi, 2 * point - lo
    share = (np.count_nonzero(boot < point) + np.count_nonzero(boot <= point)) / (2 * len(boot))
    if share <= 0 or share >= 1:
        raise UndefinedIntervalError(
            "BCa is undefined: every resample lies on one side of the point estimate; use method='percentile'"
        )
    if jack is None or not np.all(np.isfinite(jack)):
        raise UndefinedIntervalError(
            "BCa is undefined: leaving one unit out makes the metric undefined (e.g. a class with a single row)"
        )
    z0 = _NORMAL.inv_cdf(share)
    a = _acceleration(jack)
    probs = [
        _NORMAL.cdf(z0 + (z0 + z) / (1 - a * (z0 + z)))
        for z in (_NORMAL.inv_cdf(alpha), _NORMAL.inv_cdf(1 - alpha))
    ]
    return _quantiles(boot, probs)


def not_ok(
    metric: str, status: MetricStatus, reason: str, common: Common, details: Mapping[str, Any]
) -> BootstrapResult:
    """A result without an interval: skipped (not computable on this data) or error (an unexpected failure).

    Args:
        metric: The metric's name.
        status: "skipped" or "error".
        reason: Why.
        common: confidence, n_resamples, method and n.
        details: The resampling design, seed and counts.

    Returns:
        The `BootstrapResult`, its point and interval None.

    Example:
        >>> not_ok("roc_auc", "skipped", "too few rows: 3 (min_rows=10)",
        ...        {"confidence": 0.95, "n_resamples": 10, "method": "percentile", "n": 3}, {}).reason
        'too few rows: 3 (min_rows=10)'
    """
    return BootstrapResult(metric, None, None, None, None, **common, status=status, reason=reason, details=details)


def _undefined_share_reason(boot: np.ndarray, valid: np.ndarray, metric: Metric, what: str) -> str:
    n_invalid = len(boot) - int(valid.sum())
    if np.isinf(boot).sum() == n_invalid:
        why = "there it is beyond what a float64 holds"
    elif metric.needs_classes:
        why = "too few rows of one class; stratify=True keeps both classes in every resample"
    else:
        why = "the metric gave NaN or failed on them"
    return f"the {what} is undefined on {n_invalid} of {len(boot)} resamples ({why})"


def summarise(
    metric: Metric,
    point: float,
    boot: np.ndarray,
    jackknife: JackknifeFn,
    *,
    method: str,
    confidence: float,
    common: Common,
    details: Mapping[str, Any],
    what: str = "metric",
) -> BootstrapResult:
    """Turn a metric's bootstrap distribution into a result with its interval, or a skipped one saying why.

    Args:
        metric: The metric.
        point: Its value on the data.
        boot: Its values on the resamples (NaN where undefined, +-inf beyond a float64).
        jackknife: Computes the leave-one-unit-out values; called for "bca" only.
        method: "percentile", "basic" or "bca".
        confidence: The confidence level of `low` and `high` (`ci_95` is always at 0.95).
        common: confidence, n_resamples, method and n, as the result reports them.
        details: The resampling design, seed and counts; the number of undefined resamples and how the
            jackknife was computed are added.
        what: What the value is, in reasons ("metric", "difference").

    Returns:
        The result: "ok" with its interval, or "skipped" with the reason.

    Example:
        >>> from evalviz.analysis.metrics import get_metric
        >>> common = {"confidence": 0.9, "n_resamples": 101, "method": "percentile", "n": 50}
        >>> r = summarise(get_metric("mean"), 0.5, np.linspace(0, 1, 101), lambda: None, method="percentile",
        ...               confidence=0.9, common=common, details={})
        >>> [round(end, 3) for end in (r.low, r.high, *r.ci_95)]
        [0.05, 0.95, 0.025, 0.975]
    """
    name = metric.name
    details = dict(details)
    if math.isinf(point):
        reason = f"the {what} is {point} on this data: beyond what a float64 holds (about 1.8e308)"
        return not_ok(name, SKIPPED, reason, common, details)
    if not math.isfinite(point):
        return not_ok(name, SKIPPED, f"the {what} is undefined on this data", common, details)
    valid = np.isfinite(boot)
    n_valid = int(valid.sum())
    if n_valid < len(boot):
        details["n_invalid_resamples"] = len(boot) - n_valid
    if n_valid < max(2, _MIN_VALID_SHARE * len(boot)):
        return not_ok(name, SKIPPED, _undefined_share_reason(boot, valid, metric, what), common, details)
    boot = boot[valid]
    jack = None
    if method == "bca":
        jack, how = jackknife()
        details["jackknife"] = how
    try:
        lo, hi = interval(point, boot, method, confidence, jack)
        ci95 = (lo, hi) if confidence == 0.95 else interval(point, boot, method, 0.95, jack)
    except UndefinedIntervalError as exc:
        return not_ok(name, SKIPPED, str(exc), common, details)
    return BootstrapResult(name, point, lo, hi, ci95, **common, status=OK, reason="", details=details)
