"""The results of the bootstrap functions: frozen dataclasses that read as the dicts eval-toolkit returns.

`to_dict()` gives the plain dict (the keys and order of eval-toolkit's results); each result is also a read-only
`Mapping` over those keys, so code written for dicts (`result["low"]`, `dict(result)`, `"low" in result`) keeps
working, and `sanitize_for_json` / `validate_payload` take a result as they take its dict.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from evalviz.analysis.artifacts import sanitize_for_json
from evalviz.constants.statuses import METRIC_STATUSES, OK, MetricStatus
from evalviz.errors import EvalvizError

__all__ = ["BootstrapResult", "PairedDiffResult"]


class _ResultMapping(Mapping[str, Any]):
    """A read-only mapping over `to_dict()`: what a result's dict form holds, read by key."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        raise NotImplementedError

    def __getitem__(self, key: str) -> Any:
        return self.to_dict()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.to_dict())

    def __len__(self) -> int:
        return len(self.to_dict())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return self.to_dict() == dict(other)
        return NotImplemented


def _check_status(kind: str, status: str) -> None:
    if status not in METRIC_STATUSES:
        raise EvalvizError(f"{kind}.status must be one of {', '.join(METRIC_STATUSES)}, got {status!r}")


@dataclass(frozen=True, eq=False)
class BootstrapResult(_ResultMapping):
    """A bootstrap interval of one metric, or why there is none.

    Attributes:
        metric: The metric's name.
        point: The metric on the data (None unless `status` is "ok").
        low: The interval's lower end, at `confidence` (None unless ok).
        high: Its upper end.
        ci_95: The 95% interval as (low, high), whatever `confidence` is (None unless ok).
        confidence: The interval's confidence level, e.g. 0.95.
        n_resamples: How many resamples were drawn.
        method: "percentile", "basic" or "bca".
        n: Rows of the data.
        status: "ok", "skipped" (not computable on this data, e.g. a single class) or "error" (an unexpected
            failure).
        reason: Why the status is not "ok" ("" when it is).
        details: The resampling design ("rows", "stratified", "cluster"), the seed, class counts, resamples
            where the metric was undefined, how the jackknife was computed.

    Example:
        >>> r = BootstrapResult("mean", 0.5, 0.4, 0.6, (0.4, 0.6), 0.95, 1000, "percentile", 100)
        >>> r["low"], r.to_dict()["ci_95"], "value" in r
        (0.4, [0.4, 0.6], False)
    """

    metric: str
    point: float | None
    low: float | None
    high: float | None
    ci_95: tuple[float, float] | None
    confidence: float
    n_resamples: int
    method: str
    n: int
    status: MetricStatus = OK
    reason: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _check_status("BootstrapResult", self.status)
        object.__setattr__(self, "details", dict(self.details))

    @property
    def ok(self) -> bool:
        """Whether the interval was computed (`status` is "ok")."""
        return self.status == OK

    def to_dict(self) -> dict[str, Any]:
        """The result as eval-toolkit's dict: a result that is not ok also has `"value": None`, and its
        details are strict JSON (as `MetricState.to_dict` writes them).

        Returns:
            A new dict with the keys `metric, point, low, high, ci_95, confidence, n_resamples, method, n`,
            (`value`,) `status, reason, details`.

        Example:
            >>> BootstrapResult("mean", None, None, None, None, 0.95, 10, "bca", 3, "skipped", "too few rows")[
            ...     "value"] is None
            True
        """
        out: dict[str, Any] = {
            "metric": self.metric,
            "point": self.point,
            "low": self.low,
            "high": self.high,
            "ci_95": None if self.ci_95 is None else list(self.ci_95),
            "confidence": self.confidence,
            "n_resamples": self.n_resamples,
            "method": self.method,
            "n": self.n,
        }
        if not self.ok:
            out["value"] = None
        out["status"] = self.status
        out["reason"] = self.reason
        out["details"] = dict(self.details) if self.ok else sanitize_for_json(self.details)
        return out


