"""Benchmark: `import evalviz` and the first chart of a fresh process, with the garbage collector left alone.

Usage: python benchmarks/bench_startup.py [--repeat K]

Each case runs in a fresh Python process, the two cases taking turns: the import (timed), then the first chart
(`scores_heatmap` of the example evals table, written out as HTML; timed). The time the garbage collector
spent inside the first chart and the full collections it made there are measured through `gc.callbacks`.

- evalviz: as shipped; the collector sees every object, so a user's cyclic garbage is collected as ever.
- frozen: `gc.freeze()` right after the import, what evalviz once did to keep the objects of the import out of
  the first chart's collections (the comparison). It also froze the user's objects alive at that moment, which
  were then never collected.

The median of `--repeat` runs is shown.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVALS = ROOT / "examples" / "data" / "evals.parquet"

CASE = """
import gc, json, sys, tempfile, time
spent, full, began = [0.0], [0], [0.0]

def watch(phase, info):
    if phase == "start":
        began[0] = time.perf_counter()
    else:
        spent[0] += time.perf_counter() - began[0]
        full[0] += info["generation"] == 2

t0 = time.perf_counter()
import evalviz as ev
t1 = time.perf_counter()
if sys.argv[2] == "frozen":
    gc.freeze()
gc.callbacks.append(watch)
t2 = time.perf_counter()
chart = ev.scores_heatmap(ev.Data.from_file(sys.argv[1]))
chart.write_html(tempfile.mkdtemp() + "/chart.html")
t3 = time.perf_counter()
gc.callbacks.remove(watch)
print(json.dumps({"import": t1 - t0, "first": t3 - t2, "gc": spent[0], "full": full[0]}))
"""


def run_case(mode: str) -> dict[str, float]:
    """One fresh interpreter: its import and first chart."""
    done = subprocess.run([sys.executable, "-c", CASE, str(EVALS), mode], capture_output=True, text=True,
                          check=False)
    if done.returncode != 0:
        raise RuntimeError(f"benchmark case {mode} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs per case; the median is reported")
    args = parser.parse_args()

    runs: dict[str, list[dict[str, float]]] = {"evalviz": [], "frozen": []}
    run_case("evalviz")  # warms the disk cache and bytecode, so neither case pays for it
    for _ in range(args.repeat):
        for mode, results in runs.items():
            results.append(run_case(mode))

    print(f"\n`import evalviz` and the first chart in a fresh process, median of {args.repeat} runs\n")
    print("| case | import (s) | first chart (s) | import + first chart (s) | gc in first chart (s) | full gcs |")
    print("|---|---:|---:|---:|---:|---:|")
    for mode, results in runs.items():
        median = {key: statistics.median(r[key] for r in results) for key in results[0]}
        total = statistics.median(r["import"] + r["first"] for r in results)
        print(f"| {mode} | {median['import']:.3f} | {median['first']:.3f} | {total:.3f} | {median['gc']:.3f} | "
              f"{median['full']:g} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
