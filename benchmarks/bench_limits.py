"""Benchmark: scores_by_limit over a 2,000,000-row samples table with 100 budgets, at most 1 s to HTML.

Usage: python benchmarks/bench_limits.py

Writes the table under benchmarks/.data/ when missing (100 models x 10,000 samples x 2 epochs, with total_tokens
from 100 to about 1,000,000, a 0/1 score_match, 1% errored rows and 1% without a token count), then measures, all
in this run:

- evalviz: a fresh process imports evalviz, then times `Data.from_file` -> `scores_by_limit` -> `to_html` (the
  median of 3 processes), and `scores_by_limit_data` alone (the one DuckDB query).
- The same curves done per budget, as one would by hand: numpy (read the Parquet file with pyarrow, then for each
  of the 100 budgets count each model's solved rows with `np.bincount`), and inspect_viz's `scores_by_limit_df`
  way in pandas (for each budget: copy the frame, zero the scores above the budget, group by model for the mean
  and standard error), timed over 5 budgets and scaled to 100 (said in the table). Both are checked to give
  evalviz's shares.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent
DATA_DIR = ROOT / ".data"
MODELS, SAMPLES, EPOCHS = 100, 10_000, 2
STEPS = 100
REPEAT = 3
PANDAS_BUDGETS = 5  # inspect_viz's per-budget pandas loop is timed over this many budgets, then scaled to STEPS
TARGET_S = 1.0

EVALVIZ_CASE = """
import json, sys, time
import evalviz as ev
from evalviz.views.scores_by_limit import scores_by_limit_data
t0 = time.perf_counter()
data = ev.Data.from_file(sys.argv[1])
html = ev.scores_by_limit(data, limit="total_tokens", score="score_match", steps=int(sys.argv[2])).to_html()
seconds = time.perf_counter() - t0
t1 = time.perf_counter()
scores_by_limit_data(ev.Data.from_file(sys.argv[1]), score="score_match", steps=int(sys.argv[2]))
print(json.dumps({"seconds": seconds, "query_s": time.perf_counter() - t1, "html_mb": len(html) / 1e6}))
"""


def make_table(path: Path) -> None:
    """A samples table with inspect_ai's column names, written by DuckDB: tokens log-uniform from 100 to about
    1,000,000, solved more often by stronger models and with more tokens."""
    import duckdb

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    duckdb.connect().execute(
        f"""
        COPY (
            SELECT
                'model-' || lpad(CAST(m AS VARCHAR), 3, '0') AS model_display_name,
                'sample-' || lpad(CAST(s AS VARCHAR), 5, '0') AS id,
                e + 1 AS epoch,
                CASE WHEN h % 100 = 1 THEN NULL
                     ELSE CAST(round(100 * pow(10, 4 * ((h >> 8) % 10000) / 10000.0)) AS BIGINT) END
                    AS total_tokens,
                CAST((h >> 24) % 1000 < 200 + 500 * m / {MODELS} + 200 * ((h >> 8) % 10000) / 10000.0 AS DOUBLE)
                    AS score_match,
                CASE WHEN h % 100 = 2 THEN 'RuntimeError: sandbox died' ELSE '' END AS error
            FROM (SELECT m, s, e, hash(m, s, e) AS h
                  FROM range({MODELS}) AS a(m), range({SAMPLES}) AS b(s), range({EPOCHS}) AS c(e))
            ORDER BY m, s, e
        ) TO '{tmp}' (FORMAT parquet, COMPRESSION zstd)
        """
    )
    tmp.rename(path)


def table_path() -> Path:
    path = DATA_DIR / f"limits_{MODELS}x{SAMPLES}x{EPOCHS}.parquet"
    if not path.exists():
        make_table(path)
    return path


def evalviz_run(path: Path) -> dict:
    """The run with the median time of REPEAT fresh processes."""
    runs = []
    for _ in range(REPEAT):
        out = subprocess.run([sys.executable, "-c", EVALVIZ_CASE, str(path), str(STEPS)], check=True,
                             capture_output=True, text=True)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return sorted(runs, key=lambda run: run["seconds"])[REPEAT // 2]


def numpy_per_budget(path: Path, budgets: np.ndarray) -> tuple[float, np.ndarray]:
    """Seconds to read the table and count, for each budget in turn, each model's solved rows; and the shares
    (models x budgets)."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    t0 = time.perf_counter()
    table = pq.read_table(path, columns=["model_display_name", "total_tokens", "score_match", "error"])
    codes = pc.dictionary_encode(table["model_display_name"]).combine_chunks()
    model = codes.indices.to_numpy()
    tokens = table["total_tokens"].to_numpy(zero_copy_only=False).astype(float)  # NULL -> NaN
    solved = (table["score_match"].to_numpy(zero_copy_only=False) >= 1) & (table["error"].to_numpy(
        zero_copy_only=False) == "")
    models = len(codes.dictionary)
    n = np.bincount(model, minlength=models)
    shares = np.empty((models, len(budgets)))
    for j, budget in enumerate(budgets):
        shares[:, j] = np.bincount(model, weights=solved & (tokens <= budget), minlength=models) / n
    order = np.argsort(codes.dictionary.to_pylist())
    return time.perf_counter() - t0, shares[order]


