"""Benchmark: start-up, `import evalviz` and the first chart of a fresh process, beside a bare `import altair`.

Usage: python benchmarks/bench_startup.py [--repeat K] [--strict]

Each case runs in a fresh Python process of this venv, the cases taking turns, after one untimed run of each
(it warms the disk cache and the bytecode):

- altair: `import altair`, timed, and nothing else: what evalviz would pay if it imported Altair.
- evalviz: `import evalviz` (timed), then the first chart (timed): `scores_heatmap` of the example evals table
  written out as HTML. The process also reports the heavy optional packages it loaded (it should load none).

The table gives the median of `--repeat` runs of each, and the verdict of the target: import plus first chart at
most 0.5 s. The time a process takes to start Python itself is not counted in any row. `--strict` makes a missed
target exit with status 1.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVALS = ROOT / "examples" / "data" / "evals.parquet"
TARGET = 0.5  # seconds: `import evalviz` plus the first scores_heatmap written as HTML
HEAVY = ("altair", "jsonschema", "anywidget", "ipywidgets", "IPython", "pandas", "polars", "vl_convert", "scipy",
         "sklearn", "inspect_ai")

CASES = {
    "altair": """
import json, time
t0 = time.perf_counter()
import altair
print(json.dumps({"import": time.perf_counter() - t0}))
""",
    "evalviz": """
import json, sys, tempfile, time
t0 = time.perf_counter()
import evalviz as ev
t1 = time.perf_counter()
ev.scores_heatmap(ev.Data.from_file(sys.argv[1])).write_html(tempfile.mkdtemp() + "/chart.html")
t2 = time.perf_counter()
heavy = [name for name in json.loads(sys.argv[2]) if name in sys.modules]
print(json.dumps({"import": t1 - t0, "first": t2 - t1, "total": t2 - t0, "heavy": heavy}))
""",
}


def run_case(case: str) -> dict:
    """One fresh interpreter running `case`; its timings."""
    done = subprocess.run([sys.executable, "-c", CASES[case], str(EVALS), json.dumps(HEAVY)], capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"benchmark case {case} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def median(runs: list[dict], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs per case; the median is reported")
    parser.add_argument("--strict", action="store_true", help="exit with status 1 when the target is missed")
    args = parser.parse_args()

    runs: dict[str, list[dict]] = {case: [] for case in CASES}
    for case in CASES:
        run_case(case)
    for _ in range(args.repeat):
        for case, results in runs.items():
            results.append(run_case(case))

    evalviz = runs["evalviz"]
    total = median(evalviz, "total")
    passed = total <= TARGET
    lab = "with" if importlib.util.find_spec("jupyterlab") else "without"
    print(f"\nStart-up in a fresh process ({lab} JupyterLab installed), median of {args.repeat} runs\n")
    print("| step | seconds | target | verdict |")
    print("|---|---:|---:|---|")
    print(f"| `import altair` (bare, for comparison) | {median(runs['altair'], 'import'):.3f} | | |")
    print(f"| `import evalviz` | {median(evalviz, 'import'):.3f} | | |")
    print(f"| first `scores_heatmap` to HTML | {median(evalviz, 'first'):.3f} | | |")
    print(f"| import + first chart | {total:.3f} | {TARGET:.1f} | {'pass' if passed else 'FAIL'} |")
    heavy = sorted({name for run in evalviz for name in run["heavy"]})
    print(f"\nheavy optional packages loaded by import + first chart: {', '.join(heavy) or 'none'}")
    return 0 if passed or not args.strict else 1


if __name__ == "__main__":
    sys.exit(main())
