"""Fixtures for the analysis tests: prediction files written for real, in every supported format."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

if importlib.util.find_spec("evalviz") is None:  # not installed: run from the source tree
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))

from evalviz.analysis import PredictionArtifactRef  # noqa: E402

MEDIA = {
    "csv": "text/csv",
    "jsonl": "application/jsonl",
    "parquet": "application/vnd.apache.parquet",
}


def _write_predictions(path: Path, columns: dict[str, list], fmt: str) -> Path:
    """Write a column dict as CSV, JSON Lines or Parquet."""
    path = path.with_suffix("." + fmt)
    if fmt == "csv":
        pacsv.write_csv(pa.table(columns), path)
    elif fmt == "jsonl":
        names = list(columns)
        with open(path, "w", encoding="utf-8") as fh:
            for row in zip(*columns.values(), strict=True):
                fh.write(json.dumps(dict(zip(names, row, strict=True))) + "\n")
    else:
        pq.write_table(pa.table(columns), path)
    return path


def _make_ref(path: Path, fmt: str, **columns: str | None) -> PredictionArtifactRef:
    cols = {"label": "label", "score": "score", **columns}
    return PredictionArtifactRef(str(path), MEDIA[fmt], {k: v for k, v in cols.items() if v is not None})


@pytest.fixture
def binary_data() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(7)
    n = 400
    labels = (rng.random(n) < 0.35).astype(int)
    scores = np.clip(0.5 + 0.25 * (labels - 0.35) + rng.normal(scale=0.2, size=n), 0, 1)
    return {"labels": labels, "scores": np.round(scores, 3)}


@pytest.fixture
def write_predictions():
    """write_predictions(path, columns, fmt) -> path with the format's extension."""
    return _write_predictions


@pytest.fixture
def make_ref():
    """make_ref(path, fmt, **column_overrides) -> PredictionArtifactRef (label/score by default)."""
    return _make_ref
