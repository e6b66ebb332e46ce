"""Benchmark: evalviz bootstrap CIs against scipy.stats.bootstrap on the same statistics.

50,000 rows, 1,000 resamples, pr_auc and roc_auc together, percentile intervals. scipy's statistic is
scikit-learn's ``average_precision_score`` and ``roc_auc_score`` (one call per resample,
``vectorized=False``: sklearn's metrics take one resample at a time). Both run in this process, one
after the other, so they see the same machine.

Targets: evalviz at most 1 s, and at least 10x faster than scipy.

Run: ``python benchmarks/bench_bootstrap.py`` (``--strict`` exits 1 when a target fails,
``--scipy-resamples N`` times scipy on fewer resamples and scales to 1,000).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

try:
    import evalviz  # noqa: F401
except ImportError:  # run from a source checkout
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from evalviz.analysis import bootstrap_metrics, paired_bootstrap_diff  # noqa: E402

N_ROWS = 50_000
N_RESAMPLES = 1_000
TARGET_SECONDS = 1.0
TARGET_SPEEDUP = 10.0


def make_data(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = (rng.random(n) < 0.3).astype(np.int64)
    old = 1 / (1 + np.exp(-(1.0 * labels + rng.normal(size=n) - 0.5)))
    new = 1 / (1 + np.exp(-(1.4 * labels + rng.normal(size=n) - 0.7)))
    return labels, old, new


def time_evalviz(
    labels: np.ndarray, scores: np.ndarray, repeats: int, **options: object
) -> tuple[float, dict]:
    bootstrap_metrics(labels[:2000], scores[:2000], metrics=["pr_auc", "roc_auc"], n_resamples=20)  # warm-up
    times = []
    result: dict = {}
    for _ in range(repeats):
        start = time.perf_counter()
        result = bootstrap_metrics(
            labels, scores, metrics=["pr_auc", "roc_auc"], n_resamples=N_RESAMPLES, **options
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def time_scipy(labels: np.ndarray, scores: np.ndarray, n_resamples: int) -> tuple[float, object]:
    from scipy.stats import bootstrap
    from sklearn.metrics import average_precision_score, roc_auc_score

    def both(y: np.ndarray, s: np.ndarray) -> np.ndarray:
        return np.array([average_precision_score(y, s), roc_auc_score(y, s)])

    start = time.perf_counter()
    res = bootstrap(
        (labels, scores),
        both,
        paired=True,
        vectorized=False,
        n_resamples=n_resamples,
        method="percentile",
        random_state=0,
    )
    return time.perf_counter() - start, res


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="evalviz timings to take the median of")
    parser.add_argument(
        "--scipy-resamples",
        type=int,
        default=N_RESAMPLES,
        help="resamples for scipy (its time is scaled to 1,000 when fewer)",
    )
    parser.add_argument("--strict", action="store_true", help="exit with status 1 when a target fails")
    args = parser.parse_args(argv)

    labels, old, new = make_data(N_ROWS)
    ev_time, ev = time_evalviz(labels, new, args.repeats, method="percentile")
    bca_time, _ = time_evalviz(labels, new, 1, method="bca")
    strat_time, _ = time_evalviz(labels, new, 1, method="percentile", stratify=True)
    start = time.perf_counter()
    paired_bootstrap_diff(labels, old, new, metric="roc_auc", n_resamples=N_RESAMPLES)
    paired_time = time.perf_counter() - start
    sp_raw, sp = time_scipy(labels, new, args.scipy_resamples)
    sp_time = sp_raw * N_RESAMPLES / args.scipy_resamples
    ratio = sp_time / ev_time

    scaled = "" if args.scipy_resamples == N_RESAMPLES else f" ({args.scipy_resamples} resamples, scaled)"
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"## Bootstrap benchmark: {N_ROWS:,} rows, {N_RESAMPLES:,} resamples, pr_auc + roc_auc\n")
    print(
        f"{platform.python_implementation()} {platform.python_version()}, numpy {np.__version__}, "
        f"{os.cpu_count()} CPUs, load average {load:.2f}\n"
    )
    print("| run | time (s) | notes |")
    print("|---|---:|---|")
    print(f"| evalviz, percentile | {ev_time:.3f} | median of {args.repeats} |")
    print(
        f"| scipy.stats.bootstrap, percentile{scaled} | {sp_time:.2f} | "
        "statistic: sklearn average_precision_score "
        "+ roc_auc_score, vectorized=False, paired=True |"
    )
    print(f"| evalviz, BCa (exact O(n) jackknife) | {bca_time:.3f} | one run |")
    print(f"| evalviz, percentile, stratified by label | {strat_time:.3f} | one run |")
    print(f"| evalviz, paired roc_auc difference (two scorers) | {paired_time:.3f} | one run |")
    print()
    print("| target | measured | result |")
    print("|---|---:|---|")
    time_ok = ev_time <= TARGET_SECONDS
    ratio_ok = ratio >= TARGET_SPEEDUP
    print(
        f"| evalviz percentile <= {TARGET_SECONDS:g} s | {ev_time:.3f} s | {'pass' if time_ok else 'FAIL'} |"
    )
    print(
        f"| >= {TARGET_SPEEDUP:g}x faster than scipy.stats.bootstrap | {ratio:.1f}x | "
        f"{'pass' if ratio_ok else 'FAIL'} |"
    )
    print()
    print("| interval (95%) | evalviz | scipy |")
    print("|---|---|---|")
    for i, name in enumerate(("pr_auc", "roc_auc")):
        ours = ev[name]
        theirs = (sp.confidence_interval.low[i], sp.confidence_interval.high[i])
        print(f"| {name} | [{ours['low']:.4f}, {ours['high']:.4f}] | [{theirs[0]:.4f}, {theirs[1]:.4f}] |")
    return 0 if (time_ok and ratio_ok) or not args.strict else 1


if __name__ == "__main__":
    raise SystemExit(main())
