"""Paired comparisons from two prediction artifacts: rows joined by id, with integrity checks."""

from __future__ import annotations

import numpy as np
import pytest

from evalviz.analysis import (
    PredictionArrays,
    align_prediction_arrays,
    paired_bootstrap_diff,
    paired_diff_from_prediction_refs,
)

PAIRED_KEYS = {"metric", "delta", "low", "high", "ci_95", "overlaps_zero", "n_resamples", "n"}


@pytest.fixture
def two_scorers():
    rng = np.random.default_rng(21)
    n = 600
    y = (rng.random(n) < 0.4).astype(int)
    old = np.round(y + rng.normal(size=n), 3)
    new = np.round(y + rng.normal(scale=0.7, size=n), 3)
    ids = [f"r{i:04d}" for i in range(n)]
    hashes = [f"h{i}" for i in range(n)]
    return {"y": y, "old": old, "new": new, "ids": ids, "hashes": hashes}


def _write(tmp_path, name, fmt, write_predictions, columns, order=None):
    if order is not None:
        columns = {k: [v[i] for i in order] for k, v in columns.items()}
    return write_predictions(tmp_path / name, columns, fmt)


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_rows_are_joined_by_id_not_position(tmp_path, fmt, two_scorers, write_predictions, make_ref):
    d = two_scorers
    base_cols = {"label": d["y"].tolist(), "score": d["old"].tolist(), "id": d["ids"], "h": d["hashes"]}
    cand_cols = {"label": d["y"].tolist(), "score": d["new"].tolist(), "id": d["ids"], "h": d["hashes"]}
    shuffled = np.random.default_rng(0).permutation(len(d["y"]))
    base = make_ref(_write(tmp_path, "base", fmt, write_predictions, base_cols), fmt, row_id="id", content_hash="h")
    cand = make_ref(
        _write(tmp_path, "cand", fmt, write_predictions, cand_cols, shuffled),
        fmt,
        row_id="id",
        content_hash="h",
    )
    out = paired_diff_from_prediction_refs(base, cand.to_dict(), metric="roc_auc", n_resamples=300, seed=4)
    expected = paired_bootstrap_diff(d["y"], d["old"], d["new"], metric="roc_auc", n_resamples=300, seed=4)
    assert PAIRED_KEYS <= set(out)
    for key in ("delta", "low", "high", "ci_95", "overlaps_zero", "n", "baseline", "candidate"):
        assert out[key] == expected[key]
    assert out["delta"] > 0 and out["overlaps_zero"] is False


def test_position_matching_without_ids(tmp_path, two_scorers, write_predictions, make_ref):
    d = two_scorers
    base = make_ref(
        write_predictions(tmp_path / "b", {"label": d["y"].tolist(), "score": d["old"].tolist()}, "parquet"),
        "parquet",
    )
    cand = make_ref(
        write_predictions(tmp_path / "c", {"label": d["y"].tolist(), "score": d["new"].tolist()}, "parquet"),
        "parquet",
    )
    out = paired_diff_from_prediction_refs(base, cand, n_resamples=200)
    assert out["status"] == "ok" and out["metric"] == "pr_auc" and out["n"] == len(d["y"])
    short = make_ref(write_predictions(tmp_path / "s", {"label": [0, 1], "score": [0.1, 0.2]}, "parquet"), "parquet")
    with pytest.raises(ValueError, match="matched by position, but the baseline has 600 rows and the candidate 2"):
        paired_diff_from_prediction_refs(base, short)


def _arrays(ids, scores=None, labels=None, hashes=None):
    n = len(ids)
    return PredictionArrays(
        np.asarray(labels if labels is not None else [i % 2 for i in range(n)], dtype=np.int8),
        np.asarray(scores if scores is not None else np.linspace(0, 1, n)),
        tuple(ids),
        None if hashes is None else tuple(hashes),
    )


def test_content_hash_mismatch_names_the_first_rows():
    base = _arrays(["a", "b", "c", "d"], hashes=["1", "2", "3", "4"])
    cand = _arrays(["d", "c", "b", "a"], hashes=["4", "x", "2", "y"])
    with pytest.raises(
        ValueError,
        match=r"content_hash differs for 2 matched row\(s\), so the same id no longer "
        r"means the same input: row_id 'a', 'c'; first: baseline '1' vs "
        r"candidate 'y'",
    ):
        align_prediction_arrays(base, cand)


