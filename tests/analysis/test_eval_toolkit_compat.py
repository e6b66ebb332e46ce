"""Refs, manifests and result payloads written the way eval-toolkit writes them load, validate and bootstrap.

The payloads below follow eval-toolkit's own ``to_dict`` output and schemas (``eval_toolkit.artifacts``,
``schemas/results.v1.json`` and ``manifest.v3.json`` of eval-toolkit 1.x): role lists, ``"sha256:<hex>"``
digests, ``metadata``, the extra column roles ``scorer``, ``slice``, ``text`` and ``provenance``, media-type
aliases. Expected values are computed independently here, with hashlib, numpy and scikit-learn.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import json
import math
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

from evalviz.analysis import (
    MetricState,
    PayloadValidationError,
    PredictionArtifactRef,
    PredictionColumns,
    bootstrap_metric_from_predictions,
    load_prediction_arrays,
    prediction_ref_for_file,
    sanitize_for_json,
    validate_payload,
)
from evalviz.analysis.readers import split_by_scorer
from evalviz.analysis.tables import evaluate_slices_arrow, paired_diff_table_arrow
from evalviz.errors import DataSourceError, EvalvizError

SCORERS = ("baseline", "candidate")
LANGS = ("en", "de", "fr")
N_PER_SCORER = 240


def _rows() -> list[dict[str, object]]:
    """Long-form predictions, one row per (example, scorer), as eval-toolkit's pipelines keep them."""
    rng = np.random.default_rng(15)
    labels = (rng.random(N_PER_SCORER) < 0.4).astype(int)
    lang = np.array(LANGS)[rng.integers(0, len(LANGS), N_PER_SCORER)]
    rows = []
    for k, scorer in enumerate(SCORERS):
        scores = np.round(np.clip(0.3 + (0.3 + 0.2 * k) * labels + rng.normal(0, 0.15, N_PER_SCORER), 0, 1), 4)
        for i in range(N_PER_SCORER):
            rows.append(
                {
                    "example_id": f"ex{i:04d}",
                    "text_sha256": hashlib.sha256(f"input {i}".encode()).hexdigest(),
                    "y_true": int(labels[i]),
                    "prob_positive": float(scores[i]),
                    "scorer_name": scorer,
                    "language": str(lang[i]),
                    "input_text": f"input {i}",
                    "model_name": f"{scorer}-v1",
                }
            )
    return rows


