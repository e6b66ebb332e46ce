"""What an adversarial tester found in evalviz.analysis, each fixed at its root and checked here against values
computed independently (numpy, scikit-learn, hashlib, Python's decimal):

overflowing row means, non-finite slice values, raw errors (a null sample id, list or binary row ids, a folder
as uri, ``Decimal("sNaN")``), a JSON sanitiser that missed numpy, pandas and pyarrow values, DECIMAL and
categorical scores, clusters and row ids merged or split by their type, long-form files whose scorers were
pooled, ``n_resamples=1``, ``accuracy@`` names, and issue 15: eval-toolkit's run manifests, whole-float
``n_rows``, digests, round trips, and remote URIs (nothing is fetched).
"""

from __future__ import annotations

import doctest
import hashlib
import http.server
import importlib
import json
import re
import threading
from decimal import Decimal, localcontext
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from sklearn.metrics import accuracy_score, roc_auc_score

from evalviz.analysis import (
    MetricState,
    PayloadValidationError,
    PredictionArtifactRef,
    PredictionColumns,
    bootstrap_metric,
    bootstrap_metric_from_predictions,
    bootstrap_metrics,
    compute_metric,
    evaluate_slices,
    get_metric,
    load_manifest,
    load_prediction_arrays,
    paired_bootstrap_diff,
    paired_diff_from_prediction_refs,
    paired_diff_table,
    prediction_ref_for_file,
    resample_metric_values,
    sanitize_for_json,
    validate_manifest,
    validate_payload,
)
from evalviz.analysis.readers import value_text
from evalviz.analysis.tables import paired_diff_between_models_arrow
from evalviz.data.connection import default_connection
from evalviz.errors import DataSourceError, EvalvizError

BIG = 1e308


def _exact_mean(values) -> float:
    """The mean as exact decimal arithmetic gives it (no float sum to overflow), rounded once to a float."""
    with localcontext() as ctx:
        ctx.prec = 400
        return float(sum(Decimal(float(v)) for v in values) / len(values))


# -- 1.3 a row mean of finite values is finite -----------------------------------------------------------------
def test_mean_of_huge_finite_scores_is_their_mean_not_inf():
    scores = np.full(20, BIG)
    assert compute_metric("mean", None, scores) == _exact_mean(scores) == BIG
    r = bootstrap_metric(None, scores, metric="mean", n_resamples=200)
    assert r["status"] == "ok" and r["point"] == r["low"] == r["high"] == BIG

    mixed = np.random.default_rng(1).choice([BIG, -BIG, 0.5 * BIG, 3.0], size=30)
    assert compute_metric("mean", None, mixed) == pytest.approx(_exact_mean(mixed), rel=1e-12)
    indices = np.random.default_rng(2).integers(0, 30, size=(25, 30))
    got = resample_metric_values("mean", None, mixed, indices)
    # A float mean is exact to the precision of its largest term (3.0 next to 1e308 is below it).
    np.testing.assert_allclose(got, [_exact_mean(mixed[i]) for i in indices], rtol=1e-12, atol=1e-12 * BIG)
    for method in ("percentile", "bca"):
        r = bootstrap_metric(None, mixed, metric="mean", n_resamples=300, method=method)
        assert r["status"] == "ok" and r["low"] <= r["point"] <= r["high"]


def test_a_difference_beyond_a_float64_says_so():
    d = paired_bootstrap_diff(None, np.full(20, -1.5 * BIG), np.full(20, 1.5 * BIG), metric="mean", n_resamples=50)
    assert d["status"] == "skipped"
    assert d["reason"] == "the difference is inf on this data: beyond what a float64 holds (about 1.8e308)"


