"""Benchmark: `pr_curve` + `roc_curve` over 1,000,000 predictions, against scikit-learn + Altair.

Usage: python benchmarks/bench_curves.py [--strict]

Writes benchmarks/.data/predictions_1m.parquet when missing: 1,000,000 predictions of two models (500,000
each), a 0/1 label (about 30% positives) and a continuous score (float64: nearly every score distinct, the worst
case for a curve's thresholds). Then, in this run:

- evalviz: a fresh Python process imports evalviz, then times `Data.from_file` -> `pr_curve(...).write_html` ->
  `roc_curve(...).write_html` ("fresh": the first curves the process draws, importing the views' modules; the
  roc_curve reuses the ranking the pr_curve made of the same rows), then the same again ("warm": the rows are
  read and checked again, and the ranking reused as they are unchanged); the median of 3 processes, after one
  untimed process that writes Python's bytecode caches (as an installed package has them: the processes run
  without PYTHONDONTWRITEBYTECODE). Target: fresh at most 0.5 s.
- scikit-learn + Altair, the usual way, in a fresh process too: pandas reads the file, scikit-learn's
  `precision_recall_curve` and `roc_curve` per model, both with `drop_intermediate=True` (the fewest points
  that draw the same curves: every other vertex is on a straight or vertical run), `average_precision_score` /
  `roc_auc_score` for the legend, and an Altair line chart of each curve saved as a standalone page
  (`save(inline=True)`); one process (it takes many seconds).

Both print the time and the two pages' sizes. evalviz's page carries at most 2,000 exact vertices per curve;
Altair's carries every point scikit-learn returns.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
DATA = ROOT / ".data" / "predictions_1m.parquet"
ROWS, MODELS, REPEAT, TARGET_S = 1_000_000, ("model-a", "model-b"), 3, 0.5

EVALVIZ_CASE = """
import json, sys, time
import evalviz as ev
def both(suffix):
    t0 = time.perf_counter()
    data = ev.Data.from_file(sys.argv[1])
    ev.pr_curve(data, series="model", title="PR").write_html(sys.argv[2] + "/pr" + suffix + ".html")
    ev.roc_curve(data, series="model", title="ROC").write_html(sys.argv[2] + "/roc" + suffix + ".html")
    return time.perf_counter() - t0
fresh = both("")
print(json.dumps({"fresh": fresh, "warm": both("_warm")}))
"""

SKLEARN_ALTAIR_CASE = """
import json, sys, time
import altair as alt
import pandas as pd
from sklearn.metrics import average_precision_score, precision_recall_curve, roc_auc_score, roc_curve
t0 = time.perf_counter()
alt.data_transformers.disable_max_rows()
df = pd.read_parquet(sys.argv[1])
pr, roc = [], []
for model, rows in df.groupby("model"):
    y, s = rows["label"].to_numpy(), rows["score"].to_numpy()
    precision, recall, _ = precision_recall_curve(y, s, drop_intermediate=True)
    name = f"{model} (AP {average_precision_score(y, s):.3f})"
    pr.append(pd.DataFrame({"model": name, "recall": recall, "precision": precision}))
    fpr, tpr, _ = roc_curve(y, s, drop_intermediate=True)
    name = f"{model} (AUC {roc_auc_score(y, s):.3f})"
    roc.append(pd.DataFrame({"model": name, "fpr": fpr, "tpr": tpr}))
curves = time.perf_counter()
alt.Chart(pd.concat(pr)).mark_line(interpolate="step-before").encode(
    x="recall:Q", y="precision:Q", color="model:N", order="recall:Q").save(sys.argv[2] + "/pr.html", inline=True)
alt.Chart(pd.concat(roc)).mark_line().encode(
    x="fpr:Q", y="tpr:Q", color="model:N").save(sys.argv[2] + "/roc.html", inline=True)
print(json.dumps({"total": time.perf_counter() - t0, "curves": curves - t0,
                  "points": sum(len(p) for p in pr) + sum(len(r) for r in roc)}))
"""


def make_predictions(path: Path) -> None:
    """Two models' predictions, seeded: scores are a logistic of the label's signal plus noise."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(13)
    label = (rng.random(ROWS) < 0.3).astype(np.int8)
    model = np.repeat(np.array(MODELS), ROWS // len(MODELS))
    signal = np.where(model == MODELS[0], 1.6, 0.9)
    score = 1 / (1 + np.exp(-(signal * label + rng.normal(size=ROWS) - 0.8)))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    pq.write_table(pa.table({"model": model, "label": label, "score": score}), tmp)
    tmp.replace(path)


def run_case(code: str, *args: str) -> dict:
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    out = subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True, text=True, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def page_mb(folder: Path, *names: str) -> str:
    return " + ".join(f"{(folder / name).stat().st_size / 1e6:.2f}" for name in names) + " MB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strict", action="store_true", help="exit 1 when the target is missed")
    strict = parser.parse_args().strict
    if not DATA.exists():
        make_predictions(DATA)
    with tempfile.TemporaryDirectory() as tmp:
        ours_dir, theirs_dir = Path(tmp, "evalviz"), Path(tmp, "altair")
        ours_dir.mkdir()
        theirs_dir.mkdir()
        runs = [run_case(EVALVIZ_CASE, str(DATA), str(ours_dir)) for _ in range(REPEAT + 1)][1:]
        fresh = statistics.median(r["fresh"] for r in runs)
        warm = statistics.median(r["warm"] for r in runs)
        theirs = run_case(SKLEARN_ALTAIR_CASE, str(DATA), str(theirs_dir))
        rows = [
            ("evalviz pr_curve + roc_curve, fresh process", f"{fresh:.3f} s", page_mb(ours_dir, "pr.html", "roc.html"),
             f"<= {TARGET_S} s: {'met' if fresh <= TARGET_S else 'MISSED'}"),
            ("evalviz pr_curve + roc_curve, warm", f"{warm:.3f} s", "", ""),
            ("scikit-learn curves + AUC/AP", f"{theirs['curves']:.3f} s", "", ""),
            ("scikit-learn + Altair to HTML", f"{theirs['total']:.3f} s", page_mb(theirs_dir, "pr.html", "roc.html"),
             f"{theirs['points']:,} points"),
        ]
    print(f"{ROWS:,} predictions, {len(MODELS)} models (continuous scores), median of {REPEAT} processes for evalviz")
    print(f"{'case':<46} {'time':>9}  {'pages (PR + ROC)':<20} note")
    for case, seconds, size, note in rows:
        print(f"{case:<46} {seconds:>9}  {size:<20} {note}")
    return 1 if strict and fresh > TARGET_S else 0


if __name__ == "__main__":
    sys.exit(main())