def _write_csv(path: Path, rows: list[dict[str, object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:  # as eval-toolkit writes CSV: csv.DictWriter
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _etk_ref(path: Path, rows: list[dict[str, object]], **overrides: object) -> dict[str, object]:
    """A ref dict as eval-toolkit's PredictionArtifactRef.to_dict() writes it (key order included)."""
    ref = {
        "uri": str(path),
        "media_type": "application/csv",
        "role": ["fold_test", "ood_a", "ood_b"],
        "columns": {
            "label": "y_true",
            "score": "prob_positive",
            "row_id": "example_id",
            "content_hash": "text_sha256",
            "scorer": "scorer_name",
            "slice": "language",
            "text": "input_text",
            "provenance": {"model": "model_name"},
        },
        "sha256": "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest(),
        "n_rows": len(rows),
        "metadata": {"slices": list(LANGS), "producer": "eval-toolkit"},
    }
    ref.update(overrides)
    return ref


@pytest.fixture
def long_form(tmp_path):
    rows = _rows()
    path = _write_csv(tmp_path / "predictions.csv", rows)
    return path, rows, _etk_ref(path, rows)


def _one_scorer(tmp_path: Path, rows: list[dict[str, object]], scorer: str) -> tuple[Path, dict[str, object]]:
    mine = [{k: v for k, v in r.items() if k != "scorer_name"} for r in rows if r["scorer_name"] == scorer]
    path = _write_csv(tmp_path / f"{scorer}.csv", mine)
    ref = _etk_ref(path, mine, role="locked_eval_predictions")
    del ref["columns"]["scorer"]
    return path, ref


# --- refs: role lists, prefixed digests, extra roles and keys --------------------------------------------------


def test_eval_toolkit_ref_round_trips_unchanged(long_form):
    _, _, etk = long_form
    etk = {**etk, "created_at": "2025-06-01T12:00:00Z"}  # a key neither tool defines: kept too
    ref = PredictionArtifactRef.from_dict(etk)
    assert ref.to_dict() == etk
    assert json.loads(json.dumps(ref.to_dict(), allow_nan=False)) == etk
    assert PredictionArtifactRef.from_dict(json.loads(json.dumps(etk))) == ref
    assert ref.roles == ("fold_test", "ood_a", "ood_b") and ref.to_dict()["role"] == list(ref.roles)
    assert ref.columns.scorer == "scorer_name" and ref.columns.slice == "language"
    assert ref.columns.text == "input_text" and ref.columns.provenance == {"model": "model_name"}
    assert ref.metadata == etk["metadata"] and ref.extra == {"created_at": "2025-06-01T12:00:00Z"}
    validate_payload(etk, "prediction_ref.v1.json")
    validate_payload(ref.to_dict(), "prediction_ref.v1.json")
    hash(ref)  # still usable as a dict key or in a set


def test_eval_toolkit_columns_dataclass_keeps_extra_roles():
    cols = PredictionColumns(
        "y", "p", row_id="id", scorer="model", slice="lang", text="prompt", provenance={"seed": "seed_col"}
    )
    d = cols.to_dict()
    assert d == {
        "label": "y",
        "score": "p",
        "row_id": "id",
        "scorer": "model",
        "slice": "lang",
        "text": "prompt",
        "provenance": {"seed": "seed_col"},
    }
    extended = {**d, "logit": "raw_logit"}  # eval-toolkit's column schema allows other keys
    assert PredictionColumns.from_dict(extended).to_dict() == extended
    with pytest.raises(TypeError, match="provenance values must be str"):
        PredictionColumns("y", "p", provenance={"seed": 3})  # type: ignore[dict-item]


@pytest.mark.parametrize(
    ("role", "kept"),
    [
        ("predictions", "predictions"),
        (["fold_test"], ["fold_test"]),
        (("dev", "ood"), ["dev", "ood"]),
    ],
)
def test_role_is_a_str_or_a_list(role, kept):
    ref = PredictionArtifactRef("p.csv", "text/csv", {"score": "p"}, role=role)
    assert ref.to_dict()["role"] == kept
    assert ref.roles == ((kept,) if isinstance(kept, str) else tuple(kept))
    validate_payload(ref.to_dict(), "prediction_ref.v1.json")


@pytest.mark.parametrize(
    ("role", "error", "message"),
    [
        ([], EvalvizError, "role list must hold at least one non-empty str, got \\[\\]"),
        (["dev", " "], EvalvizError, "role list must hold at least one non-empty str"),
        (["dev", 3], EvalvizError, "role list must hold at least one non-empty str"),
        (3, TypeError, "role must be a str or a list of str, got int"),
        ("", EvalvizError, "role must be a non-empty str"),
    ],
)
def test_bad_roles_are_refused(role, error, message):
    with pytest.raises(error, match=message):
        PredictionArtifactRef("p.csv", "text/csv", {"score": "p"}, role=role)
    if role in ([], ["dev", 3]):  # what eval-toolkit's schema refuses too
        with pytest.raises(PayloadValidationError):
            validate_payload({"uri": "p", "media_type": "text/csv", "columns": {"score": "p"}, "role": role},
                             "prediction_ref.v1.json")


@pytest.mark.parametrize(
    ("prefix", "algorithm"),
    [
        ("sha256:", "sha256"),
        ("SHA-256:", "sha256"),
        ("sha512:", "sha512"),
        ("sha3-256:", "sha3_256"),
        ("blake2b:", "blake2b"),
        ("md5:", "md5"),
        ("", "sha256"),
    ],
)
def test_prefixed_digest_is_kept_and_checked_against_the_file(tmp_path, prefix, algorithm):
    path = _write_csv(tmp_path / "p.csv", [{"y": 0, "p": 0.25}, {"y": 1, "p": 0.75}])
    digest = prefix + hashlib.new(algorithm, path.read_bytes()).hexdigest()
    ref = PredictionArtifactRef(str(path), "text/csv", {"label": "y", "score": "p"}, sha256=digest)
    assert ref.to_dict()["sha256"] == digest  # as written
    assert load_prediction_arrays(ref.to_dict()).scores.tolist() == [0.25, 0.75]
    validate_payload(ref.to_dict(), "prediction_ref.v1.json")
    path.write_text("y,p\n0,0.25\n1,0.76\n")
    changed = hashlib.new(algorithm, path.read_bytes()).hexdigest()
    with pytest.raises(DataSourceError, match=f"changed since it was registered: its {algorithm} is {changed}"):
        load_prediction_arrays(ref)


@pytest.mark.parametrize(
    ("digest", "message"),
    [
        ("crc32:1a2b3c4d", "names digest algorithm 'crc32', which evalviz cannot check; use one of md5, sha1"),
        ("xxh64:" + "0" * 16, "digest algorithm 'xxh64'"),
        ("sha256:" + "0" * 63, "must have 64 hex characters after 'sha256:'"),
        ("sha512:" + "0" * 64, "must have 128 hex characters after 'sha512:'"),
        ("sha256:" + "g" * 64, "must have 64 hex characters"),
        ("abc", "sha256 must be 64 hex characters, got 'abc'; a digest of another algorithm is written"),
    ],
)
def test_digest_that_cannot_be_checked_is_refused_when_the_ref_is_built(digest, message):
    with pytest.raises(EvalvizError, match=message):
        PredictionArtifactRef("missing.csv", "text/csv", {"score": "p"}, sha256=digest)


def test_empty_digest_means_not_pinned_as_in_eval_toolkit(tmp_path):
    path = _write_csv(tmp_path / "p.csv", [{"y": 0, "p": 0.5}])
    written = {"uri": str(path), "media_type": "text/csv", "columns": {"label": "y", "score": "p"}, "sha256": ""}
    ref = PredictionArtifactRef.from_dict(written)
    assert ref.digest is None and ref.to_dict() == written  # not pinned, and kept as written
    assert load_prediction_arrays(ref).labels.tolist() == [0]


@pytest.mark.parametrize(
    ("media_type", "fmt"),
    [
        ("application/csv", "csv"),
        ("text/x-csv", "csv"),
        ("Text/CSV; charset=utf-8", "csv"),
        ("text/csv; header=present", "csv"),
        ("application/x-ndjson", "jsonl"),
        ("application/ndjson", "jsonl"),
        ("application/jsonlines", "jsonl"),
        ("application/json-lines", "jsonl"),
        ("application/x-parquet", "parquet"),
        ("application/parquet", "parquet"),
    ],
)
def test_media_type_aliases_read_like_the_standard_name(tmp_path, media_type, fmt, write_predictions, make_ref):
    cols = {"label": [0, 1, 1, 0], "score": [0.1, 0.9, 0.75, 0.3], "rid": ["a", "b", "c", "d"]}
    path = write_predictions(tmp_path / "p", cols, fmt)
    standard = load_prediction_arrays(make_ref(path, fmt, row_id="rid"))
    alias = PredictionArtifactRef(str(path), media_type, {"label": "label", "score": "score", "row_id": "rid"})
    assert alias.to_dict()["media_type"] == media_type  # kept as written
    arrays = load_prediction_arrays(alias.to_dict())
    assert arrays.labels.tolist() == standard.labels.tolist() == cols["label"]
    assert arrays.scores.tolist() == standard.scores.tolist() == cols["score"]
    assert arrays.row_ids == standard.row_ids == tuple(cols["rid"])
    validate_payload(alias.to_dict(), "prediction_ref.v1.json")
    assert prediction_ref_for_file(path, alias.columns, media_type=media_type).media_type == media_type


@pytest.mark.parametrize(
    ("media_type", "message"),
    [
        ("text/plain", "media type 'text/plain' is not supported; use one of text/csv"),
        ("application/jsn", r"is not supported \(did you mean 'application/json"),
        ("text/csv; charset=latin-1", "reads UTF-8 files only"),
        ("text/csv; header=absent", "need a header row"),
    ],
)
def test_media_types_evalviz_cannot_read_are_refused(media_type, message):
    with pytest.raises(EvalvizError, match=message):
        PredictionArtifactRef("p.csv", media_type, {"score": "p"})


def test_misspelt_known_keys_still_raise_with_the_right_spelling():
    base = {"uri": "p.csv", "media_type": "text/csv", "columns": {"label": "y", "score": "p"}}
    with pytest.raises(EvalvizError, match=r"'nrows' \(did you mean 'n_rows'\?\)"):
        PredictionArtifactRef.from_dict({**base, "nrows": 3})
    with pytest.raises(EvalvizError, match=r"'SHA256' \(did you mean 'sha256'\?\)"):
        PredictionArtifactRef.from_dict({**base, "SHA256": "0" * 64})
    with pytest.raises(EvalvizError, match=r"'Row_IDs' \(did you mean 'row_id'\?\)"):
        PredictionColumns.from_dict({"label": "y", "score": "p", "Row_IDs": "id"})
    # Keys of other names are not typos: they are kept.
    kept = PredictionArtifactRef.from_dict({**base, "model": "m1", "split": "test"})
    assert kept.extra == {"model": "m1", "split": "test"}


# --- metric states --------------------------------------------------------------------------------------------


def test_metric_state_writes_what_eval_toolkit_writes():
    # eval-toolkit 1.x: MetricState(nan, "ok").to_dict() keeps status "ok" and writes the value as its
    # sanitize_for_json default does (a skipped-metric dict); a skipped state may have no reason.
    nan_state = MetricState(math.nan, "ok").to_dict()
    assert nan_state == {
        "value": {"value": None, "status": "skipped", "reason": "non-finite numeric value: nan"},
        "status": "ok",
        "reason": "",
    }
    assert nan_state["value"] == sanitize_for_json(math.nan)
    assert MetricState(math.inf, "ok").to_dict()["value"]["reason"] == "non-finite numeric value: inf"
    assert MetricState(None, "skipped").to_dict() == {"value": None, "status": "skipped", "reason": ""}
    assert MetricState(None, "error").to_dict() == {"value": None, "status": "error", "reason": ""}
    json.dumps(nan_state, allow_nan=False)
    assert MetricState.from_dict({"value": None, "status": "skipped"}) == MetricState(None, "skipped")
    details = MetricState(0.5, "ok", details={"ci": [0.1, math.nan]}).to_dict()["details"]
    assert details == {"ci": [0.1, sanitize_for_json(math.nan)]}


# --- results payloads -----------------------------------------------------------------------------------------


def _etk_results(prediction_artifacts: object) -> dict[str, object]:
    """A results.json as eval-toolkit's RunResult.to_dict() writes it."""
    ci = {"point": 0.81, "ci_low": 0.74, "ci_high": 0.87, "n_resamples": 1000, "method": "BCa"}
    return {
        "schema_version": "v1",
        "run_id": "2025-06-01-run42",
        "git_sha": None,
        "config": {"n_resamples": 1000, "seed": 42, "scorers": list(SCORERS), "slices": list(LANGS)},
        "by_slice": {
            "en": {
                "n": 80,
                "n_positive": 31,
                "by_scorer": {
                    "baseline": {"pr_auc": 0.8, "pr_auc_ci": ci, "roc_auc_ci": MetricState(None, "skipped").to_dict()},
                    "candidate": {"pr_auc": math.nan, "brier_score": MetricState(math.nan, "ok").to_dict()},
                },
                "paired_diffs": {},
            },
            "fr": {"n": 5, "n_positive": 0, "by_scorer": {"baseline": {"skipped": "single-class slice"}}},
        },
        "by_fold": {},
        "fold_summary": {},
        "claim_report": {},
        "prediction_artifacts": prediction_artifacts,
        "evidence_axes": [{"name": "slice", "value": "en"}],
        "pairing_metadata": {},
        "aggregate_evidence": {"status": "descriptive"},
        "threshold_policy": {},
    }


def test_results_payload_from_eval_toolkit_validates(long_form):
    _, _, etk = long_form
    # eval-toolkit leaves prediction_artifacts entries open: entries evalviz could not read still validate.
    odd = {"uri": "s3://bucket/p.bin", "media_type": "application/octet-stream", "sha256": "deadbeef", "x": 1}
    payload = _etk_results([etk, odd, {"uri": "only-a-uri"}])
    validate_payload(payload)
    validate_payload(json.loads(json.dumps(sanitize_for_json(payload), allow_nan=False)))
    validate_payload(_etk_results([]))
    # What eval-toolkit's schema refuses is refused here too: entries are objects in a list.
    with pytest.raises(PayloadValidationError, match=r"prediction_artifacts"):
        validate_payload(_etk_results(["predictions.csv"]))


def test_manifest_prediction_artifacts_load(long_form, tmp_path):
    # manifest.v3.json: prediction_artifacts is a list of refs as PredictionArtifactRef.to_dict() writes them.
    path, rows, etk = long_form
    manifest = {
        "schema_version": "v3",
        "run_id": "run42",
        "captured_at": "2025-06-01T12:00:00Z",
        "code_versions": {"eval_toolkit": "1.12.0"},
        "env": {"python": "3.13"},
        "contamination_flags": {},
        "prediction_artifacts": [etk],
    }
    loaded = json.loads(json.dumps(manifest))
    refs = [PredictionArtifactRef.from_dict(d) for d in loaded["prediction_artifacts"]]
    arrays = load_prediction_arrays(refs[0])
    assert len(arrays) == len(rows)
    assert arrays.labels.tolist() == [r["y_true"] for r in rows]
    assert arrays.scores.tolist() == [r["prob_positive"] for r in rows]
    assert arrays.row_ids == tuple(r["example_id"] for r in rows)
    assert arrays.content_hashes == tuple(r["text_sha256"] for r in rows)
    assert arrays.scorers == tuple(r["scorer_name"] for r in rows)
    assert arrays.slices == tuple(r["language"] for r in rows)
    assert [d.to_dict() for d in refs] == loaded["prediction_artifacts"]


# --- bad values anywhere in the file --------------------------------------------------------------------------

N_BIG = 30_000


def _big_csv(path: Path, bad_row: int, bad_line: str) -> Path:
    lines = ["label,score"] + [f"{i % 2},0.{(i * 7919) % 1000:03d}" for i in range(N_BIG)]
    lines[bad_row + 1] = bad_line
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ("0,abc", "score column 'score' in '.*' must be finite numbers; row {row} has 'abc'"),
        ("0,", r"score column 'score' in '.*' must be finite numbers; row {row} is missing \(null\)"),
        ("0,nan", "score column 'score' in '.*' must be finite numbers; row {row} has nan"),
        ("2,0.5", "label column 'label' in '.*' must be 0 or 1; row {row} has 2"),
        ("yes,0.5", "label column 'label' in '.*' must be 0 or 1; row {row} has 'yes'"),
    ],
)
def test_bad_csv_value_late_in_the_file_names_its_row_like_an_early_one(tmp_path, bad_line, message):
    for row in (100, 29_990):  # within DuckDB's type-detection sample, and far past it
        path = _big_csv(tmp_path / f"late_{row}.csv", row, bad_line)
        ref = {"uri": str(path), "media_type": "application/csv", "columns": {"label": "label", "score": "score"}}
        with pytest.raises(EvalvizError, match=message.format(row=row)) as info:
            load_prediction_arrays(ref)
        assert isinstance(info.value, ValueError)
        with pytest.raises(EvalvizError, match=message.format(row=row)):
            bootstrap_metric_from_predictions(ref, n_resamples=20)


def test_csv_whose_late_rows_hold_another_type_of_valid_value_loads(tmp_path):
    # The first 25,000 rows look like integers (0/1 scores, 0/1 labels); later rows hold decimals, booleans
    # and padded numbers. Read by a type guessed from the first rows, these would fail; they are all valid.
    n = N_BIG
    labels = np.arange(n) % 2
    scores = (np.arange(n) % 2).astype(float)
    late = np.arange(25_000, n)
    scores[late] = np.round((late % 97) / 97, 6)
    label_text = [str(v) for v in labels]
    for i in late[::3]:
        label_text[i] = "true" if labels[i] else "false"
    score_text = [str(int(v)) if i < 25_000 else f" {float(v)!r} " for i, v in enumerate(scores)]
    path = tmp_path / "mixed.csv"
    path.write_text("label,score\n" + "\n".join(f"{a},{b}" for a, b in zip(label_text, score_text, strict=True)))
    columns = {"label": "label", "score": "score"}
    arrays = load_prediction_arrays({"uri": str(path), "media_type": "text/csv", "columns": columns})
    np.testing.assert_array_equal(arrays.labels, labels)
    np.testing.assert_array_equal(arrays.scores, scores)


def test_jsonl_bad_value_or_line_late_in_the_file_is_named(tmp_path):
    def write(name: str, bad_line: str) -> dict[str, object]:
        lines = [json.dumps({"label": i % 2, "score": round((i % 100) / 100, 2)}) for i in range(N_BIG)]
        lines[29_990] = bad_line
        path = tmp_path / name
        path.write_text("\n".join(lines) + "\n")
        return {"uri": str(path), "media_type": "application/x-ndjson", "columns": {"label": "label", "score": "score"}}

    with pytest.raises(EvalvizError, match="score column 'score' in '.*' must be finite numbers; row 29990 has 'abc'"):
        load_prediction_arrays(write("value.jsonl", '{"label": 1, "score": "abc"}'))
    with pytest.raises(EvalvizError, match=r"label column 'label' .* row 29990 is missing \(null\)"):
        load_prediction_arrays(write("key.jsonl", '{"score": 0.5}'))
    with pytest.raises(DataSourceError, match=r"as application/x-ndjson: line 29991 \(row 29990\) is not valid JSON"):
        load_prediction_arrays(write("broken.jsonl", '{"label": 1, "score": 0.5'))
    with pytest.raises(DataSourceError, match=r"line 29991 \(row 29990\) is not a JSON object: '\[1, 0.5\]'"):
        load_prediction_arrays(write("array.jsonl", "[1, 0.5]"))
    # A value of another JSON type late in the file is read as what it says.
    arrays = load_prediction_arrays(write("typed.jsonl", '{"label": "1", "score": "0.25"}'))
    assert arrays.labels[29_990] == 1 and arrays.scores[29_990] == 0.25


def test_jsonl_key_that_no_row_has_is_a_missing_column(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text('{"label": 0, "prob": 0.2}\n{"label": 1, "prob": 0.7}\n')
    ref = {"uri": str(path), "media_type": "application/jsonl", "columns": {"label": "label", "score": "score"}}
    with pytest.raises(EvalvizError, match=r"has no column\(s\) 'score'; its columns are 'label', 'prob'"):
        load_prediction_arrays(ref)


# --- bootstrapping from eval-toolkit artifacts ----------------------------------------------------------------


def _subset(rows, scorer, lang=None):
    sel = [r for r in rows if r["scorer_name"] == scorer and (lang is None or r["language"] == lang)]
    return np.array([r["y_true"] for r in sel]), np.array([r["prob_positive"] for r in sel])


def test_bootstrap_from_an_eval_toolkit_ref(tmp_path, long_form):
    _, rows, _ = long_form
    _, ref = _one_scorer(tmp_path, rows, "candidate")
    y, s = _subset(rows, "candidate")
    for seed in (42, np.random.default_rng(42)):  # eval-toolkit's rng=: an int or a Generator
        r = bootstrap_metric_from_predictions(ref, metric="pr_auc", n_resamples=200, seed=seed)
        assert r["status"] == "ok" and r["n"] == N_PER_SCORER
        assert r["point"] == pytest.approx(average_precision_score(y, s), abs=1e-12)
        assert r["low"] <= r["point"] <= r["high"]
    r = bootstrap_metric_from_predictions(copy.deepcopy(ref), metric="roc_auc", n_resamples=200, seed=0)
    assert r["point"] == pytest.approx(roc_auc_score(y, s), abs=1e-12)


def test_split_by_scorer_keeps_each_scorers_rows_in_file_order(long_form):
    _, rows, etk = long_form
    parts = split_by_scorer(load_prediction_arrays(etk), "run42")
    assert list(parts) == ["run42/baseline", "run42/candidate"]
    for scorer in SCORERS:
        y, s = _subset(rows, scorer)
        part = parts[f"run42/{scorer}"]
        assert part.labels.tolist() == y.tolist() and part.scores.tolist() == s.tolist()
        assert part.scorers == (scorer,) * N_PER_SCORER


def test_evaluate_slices_reads_the_mapped_scorer_and_slice_columns(long_form):
    _, rows, etk = long_form
    table = evaluate_slices_arrow({"run42": etk}, metrics=["roc_auc", "pr_auc"], n_resamples=50, seed=0)
    got = {(r["slice"], r["scorer"], r["metric"]): r for r in table.to_pylist()}
    assert {k[0] for k in got} == {"all", *LANGS}
    assert {k[1] for k in got} == {"run42/baseline", "run42/candidate"}
    for scorer in SCORERS:
        for lang in (None, *LANGS):
            y, s = _subset(rows, scorer, lang)
            for metric, fn in (("roc_auc", roc_auc_score), ("pr_auc", average_precision_score)):
                cell = got[(lang or "all", f"run42/{scorer}", metric)]
                assert cell["n"] == len(y)
                assert cell["status"] == "ok", cell["reason"]
                assert cell["value"] == pytest.approx(fn(y, s), abs=1e-12)
    # slice_by= still chooses, whatever the ref maps.
    overall = evaluate_slices_arrow({"run42": etk}, metrics="roc_auc", slice_by="scorer_name", n_resamples=20)
    assert set(overall.column("slice").to_pylist()) == {"all", *SCORERS}


def test_paired_table_slices_by_the_mapped_slice_column(tmp_path, long_form):
    _, rows, _ = long_form
    _, old = _one_scorer(tmp_path, rows, "baseline")
    _, new = _one_scorer(tmp_path, rows, "candidate")
    table = paired_diff_table_arrow(old, new, metric="roc_auc", n_resamples=50, seed=0)
    got = {r["slice"]: r for r in table.to_pylist()}
    assert list(got)[0] == "all" and set(got) == {"all", *LANGS}
    for lang in (None, *LANGS):
        y0, s0 = _subset(rows, "baseline", lang)
        y1, s1 = _subset(rows, "candidate", lang)
        assert y0.tolist() == y1.tolist()
        assert got[lang or "all"]["delta"] == pytest.approx(roc_auc_score(y1, s1) - roc_auc_score(y0, s0), abs=1e-12)


def test_refs_mapping_different_slice_columns_ask_for_slice_by(tmp_path, long_form):
    _, rows, etk = long_form
    other = copy.deepcopy(etk)
    other["columns"]["slice"] = "input_text"
    with pytest.raises(EvalvizError, match="map different slice columns .*pass slice_by="):
        evaluate_slices_arrow({"a": etk, "b": other}, metrics="roc_auc", n_resamples=20)


def test_parquet_artifact_with_extra_roles(tmp_path, long_form):
    _, rows, etk = long_form
    path = tmp_path / "p.parquet"
    pq.write_table(pa.Table.from_pylist(rows), path)
    ref = {**etk, "uri": str(path), "media_type": "application/x-parquet",
           "sha256": "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()}
    arrays = load_prediction_arrays(ref)
    assert arrays.scorers == tuple(r["scorer_name"] for r in rows)
    assert arrays.slices == tuple(r["language"] for r in rows)