# -- 1.4 a non-finite slice value names its slice --------------------------------------------------------------
def test_slice_column_holding_inf_names_the_slice_inf():
    rng = np.random.default_rng(3)
    n = 90
    sl = np.array([np.inf, 1.0, 0.0])[np.arange(n) % 3]
    y = (np.arange(n) // 3) % 2
    a = np.round(rng.random(n), 3)
    table = evaluate_slices(pd.DataFrame({"y": y, "a": a, "sl": sl}), scorers=["a"], label="y", slice_by="sl",
                            metrics="roc_auc", n_resamples=50).to_arrow().to_pylist()
    assert [r["slice"] for r in table] == ["all", "inf", "1", "0"]
    for row in table[1:]:
        mask = sl == float(row["slice"])
        assert row["value"] == pytest.approx(roc_auc_score(y[mask], a[mask]), abs=1e-12)


# -- 2.6 errors that leaked raw --------------------------------------------------------------------------------
def _samples(n: int = 12) -> pa.Table:
    rng = np.random.default_rng(4)
    rows = [{"model": m, "task": "t", "id": f"s{i}", "epoch": 1, "score_x": float(rng.random() < p)}
            for m, p in (("A", 0.4), ("B", 0.7)) for i in range(n)]
    return pa.Table.from_pylist(rows)


def test_null_sample_id_is_named_with_its_row_and_the_filter_that_drops_it():
    table = _samples().to_pandas()
    table.loc[3, "id"] = None
    with pytest.raises(EvalvizError, match=r"sample id column 'id' is missing \(null\) for 1 sample\(s\) of model "
                                           r"'A' \(e\.g\. row 3 of the sample table\).*data\.filter\(\"id IS NOT NULL"):
        paired_diff_between_models_arrow(table, "A", "B", score="x", n_resamples=20)


@pytest.mark.parametrize(
    ("ids", "message"),
    [
        (pa.array([[1]] * 20), r"column 'id' in '.*' must hold text or numbers .*not list<"),
        (pa.array([b"ok"] * 19 + [b"\xff\x00"]), r"column 'id' in '.*' must hold text or numbers .*row 19 has b'\\xff"),
    ],
)
def test_row_ids_that_name_nothing_are_refused_naming_the_column(tmp_path, ids, message):
    path = tmp_path / "p.parquet"
    pq.write_table(pa.table({"id": ids, "y": [0, 1] * 10, "p": np.linspace(0, 1, 20)}), path)
    ref = {"uri": str(path), "media_type": "application/vnd.apache.parquet",
           "columns": {"label": "y", "score": "p", "row_id": "id"}}
    with pytest.raises(EvalvizError, match=message):
        load_prediction_arrays(ref)


def test_utf8_binary_ids_are_their_text(tmp_path):
    path = tmp_path / "p.parquet"
    pq.write_table(pa.table({"id": [b"a", b"b"], "y": [0, 1], "p": [0.2, 0.8]}), path)
    cols = {"label": "y", "score": "p", "row_id": "id"}
    ref = {"uri": str(path), "media_type": "application/parquet", "columns": cols}
    assert load_prediction_arrays(ref).row_ids == ("a", "b")


def test_uri_naming_a_folder_or_nothing_says_which(tmp_path):
    cols = {"label": "y", "score": "p"}
    with pytest.raises(DataSourceError, match=r"prediction file '.*' is a folder, not a file"):
        load_prediction_arrays({"uri": str(tmp_path), "media_type": "text/csv", "columns": cols})
    with pytest.raises(FileNotFoundError, match="does not exist") as info:
        load_prediction_arrays({"uri": str(tmp_path / "nope.csv"), "media_type": "text/csv", "columns": cols})
    assert isinstance(info.value, DataSourceError)
    folder = tmp_path / "d.csv"
    folder.mkdir()
    with pytest.raises(DataSourceError, match="is a folder"):
        prediction_ref_for_file(folder, cols)


# -- 4.1 / 4.2 one JSON sanitiser for numpy, pandas, pyarrow and Decimal -----------------------------------------
def test_sanitize_for_json_gives_plain_values_and_null_for_missing_ones():
    payload = {
        "longdouble": np.longdouble(0.5),
        "float16": np.float16(0.25),
        "int64": np.int64(7),
        "bool": np.bool_(True),
        "decimal": Decimal("2.5"),
        "pa_scalar": pa.scalar(1.5),
        "pa_null": pa.scalar(None, pa.int64()),
        "pa_array": pa.array([1.5, None]),
        "pa_chunked": pa.chunked_array([[1, 2], [3]]),
        "pd_na": pd.NA,
        "pd_nat": pd.NaT,
        "np_nat": np.datetime64("NaT"),
        "pd_int": pd.array([1, None], dtype="Int64"),
        "date": np.datetime64("2020-01-02"),
    }
    out = sanitize_for_json(payload)
    assert out == {
        "longdouble": 0.5, "float16": 0.25, "int64": 7, "bool": True, "decimal": 2.5, "pa_scalar": 1.5,
        "pa_null": None, "pa_array": [1.5, None], "pa_chunked": [1, 2, 3], "pd_na": None, "pd_nat": None,
        "np_nat": None, "pd_int": [1, None], "date": "2020-01-02",
    }
    assert json.loads(json.dumps(out, allow_nan=False)) == out


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("sNaN"), "sNaN"),
        (Decimal("NaN"), "NaN"),
        (Decimal("-Infinity"), "-inf"),
        (np.longdouble("1e400"), "1e+400 (beyond a float64)"),
        (Decimal("1e400"), "1E+400 (beyond a float64)"),
        (np.float32("nan"), "nan"),
    ],
)
def test_non_finite_numbers_of_any_type_follow_the_nan_strategy(value, shown):
    assert sanitize_for_json({"v": value}) == {"v": {"value": None, "status": "skipped",
                                                     "reason": f"non-finite numeric value: {shown}"}}
    assert sanitize_for_json([value], nan_strategy="null") == [None]
    with pytest.raises(EvalvizError, match=rf"non-finite number {re.escape(shown)} at \$\[0\]"):
        sanitize_for_json([value], nan_strategy="raise")


