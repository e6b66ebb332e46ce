"""score_histograms (issue 13): a classifier's scores by label, read back from Chromium and checked against
numpy.histogram; drawn by the same statement and marks as score_distribution(kind="histogram")."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

import evalviz as ev
from evalviz.errors import ColumnTypeError


def predictions() -> pa.Table:
    """Two models' scores in [0, 1], positives higher; a NULL label and a NaN score."""
    rng = np.random.default_rng(5)
    label = rng.integers(0, 2, 800)
    score = np.clip(rng.normal(0.3 + 0.4 * label, 0.15), 0, 1)
    labels = label.tolist()
    labels[3] = None
    score[4] = np.nan
    return pa.table({"model": np.repeat(["m1", "m2"], 400), "y": pa.array(labels, pa.int64()), "p": score})


def marks(page, name: str) -> list:
    return [i for i in page.items() if i.role == "mark" and (i.name or "").endswith(f"{name}_marks")]


def test_bins_are_numpy_histograms_per_model_and_label(render) -> None:
    table = predictions()
    page = render(ev.score_histograms(ev.Data.from_dataframe(table), label="y", score="p", series="model",
                                      bins=10))
    bars = marks(page, "bins")
    rows = [r for r in table.to_pylist() if r["y"] is not None and not np.isnan(r["p"])]
    for model in ("m1", "m2"):
        for label in (0, 1):
            scores = [r["p"] for r in rows if r["model"] == model and r["y"] == label]
            counts, edges = np.histogram(scores, bins=10, range=(0, 1))
            drawn = {b.datum["bin"]: b for b in bars if b.datum["panel"] == model and b.datum["color"] == str(label)}
            assert {i: b.datum["n"] for i, b in drawn.items()} == {i: int(c) for i, c in enumerate(counts) if c}
            assert all(b.datum["x0"] == pytest.approx(edges[i]) for i, b in drawn.items())
    assert set(page.legend_labels()) == {"negative (0)", "positive (1)"}
    assert any("2 rows without a label or score (NULL or NaN) left out." in t for t in page.title_texts())
    tip = page.hover(max(bars, key=lambda b: b.height))
    assert {"model", "y", "From", "To", "Count", "Share"} <= set(tip)


def test_side_by_side_halves_each_bin(render) -> None:
    table = predictions()
    page = render(ev.score_histograms(table, label="y", score="p", series="model", bins=5, overlay=False))
    bars = marks(page, "bins")
    full = {(b.datum["panel"], b.datum["bin"]): [] for b in bars}
    for bar in bars:
        full[(bar.datum["panel"], bar.datum["bin"])].append(bar)
    pairs = [sorted(pair, key=lambda b: b.x) for pair in full.values() if len(pair) == 2]
    assert pairs
    for left, right in pairs:
        assert left.datum["color"] == "0" and right.datum["color"] == "1"
        assert left.width == pytest.approx(right.width, abs=0.5) and left.x + left.width <= right.x + 0.5


def test_one_histogram_mechanism_for_both_views() -> None:
    table = predictions()
    mine = ev.score_histograms(table, label="y", score="p", series="model", bins=8)
    wide = ev.Data.from_dataframe(table).filter("y IS NOT NULL AND NOT isnan(p)")
    theirs = ev.score_distribution(wide, "p", by="model", kind="histogram", split="y", bins=8)
    assert theirs.datasets["c0_bins"]["n"].to_pylist() == mine.datasets["c0_bins"]["n"].to_pylist()
    assert mine.spec["vconcat"][0]["layer"][0]["mark"] == theirs.spec["vconcat"][0]["layer"][0]["mark"]


def test_bad_predictions_are_refused() -> None:
    table = predictions()
    with pytest.raises(ColumnTypeError, match="label column 'p'"):
        ev.score_histograms(table, label="p", score="y")
    with pytest.raises(ev.EvalvizError, match="bins"):
        ev.score_histograms(table, label="y", score="p", bins=0)
    with pytest.raises(ev.errors.ArgumentTypeError, match="score_histograms draws predictions"):
        ev.score_histograms(42)


def test_a_null_series_and_one_named_null_are_two_panels_both_titled(render) -> None:
    table = pa.table({"m": [None] * 4 + ["(null)"] * 4, "y": [0, 1, 0, 1] * 2,
                      "p": [0.1, 0.9, 0.2, 0.8, 0.4, 0.6, 0.45, 0.55]})
    page = render(ev.score_histograms(table, label="y", score="p", series="m", bins=10))
    assert [t for t in page.title_texts() if "bins" not in t] == ["(null)", "(null)"]
    bars = marks(page, "bins")
    for named, rows in ((False, range(4)), (True, range(4, 8))):  # the NULL series, then the one named "(null)"
        counts, _ = np.histogram([table["p"][i].as_py() for i in rows], bins=10, range=(0, 1))
        drawn = [b for b in bars if (b.datum["panel"] == "(null)") == named]
        assert sorted(b.datum["bin"] for b in drawn for _ in range(b.datum["n"])) == \
            sorted(i for i, c in enumerate(counts) for _ in range(c))


def test_the_subtitle_names_the_bins_drawn_and_too_many_series_are_cut(render) -> None:
    one = pa.table({"y": [1, 0, 1], "p": [5.0, 5.0, 5.0]})  # every score equal, outside [0, 1]
    edges = np.histogram_bin_edges(one["p"].to_numpy(), bins=20)
    page = render(ev.score_histograms(one, label="y", score="p"))
    assert any(f"20 bins from {edges[0]:.4g} to {edges[-1]:.4g}, shared by every panel." in t
               for t in page.title_texts())
    sizes = {f"s{k:02d}": 2 * (k + 1) for k in range(40)}
    many = pa.table({"s": [s for s, n in sizes.items() for _ in range(n)],
                     "y": [i % 2 for n in sizes.values() for i in range(n)],
                     "p": [i / n for n in sizes.values() for i in range(n)]})
    chart = ev.score_histograms(many, label="y", score="p", series="s")
    drawn = {p for t in chart.datasets.values() for p in t["panel"].to_pylist()}
    assert drawn == set(sorted(sizes, key=lambda s: -sizes[s])[:30])
    left = sum(n for s, n in sizes.items() if s not in drawn)
    assert f"The 30 series with the most values drawn, of 40; the {left} rows of the others are not" in \
        " ".join(chart.spec["title"]["text"])


def test_scores_too_large_to_bin_are_refused_before_drawing() -> None:
    with pytest.raises(ColumnTypeError, match=r"A score of -1e\+308 is beyond ±1e\+150"):
        ev.score_histograms(pa.table({"y": [1, 0], "p": [-1e308, 1e308]}), label="y", score="p")