def test_rows_on_one_side_only_are_counted():
    base = _arrays(["a", "b", "c", "d", "e"])
    cand = _arrays(["b", "c", "x", "y", "z", "w"])
    with pytest.raises(
        ValueError,
        match=r"do not hold the same rows: 2 row_ids match, 3 only in the baseline "
        r"\(e.g. 'a', 'd', 'e'\); 4 only in the candidate \(e.g. 'x', 'y', 'z', "
        r"\.\.\.\)",
    ):
        align_prediction_arrays(base, cand)


def test_duplicate_ids_labels_and_one_sided_ids_are_refused():
    with pytest.raises(ValueError, match=r"1 id\(s\) repeat in the candidate \(e.g. 'b' appears 2 times\)"):
        align_prediction_arrays(_arrays(["a", "b"]), _arrays(["b", "b"]))
    with pytest.raises(ValueError, match=r"labels differ for 1 matched row\(s\): row_id 'b'"):
        align_prediction_arrays(_arrays(["a", "b"], labels=[0, 1]), _arrays(["b", "a"], labels=[0, 0]))
    no_ids = PredictionArrays(np.array([0, 1], dtype=np.int8), np.array([0.1, 0.2]))
    with pytest.raises(ValueError, match="the baseline maps a row_id column but the candidate does not"):
        align_prediction_arrays(_arrays(["a", "b"]), no_ids)


def test_alignment_reorders_the_candidate():
    base = _arrays(["a", "b", "c"], scores=[0.1, 0.2, 0.3])
    cand = _arrays(["c", "a", "b"], scores=[3.0, 1.0, 2.0], labels=[0, 0, 1])
    pair = align_prediction_arrays(base, cand)
    assert pair.candidate_scores.tolist() == [1.0, 2.0, 3.0]
    assert pair.row_ids == ("a", "b", "c")


def test_model_vs_model_on_a_mean_without_labels(tmp_path, write_predictions, make_ref):
    rng = np.random.default_rng(3)
    n = 400
    ids = [str(i) for i in range(n)]
    a = rng.random(n) < 0.6
    b = rng.random(n) < 0.7
    base = make_ref(
        write_predictions(tmp_path / "a", {"id": ids, "score": a.astype(float).tolist()}, "jsonl"),
        "jsonl",
        label=None,
        row_id="id",
    )
    cand = make_ref(
        write_predictions(tmp_path / "b", {"id": ids[::-1], "score": b[::-1].astype(float).tolist()}, "jsonl"),
        "jsonl",
        label=None,
        row_id="id",
    )
    out = paired_diff_from_prediction_refs(base, cand, metric="mean", n_resamples=500)
    assert out["status"] == "ok"
    assert out["delta"] == pytest.approx(b.mean() - a.mean())
    with pytest.raises(ValueError, match="metric 'pr_auc' needs 0/1 labels"):
        paired_diff_from_prediction_refs(base, cand)


def test_paired_cluster_column(tmp_path, write_predictions, make_ref):
    rng = np.random.default_rng(4)
    k = 100
    sample = np.repeat(np.arange(k), 3)
    effect = rng.normal(size=k)[sample]
    a = (effect + rng.normal(scale=0.3, size=3 * k) > 0).astype(float)
    b = (effect + 0.3 + rng.normal(scale=0.3, size=3 * k) > 0).astype(float)
    ids = [f"{s}-{e}" for s, e in zip(sample, np.tile([1, 2, 3], k), strict=True)]
    base = make_ref(
        write_predictions(tmp_path / "a", {"id": ids, "score": a.tolist(), "sample": sample.tolist()}, "parquet"),
        "parquet",
        label=None,
        row_id="id",
    )
    cand = make_ref(
        write_predictions(tmp_path / "b", {"id": ids, "score": b.tolist()}, "parquet"),
        "parquet",
        label=None,
        row_id="id",
    )
    out = paired_diff_from_prediction_refs(base, cand, metric="mean", cluster="sample", n_resamples=500)
    assert out["details"]["n_clusters"] == k and out["details"]["resampling"] == "cluster"