def test_longdouble_in_metric_states_and_payloads():
    assert MetricState(np.longdouble(0.5)).to_dict() == {"value": 0.5, "status": "ok", "reason": ""}
    validate_payload({"schema_version": "v1", "run_id": "r", "config": {"x": np.longdouble(1)}, "by_slice": {}})


def test_a_payload_that_contains_itself_is_named_as_such():
    d: dict = {"a": [1]}
    d["a"].append(d)
    with pytest.raises(EvalvizError, match=r"payload refers to itself at \$\.a\[1\]"):
        sanitize_for_json(d)
    shared = [1, 2]
    assert sanitize_for_json({"x": shared, "y": shared}) == {"x": [1, 2], "y": [1, 2]}  # shared is not a cycle


# -- 4.5 DECIMAL and categorical scores and labels -------------------------------------------------------------
def test_paired_models_read_decimal_and_categorical_letter_scores():
    table = _samples()
    scores = np.asarray(table["score_x"].to_pylist())
    expected = scores[12:].mean() - scores[:12].mean()
    as_decimal = table.set_column(4, "score_x", pa.array([Decimal(str(v)) for v in scores], pa.decimal128(3, 1)))
    letters = table.to_pandas().assign(score_x=pd.Categorical(np.where(scores == 1.0, "C", "I")))
    for samples in (as_decimal, letters):
        rows = paired_diff_between_models_arrow(samples, "A", "B", score="x", n_resamples=50).to_pylist()
        assert rows[0]["status"] == "ok" and rows[0]["delta"] == pytest.approx(expected, abs=1e-12)


def test_evaluate_slices_reads_categorical_labels_and_scores():
    rng = np.random.default_rng(5)
    y = rng.integers(0, 2, 60)
    s = rng.choice([0.1, 0.4, 0.8], 60)
    frame = pd.DataFrame({"y": pd.Categorical(y), "a": pd.Categorical(s)})
    row = evaluate_slices(frame, scorers=["a"], label="y", metrics="roc_auc", n_resamples=50).to_arrow().to_pylist()[0]
    assert row["status"] == "ok" and row["value"] == pytest.approx(roc_auc_score(y, s), abs=1e-12)


# -- 5.4 cluster ids by value ----------------------------------------------------------------------------------
def test_cluster_ids_one_and_text_one_are_two_clusters():
    y = np.array([0, 1] * 15)
    s = np.random.default_rng(6).random(30)
    mixed = [1, "1", 2.0] * 10  # 1 and "1" differ; 2.0 is the number 2
    r = bootstrap_metric(y, s, metric="mean", clusters=mixed, n_resamples=200, seed=3)
    assert r["details"]["n_clusters"] == 3
    codes = np.array([0, 1, 2] * 10)  # the same clusters, numbered as they first appear
    same = bootstrap_metric(y, s, metric="mean", clusters=codes, n_resamples=200, seed=3)
    assert (r["low"], r["high"]) == (same["low"], same["high"])
    assert bootstrap_metric(y, s, metric="mean", clusters=[1, 1.0] * 15, n_resamples=50)["details"]["n_clusters"] == 1


