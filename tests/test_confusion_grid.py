"""confusion_grid (issue 13): the cells of each (series, slice) panel read back from Chromium and checked against
scikit-learn's confusion_matrix and metrics."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sklearn.metrics import accuracy_score, confusion_matrix, precision_score, recall_score

import evalviz as ev
from evalviz.analysis import PredictionArtifactRef
from evalviz.errors import MissingColumnError

HOSTILE = "<img src=x onerror=alert(1)>"
NAMES = [["TN", "FP"], ["FN", "TP"]]


def predictions(n: int = 400) -> pa.Table:
    """Two models over two difficulties: "a" at random, the hostile one never reaching the threshold (no
    predicted positives); on "hard" every label of the hostile model is positive (no actual negatives). Scores
    of exactly 0.5 sit on the threshold."""
    rng = np.random.default_rng(5)
    model = np.where(np.arange(n) % 2 == 0, "a", HOSTILE)
    difficulty = np.where(rng.random(n) < 0.5, "easy", "hard")
    score = np.where(model == "a", np.round(rng.random(n), 1), rng.random(n) * 0.49)
    label = rng.integers(0, 2, n)
    label[(model == HOSTILE) & (difficulty == "hard")] = 1
    return pa.table({"label": label, "score": score, "model": model, "difficulty": difficulty})


def expected(table: pa.Table, model: str, difficulty: str, threshold: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    rows = [r for r in table.to_pylist() if r["model"] == model and r["difficulty"] == difficulty]
    y = np.array([r["label"] for r in rows])
    return y, (np.array([r["score"] for r in rows]) >= threshold).astype(int)


def test_cells_are_sklearns_confusion_matrix_per_series_and_slice(render) -> None:
    table = predictions()
    page = render(ev.confusion_grid(table, series="model", slice="difficulty", normalize="true"))
    cells = [i for i in page.items() if i.role == "mark" and (i.name or "").endswith("_cells_marks")]
    assert len(cells) == 2 * 2 * 4  # every cell of every panel, zero counts included
    for model in ("a", HOSTILE):
        for difficulty in ("easy", "hard"):
            y, predicted = expected(table, model, difficulty)
            counts = confusion_matrix(y, predicted, labels=[0, 1])
            shares = confusion_matrix(y, predicted, labels=[0, 1], normalize="true")
            drawn = {(c.datum["actual"], c.datum["predicted"]): c for c in cells
                     if c.datum["series"] == model and c.datum["slice"] == difficulty}
            for (actual, guess), cell in drawn.items():
                assert cell.datum["cell"] == NAMES[actual][guess]
                assert cell.datum["count"] == counts[actual, guess]
                if counts[actual].sum():
                    assert cell.datum["share"] == pytest.approx(shares[actual, guess])
                else:  # no actual negatives: scikit-learn writes 0, the chart writes "–"
                    assert cell.datum["share"] is None
                    assert page.marks_on(cell)[0].text.split("\n")[-1] == "\u2013"
                written = page.marks_on(cell)[0].text.split("\n")
                assert written[:2] == [NAMES[actual][guess], f"{counts[actual, guess]:,}"]
    # The hostile model never predicts positive: its positive column is drawn as 0, and precision is undefined.
    y, predicted = expected(table, HOSTILE, "easy")
    zero = next(c for c in cells if c.datum["series"] == HOSTILE and c.datum["slice"] == "easy"
                and c.datum["cell"] == "TP")
    assert zero.datum["count"] == 0 and predicted.sum() == 0
    tip = page.hover(zero)
    assert "Precision" not in tip and tip["Recall (TPR)"] == "0.000" and tip["model"] == HOSTILE
    assert tip["Accuracy"] == f"{accuracy_score(y, predicted):.3f}"
    # The rates of model a on easy, as scikit-learn computes them.
    y, predicted = expected(table, "a", "easy")
    cell = next(c for c in cells
                if c.datum["series"] == "a" and c.datum["slice"] == "easy" and c.datum["cell"] == "FP")
    tip = page.hover(cell)
    tn, fp, fn, tp = confusion_matrix(y, predicted, labels=[0, 1]).ravel()
    assert tip["Precision"] == f"{precision_score(y, predicted):.3f}"
    assert tip["Recall (TPR)"] == f"{recall_score(y, predicted):.3f}"
    assert tip["False positive rate"] == f"{fp / (fp + tn):.3f}"
    assert tip["Count"] == f"{fp:,}" and tip["difficulty"] == "easy" and tip["Predictions"] == f"{len(y):,}"
    assert tip["Share of actual class"] == f"{fp / (fp + tn):.1%}"
    assert f"{HOSTILE} difficulty: easy" in page.title_texts()  # panel titles (two lines): the name as text


@pytest.mark.parametrize("normalize", [None, "pred", "all"])
def test_counts_and_shares_match_sklearn_at_a_threshold_scores_on_it_positive(normalize: str | None) -> None:
    table = predictions()
    chart = ev.confusion_grid(table, series="model", threshold=0.3, normalize=normalize)
    rows = [r for table_ in chart.datasets.values() for r in table_.to_pylist() if r["series"] == "a"]
    y = np.array([r["label"] for r in table.to_pylist() if r["model"] == "a"])
    score = np.array([r["score"] for r in table.to_pylist() if r["model"] == "a"])
    assert (score == 0.3).any()  # some scores sit on the threshold: they are positive
    want = confusion_matrix(y, (score >= 0.3).astype(int), labels=[0, 1], normalize=normalize)
    got = np.array([[r["count" if normalize is None else "share"] for r in rows if r["actual"] == actual]
                    for actual in (0, 1)])
    assert got == pytest.approx(want)


def test_bad_arguments_are_refused_before_anything_is_drawn(tmp_path: Path) -> None:
    table = predictions(40)
    for threshold in ("0.5", float("nan"), None, True):
        with pytest.raises(ev.EvalvizError, match="threshold must be a finite number"):
            ev.confusion_grid(table, threshold=threshold)
    with pytest.raises(ev.EvalvizError, match="normalize is None.*Did you mean 'true'"):
        ev.confusion_grid(table, normalize="True")
    with pytest.raises(MissingColumnError, match="'level'"):
        ev.confusion_grid(table, slice="level")
    many = pa.table({"label": [0, 1] * 50, "score": np.linspace(0, 1, 100), "id": np.arange(100)})
    with pytest.raises(ev.EvalvizError, match="100 panels"):
        ev.confusion_grid(many, slice="id")
    path = tmp_path / "model.parquet"
    pq.write_table(pa.table({"y": [1, 0], "p": [0.5, 0.2]}), path)
    ref = PredictionArtifactRef(str(path), "application/vnd.apache.parquet", {"label": "y", "score": "p"})
    with pytest.raises(ev.EvalvizError, match="artifacts carry no such column"):
        ev.confusion_grid(ref, slice="difficulty")
    assert ev.confusion_grid(ref).datasets["c0_c0_cells"]["count"].to_pylist() == [1, 0, 0, 1]


def test_long_series_and_slice_names_keep_the_chart_bounded_and_stay_whole_in_the_tooltip(render) -> None:
    # Before, each panel title grew to its 500-character name: a chart 14,000 pixels wide.
    long_name, slice_name = "m" * 500, "s" * 500
    rng = np.random.default_rng(8)
    table = pa.table({"label": rng.integers(0, 2, 80), "score": rng.random(80),
                      "model": [long_name, "<script>alert(1)</script>"] * 40,
                      "level": [slice_name] * 40 + ["line1\nline2"] * 40})
    page = render(ev.confusion_grid(table, series="model", slice="level"))
    # Each name wrapped to the panel's width in at most four lines, the fourth cut with "…".
    lines = next(i.text for i in page.items() if i.role == "title-text" and (i.text or "").startswith("mmm")
                 and "sss" in i.text).split()
    assert [line.strip("m") for line in lines[:4]] == ["", "", "", "\u2026"] and lines[4] == "level:"
    assert lines[7].endswith("\u2026") and set(lines[5] + lines[6] + lines[7][:-1]) == {"s"}
    width = page.chart().evaluate("el => el.querySelector('svg, canvas').getBoundingClientRect().width")
    assert width < 2 * 170 + 400  # two panels side by side, their gaps and the colour legend
    cell = next(i for i in page.items() if i.role == "mark" and (i.name or "").endswith("_cells_marks")
                and i.datum["series"] == long_name and i.datum["slice"] == slice_name and i.datum["cell"] == "TP")
    y = np.array([r["label"] for r in table.to_pylist() if r["model"] == long_name and r["level"] == slice_name])
    s = np.array([r["score"] for r in table.to_pylist() if r["model"] == long_name and r["level"] == slice_name])
    tip = page.hover(cell)
    assert tip["model"] == long_name and tip["level"] == slice_name
    assert tip["Count"] == str(confusion_matrix(y, (s >= 0.5).astype(int), labels=[0, 1])[1, 1])
