"""Benchmark: a 10,000,000-row Parquet file of (model, task, score) to a scores heatmap ready to display.

Usage: python benchmarks/bench_data.py [--rows N] [--repeat K]

Writes the file under benchmarks/.data/ when it is missing, then runs each case in a fresh Python process,
so that peak RSS is the case's own:

- evalviz: `ev.Data.from_file` + `ev.scores_heatmap(...)`, touching `chart.spec` and `chart.datasets`.
- pandas: `pandas.read_parquet` + `groupby(["model", "task"]).score.mean()`, the same aggregation.

Time is measured inside the child, from the first call to the result: "first" is the first chart of the
process, "warm" the next one (a new Data over the same file). Imports run before the timer and are reported
apart. Peak RSS is the child's maximum resident set size, imports included. The median of `--repeat` runs is
shown. The targets apply to evalviz's first chart: at most 1 s and at most 400 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
DATA_DIR = ROOT / ".data"
ROWS = 10_000_000
N_MODELS = 25
N_TASKS = 40
TIME_TARGET_S = 1.0
RSS_TARGET_MB = 400.0

# Each case prints one JSON line. Imports run before the timer and are reported apart: `import evalviz`, and
# `import pandas` in both cases. pyarrow imports pandas on its first conversion of Python values when pandas
# is installed, so an evalviz run without it imported beforehand pays for that import inside the timer; that
# run ("bare") is shown too. "first" is the first chart of a fresh process (cold DuckDB, first Vega-Lite
# validation); "warm" is the next one, from a new Data on the same file.
EVALVIZ_CASE = """
import json, sys, time
t0 = time.perf_counter()
if sys.argv[2] == "preload":
    import pandas
import evalviz as ev
t1 = time.perf_counter()

def run():
    data = ev.Data.from_file(sys.argv[1])
    chart = ev.scores_heatmap(data, task_name="task", model_name="model", score_value="score", link=None)
    spec, datasets = chart.spec, chart.datasets
    cells = sum(table.num_rows for table in datasets.values())
    assert spec and cells > 0
    return cells

cells = run()
t2 = time.perf_counter()
run()
t3 = time.perf_counter()
print(json.dumps({"seconds": t2 - t1, "warm_seconds": t3 - t2, "import_seconds": t1 - t0, "cells": cells}))
"""

PANDAS_CASE = """
import json, sys, time
t0 = time.perf_counter()
import pandas as pd
t1 = time.perf_counter()

def run():
    df = pd.read_parquet(sys.argv[1])
    cells = df.groupby(["model", "task"]).score.mean()
    assert len(cells) > 0
    return len(cells)

cells = run()
t2 = time.perf_counter()
run()
t3 = time.perf_counter()
print(json.dumps({"seconds": t2 - t1, "warm_seconds": t3 - t2, "import_seconds": t1 - t0, "cells": cells}))
"""


def make_file(path: Path, rows: int) -> None:
    """Write `rows` rows of (model, task, score) with DuckDB; a few scores are missing, as in real logs."""
    import duckdb

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    con = duckdb.connect()
    con.execute(
        f"""
        COPY (
            SELECT
                'model-' || lpad(CAST(i % {N_MODELS} AS VARCHAR), 2, '0') AS model,
                'task-' || lpad(CAST((i // {N_MODELS}) % {N_TASKS} AS VARCHAR), 2, '0') AS task,
                CASE WHEN hash(i) % 1000 = 0 THEN NULL
                     ELSE ((hash(i, 1) % 1000) / 1000.0 + (i % {N_MODELS}) / {N_MODELS}.0) / 2 END AS score
            FROM range({rows}) AS t(i)
        ) TO '{tmp}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 1000000)
        """
    )
    con.close()
    tmp.replace(path)


def run_case(code: str, path: Path, *args: str) -> dict[str, float]:
    """Run one case in a fresh interpreter; its peak RSS comes from wait4's rusage, so it is its own."""
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(path), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    out, err = proc.stdout.read(), proc.stderr.read()  # type: ignore[union-attr]
    proc.stdout.close()  # type: ignore[union-attr]
    proc.stderr.close()  # type: ignore[union-attr]
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"benchmark case failed:\n{err}")
    result = json.loads(out.strip().splitlines()[-1])
    result["peak_rss_mb"] = usage.ru_maxrss / 1024  # kilobytes on Linux
    return result


def median_run(code: str, path: Path, repeat: int, *args: str) -> dict[str, float]:
    runs = [run_case(code, path, *args) for _ in range(repeat)]
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=ROWS, help="rows in the Parquet file")
    parser.add_argument("--repeat", type=int, default=3, help="runs per case; the median is reported")
    args = parser.parse_args()

    path = DATA_DIR / f"scores_{args.rows}.parquet"
    if not path.exists():
        started = time.perf_counter()
        make_file(path, args.rows)
        print(f"wrote {path} ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - started:.1f} s")
    # Warm the page cache so that neither case pays for the first read from disk.
    path.read_bytes()

    evalviz = median_run(EVALVIZ_CASE, path, args.repeat, "preload")
    bare = median_run(EVALVIZ_CASE, path, args.repeat, "bare")
    pandas = median_run(PANDAS_CASE, path, args.repeat)
    time_ok = evalviz["seconds"] <= TIME_TARGET_S
    rss_ok = evalviz["peak_rss_mb"] <= RSS_TARGET_MB

    print(
        f"\n{args.rows:,} rows of (model, task, score), {os.cpu_count()} CPUs, median of {args.repeat} runs\n"
    )
    print("| case | first (s) | warm (s) | imports (s) | peak RSS (MB) | target | result |")
    print("|---|---:|---:|---:|---:|---|---|")
    target = f"<= {TIME_TARGET_S:g} s, <= {RSS_TARGET_MB:g} MB"
    verdict = "pass" if time_ok and rss_ok else "FAIL"
    for name, run, goal, result in (
        ("evalviz: Data.from_file + scores_heatmap", evalviz, target, verdict),
        ("evalviz, pandas not imported beforehand", bare, "(pyarrow imports it in the timed part)", ""),
        ("pandas: read_parquet + groupby mean", pandas, "(reference)", ""),
    ):
        print(
            f"| {name} | {run['seconds']:.3f} | {run['warm_seconds']:.3f} | {run['import_seconds']:.2f} | "
            f"{run['peak_rss_mb']:.0f} | {goal} | {result} |"
        )
    print(
        f"| ratio evalviz / pandas | {evalviz['seconds'] / pandas['seconds']:.2f}x | "
        f"{evalviz['warm_seconds'] / pandas['warm_seconds']:.2f}x | | "
        f"{evalviz['peak_rss_mb'] / pandas['peak_rss_mb']:.2f}x | | |"
    )
    if int(evalviz["cells"]) != int(pandas["cells"]):
        print(f"\nWARNING: evalviz drew {evalviz['cells']} cells, pandas found {pandas['cells']} groups.")
    return 0 if time_ok and rss_ok else 1


if __name__ == "__main__":
    sys.exit(main())