# -- 5.5 a row id is the same text in every format -------------------------------------------------------------
def test_value_text_writes_numbers_by_value_and_text_as_written():
    values = ["007", 5, 5.0, np.float32(5.0), Decimal("5.0"), 0.5, Decimal("0.50"), float("inf"), True, None]
    assert [value_text(v) for v in values] == ["007", "5", "5", "5", "5", "0.5", "0.5", "inf", "True", None]


def test_same_rows_pair_across_jsonl_parquet_and_csv(tmp_path):
    rng = np.random.default_rng(7)
    n = 60
    ids = np.arange(n, dtype=float) + 100.0  # float ids, as pandas makes of an id column with a gap
    y = rng.integers(0, 2, n)
    old, new = np.round(rng.random(n), 3), np.round(np.clip(y * 0.3 + rng.random(n), 0, 1), 3)
    order = rng.permutation(n)
    with open(tmp_path / "old.jsonl", "w") as fh:  # JSON numbers 100.0, 101.0, ...
        for i in order:
            fh.write(json.dumps({"id": float(ids[i]), "y": int(y[i]), "p": float(old[i])}) + "\n")
    pq.write_table(pa.table({"id": ids, "y": y, "p": new}), tmp_path / "new.parquet")  # DOUBLE ids
    pacsv.write_csv(pa.table({"id": ids.astype(int), "y": y, "p": new}), tmp_path / "new.csv")  # text "100"
    cols = {"label": "y", "score": "p", "row_id": "id"}
    base = {"uri": str(tmp_path / "old.jsonl"), "media_type": "application/jsonl", "columns": cols}
    expected = roc_auc_score(y, new) - roc_auc_score(y, old)
    for uri, media in (("new.parquet", "application/vnd.apache.parquet"), ("new.csv", "text/csv")):
        cand = {"uri": str(tmp_path / uri), "media_type": media, "columns": cols}
        d = paired_diff_from_prediction_refs(base, cand, metric="roc_auc", n_resamples=50)
        assert d["status"] == "ok" and d["delta"] == pytest.approx(expected, abs=1e-12)
    assert load_prediction_arrays(base).row_ids[:2] == tuple(str(int(ids[i])) for i in order[:2])


# -- 7.1 long-form files: scorers are never pooled ---------------------------------------------------------------
@pytest.fixture
def long_form(tmp_path):
    rng = np.random.default_rng(8)
    n = 60
    y = rng.integers(0, 2, n)
    scores = {"bm25": np.round(rng.random(n), 3), "bert": np.round(np.clip(0.4 * y + rng.random(n), 0, 1), 3)}
    rows = [(f"ex{i}", y[i], scores[name][i], name) for name in scores for i in rng.permutation(n)]
    path = tmp_path / "long.csv"
    path.write_text("id,y,p,scorer\n" + "".join(f"{i},{label},{p},{s}\n" for i, label, p, s in rows))
    ref = {"uri": str(path), "media_type": "text/csv",
           "columns": {"label": "y", "score": "p", "row_id": "id", "scorer": "scorer"}}
    by_scorer = {name: {r[0]: (r[1], r[2]) for r in rows if r[3] == name} for name in scores}
    return ref, by_scorer


def test_a_long_form_file_is_bootstrapped_per_scorer_never_pooled(long_form):
    ref, by_scorer = long_form
    with pytest.raises(EvalvizError, match=r"holds 2 scorers in its column 'scorer' \('bert', 'bm25'\)|"
                                           r"holds 2 scorers in its column 'scorer' \('bm25', 'bert'\)"):
        bootstrap_metric_from_predictions(ref, metric="roc_auc", n_resamples=50)
    for name, rows in by_scorer.items():
        r = bootstrap_metric_from_predictions(ref, metric="roc_auc", scorer=name, n_resamples=50)
        labels, scores = zip(*rows.values(), strict=True)
        assert r["n"] == 60 and r["point"] == pytest.approx(roc_auc_score(labels, scores), abs=1e-12)
    with pytest.raises(EvalvizError, match="scorer='tfidf' is not a scorer of"):
        bootstrap_metric_from_predictions(ref, scorer="tfidf", n_resamples=50)


