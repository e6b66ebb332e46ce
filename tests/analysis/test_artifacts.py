"""Artifact dataclasses, strict JSON and schema validation."""

from __future__ import annotations

import json
import math
from dataclasses import FrozenInstanceError
from pathlib import Path

import numpy as np
import pytest

from evalviz.analysis import (
    MetricState,
    PayloadValidationError,
    PredictionArtifactRef,
    PredictionColumns,
    available_schemas,
    error_metric,
    sanitize_for_json,
    skipped_metric,
    validate_payload,
)

SHA = "a" * 64


def test_columns_round_trip_and_optional_fields():
    cols = PredictionColumns(label="y", score="p", row_id="id", content_hash="h")
    assert cols.to_dict() == {"label": "y", "score": "p", "row_id": "id", "content_hash": "h"}
    assert PredictionColumns.from_dict(cols.to_dict()) == cols
    assert PredictionColumns("y", "p").to_dict() == {"label": "y", "score": "p"}
    assert PredictionColumns(None, "p").label is None  # score-only artifacts (mean)


def test_columns_typo_is_named_with_a_suggestion():
    with pytest.raises(ValueError, match=r"unknown field\(s\) 'row_ids' \(did you mean 'row_id'\?\)"):
        PredictionColumns.from_dict({"label": "y", "score": "p", "row_ids": "id"})


def test_columns_validation_messages():
    with pytest.raises(ValueError, match="PredictionColumns.score is required"):
        PredictionColumns("y", None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="score must be a non-empty column name"):
        PredictionColumns("y", "  ")
    with pytest.raises(TypeError, match=r"row_id must be a column name \(str\), got int 3"):
        PredictionColumns("y", "p", row_id=3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="maps both 'label' and 'score' to column 'x'"):
        PredictionColumns("x", "x")
    with pytest.raises(ValueError, match="needs a 'score' column"):
        PredictionColumns.from_dict({"label": "y"})


def test_ref_round_trip_and_frozen():
    ref = PredictionArtifactRef(
        "p.parquet",
        "application/vnd.apache.parquet",
        {"label": "y", "score": "p"},
        sha256=SHA.upper(),
        n_rows=12,
        role="test",
    )
    assert isinstance(ref.columns, PredictionColumns)
    assert ref.sha256 == SHA.upper()  # kept as written (as eval-toolkit keeps it)
    assert ref.digest == ("sha256", SHA)  # compared with the file in lower case
    d = ref.to_dict()
    assert d == {
        "uri": "p.parquet",
        "media_type": "application/vnd.apache.parquet",
        "columns": {"label": "y", "score": "p"},
        "role": "test",
        "sha256": SHA.upper(),
        "n_rows": 12,
    }
    assert PredictionArtifactRef.from_dict(d) == ref
    assert PredictionArtifactRef.from_dict(json.loads(json.dumps(d))) == ref
    with pytest.raises(FrozenInstanceError):
        ref.uri = "other"  # type: ignore[misc]
    assert PredictionArtifactRef(Path("x.csv"), "text/csv", {"score": "p"}).uri == "x.csv"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"uri": ""}, ValueError, "uri must be a non-empty path or URI"),
        ({"uri": 5}, TypeError, "uri must be a str path or URI, got int"),
        ({"n_rows": True}, TypeError, "n_rows must be an int or None, got bool True"),
        ({"n_rows": -1}, ValueError, "n_rows must be >= 0, got -1"),
        ({"n_rows": 2.5}, TypeError, "n_rows must be an int or None, got float 2.5"),
        ({"sha256": "abc"}, ValueError, "sha256 must be 64 hex characters, got 'abc'"),
        (
            {"media_type": "text/cvs"},
            ValueError,
            r"'text/cvs' is not supported \(did you mean 'text/csv'\?\)",
        ),
        ({"role": ""}, ValueError, "role must be a non-empty str"),
        ({"columns": ["y", "p"]}, TypeError, "columns must be a PredictionColumns or a mapping, got list"),
        ({"columns": {"label": "y", "scores": "p"}}, ValueError, r"'scores' \(did you mean 'score'\?\)"),
    ],
)
def test_ref_validation_messages(kwargs, error, message):
    args = {"uri": "p.csv", "media_type": "text/csv", "columns": {"label": "y", "score": "p"}, **kwargs}
    with pytest.raises(error, match=message):
        PredictionArtifactRef(**args)