@dataclass(frozen=True, eq=False)
class PairedDiffResult(_ResultMapping):
    """A bootstrap interval of `metric(candidate) - metric(baseline)` on the same rows, or why there is none.

    Attributes:
        metric: The metric's name.
        delta: The difference on the data (None unless `status` is "ok").
        low: The interval's lower end, at `confidence` (None unless ok).
        high: Its upper end.
        ci_95: The 95% interval as (low, high), whatever `confidence` is (None unless ok).
        overlaps_zero: Whether the interval holds 0 (None unless ok).
        n_resamples: How many resamples were drawn.
        n: Rows compared.
        baseline: The metric of the baseline on the data (None when it was not computed).
        candidate: The metric of the candidate on the data.
        confidence: The interval's confidence level.
        method: "percentile", "basic" or "bca".
        status: "ok", "skipped" or "error".
        reason: Why the status is not "ok" ("" when it is).
        details: As `BootstrapResult.details`.

    Example:
        >>> d = PairedDiffResult("roc_auc", 0.02, 0.01, 0.03, (0.01, 0.03), False, 1000, 500, 0.80, 0.82)
        >>> d["delta"], d.overlaps_zero, list(d)[:3]
        (0.02, False, ['metric', 'delta', 'low'])
    """

    metric: str
    delta: float | None
    low: float | None
    high: float | None
    ci_95: tuple[float, float] | None
    overlaps_zero: bool | None
    n_resamples: int
    n: int
    baseline: float | None = None
    candidate: float | None = None
    confidence: float = 0.95
    method: str = "percentile"
    status: MetricStatus = OK
    reason: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _check_status("PairedDiffResult", self.status)
        object.__setattr__(self, "details", dict(self.details))

    @property
    def ok(self) -> bool:
        """Whether the interval was computed (`status` is "ok")."""
        return self.status == OK

    @classmethod
    def from_bootstrap(cls, result: BootstrapResult) -> PairedDiffResult:
        """The paired result of a bootstrap of the difference, whose details hold the two point values.

        Args:
            result: A `BootstrapResult` of candidate - baseline, with `details["baseline"]` and
                `details["candidate"]` (as the paired bootstrap writes them).

        Returns:
            The result with `delta` for `point`, the two point values taken out of `details`, and
            `overlaps_zero` when the interval was computed.

        Example:
            >>> b = BootstrapResult("mean", 0.1, -0.1, 0.3, (-0.1, 0.3), 0.95, 100, "percentile", 20,
            ...                     details={"baseline": 0.4, "candidate": 0.5})
            >>> PairedDiffResult.from_bootstrap(b).overlaps_zero
            True
        """
        details = dict(result.details)
        overlaps = None
        if result.ok:
            overlaps = result.low <= 0 <= result.high  # type: ignore[operator]
        return cls(
            metric=result.metric,
            delta=result.point,
            low=result.low,
            high=result.high,
            ci_95=result.ci_95,
            overlaps_zero=overlaps,
            n_resamples=result.n_resamples,
            n=result.n,
            baseline=details.pop("baseline", None),
            candidate=details.pop("candidate", None),
            confidence=result.confidence,
            method=result.method,
            status=result.status,
            reason=result.reason,
            details=details,
        )

    def to_dict(self) -> dict[str, Any]:
        """The result as eval-toolkit's dict: a result that is not ok also has `"value": None` (last), and
        its point values and details are strict JSON.

        Returns:
            A new dict with the keys `metric, delta, low, high, ci_95, overlaps_zero, n_resamples, n,
            baseline, candidate, confidence, method, status, reason, details` (, `value`).

        Example:
            >>> PairedDiffResult("mean", None, None, None, None, None, 10, 3, status="skipped").to_dict()["value"]
        """
        clean = (lambda v: v) if self.ok else sanitize_for_json
        out: dict[str, Any] = {
            "metric": self.metric,
            "delta": self.delta,
            "low": self.low,
            "high": self.high,
            "ci_95": None if self.ci_95 is None else list(self.ci_95),
            "overlaps_zero": self.overlaps_zero,
            "n_resamples": self.n_resamples,
            "n": self.n,
            "baseline": clean(self.baseline),
            "candidate": clean(self.candidate),
            "confidence": self.confidence,
            "method": self.method,
            "status": self.status,
            "reason": self.reason,
            "details": dict(self.details) if self.ok else sanitize_for_json(self.details),
        }
        if not self.ok:
            out["value"] = None
        return out