def test_paired_functions_pair_rows_within_the_scorers_picked(long_form):
    ref, by_scorer = long_form
    with pytest.raises(EvalvizError, match="holds 2 scorers.*pass baseline_scorer= to pick one"):
        paired_diff_from_prediction_refs(ref, ref, metric="roc_auc", n_resamples=50)
    ids = list(by_scorer["bm25"])  # joined by id here, independently of evalviz
    labels = np.array([by_scorer["bm25"][i][0] for i in ids])
    base = np.array([by_scorer["bm25"][i][1] for i in ids])
    cand = np.array([by_scorer["bert"][i][1] for i in ids])
    d = paired_diff_from_prediction_refs(ref, ref, metric="roc_auc", n_resamples=200, seed=1,
                                         baseline_scorer="bm25", candidate_scorer="bert")
    assert d["delta"] == pytest.approx(roc_auc_score(labels, cand) - roc_auc_score(labels, base), abs=1e-12)
    same = paired_bootstrap_diff(labels, base, cand, metric="roc_auc", n_resamples=200, seed=1)
    assert (d["low"], d["high"]) == (same["low"], same["high"])
    table = paired_diff_table(ref, ref, metric="roc_auc", n_resamples=200, seed=1,
                              baseline_scorer="bm25", candidate_scorer="bert").to_arrow().to_pylist()
    assert (table[0]["baseline_name"], table[0]["candidate_name"]) == ("long/bm25", "long/bert")
    assert (table[0]["delta"], table[0]["low"], table[0]["high"]) == (d["delta"], d["low"], d["high"])


# -- 7.2 / 8 arguments ----------------------------------------------------------------------------------------
def test_one_resample_is_refused_naming_the_parameter():
    with pytest.raises(EvalvizError, match="n_resamples must be an int of at least 2 .*got 1"):
        bootstrap_metric(None, np.linspace(0, 1, 50), metric="mean", n_resamples=1)


def test_accuracy_threshold_names_are_normalised_and_listed_once():
    y = np.array([0, 1, 1, 0, 1, 0, 1, 1, 0, 0, 1, 0])
    s = np.linspace(0, 1, 12)
    for spelling in ("accuracy@0.3", "accuracy@.30", "accuracy@ 0.3", "accuracy@3e-1"):
        m = get_metric(spelling)
        assert m.name == "accuracy@0.3" and m.threshold == 0.3
        assert compute_metric(spelling, y, s) == pytest.approx(accuracy_score(y, s >= 0.3))
    for bad in ("accuracy@", "accuracy@abc", "accuracy@1_0", "accuracy@nan"):
        with pytest.raises(EvalvizError, match="accuracy threshold in .* must be a number"):
            get_metric(bad)
    for twice in (["accuracy@0.3", "accuracy@ .3"], ["accuracy", "accuracy@0.5"]):
        with pytest.raises(EvalvizError, match="metric\\(s\\) listed twice"):
            bootstrap_metrics(y, s, metrics=twice)


# -- 15.1 eval-toolkit's run manifests --------------------------------------------------------------------------
def _manifest(version: str, artifacts: list) -> dict:
    """A manifest as eval-toolkit's RunManifest.to_dict() writes it, for each schema version."""
    m = {"schema_version": version, "run_id": "run42", "git_sha": None, "dirty_flag": False,
         "code_versions": {"eval_toolkit": "0.23.0"}, "seeds": {"bootstrap": 42}, "data_hashes": {},
         "config_hash": "sha256:" + hashlib.sha256(b"{}").hexdigest(), "env": {"python": "3.11.9"},
         "gpu_info": {}, "cuda_version": None, "wall_clock_seconds": None, "versioned_objects": {},
         "leakage_report": {"findings": [{"check_name": "dup", "severity": "info", "drop_indices": None,
                                          "evidence": {}, "message": "none", "n_affected": 0}]}}
    if version == "v1":
        m["leakage_report"]["findings"][0]["drop_indices"] = {}
        return m
    m |= {"captured_at": "2025-06-01T12:00:00Z", "data_revisions": {"hf_dataset:x": "abc"}, "metadata": {},
          "source_roles": [{"source": "x", "role": "locked_eval", "notes": "", "metadata": {}}],
          "guardrails": ["no peeking"], "prediction_artifacts": artifacts}
    if version == "v3":
        m |= {"contamination_flags": {"bm25": "verified_disjoint"}, "guardrails": [{"check": "fresh"}]}
    return m


