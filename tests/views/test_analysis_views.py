"""From the analysis layer to the browser: prediction files -> evaluate_slices -> slice_metric_heatmap, and
inspect_ai samples -> paired_diff_between_models -> diff_plot, each rendered in Chromium."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest

import evalviz as ev
from evalviz.analysis import PredictionColumns, evaluate_slices, paired_diff_between_models, prediction_ref_for_file
from evalviz.rendering.html import chart_markup, standalone_page
from evalviz.views.colors import ERROR_COLOR, SKIPPED_COLOR

pytestmark = pytest.mark.browser

SINGLE_CLASS = "single-class data: 0 positive and 20 negative rows"


@pytest.fixture
def slice_table(tmp_path: Path) -> ev.Data:
    """Three scorers written to disk (CSV and Parquet), bootstrapped over three language slices. "fr" holds
    negatives only (pr_auc is skipped there), and "raw" scores are logits (brier is an error for them)."""
    rng = np.random.default_rng(7)
    n = 200
    lang = np.array(["en"] * 100 + ["de"] * 80 + ["fr"] * 20)
    y = rng.integers(0, 2, n)
    y[lang == "fr"] = 0
    scores = {
        "old": np.clip(0.25 * y + 0.75 * rng.random(n), 0, 1),
        "new": np.clip(0.35 * y + 0.65 * rng.random(n), 0, 1),
        "raw": 1.5 * y + rng.normal(size=n),
    }
    ids = [f"q{i}" for i in range(n)]
    refs = {}
    for name, p in scores.items():
        table = pa.table({"id": ids, "y": y, "p": p, "lang": lang})
        path = tmp_path / (f"{name}.csv" if name == "old" else f"{name}.parquet")
        (pcsv.write_csv if path.suffix == ".csv" else pq.write_table)(table, path)
        refs[name] = prediction_ref_for_file(path, PredictionColumns("y", "p", row_id="id"))
    return evaluate_slices(refs, slice_by="lang", metrics=["pr_auc", "brier"], n_resamples=300, seed=1)


def test_evaluate_slices_heatmap_shows_interval_n_skipped_and_error_cells(slice_table: ev.Data, render) -> None:
    pr_auc = ev.slice_metric_heatmap(slice_table.filter("metric = 'pr_auc'"), row="slice", col="scorer",
                                     value="value", metric_name="PR-AUC")
    brier = ev.slice_metric_heatmap(slice_table.filter("metric = 'brier'"), row="slice", col="scorer",
                                    value="value", metric_name="Brier")
    # The analysis table's optional columns are picked up without naming them.
    assert {"low", "high", "size", "status", "reason"} <= set(pr_auc.datasets["cells"].column_names)
    page = render(standalone_page("".join(chart_markup(c.spec, c.datasets) for c in (pr_auc, brier)),
                                  title="slices"), wait_for=2)
    rows = {(r["slice"], r["scorer"], r["metric"]): r for r in slice_table.to_arrow().to_pylist()}

    # 4 slices (the overall one first) x 3 scorers; hovering a cell shows its value, interval and n.
    assert len(page.cells(0)) == 12
    assert page.axis_labels_in_order("y", 0) == ["all", "en", "de", "fr"]  # slices in the order of the data
    for slice_name, scorer in (("en", "new"), ("all", "old")):
        expected = rows[(slice_name, scorer, "pr_auc")]
        tip = page.hover(page.cell(0, x=scorer, y=slice_name))
        assert tip["slice"] == slice_name and tip["scorer"] == scorer
        assert tip["PR-AUC"] == f"{expected['value']:.3f}"
        assert tip["interval"] == f"[{expected['low']:.3f}, {expected['high']:.3f}]"
        assert tip["n"] == str(expected["n"])

    # The single-class slice is skipped: neutral grey, its reason in the tooltip, never a colour of the scale.
    for scorer in ("old", "new", "raw"):
        assert page.cell(0, x=scorer, y="fr").fill == SKIPPED_COLOR
    tip = page.hover(page.cell(0, x="new", y="fr"))
    assert tip["PR-AUC"] == f"skipped: {SINGLE_CLASS}" and tip["n"] == "20"
    assert "skipped" in page.legend_labels(0) and "error" not in page.legend_labels(0)

    # Brier on logits is an error: dark with a cross, told apart from the skipped grey, with its reason.
    page.chart(1).scroll_into_view_if_needed()
    error = page.cell(1, x="raw", y="en")
    assert error.fill == ERROR_COLOR != SKIPPED_COLOR
    assert [mark.text for mark in page.marks_on(error, index=1)] == ["\u00d7"]
    assert page.hover(error)["Brier"].startswith("error: metric 'brier' needs scores in [0, 1]")
    assert "error" in page.legend_labels(1)
    ok = page.cell(1, x="old", y="fr")  # brier needs no second class: the French slice has a value
    assert ok.fill not in (ERROR_COLOR, SKIPPED_COLOR) and page.hover(ok)["n"] == "20"


def test_paired_diff_between_models_on_inspect_samples_draws_one_row_per_task(samples_path: Path, render) -> None:
    samples = ev.Data.from_file(samples_path)
    diffs = paired_diff_between_models(samples, "Atlas Small", "Atlas Large", score="match", by="task",
                                       overall=None, n_resamples=400)
    table = {r["slice"]: r for r in diffs.to_arrow().to_pylist()}
    tasks = samples.sql("SELECT DISTINCT task_display_name AS t FROM this ORDER BY 1")["t"].to_pylist()
    assert sorted(table) == tasks

    page = render(ev.diff_plot(diffs, title="Atlas Large - Atlas Small"))
    points = [i for i in page.items() if i.name == "point_marks"]
    intervals = [i for i in page.items() if i.name == "interval_marks"]
    assert sorted(p.datum["slice"] for p in points) == tasks  # one point per task ...
    assert sorted(i.datum["slice"] for i in intervals) == tasks  # ... and one interval
    by_delta = sorted(tasks, key=lambda t: -table[t]["delta"])
    assert page.axis_labels_in_order("y") == by_delta
    assert page.title_texts() == ["Atlas Large - Atlas Small", "metric: mean"]

    top = next(p for p in points if p.datum["slice"] == by_delta[0])
    row = table[by_delta[0]]
    tip = page.hover(top)
    assert tip["slice"] == by_delta[0] and tip["n"] == "48"
    assert tip["difference"] == f"{row['delta']:+.3f}"
    assert tip["interval"] == f"[{row['low']:+.3f}, {row['high']:+.3f}]"
    assert tip["Atlas Small (baseline)"] == f"{row['baseline_value']:.3f}"
    assert tip["Atlas Large (candidate)"] == f"{row['candidate_value']:.3f}"
    reading = "better" if row["low"] > 0 else "worse" if row["high"] < 0 else "no clear difference"
    assert tip["result"].startswith(reading)
