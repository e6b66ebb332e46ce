"""The resampling arguments every public analysis function shares, checked once before any work.

Each public function (``bootstrap_metric``, ``paired_bootstrap_diff``, ``evaluate_slices``, ...) calls
:func:`check_resampling` first, so a bad ``seed``, ``n_resamples``, ``method``, ``confidence``, ``min_rows`` or
``stratify`` fails at once with an :class:`~evalviz.errors.EvalvizError` naming the parameter, before a file is
read or a resample drawn.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from numbers import Real
from typing import Any

import numpy as np

from evalviz.errors import ArgumentTypeError, EvalvizError

__all__ = [
    "METHODS",
    "Resampling",
    "SeedLike",
    "check_column_name",
    "check_flag",
    "check_memory",
    "check_resampling",
    "check_scorer",
    "max_resamples",
    "memory_budget",
]

METHODS: tuple[str, ...] = ("percentile", "basic", "bca")

#: What ``seed=`` takes: a non-negative int, None (fresh entropy), a numpy Generator or a SeedSequence.
SeedLike = int | np.random.Generator | np.random.SeedSequence | None

#: Bytes per resample beyond the metric values themselves: the difference of a paired comparison, and the copies
#: that selecting the valid resamples and taking quantiles make of one metric's values (8 bytes each).
_EXTRA_BYTES_PER_RESAMPLE = 3 * 8
#: Share of the machine's memory the bootstrap values may take.
_MEMORY_SHARE = 0.5
#: The budget where the machine's memory cannot be read (``os.sysconf`` is missing, e.g. on Windows).
_FALLBACK_BUDGET = 2 << 30


@dataclass(frozen=True)
class Resampling:
    """Checked resampling options.

    Attributes:
        n_resamples: Resamples to draw.
        seed: The root of every random draw.
        seed_label: What results report as their seed (the int given, or the entropy drawn from a numpy
            Generator).
        method: "percentile", "basic" or "bca".
        confidence: The confidence level.
        min_rows: Data with fewer rows is skipped.
        stratify: Resample within each label.

    Example:
        >>> r = check_resampling(n_resamples=200, seed=3)
        >>> r.n_resamples, r.seed_label, r.method
        (200, 3, 'percentile')
    """

    n_resamples: int
    seed: np.random.SeedSequence
    seed_label: int | None
    method: str
    confidence: float
    min_rows: int
    stratify: bool

    def child_seed(self, i: int) -> np.random.SeedSequence:
        """The ``i``-th child of the seed, as ``SeedSequence.spawn`` gives it, without changing the root."""
        root = self.seed
        return np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, i), pool_size=root.pool_size)


def memory_budget() -> int:
    """Bytes the bootstrap values may take: half the machine's physical memory (2 GiB where it cannot be read).

    Example:
        >>> memory_budget() > 0
        True
    """
    try:
        total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return _FALLBACK_BUDGET
    return int(total * _MEMORY_SHARE) if total > 0 else _FALLBACK_BUDGET


def max_resamples(values_per_resample: int) -> int:
    """The most resamples whose values fit the memory budget, when each keeps ``values_per_resample`` numbers
    (one per metric and scorer).

    Example:
        >>> max_resamples(2) > max_resamples(20)
        True
    """
    return memory_budget() // _bytes_per_resample(values_per_resample)


def _bytes_per_resample(values_per_resample: int) -> int:
    return 8 * max(int(values_per_resample), 1) + _EXTRA_BYTES_PER_RESAMPLE


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _size(n_bytes: float) -> str:
    if n_bytes < 1000:
        return f"{n_bytes:,.0f} bytes"
    for unit in ("KB", "MB", "GB", "TB"):
        n_bytes /= 1000
        if n_bytes < 1000:
            return f"{n_bytes:,.1f} {unit}"
    return f"{n_bytes / 1000:,.1f} PB"


def _check_n_resamples(n_resamples: Any, values_per_resample: int) -> int:
    if not _is_int(n_resamples) or n_resamples < 2:
        raise EvalvizError(
            f"n_resamples must be an int of at least 2 (an interval needs resamples to spread over; 1,000 to "
            f"10,000 are usual), got {n_resamples!r}"
        )
    n_resamples = int(n_resamples)
    check_memory(n_resamples, values_per_resample)
    return n_resamples


def check_memory(n_resamples: int, values_per_resample: int) -> None:
    """Raise when `n_resamples` resamples of `values_per_resample` values each would not fit in memory.

    Args:
        n_resamples: The resamples asked for.
        values_per_resample: Values kept per resample (metrics x scorers).

    Raises:
        EvalvizError: They would take more than half of the machine's memory; the message gives the largest
            `n_resamples` that fits.

    Example:
        >>> check_memory(10**15, 1)
        Traceback (most recent call last):
        ...
        evalviz.errors.EvalvizError: n_resamples=1,000,000,000,000,000 is more than memory allows: ...
    """
    limit = max_resamples(values_per_resample)
    if n_resamples > limit:
        per = _bytes_per_resample(values_per_resample)
        raise EvalvizError(
            f"n_resamples={n_resamples:,} is more than memory allows: every resample keeps {per} bytes "
            f"({values_per_resample} metric value(s) and working copies), {_size(n_resamples * per)} in all, "
            f"while the bootstrap may use {_size(memory_budget())} (half of this machine's memory), i.e. at most "
            f"n_resamples={limit:,}. 1,000 to 10,000 resamples are usual."
        )


def _seed_sequence(seed: Any) -> tuple[np.random.SeedSequence, int | None]:
    """(root seed, the label results report) for an int, None, a numpy Generator or a SeedSequence."""
    if seed is None:
        fresh = np.random.SeedSequence()
        return fresh, int(fresh.entropy)  # reported, so that the run can be repeated
    if _is_int(seed):
        if seed < 0:
            raise EvalvizError(f"seed must be a non-negative int, None or a numpy Generator, got {seed!r}")
        return np.random.SeedSequence(int(seed)), int(seed)
    if isinstance(seed, np.random.Generator):
        # Like an rng= argument: entropy is drawn from the generator, so the result follows from its state.
        entropy = int.from_bytes(seed.bytes(16), "little")
        return np.random.SeedSequence(entropy), entropy
    if isinstance(seed, np.random.SeedSequence):
        entropy = seed.entropy
        return seed, entropy if isinstance(entropy, int) else None
    raise EvalvizError(
        f"seed must be a non-negative int, None or a numpy Generator (numpy.random.default_rng(...)), "
        f"got {type(seed).__name__} {seed!r}"
    )


def check_flag(name: str, value: Any, *, allow_none: bool = False) -> None:
    """Raise unless `value` is True or False (or None, when allowed).

    Args:
        name: The parameter's name, for the message.
        value: Its value.
        allow_none: Whether None is allowed.

    Raises:
        EvalvizError: Naming the parameter and the value given.

    Example:
        >>> check_flag("stratify", "yes")
        Traceback (most recent call last):
        ...
        evalviz.errors.ArgumentTypeError: stratify must be True or False, got 'yes'
    """
    if value is None and allow_none:
        return
    if not isinstance(value, (bool, np.bool_)):
        allowed = "True, False or None" if allow_none else "True or False"
        raise ArgumentTypeError(f"{name} must be {allowed}, got {value!r}")


def check_column_name(name: str, value: Any) -> None:
    """Raise unless `value` is None or a non-empty column name.

    Args:
        name: The parameter's name, for the message.
        value: Its value.

    Raises:
        EvalvizError: Naming the parameter and the value given.

    Example:
        >>> check_column_name("cluster", 3)
        Traceback (most recent call last):
        ...
        evalviz.errors.EvalvizError: cluster must name a column (a non-empty str) or be None, got 3
    """
    if value is not None and not (isinstance(value, str) and value):
        raise EvalvizError(f"{name} must name a column (a non-empty str) or be None, got {value!r}")


def check_scorer(name: str, value: Any) -> None:
    """Raise unless `value` is None or the name of a scorer (a non-empty str).

    Args:
        name: The parameter's name, for the message.
        value: Its value.

    Raises:
        EvalvizError: Naming the parameter and the value given.

    Example:
        >>> check_scorer("scorer", ["bm25"])
        Traceback (most recent call last):
        ...
        evalviz.errors.EvalvizError: scorer must be the name of one scorer (a non-empty str) or None, got ['bm25']
    """
    if value is not None and not (isinstance(value, str) and value):
        raise EvalvizError(f"{name} must be the name of one scorer (a non-empty str) or None, got {value!r}")


def check_resampling(
    *,
    n_resamples: Any = 1000,
    seed: Any = 0,
    method: Any = "percentile",
    confidence: Any = 0.95,
    min_rows: Any = 10,
    stratify: Any = False,
    values_per_resample: int = 1,
) -> Resampling:
    """Check the resampling arguments of a public analysis function; raise naming the first bad one.

    Args:
        n_resamples: An int of at least 2, bounded by what memory allows (`max_resamples`).
        seed: A non-negative int, None (fresh entropy), a numpy Generator (entropy is drawn from it, as an `rng=`
            argument would be used) or a `SeedSequence`.
        method: "percentile", "basic" or "bca".
        confidence: A number strictly between 0 and 1.
        min_rows: A positive int.
        stratify: True or False.
        values_per_resample: Metrics x scorers kept per resample.

    Returns:
        The checked `Resampling`.

    Raises:
        EvalvizError: Naming the first bad argument and its value.

    Example:
        >>> check_resampling(seed=-1)
        Traceback (most recent call last):
        ...
        evalviz.errors.EvalvizError: seed must be a non-negative int, None or a numpy Generator, got -1
    """
    n = _check_n_resamples(n_resamples, values_per_resample)
    root, label = _seed_sequence(seed)
    if not isinstance(method, str) or method not in METHODS:
        raise EvalvizError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    if (
        isinstance(confidence, (bool, np.bool_))
        or not isinstance(confidence, Real)
        or not math.isfinite(confidence)
        or not 0 < confidence < 1
    ):
        raise EvalvizError(f"confidence must be a number strictly between 0 and 1, got {confidence!r} (e.g. 0.95)")
    if not _is_int(min_rows) or min_rows < 1:
        raise EvalvizError(f"min_rows must be a positive int, got {min_rows!r}")
    check_flag("stratify", stratify)
    return Resampling(n, root, label, method, float(confidence), int(min_rows), bool(stratify))