@pytest.fixture
def pinned(tmp_path):
    path = tmp_path / "preds.csv"
    rng = np.random.default_rng(9)
    y, p = rng.integers(0, 2, 40), np.round(rng.random(40), 3)
    path.write_text("id,y,p\n" + "".join(f"e{i},{y[i]},{p[i]}\n" for i in range(40)))
    ref = {"uri": str(path), "media_type": "text/csv", "role": "locked_eval_predictions",
           "columns": {"label": "y", "score": "p", "row_id": "id"},
           "sha256": "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest(), "n_rows": 40}
    return ref, y, p


@pytest.mark.parametrize("version", ["v1", "v2", "v3"])
def test_eval_toolkit_manifests_validate_and_load(tmp_path, pinned, version):
    ref, y, p = pinned
    manifest = _manifest(version, [ref])
    validate_manifest(manifest)
    validate_payload(manifest, f"manifest.{version}.json")
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest, allow_nan=False))
    loaded = load_manifest(path)
    assert sanitize_for_json(loaded) == manifest  # everything kept as written
    if version != "v1":
        (got,) = loaded["prediction_artifacts"]
        assert isinstance(got, PredictionArtifactRef) and got.to_dict() == ref
        r = bootstrap_metric_from_predictions(got, metric="roc_auc", n_resamples=50)
        assert r["point"] == pytest.approx(roc_auc_score(y, p), abs=1e-12)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"schema_version": "v9"}, "manifest schema_version 'v9' is not one of v1, v2, v3"),
        ({"captured_at": "yesterday"}, r"\$\.captured_at: 'yesterday' does not match"),
        ({"contamination_flags": {"m": "clean"}}, r"\$\.contamination_flags\.m: 'clean' is not one of"),
        ({"seeds": {"global": 1.5}}, r"\$\.seeds\.global: 1\.5 is not of type 'integer'"),
        ({"prediction_artifacts": [{"uri": "p.csv", "media_type": "text/csv"}]}, "'columns' is a required property"),
    ],
)
def test_manifests_eval_toolkit_refuses_are_refused(change, message):
    with pytest.raises(PayloadValidationError, match=message):
        validate_manifest({**_manifest("v3", []), **change})


def test_manifest_without_a_version_and_bad_files_say_what_is_wrong(tmp_path, pinned):
    no_version = {k: v for k, v in _manifest("v2", []).items() if k != "schema_version"}
    with pytest.raises(PayloadValidationError, match="manifest has no schema_version"):
        validate_manifest(no_version)
    path = tmp_path / "manifest.json"
    path.write_text('{"schema_version": "v1", "run_id": "r", "code_versions": {}, "env": {}, "x": NaN}')
    with pytest.raises(DataSourceError, match="is not strict JSON: NaN is not JSON"):
        load_manifest(path)
    with pytest.raises(DataSourceError, match="does not exist"):
        load_manifest(tmp_path / "missing.json")
    ref, _, _ = pinned
    bad = {**ref, "media_type": "application/octet-stream"}
    with pytest.raises(EvalvizError, match=r"prediction_artifacts\[1\] of the manifest: .*media type"):
        load_manifest(_manifest("v3", [ref, bad]))


# -- 15.3 / 15.4 / 15.5 refs: what from_dict accepts is what the schema accepts, and comes back unchanged ------------
def _ref_variants(path: Path) -> list[dict]:
    data = path.read_bytes()
    base = {"uri": str(path), "media_type": "text/csv", "columns": {"label": "y", "score": "p"}}
    return [
        {**base, "n_rows": 40.0},
        {**base, "sha256": "sha512_256:" + hashlib.new("sha512_256", data).hexdigest()},
        {**base, "sha256": "blake2b:" + hashlib.blake2b(data, digest_size=32).hexdigest()},
        {**base, "sha256": "blake2b-256:" + hashlib.blake2b(data, digest_size=32).hexdigest()},
        {**base, "sha256": "blake2s:" + hashlib.blake2s(data).hexdigest()},
        {**base, "sha256": ""},
        {**base, "metadata": {}},
        {**base, "columns": {"label": "y", "score": "p", "provenance": {}}},
        {**base, "role": ["fold_test", "ood_a", "ood_b"]},
        base,  # no role
        {**base, "sha256": " sha256:" + hashlib.sha256(data).hexdigest() + " "},
        {**base, "sha256": None},
        {**base, "columns": {"label": None, "score": "p"}},
        {**base, "role": None},
        {**base, "metadata": None},
        {**base, "n_rows": 40.5},
    ]