def pandas_per_budget(path: Path, budgets: np.ndarray) -> tuple[float, np.ndarray]:
    """Seconds for inspect_viz's way over `budgets` (read, then per budget: copy, zero the scores over it, group
    by model for mean and standard error); and the shares (models x budgets)."""
    import pandas as pd

    t0 = time.perf_counter()
    df = pd.read_parquet(path, columns=["model_display_name", "total_tokens", "score_match", "error"])
    df["score_match"] = df["score_match"].where(df["error"] == "", 0.0)
    columns = []
    for budget in budgets:
        limited = df.copy()
        limited.loc[~(limited["total_tokens"] <= budget), "score_match"] = 0.0
        stats = limited.groupby("model_display_name").agg(success_rate=("score_match", "mean"),
                                                          standard_error=("score_match", "sem"))
        columns.append(stats["success_rate"].sort_index().to_numpy())
    return time.perf_counter() - t0, np.column_stack(columns)


def main() -> None:
    import evalviz as ev
    from evalviz.views.scores_by_limit import scores_by_limit_data

    path = table_path()
    run = evalviz_run(path)
    curve = scores_by_limit_data(ev.Data.from_file(path), score="score_match", steps=STEPS).to_arrow()
    models = len(set(curve["model"].to_pylist()))
    budgets = np.asarray(curve["budget"].to_pylist()[:STEPS])
    expected = np.asarray(curve["success_rate"].to_pylist()).reshape(models, STEPS)
    numpy_s, numpy_shares = numpy_per_budget(path, budgets)
    picks = np.linspace(0, STEPS - 1, PANDAS_BUDGETS).astype(int)
    pandas_s, pandas_shares = pandas_per_budget(path, budgets[picks])
    assert np.allclose(numpy_shares, expected, rtol=0, atol=1e-12), "numpy per budget disagrees with evalviz"
    assert np.allclose(pandas_shares, expected[:, picks], rtol=0, atol=1e-12), "pandas disagrees with evalviz"
    pandas_full = pandas_s * STEPS / PANDAS_BUDGETS

    rows = MODELS * SAMPLES * EPOCHS
    print(f"\n### scores_by_limit over {rows:,} rows, {STEPS} budgets, {models} models (target: <= {TARGET_S} s)\n")
    print("| run | seconds | vs evalviz | note |")
    print("| --- | --- | --- | --- |")
    verdict = "pass" if run["seconds"] <= TARGET_S else "FAIL"
    print(f"| evalviz: from_file -> scores_by_limit -> to_html | {run['seconds']:.3f} | 1.0x | {verdict}; "
          f"HTML {run['html_mb']:.2f} MB; median of {REPEAT} fresh processes |")
    print(f"| evalviz: scores_by_limit_data (one DuckDB query) | {run['query_s']:.3f} | "
          f"{run['query_s'] / run['seconds']:.2f}x | same process, after the chart |")
    print(f"| numpy, a loop over budgets (pyarrow read + bincount) | {numpy_s:.3f} | "
          f"{numpy_s / run['seconds']:.1f}x | same shares as evalviz |")
    print(f"| pandas, inspect_viz's scores_by_limit_df loop | {pandas_full:.3f} | {pandas_full / run['seconds']:.1f}x "
          f"| {pandas_s:.2f} s over {PANDAS_BUDGETS} budgets, scaled to {STEPS}; same shares; no chart |")


if __name__ == "__main__":
    main()