def test_ref_from_dict_rejects_unknown_and_missing_keys():
    base = {"uri": "p.csv", "media_type": "text/csv", "columns": {"label": "y", "score": "p"}}
    with pytest.raises(ValueError, match=r"'nrows' \(did you mean 'n_rows'\?\)"):
        PredictionArtifactRef.from_dict({**base, "nrows": 3})
    with pytest.raises(ValueError, match="needs 'media_type'"):
        PredictionArtifactRef.from_dict({"uri": "p.csv", "columns": {"score": "p"}})
    with pytest.raises(TypeError, match="needs a mapping"):
        PredictionArtifactRef.from_dict("p.csv")  # type: ignore[arg-type]


def test_metric_state_and_helpers():
    ok = MetricState(0.5)
    assert ok.to_dict() == {"value": 0.5, "status": "ok", "reason": ""}
    state = MetricState(None, "skipped", "single class", {"n": np.int64(3)})
    assert state.to_dict() == {
        "value": None,
        "status": "skipped",
        "reason": "single class",
        "details": {"n": 3},
    }
    assert MetricState.from_dict(state.to_dict()) == state
    # A non-finite value is written as sanitize_for_json writes it by default (as eval-toolkit does).
    assert MetricState(math.nan).to_dict()["value"] == sanitize_for_json(math.nan)
    with pytest.raises(ValueError, match="status must be one of ok, skipped, error, got 'fine'"):
        MetricState(1.0, "fine")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"unknown field\(s\) 'val'"):
        MetricState.from_dict({"val": 1})
    assert skipped_metric("too few rows", n=3) == {
        "value": None,
        "status": "skipped",
        "reason": "too few rows",
        "details": {"n": 3},
    }
    assert error_metric("boom") == {"value": None, "status": "error", "reason": "boom"}


def test_sanitize_strategies_make_strict_json():
    payload = {
        "a": math.nan,
        "b": [1.0, math.inf, np.float32(2.5)],
        "c": np.array([1, 2]),
        "d": {"e": -math.inf, 3: np.bool_(True)},
        "f": Path("x/y"),
        "g": MetricState(0.1),
        "h": (1, 2),
    }
    for strategy in ("skipped", "null"):
        json.dumps(sanitize_for_json(payload, nan_strategy=strategy), allow_nan=False)
    skipped = sanitize_for_json(payload)
    assert skipped["a"]["status"] == "skipped" and "nan" in skipped["a"]["reason"]
    nulls = sanitize_for_json(payload, nan_strategy="null")
    assert nulls["a"] is None and nulls["b"] == [1.0, None, 2.5] and nulls["d"] == {"e": None, "3": True}
    assert nulls["c"] == [1, 2] and nulls["f"] == "x/y" and nulls["g"]["value"] == 0.1 and nulls["h"] == [1, 2]
    with pytest.raises(ValueError, match=r"non-finite number nan at \$\.a"):
        sanitize_for_json(payload, nan_strategy="raise")
    with pytest.raises(ValueError, match=r"non-finite number inf at \$\.b\[1\]"):
        sanitize_for_json({"b": payload["b"]}, nan_strategy="raise")
    with pytest.raises(ValueError, match="nan_strategy must be one of skipped, null, raise, got 'zero'"):
        sanitize_for_json(payload, nan_strategy="zero")  # type: ignore[arg-type]


def test_validate_payload_results_schema():
    assert "results.v1.json" in available_schemas()
    good = {
        "schema_version": "v1",
        "run_id": "r1",
        "config": {"n_resamples": 1000},
        "by_slice": {"all": {"n": 10, "by_scorer": {"a": {"pr_auc": math.nan}}}},
        "extra": 1,
    }
    validate_payload(good)
    validate_payload(good, "results.v1.json")
    with pytest.raises(PayloadValidationError, match=r"results.v1.json at \$\.schema_version: 'v1' was expected"):
        validate_payload({**good, "schema_version": "v2"})
    with pytest.raises(PayloadValidationError, match="'by_slice' is a required property"):
        validate_payload({k: v for k, v in good.items() if k != "by_slice"})
    with pytest.raises(PayloadValidationError, match=r"at \$\.run_id"):
        validate_payload({**good, "run_id": ""})
    with pytest.raises(ValueError, match="unknown schema 'nope.json'; bundled schemas are"):
        validate_payload(good, "nope.json")


def test_prediction_ref_schema_matches_to_dict():
    ref = PredictionArtifactRef("p.csv", "text/csv", {"label": "y", "score": "p", "row_id": "id"}, sha256=SHA, n_rows=3)
    validate_payload(ref.to_dict(), "prediction_ref.v1.json")
    validate_payload(
        {
            "schema_version": "v1",
            "run_id": "r",
            "config": {},
            "by_slice": {},
            "prediction_artifacts": [ref.to_dict()],
        }
    )
    with pytest.raises(PayloadValidationError, match="prediction_ref.v1.json"):
        validate_payload({**ref.to_dict(), "n_rows": -1}, "prediction_ref.v1.json")