def test_from_dict_accepts_exactly_what_the_schema_accepts_and_round_trips(pinned):
    ref, y, p = pinned
    path = Path(ref["uri"])
    accepted = 0
    for d in _ref_variants(path):
        try:
            validate_payload(d, "prediction_ref.v1.json")
            schema_ok = True
        except PayloadValidationError:
            schema_ok = False
        try:
            built = PredictionArtifactRef.from_dict(d)
        except (EvalvizError, TypeError):
            assert not schema_ok, f"the schema accepts {d} but from_dict refuses it"
            continue
        assert schema_ok, f"from_dict accepts {d} but the schema refuses it"
        accepted += 1
        assert built.to_dict() == d
        validate_payload(built.to_dict(), "prediction_ref.v1.json")
        arrays = load_prediction_arrays(d)  # digests are checked against the file's bytes
        assert arrays.labels.tolist() == y.tolist() and arrays.scores.tolist() == p.tolist()
    assert accepted == 10


def test_a_digest_of_the_wrong_bytes_is_refused_for_every_algorithm(pinned):
    ref, _, _ = pinned
    other = b"other bytes"
    for digest in ("blake2b:" + hashlib.blake2b(other, digest_size=32).hexdigest(),
                   "sha512_256:" + hashlib.new("sha512_256", other).hexdigest()):
        with pytest.raises(DataSourceError, match="changed since it was registered"):
            load_prediction_arrays({**ref, "sha256": digest})


def test_columns_from_dict_refuses_null_roles_the_constructor_leaves_them_out():
    with pytest.raises(PayloadValidationError, match=r"\$\.label: None is not of type 'string'"):
        PredictionColumns.from_dict({"label": None, "score": "p"})
    ref = PredictionArtifactRef("p.csv", "text/csv", {"label": None, "score": "p"})
    assert ref.to_dict()["columns"] == {"score": "p"}


# -- 15.6 nothing is fetched -----------------------------------------------------------------------------------
@pytest.fixture
def server():
    """A local web server that counts the requests it gets."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the name http.server calls
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"y,p\n0,0.5\n")

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", hits
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize("scheme", ["http", "s3", "gs", "hf"])
def test_remote_refs_are_refused_before_anything_is_fetched(server, scheme):
    url, hits = server
    uri = f"{url}/p.csv" if scheme == "http" else f"{scheme}://bucket/p.csv"
    ref = {"uri": uri, "media_type": "text/csv", "columns": {"label": "y", "score": "p"}}
    for call in (lambda: load_prediction_arrays(ref),
                 lambda: bootstrap_metric_from_predictions(ref, n_resamples=20),
                 lambda: prediction_ref_for_file(uri, {"label": "y", "score": "p"})):
        with pytest.raises(DataSourceError, match="is not on this machine: evalviz reads local files only"):
            call()
    assert PredictionArtifactRef.from_dict(ref).to_dict() == ref  # a remote ref is kept, only not read
    assert hits == []


def test_evalviz_duckdb_connection_never_installs_or_loads_an_extension(server):
    url, hits = server
    con = default_connection()
    settings = dict(con.sql("SELECT name, value FROM duckdb_settings() WHERE name LIKE 'auto%known%'").fetchall())
    assert settings == {"autoinstall_known_extensions": "false", "autoload_known_extensions": "false"}
    cur = con.cursor()
    try:
        with pytest.raises(Exception, match="httpfs"):
            cur.sql(f"SELECT * FROM read_csv('{url}/p.csv')").fetchall()
    finally:
        cur.close()
    assert hits == []


@pytest.mark.parametrize("name", ["manifests", "arguments"])
def test_docstring_examples_of_the_new_and_checked_modules(name):
    module = importlib.import_module(f"evalviz.analysis.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
