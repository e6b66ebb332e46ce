"""Long-form result tables: scorers x slices x metrics, and paired differences per slice."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from evalviz.analysis import (
    bootstrap_metrics,
    evaluate_slices,
    paired_bootstrap_diff,
    paired_diff_between_models,
    paired_diff_table,
)
from evalviz.analysis.tables import (
    PAIRED_SCHEMA,
    SLICE_SCHEMA,
    evaluate_slices_arrow,
    paired_diff_between_models_arrow,
    paired_diff_table_arrow,
)


@pytest.fixture
def wide_table():
    rng = np.random.default_rng(12)
    n = 900
    y = (rng.random(n) < 0.35).astype(int)
    lang = np.array(["en", "de", "fr"])[rng.integers(0, 3, n)]
    y[lang == "fr"] = 0  # a single-class slice
    return pa.table(
        {
            "label": y,
            "old": np.round(np.clip(0.5 + 0.2 * y + rng.normal(scale=0.2, size=n), 0, 1), 3),
            "new": np.round(np.clip(0.5 + 0.3 * y + rng.normal(scale=0.2, size=n), 0, 1), 3),
            "logit": y + rng.normal(size=n),
            "lang": lang,
            "source": np.where(rng.random(n) < 0.5, "web", None),
        }
    )


def test_evaluate_slices_table_layout_and_values(wide_table):
    t = evaluate_slices_arrow(
        wide_table,
        scorers=["old", "new"],
        slice_by="lang",
        metrics=["roc_auc", "brier"],
        n_resamples=200,
        seed=1,
    )
    assert t.schema == SLICE_SCHEMA
    rows = t.to_pylist()
    # Slices as given: in the order they first appear in the data.
    assert [r["slice"] for r in rows[::4]] == ["all", *dict.fromkeys(wide_table["lang"].to_pylist())]
    assert [(r["scorer"], r["metric"]) for r in rows[:4]] == [
        ("old", "roc_auc"),
        ("old", "brier"),
        ("new", "roc_auc"),
        ("new", "brier"),
    ]
    # Same numbers as bootstrapping the slice directly (with the same seed the scorers share resamples).
    y = np.asarray(wide_table["label"])
    en = np.asarray(wide_table["lang"]) == "en"
    direct = bootstrap_metrics(
        y[en], np.asarray(wide_table["new"])[en], metrics=["roc_auc", "brier"], n_resamples=200, seed=1
    )
    cell = next(r for r in rows if r["slice"] == "en" and r["scorer"] == "new" and r["metric"] == "roc_auc")
    assert (cell["value"], cell["low"], cell["high"], cell["n"]) == (
        direct["roc_auc"]["point"],
        direct["roc_auc"]["low"],
        direct["roc_auc"]["high"],
        int(en.sum()),
    )
    fr = [r for r in rows if r["slice"] == "fr"]
    assert {r["status"] for r in fr if r["metric"] == "roc_auc"} == {"skipped"}
    assert all(
        r["value"] is None and r["reason"].startswith("single-class data") for r in fr if r["metric"] == "roc_auc"
    )
    assert {r["status"] for r in fr if r["metric"] == "brier"} == {"ok"}


def test_error_cells_differ_from_skipped_ones(wide_table):
    t = evaluate_slices_arrow(
        wide_table,
        scorers={"calibrated": "new", "raw": "logit"},
        metrics=["brier", "roc_auc"],
        n_resamples=100,
    )
    rows = {(r["scorer"], r["metric"]): r for r in t.to_pylist()}
    assert rows[("raw", "brier")]["status"] == "error"
    assert "needs scores in [0, 1]" in rows[("raw", "brier")]["reason"]
    assert rows[("raw", "roc_auc")]["status"] == "ok"  # the other metric of that scorer still runs
    assert rows[("calibrated", "brier")]["status"] == "ok"


def test_multiple_slice_columns_and_missing_values(wide_table):
    t = evaluate_slices_arrow(
        wide_table,
        scorers=["new"],
        slice_by=["source", "lang"],
        metrics="mean",
        label=None,
        n_resamples=50,
        overall=None,
    )
    slices = t.column("slice").to_pylist()
    # Grouped by the first column, then the second, each in order of first appearance; missing values last.
    langs = list(dict.fromkeys(wide_table["lang"].to_pylist()))
    assert slices == [f"{source} / {lang}" for source in ("web", "(missing)") for lang in langs]
    with pytest.raises(ValueError, match="a slice is named 'en', like the overall slice"):
        evaluate_slices_arrow(wide_table, scorers=["new"], slice_by="lang", overall="en", metrics="mean", label=None)


def test_evaluate_slices_from_prediction_refs(tmp_path, wide_table, write_predictions, make_ref):
    refs = {}
    for scorer, fmt in (("old", "csv"), ("new", "parquet")):
        cols = {
            "label": wide_table["label"].to_pylist(),
            "score": wide_table[scorer].to_pylist(),
            "lang": wide_table["lang"].to_pylist(),
        }
        refs[scorer] = make_ref(write_predictions(tmp_path / scorer, cols, fmt), fmt)
    t = evaluate_slices_arrow(refs, slice_by="lang", metrics=["pr_auc"], n_resamples=100, seed=2)
    from_table = evaluate_slices_arrow(
        wide_table, scorers=["old", "new"], slice_by="lang", metrics=["pr_auc"], n_resamples=100, seed=2
    )
    assert t.column("value").to_pylist() == from_table.column("value").to_pylist()
    assert t.column("scorer").to_pylist()[:2] == ["old", "new"]


def test_evaluate_slices_input_errors(wide_table):
    with pytest.raises(ValueError, match="scorers= is required with a table"):
        evaluate_slices_arrow(wide_table)
    with pytest.raises(ValueError, match=r"has no column\(s\) 'newest'"):
        evaluate_slices_arrow(wide_table, scorers=["newest"])
    with pytest.raises(ValueError, match="metric 'roc_auc' needs 0/1 labels, but no label column was given"):
        evaluate_slices_arrow(wide_table, scorers=["new"], label=None, metrics="roc_auc")
    with pytest.raises(TypeError, match="expected a table"):
        evaluate_slices_arrow(42, scorers=["new"])


def test_progress_bar_for_many_slices(wide_table, capsys):
    many = wide_table.append_column("bucket", pa.array([f"b{i % 12:02d}" for i in range(wide_table.num_rows)]))
    evaluate_slices_arrow(many, scorers=["new"], slice_by="bucket", metrics="mean", label=None, n_resamples=20)
    assert "bootstrapping slices" in capsys.readouterr().err
    evaluate_slices_arrow(
        many, scorers=["new"], slice_by="bucket", metrics="mean", label=None, n_resamples=20, progress=False
    )
    assert capsys.readouterr().err == ""
    evaluate_slices_arrow(many, scorers=["new"], slice_by="lang", metrics="mean", label=None, n_resamples=20)
    assert capsys.readouterr().err == ""  # few slices: no bar
    evaluate_slices_arrow(
        many, scorers=["new"], slice_by="lang", metrics="mean", label=None, n_resamples=20, progress=True
    )
    assert "bootstrapping slices" in capsys.readouterr().err


def test_paired_diff_table_per_slice(tmp_path, wide_table, write_predictions, make_ref):
    ids = [f"q{i}" for i in range(wide_table.num_rows)]
    order = np.random.default_rng(0).permutation(wide_table.num_rows)
    base_cols = {
        "id": ids,
        "label": wide_table["label"].to_pylist(),
        "score": wide_table["old"].to_pylist(),
        "lang": wide_table["lang"].to_pylist(),
    }
    cand_cols = {
        "id": [ids[i] for i in order],
        "label": [base_cols["label"][i] for i in order],
        "score": [wide_table["new"][int(i)].as_py() for i in order],
    }
    base = make_ref(write_predictions(tmp_path / "b", base_cols, "parquet"), "parquet", row_id="id")
    cand = make_ref(write_predictions(tmp_path / "c", cand_cols, "csv"), "csv", row_id="id")
    t = paired_diff_table_arrow(base, cand, metric="roc_auc", slice_by="lang", n_resamples=200, seed=5)
    assert t.schema == PAIRED_SCHEMA
    rows = {r["slice"]: r for r in t.to_pylist()}
    assert list(rows) == ["all", *dict.fromkeys(base_cols["lang"])]
    assert rows["fr"]["status"] == "skipped" and rows["fr"]["overlaps_zero"] is None
    y = np.asarray(wide_table["label"])
    de = np.asarray(wide_table["lang"]) == "de"
    direct = paired_bootstrap_diff(
        y[de],
        np.asarray(wide_table["old"])[de],
        np.asarray(wide_table["new"])[de],
        metric="roc_auc",
        n_resamples=200,
        seed=5,
    )
    assert (rows["de"]["delta"], rows["de"]["low"], rows["de"]["high"]) == (
        direct["delta"],
        direct["low"],
        direct["high"],
    )
    assert rows["de"]["baseline_value"] == direct["baseline"]
    assert rows["all"]["overlaps_zero"] is False and rows["all"]["delta"] > 0


def _inspect_samples(models=("model-a", "model-b"), tasks=("arith", "trivia"), n=40, epochs=3, seed=0):
    """A table shaped like inspect_ai.analysis.samples_df (+ prepare's model_display_name)."""
    rng = np.random.default_rng(seed)
    rows = []
    skill = {"model-a": 0.0, "model-b": 0.8}
    for task in tasks:
        for model in models:
            # Each model finds each sample easy or hard: its epochs are strongly correlated.
            latent = rng.normal(size=n)
            for sid in range(1, n + 1):
                for epoch in range(1, epochs + 1):
                    p = 1 / (1 + np.exp(-4 * (latent[sid - 1] + skill[model])))
                    rows.append(
                        {
                            "id": str(sid),
                            "epoch": epoch,
                            "model": f"provider/{model}",
                            "model_display_name": model,
                            "task_display_name": task,
                            "score_match": "C" if rng.random() < p else "I",
                        }
                    )
    return pa.Table.from_pylist(rows)


def test_paired_diff_between_models_on_inspect_samples():
    samples = _inspect_samples()
    t = paired_diff_between_models_arrow(samples, "model-a", "model-b", score="match", n_resamples=300)
    assert t.schema == PAIRED_SCHEMA
    rows = {r["slice"]: r for r in t.to_pylist()}
    assert list(rows) == ["all", "arith", "trivia"]
    assert rows["all"]["n"] == 2 * 40 * 3 and rows["arith"]["n"] == 40 * 3
    assert rows["all"]["metric"] == "mean" and rows["all"]["delta"] > 0
    # The delta is the difference of the accuracies (C = 1, I = 0).
    arith = samples.filter(pa.compute.equal(samples["task_display_name"], "arith"))
    acc = {
        m: np.mean(
            [
                s == "C"
                for s, mm in zip(arith["score_match"].to_pylist(), arith["model_display_name"].to_pylist(), strict=True)
                if mm == m
            ]
        )
        for m in ("model-a", "model-b")
    }
    assert rows["arith"]["delta"] == pytest.approx(acc["model-b"] - acc["model-a"])
    # Clustering by sample id (epochs move together) widens the interval over independent rows.
    flat = paired_diff_between_models_arrow(
        samples, "model-a", "model-b", score="score_match", n_resamples=300, cluster_by_id=False, by=None
    )
    assert flat.num_rows == 1
    assert (rows["all"]["high"] - rows["all"]["low"]) > (flat["high"][0].as_py() - flat["low"][0].as_py())
    # The full model name works too.
    by_model = paired_diff_between_models_arrow(samples, "provider/model-a", "provider/model-b", n_resamples=50)
    assert by_model.column("delta").to_pylist() == pytest.approx(t.column("delta").to_pylist())


def test_models_must_have_run_the_same_samples():
    samples = _inspect_samples()
    keep = [not (r["model_display_name"] == "model-b" and r["id"] == "7") for r in samples.to_pylist()]
    partial = samples.filter(pa.array(keep))
    with pytest.raises(
        ValueError,
        match=r"not run on the same samples: 234 match, 6 only for 'model-a' \(e.g. "
        r"\(task_display_name=arith, id=7, epoch=1\)\)",
    ):
        paired_diff_between_models_arrow(partial, "model-a", "model-b")
    t = paired_diff_between_models_arrow(partial, "model-a", "model-b", on_unmatched="drop", n_resamples=50)
    assert t.column("n").to_pylist()[0] == 234
    doubled = pa.concat_tables([samples, samples.slice(0, 1)])
    with pytest.raises(
        ValueError,
        match=r"model 'model-a' has 1 repeated sample\(s\) \(e.g. "
        r"task_display_name=arith, id=1, epoch=1 appears 2 times\)",
    ):
        paired_diff_between_models_arrow(doubled, "model-a", "model-b")


def test_model_table_errors():
    samples = _inspect_samples()
    with pytest.raises(ValueError, match=r"model\(s\) 'model-z' not found .* models present: 'model-a', 'model-b'"):
        paired_diff_between_models_arrow(samples, "model-a", "model-z")
    with pytest.raises(ValueError, match=r"no score column 'f1' \(or 'score_f1'\); score columns: 'score_match'"):
        paired_diff_between_models_arrow(samples, "model-a", "model-b", score="f1")
    bad = samples.set_column(
        samples.schema.get_field_index("score_match"),
        "score_match",
        pa.array(["C", None] + samples["score_match"].to_pylist()[2:]),
    )
    with pytest.raises(
        ValueError,
        match=r"is missing \(null\) for 1 sample\(s\) of model 'model-a' that did not error, e.g. sample "
        r"\(task_display_name=arith, id=1, epoch=2\)",
    ):
        paired_diff_between_models_arrow(bad, "model-a", "model-b")
    weird = samples.set_column(
        samples.schema.get_field_index("score_match"),
        "score_match",
        pa.array(["maybe"] + samples["score_match"].to_pylist()[1:]),
    )
    with pytest.raises(ValueError, match="has 'maybe' for model 'model-a' sample"):
        paired_diff_between_models_arrow(weird, "model-a", "model-b")
    with pytest.raises(ValueError, match="metric 'roc_auc' needs 0/1 labels"):
        paired_diff_between_models_arrow(samples, "model-a", "model-b", metric="roc_auc")
    with pytest.raises(ValueError, match="the same model"):
        paired_diff_between_models_arrow(samples, "model-a", "model-a")


def test_public_functions_return_data(wide_table):
    data_module = pytest.importorskip("evalviz.data")
    if not hasattr(data_module, "Data"):
        pytest.skip("evalviz.data.Data is not available yet")
    heat = evaluate_slices(wide_table, scorers=["old", "new"], slice_by="lang", n_resamples=50)
    assert isinstance(heat, data_module.Data)
    assert heat.to_arrow().column_names == SLICE_SCHEMA.names
    # A Data is accepted as input as well.
    again = evaluate_slices(
        data_module.Data.from_dataframe(wide_table), scorers=["old", "new"], slice_by="lang", n_resamples=50
    )
    assert again.to_arrow().equals(heat.to_arrow())
    diffs = paired_diff_between_models(_inspect_samples(), "model-a", "model-b", n_resamples=50)
    assert isinstance(diffs, data_module.Data) and diffs.to_arrow().column_names == PAIRED_SCHEMA.names
    assert callable(paired_diff_table)


def test_paired_diff_on_the_example_inspect_samples():
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "examples" / "data" / "samples.parquet"
    if not path.exists():
        pytest.skip("examples/data/samples.parquet is not there")
    data_module = pytest.importorskip("evalviz.data")
    samples = data_module.Data.from_file(str(path))
    table = samples.to_arrow()
    models = sorted(set(table["model_display_name"].to_pylist()))[:2]
    t = paired_diff_between_models_arrow(samples, models[0], models[1], score="match", n_resamples=200)
    rows = t.to_pylist()
    assert rows[0]["slice"] == "all" and all(r["status"] == "ok" for r in rows)
    for r in rows:
        part = table if r["slice"] == "all" else table.filter(pa.compute.equal(table["task_display_name"], r["slice"]))
        means = []
        for m in models:
            scores = part.filter(pa.compute.equal(part["model_display_name"], m))["score_match"]
            means.append(pa.compute.mean(scores).as_py())
        assert r["delta"] == pytest.approx(means[1] - means[0])
        assert r["low"] <= r["delta"] <= r["high"]
