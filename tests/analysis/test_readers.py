"""Reading prediction files through DuckDB, with integrity and value checks."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from evalviz.analysis import (
    PredictionArtifactRef,
    file_sha256,
    load_prediction_arrays,
    prediction_ref_for_file,
)

FORMATS = ["csv", "jsonl", "parquet"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_reads_every_format_in_file_order(tmp_path, fmt, write_predictions, make_ref):
    cols = {
        "label": [0, 1, 1, 0],
        "score": [0.1, 0.9, 0.75, 0.3],
        "rid": ["a", "b", "c", "d"],
        "h": ["h1", "h2", "h3", "h4"],
        "group": ["x", "y", "x", "y"],
    }
    path = write_predictions(tmp_path / "preds", cols, fmt)
    ref = make_ref(path, fmt, row_id="rid", content_hash="h")
    arrays = load_prediction_arrays(ref, extra_columns=["group"])
    assert arrays.labels.dtype == np.int8 and arrays.labels.tolist() == [0, 1, 1, 0]
    assert arrays.scores.tolist() == [0.1, 0.9, 0.75, 0.3]
    assert arrays.row_ids == ("a", "b", "c", "d")
    assert arrays.content_hashes == ("h1", "h2", "h3", "h4")
    assert arrays.extra["group"].tolist() == ["x", "y", "x", "y"]
    # The to_dict() form works the same, and a file:// URI too.
    assert load_prediction_arrays(ref.to_dict()).scores.tolist() == arrays.scores.tolist()
    file_ref = PredictionArtifactRef(path.as_uri(), ref.media_type, ref.columns)
    assert load_prediction_arrays(file_ref).labels.tolist() == [0, 1, 1, 0]


def test_many_rows_keep_their_order(tmp_path, write_predictions, make_ref):
    n = 20_000
    rng = np.random.default_rng(0)
    scores = rng.random(n)
    labels = rng.integers(0, 2, n)
    for fmt in FORMATS:
        path = write_predictions(tmp_path / f"big_{fmt}", {"label": labels.tolist(), "score": scores.tolist()}, fmt)
        arrays = load_prediction_arrays(make_ref(path, fmt))
        np.testing.assert_array_equal(arrays.scores, scores)
        np.testing.assert_array_equal(arrays.labels, labels)


def test_csv_ids_keep_leading_zeros_and_bool_labels(tmp_path, write_predictions, make_ref):
    path = tmp_path / "ids.csv"
    path.write_text("rid,label,score\n007,true,0.5\n010,false,0.25\n")
    arrays = load_prediction_arrays(make_ref(path, "csv", row_id="rid"))
    assert arrays.row_ids == ("007", "010")
    assert arrays.labels.tolist() == [1, 0]


def test_score_only_artifact_has_no_labels(tmp_path, write_predictions, make_ref):
    path = write_predictions(tmp_path / "s", {"score": [0.0, 1.0, 0.5]}, "parquet")
    arrays = load_prediction_arrays(make_ref(path, "parquet", label=None))
    assert arrays.labels is None and arrays.scores.tolist() == [0.0, 1.0, 0.5]


@pytest.mark.parametrize("fmt", FORMATS)
def test_changed_file_is_refused(tmp_path, fmt, write_predictions, make_ref):
    path = write_predictions(tmp_path / "p", {"label": [0, 1, 1], "score": [0.2, 0.8, 0.6]}, fmt)
    ref = prediction_ref_for_file(path, {"label": "label", "score": "score"})
    assert ref.media_type == make_ref(path, fmt).media_type
    assert ref.n_rows == 3 and ref.sha256 == hashlib.sha256(path.read_bytes()).hexdigest() == file_sha256(path)
    load_prediction_arrays(ref)  # unchanged: fine
    write_predictions(tmp_path / "p", {"label": [0, 1, 1], "score": [0.2, 0.8, 0.61]}, fmt)
    with pytest.raises(ValueError, match=r"changed since it was registered: it still has 3 rows, but their bytes "
                       r"differ: its sha256 is [0-9a-f]{64}, the ref"):
        load_prediction_arrays(ref)


def test_row_count_pin_is_checked(tmp_path, write_predictions, make_ref):
    path = write_predictions(tmp_path / "p", {"label": [0, 1, 1], "score": [0.2, 0.8, 0.6]}, "csv")
    ref = PredictionArtifactRef(str(path), "text/csv", {"label": "label", "score": "score"}, n_rows=4)
    with pytest.raises(ValueError, match="changed since it was registered: it has 3 rows, the ref records 4"):
        load_prediction_arrays(ref)


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        ([0, 1, 2, 0], r"label column 'label' in '.*' must be 0 or 1; row 2 has 2"),
        ([0, 1, None, 0], r"must be 0 or 1; row 2 is missing \(null\)"),
        ([0.0, 1.0, 0.5, 1.0], r"must be 0 or 1; row 2 has 0.5"),
        (["0", "1", "yes", "0"], r"must be 0 or 1; row 2 has 'yes'"),
    ],
)
def test_bad_labels_name_the_first_bad_row(tmp_path, labels, message, write_predictions, make_ref):
    path = write_predictions(tmp_path / "p", {"label": labels, "score": [0.1, 0.2, 0.3, 0.4]}, "parquet")
    with pytest.raises(ValueError, match=message):
        load_prediction_arrays(make_ref(path, "parquet"))


@pytest.mark.parametrize(
    ("scores", "message"),
    [
        ([0.1, float("nan"), 0.3], r"score column 'score' in '.*' must be finite numbers; row 1 has nan"),
        ([0.1, 0.2, float("inf")], r"must be finite numbers; row 2 has inf"),
        ([0.1, None, 0.3], r"must be finite numbers; row 1 is missing \(null\)"),
        (["0.1", "0.2", "abc"], r"must be finite numbers; row 2 has 'abc'"),
    ],
)
def test_bad_scores_name_the_first_bad_row(tmp_path, scores, message, write_predictions, make_ref):
    path = write_predictions(tmp_path / "p", {"label": [0, 1, 0], "score": scores}, "parquet")
    with pytest.raises(ValueError, match=message):
        load_prediction_arrays(make_ref(path, "parquet"))


def test_bad_score_in_csv_names_row(tmp_path, make_ref):
    path = tmp_path / "p.csv"
    path.write_text("label,score\n0,0.1\n1,oops\n")
    with pytest.raises(ValueError, match="row 1 has 'oops'"):
        load_prediction_arrays(make_ref(path, "csv"))


def test_missing_column_file_and_format_errors(tmp_path, write_predictions, make_ref):
    path = write_predictions(tmp_path / "p", {"label": [0, 1], "prob": [0.1, 0.2]}, "parquet")
    with pytest.raises(ValueError, match=r"has no column\(s\) 'score'; its columns are 'label', 'prob'"):
        load_prediction_arrays(make_ref(path, "parquet"))
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_prediction_arrays(make_ref(tmp_path / "nope.parquet", "parquet"))
    garbage = tmp_path / "g.parquet"
    garbage.write_text("not parquet")
    with pytest.raises(ValueError, match="could not read prediction file .* as application/vnd.apache.parquet"):
        load_prediction_arrays(make_ref(garbage, "parquet"))
    with pytest.raises(ValueError, match="cannot tell the media type"):
        prediction_ref_for_file(tmp_path / "p.txt", {"label": "label", "score": "score"})
    ref = PredictionArtifactRef(
        "s3://bucket/p.parquet",
        "application/vnd.apache.parquet",
        {"label": "label", "score": "score"},
        sha256="0" * 64,
    )
    with pytest.raises(ValueError, match="is not on this machine: evalviz reads local files only"):
        load_prediction_arrays(ref)


def test_duplicate_null_row_id_is_refused(tmp_path, write_predictions, make_ref):
    path = write_predictions(tmp_path / "p", {"label": [0, 1], "score": [0.1, 0.2], "rid": ["a", None]}, "parquet")
    with pytest.raises(ValueError, match=r"column 'rid' .* must not be empty; row 1 is missing \(null\)"):
        load_prediction_arrays(make_ref(path, "parquet", row_id="rid"))
