"""The analysis tables as a new user met them (new-user trial, findings 5, 7, 8, 9, 12(c) and 13): missing scores
say why and how to go on (and the advice works), labels are needed only where a metric needs them, scores a
metric cannot take give error rows in both tables, error reasons name the row of the input, and the paired tables
name what they compare."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import evalviz as ev
from evalviz.analysis import (
    evaluate_slices,
    load_prediction_arrays,
    paired_diff_between_models,
    paired_diff_table,
    prediction_ref_for_file,
)

MODELS = ("model-a", "model-b")
TASKS = ("arith", "logic", "capitals")


def samples(n: int = 12, seed: int = 3) -> pa.Table:
    """An inspect_ai-like sample table: 0/1 scores of two models on three tasks; `includes` ran on capitals only."""
    rng = np.random.default_rng(seed)
    rows = []
    for model in MODELS:
        for task in TASKS:
            for i in range(n):
                match = float(rng.random() < (0.4 if model == "model-a" else 0.7))
                rows.append({"model_display_name": model, "task_display_name": task, "id": f"{task}-{i}",
                             "epoch": 1, "score_match": match,
                             "score_includes": match if task == "capitals" else None, "error": ""})
    return pa.Table.from_pylist(rows)


def advised_filter(message: str) -> str:
    """The SQL of the `data.filter("...")` call a message advises."""
    found = re.search(r'data\.filter\(("(?:[^"\\]|\\.)*")\)', message)
    assert found, f"no filter advised in: {message}"
    return json.loads(found[1])


def mean_difference(table: pa.Table, score: str, where: str = "TRUE") -> float:
    """candidate - baseline mean score over the samples both models have, computed by DuckDB."""
    con = duckdb.connect()
    con.register("t", table)
    ((value,),) = con.sql(f"""
        SELECT avg(c.{score}) - avg(b.{score}) FROM t b JOIN t c USING (task_display_name, id, epoch)
        WHERE b.model_display_name = 'model-a' AND c.model_display_name = 'model-b' AND {where}
    """).fetchall()
    return value


# -- finding 5: a score that is missing says why, and the advice works ----------------------------------------
def test_a_scorer_that_did_not_run_on_some_tasks_is_named_with_a_filter_that_works() -> None:
    table = samples()
    data = ev.Data.from_dataframe(table)
    with pytest.raises(ev.EvalvizError) as caught:
        paired_diff_between_models(data, *MODELS, score="includes", progress=False)
    message = str(caught.value)
    assert "scorer 'includes' (column 'score_includes') has no scores for task(s) 'arith', 'logic'" in message
    assert "did not run there" in message and "errored" in message  # says these samples did not error
    kept = data.filter(advised_filter(message))
    diffs = paired_diff_between_models(kept, *MODELS, score="includes", n_resamples=100, progress=False)
    rows = diffs.to_arrow().to_pylist()
    assert [r["slice"] for r in rows] == ["all", "capitals"]
    assert rows[0]["delta"] == pytest.approx(mean_difference(table, "score_includes", "b.task_display_name = "
                                                                                      "'capitals'"))


def test_errored_samples_are_named_with_their_message_and_a_filter_that_drops_them() -> None:
    table = samples()
    errored = [i for i, r in enumerate(table.to_pylist()) if r["model_display_name"] == "model-b"][3:7]
    rows = table.to_pylist()
    for i in errored:
        rows[i].update(score_match=None, error=f"RuntimeError('flaky failure on sample {rows[i]['id']}')")
    table = pa.Table.from_pylist(rows)
    data = ev.Data.from_dataframe(table)
    with pytest.raises(ev.EvalvizError) as caught:
        paired_diff_between_models(data, *MODELS, score="match", progress=False)
    message = str(caught.value)
    assert "for 4 sample(s) of model 'model-b' that errored" in message
    assert f"flaky failure on sample {rows[errored[0]]['id']}" in message
    assert advised_filter(message) == "error IS NULL OR error = ''" and "on_unmatched='drop'" in message
    kept = data.filter(advised_filter(message))
    diffs = paired_diff_between_models(kept, *MODELS, score="match", on_unmatched="drop", n_resamples=100,
                                       progress=False).to_arrow().to_pylist()
    assert diffs[0]["n"] == len(TASKS) * 12 - 4
    assert diffs[0]["delta"] == pytest.approx(mean_difference(table, "score_match", "c.error = ''"))


def test_a_missing_score_without_an_error_is_named_with_a_filter_that_works() -> None:
    rows = samples().to_pylist()
    rows[1]["score_match"] = None  # model-a, arith-1: no error, no score
    table = pa.Table.from_pylist(rows)
    data = ev.Data.from_dataframe(table)
    with pytest.raises(ev.EvalvizError, match=r"1 sample\(s\) of model 'model-a' that did not error, e.g. "
                                              r"sample \(task_display_name=arith, id=arith-1, epoch=1\)") as caught:
        paired_diff_between_models(data, *MODELS, score="match", progress=False)
    kept = data.filter(advised_filter(str(caught.value)))
    diffs = paired_diff_between_models(kept, *MODELS, score="match", on_unmatched="drop", n_resamples=100,
                                       progress=False).to_arrow().to_pylist()
    assert diffs[0]["delta"] == pytest.approx(mean_difference(table, "score_match", "b.score_match IS NOT NULL"))


# -- finding 13: the paired tables name the two sides ---------------------------------------------------------
def _prediction_files(folder: Path, bad_rows: dict[int, float] | None = None) -> tuple[Path, Path]:
    """Two scorers' predictions on the same 60 rows; the candidate's rows in another order, some of its scores
    replaced by `bad_rows` (by id number)."""
    rng = np.random.default_rng(11)
    n = 60
    ids = [f"r{i}" for i in range(n)]
    labels = (np.arange(n) % 3 == 0).astype(int)
    lang = ["en" if i % 2 else "de" for i in range(n)]
    base = np.round(rng.random(n), 3)
    cand = np.round(rng.random(n), 3)
    for i, value in (bad_rows or {}).items():
        cand[i] = value
    folder.mkdir(parents=True, exist_ok=True)
    old, new = folder / "old.parquet", folder / "raw.parquet"
    pq.write_table(pa.table({"id": ids, "y": labels, "p": base, "lang": lang}), old)
    order = rng.permutation(n)
    pq.write_table(pa.table({"id": [ids[i] for i in order], "y": labels[order], "p": cand[order],
                             "lang": [lang[i] for i in order]}), new)
    return old, new


COLUMNS = {"label": "y", "score": "p", "row_id": "id"}


def test_paired_tables_name_the_two_sides(tmp_path: Path) -> None:
    table = samples()
    models = paired_diff_between_models(table, *MODELS, score="match", n_resamples=50, progress=False).to_arrow()
    assert set(models["baseline_name"].to_pylist()) == {"model-a"}
    assert set(models["candidate_name"].to_pylist()) == {"model-b"}
    old, new = _prediction_files(tmp_path)
    refs = [prediction_ref_for_file(old, COLUMNS), prediction_ref_for_file(new, COLUMNS)]
    files = paired_diff_table(*refs, metric="roc_auc", n_resamples=50).to_arrow()
    assert set(files["baseline_name"].to_pylist()) == {"old"} and set(files["candidate_name"].to_pylist()) == {"raw"}
    given = paired_diff_table(*refs, metric="roc_auc", n_resamples=50, baseline_name="BM25",
                              candidate_name="BERT").to_arrow()
    assert given["baseline_name"].to_pylist() == ["BM25"] and given["candidate_name"].to_pylist() == ["BERT"]
    named = {**refs[0].to_dict(), "metadata": {"name": "retriever v1"}}
    assert paired_diff_table(named, refs[1], metric="roc_auc", n_resamples=50).to_arrow()["baseline_name"][0].as_py() \
        == "retriever v1"
    twin = tmp_path / "again" / "old.parquet"
    twin.parent.mkdir()
    twin.write_bytes(old.read_bytes())
    same_stem = paired_diff_table(refs[0], prediction_ref_for_file(twin, COLUMNS), metric="roc_auc",
                                  n_resamples=50).to_arrow()
    assert (same_stem["baseline_name"][0].as_py(), same_stem["candidate_name"][0].as_py()) == (str(old), str(twin))
    with pytest.raises(ev.EvalvizError, match="baseline_name must be a non-empty str"):
        paired_diff_table(*refs, metric="roc_auc", baseline_name=" ")


# -- finding 7: labels only where a metric needs them -----------------------------------------------------------
def test_evaluate_slices_needs_no_label_column_for_metrics_that_need_none() -> None:
    rng = np.random.default_rng(5)
    table = pa.table({"old": rng.random(90), "new": rng.random(90), "lang": ["en", "de", "fr"] * 30})
    cells = evaluate_slices(table, scorers=["old", "new"], metrics="mean", slice_by="lang",
                            n_resamples=100).to_arrow().to_pylist()
    assert len(cells) == 8 and {c["status"] for c in cells} == {"ok"}
    for cell in cells:
        rows = slice(None) if cell["slice"] == "all" else np.array(table["lang"].to_pylist()) == cell["slice"]
        assert cell["value"] == pytest.approx(np.asarray(table[cell["scorer"]])[rows].mean())
    with pytest.raises(ev.EvalvizError, match=r"no label column 'label' \(needed by metric 'roc_auc'\); pass label="):
        evaluate_slices(table, scorers=["old"], metrics=["mean", "roc_auc"])
    with pytest.raises(ev.EvalvizError, match=r"no label column 'label' \(needed by stratify=True\)"):
        evaluate_slices(table, scorers=["old"], metrics="mean", stratify=True)
    with pytest.raises(ev.EvalvizError, match=r"no label column 'y' \(given as label=\).*or label=None"):
        evaluate_slices(table, scorers=["old"], metrics="mean", label="y")


# -- findings 8 and 9: error rows in both tables, naming the row of the input ----------------------------------
def _first_bad(rows: list[dict], where: str) -> tuple[int, float]:
    """(position, score) of the first score outside [0, 1] among `rows` (dicts with "p" and "lang")."""
    return next((i, r["p"]) for i, r in enumerate(rows) if (where == "all" or r["lang"] == where)
                and not 0 <= r["p"] <= 1)


def test_scores_a_metric_cannot_take_give_error_rows_naming_the_file_row(tmp_path: Path) -> None:
    old, raw = _prediction_files(tmp_path, bad_rows={7: 2.5, 21: -0.3, 40: 1.2})  # ids 7, 21: "en"; 40: "de"
    old_ref, raw_ref = prediction_ref_for_file(old, COLUMNS), prediction_ref_for_file(raw, COLUMNS)
    diffs = paired_diff_table(old_ref, raw_ref, metric="brier", slice_by="lang", n_resamples=100).to_arrow()
    base_rows, raw_rows = pq.read_table(old).to_pylist(), pq.read_table(raw).to_pylist()
    raw_row_of = {r["id"]: i for i, r in enumerate(raw_rows)}
    in_base_order = [dict(raw_rows[raw_row_of[r["id"]]], row=raw_row_of[r["id"]]) for r in base_rows]
    for row in diffs.to_pylist():
        assert row["status"] == "error" and row["delta"] is None, row
        position, value = _first_bad(in_base_order, row["slice"])
        assert row["reason"] == (f"candidate 'raw': metric 'brier' needs scores in [0, 1]; row "
                                 f"{in_base_order[position]['row']} of '{raw}' has {value!r}")
        assert row["n"] == sum(1 for r in base_rows if row["slice"] in ("all", r["lang"]))
    # evaluate_slices on the same file: the same rule and the same kind of reason, in the file's own order.
    cells = evaluate_slices({"raw": raw_ref}, metrics="brier", slice_by="lang", n_resamples=100).to_arrow()
    for cell in cells.to_pylist():
        position, value = _first_bad(raw_rows, cell["slice"])
        assert cell["status"] == "error"
        assert cell["reason"] == f"metric 'brier' needs scores in [0, 1]; row {position} of '{raw}' has {value!r}"
    # A metric that takes these scores is computed as usual.
    fine = paired_diff_table(old_ref, raw_ref, metric="roc_auc", slice_by="lang", n_resamples=100).to_arrow()
    assert set(fine["status"].to_pylist()) == {"ok"}


def test_error_reasons_name_the_row_of_the_table_not_of_the_slice() -> None:
    scores = np.linspace(0.05, 0.95, 100)
    scores[57] = 1.5  # in slice "b" (rows 50 to 99), its 8th row
    table = pa.table({"label": [0, 1] * 50, "s": scores, "part": ["a"] * 50 + ["b"] * 50})
    cells = {c["slice"]: c for c in evaluate_slices(table, scorers=["s"], metrics="brier", slice_by="part",
                                                     n_resamples=50).to_arrow().to_pylist()}
    assert cells["a"]["status"] == "ok"
    for name in ("all", "b"):
        assert cells[name]["reason"] == "metric 'brier' needs scores in [0, 1]; row 57 has 1.5"


def test_long_form_artifacts_name_the_file_row_of_each_scorer(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    rows = [f"{i % 2},{s},{0.2 if s == 'bm25' else 0.7}" for i, s in enumerate(["bm25", "bert"] * 15)]
    rows[13] = "1,bert,3.0"  # the 7th bert row, row 13 of the file
    path.write_text("y,scorer,p\n" + "\n".join(rows) + "\n")
    ref = {"uri": str(path), "media_type": "text/csv", "columns": {"label": "y", "score": "p", "scorer": "scorer"}}
    cells = {c["scorer"]: c for c in evaluate_slices({"run": ref}, metrics="brier", n_resamples=50)
             .to_arrow().to_pylist()}
    assert cells["run/bm25"]["status"] == "ok"
    assert cells["run/bert"]["reason"] == f"metric 'brier' needs scores in [0, 1]; row 13 of '{path}' has 3.0"


# -- finding 12(c): a changed file says what changed, and how to go on -------------------------------------------
def test_a_changed_file_says_what_became_of_its_rows_and_registering_again_works(tmp_path: Path) -> None:
    old, _ = _prediction_files(tmp_path)
    ref = prediction_ref_for_file(old, COLUMNS)
    table = pq.read_table(old)
    pq.write_table(table.slice(1), old)
    with pytest.raises(ev.DataSourceError, match=r"changed since it was registered: it has 59 rows, the ref records "
                                                 r"60; its sha256 is [0-9a-f]{64}, .*register the file again "
                                                 r"\(prediction_ref_for_file\(path, columns\)\)"):
        load_prediction_arrays(ref)
    assert len(load_prediction_arrays(prediction_ref_for_file(old, COLUMNS)).scores) == 59
    pq.write_table(table.set_column(2, "p", pa.array(np.round(1 - np.asarray(table["p"]), 3))), old)
    with pytest.raises(ev.DataSourceError, match="it still has 60 rows, but their bytes differ"):
        load_prediction_arrays(ref)
