"""Classifier views linked by selections on a standalone page (Chromium, network cut): what reliability_diagram,
confusion_grid, pr_curve and roc_curve draw after a clause is published is what scikit-learn computes over the
filtered predictions, read from the page; clicks and legend clicks publish the right clause; a hostile series name
stays text; a filter the page cannot answer (a curve over a column varying within a series) says so; the live
widget's re-query of these views answers with the filtered predictions."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from scipy.stats import norm
from sklearn.calibration import calibration_curve
from sklearn.metrics import average_precision_score, confusion_matrix, roc_auc_score
from test_chart_filters import note, publish
from test_chart_linking import shared_clauses

import evalviz as ev
from browser import ChartPage
from evalviz.rendering.requery import requeried

HOSTILE = "<img src=x onerror=alert(1)>"
MODELS = {"m-a": "Org X", "m-b": "Org X", HOSTILE: "Org Y"}
BINS = 5
THRESHOLD = 0.5


def predictions_table() -> pa.Table:
    rng = np.random.default_rng(11)
    rows: dict[str, list[Any]] = {k: [] for k in ("model", "org", "epoch", "level", "y", "p")}
    for m, (model, org) in enumerate(MODELS.items()):
        for i in range(60 + 9 * m):
            label = int(rng.uniform() < 0.45)
            rows["model"].append(model)
            rows["org"].append(org)
            rows["epoch"].append(i % 3)
            rows["level"].append(("easy", "hard")[i % 2])
            rows["y"].append(label)
            rows["p"].append(round(float(np.clip(rng.normal(0.35 + 0.3 * label, 0.22), 0, 1)), 3))
    return pa.table(rows)


@pytest.fixture(scope="module")
def table() -> pa.Table:
    return predictions_table()


@pytest.fixture(scope="module")
def data(table) -> ev.Data:
    return ev.Data.from_dataframe(table)


@pytest.fixture()
def chosen() -> ev.Selection:
    selection = ev.Selection.intersect()
    selection.add_columns("org", "epoch")
    return selection


def kept(table: pa.Table, **where: tuple) -> dict[str, np.ndarray]:
    """The rows whose columns take one of the values given, as numpy arrays by column."""
    keep = np.ones(table.num_rows, dtype=bool)
    for column, values in where.items():
        keep &= np.isin(np.asarray(table[column].to_pylist(), dtype=object), list(values))
    return {c: np.asarray(table[c].to_pylist(), dtype=object)[keep] for c in table.column_names}


def of_model(rows: dict[str, np.ndarray], model: str) -> tuple[np.ndarray, np.ndarray]:
    at = rows["model"] == model
    return rows["y"][at].astype(int), rows["p"][at].astype(float)


def marks(page: ChartPage, name: str) -> list[dict[str, Any]]:
    return [i.datum for i in page.items() if i.name == f"{name}_marks" and i.datum is not None]


def click_publishes(page: ChartPage, item: Any, selection: ev.Selection) -> dict[str, Any]:
    """Click `item` and return the one clause then in `selection` (waiting until the click published it)."""
    before = shared_clauses(page, selection)
    page.page.mouse.click(*item.center)
    page.page.wait_for_function("([n, before]) => JSON.stringify(globalThis.evalviz.selections.clauses(n)) !== before",
                                arg=[selection.name, json.dumps(before, separators=(",", ":"))])
    [clause] = shared_clauses(page, selection)
    return clause


def wilson(observed: np.ndarray, n: np.ndarray, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    z = norm.ppf(0.5 + level / 2)
    center = (observed + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(observed * (1 - observed) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return np.maximum(0, center - half), np.minimum(1, center + half)


def expected_calibration(rows: dict[str, np.ndarray]) -> dict[str, dict[str, np.ndarray]]:
    """Per model, scikit-learn's calibration curve of the rows (empty bins left out, as it does), the bins'
    counts, Wilson intervals and the ECE."""
    out = {}
    for model in sorted(set(rows["model"])):
        y, p = of_model(rows, model)
        observed, predicted = calibration_curve(y, p, n_bins=BINS, strategy="uniform")
        counts = np.bincount(np.searchsorted(np.linspace(0, 1, BINS + 1)[1:-1], p), minlength=BINS)
        n = counts[counts > 0]
        low, high = wilson(observed, n)
        out[model] = {"observed": observed, "predicted": predicted, "n": n, "low": low, "high": high,
                      "ece": float(np.sum(n * np.abs(observed - predicted)) / n.sum())}
    return out


def drawn_calibration(page: ChartPage) -> dict[str, dict[str, np.ndarray]]:
    points = sorted(marks(page, "c0_points"), key=lambda d: (d["series"], d["bin"]))
    bars = sorted(marks(page, "c1_counts"), key=lambda d: (d["series"], d["bin"]))
    out = {}
    for model in sorted({d["series"] for d in points}):
        mine = [d for d in points if d["series"] == model]
        out[model] = {"observed": np.array([d["observed"] for d in mine]),
                      "predicted": np.array([d["predicted"] for d in mine]),
                      "n": np.array([d["n"] for d in bars if d["series"] == model]),
                      "low": np.array([d["ci_low"] for d in mine]), "high": np.array([d["ci_high"] for d in mine]),
                      "ece": mine[0]["ece"]}
    return out


def assert_calibration(page: ChartPage, rows: dict[str, np.ndarray]) -> None:
    drawn, expected = drawn_calibration(page), expected_calibration(rows)
    assert sorted(drawn) == sorted(expected)
    for model, want in expected.items():
        got = drawn[model]
        for key in ("observed", "predicted", "low", "high"):
            assert got[key] == pytest.approx(want[key], abs=1e-9), (model, key)
        assert got["n"].tolist() == want["n"].tolist()
        assert got["ece"] == pytest.approx(want["ece"], abs=1e-9)
    # The legend names the series left, each with its ECE as the page recomputed it (as text: no dialog opened).
    assert sorted(page.legend_labels()) == sorted(f"{m} · ECE {w['ece']:.3f}" for m, w in expected.items())


def test_reliability_diagram_follows_filters_as_sklearn_bins_the_filtered_predictions(render, data, table,
                                                                                     chosen):
    page = render(ev.reliability_diagram(data, label="y", score="p", series="model", bins=BINS, filter_by=chosen))
    assert_calibration(page, kept(table))

    # A column with one value per series: whole series kept or dropped.
    publish(page, chosen, {"source": "org", "fields": ["org"], "op": "in", "value": [["Org X"]]})
    assert_calibration(page, kept(table, org=("Org X",)))

    # A column varying within a series: each bin is recounted from the filtered predictions.
    publish(page, chosen, {"source": "epoch", "fields": ["epoch"], "op": "in", "value": [[0], [2]]})
    assert_calibration(page, kept(table, org=("Org X",), epoch=(0, 2)))
    assert note(page)[0] is False


def test_quantile_bins_keep_whole_series_and_say_what_needs_the_live_widget(render, data, table, chosen):
    page = render(ev.reliability_diagram(data, label="y", score="p", series="model", bins=BINS, strategy="quantile",
                                         filter_by=chosen))
    publish(page, chosen, {"source": "org", "fields": ["org"], "op": "in", "value": [["Org Y"]]})
    assert {d["series"] for d in marks(page, "c0_points")} == {HOSTILE}
    y, p = of_model(kept(table), HOSTILE)
    observed, _ = calibration_curve(y, p, n_bins=BINS, strategy="quantile")
    assert [d["observed"] for d in sorted(marks(page, "c0_points"), key=lambda d: d["bin"])] == \
        pytest.approx(observed.tolist())
    publish(page, chosen, {"source": "epoch", "fields": ["epoch"], "op": "in", "value": [[1]]})
    shown, text, children = note(page)
    assert shown and "'epoch' varies within a series" in text and "quantile" in text and "live widget" in text
    assert children == 0  # text, not markup


def test_a_click_on_a_reliability_point_and_a_legend_entry_publish_the_series(render, data):
    picked = ev.Selection.single()
    page = render(ev.reliability_diagram(data, label="y", score="p", series="model", bins=BINS, target=picked))
    # The tallest bar, near its top (where no other series' bar covers it).
    bar = max((i for i in page.items() if i.name == "c1_counts_marks"), key=lambda i: i.height)
    bar = dataclasses.replace(bar, y=bar.y + 1, height=2)
    clause = click_publishes(page, bar, picked)
    assert clause["fields"] == ["model"] and clause["value"] == [[bar.datum["series"]]]
    other = next(m for m in ("m-a", "m-b") if m != bar.datum["series"])
    point = next(i for i in page.items() if i.name == "c0_points_marks" and i.datum["series"] == other)
    clause = click_publishes(page, point, picked)
    assert clause["fields"] == ["model"] and clause["value"] == [[other]]
    label = next(i for i in page.items() if i.role == "legend-label" and i.text.startswith(HOSTILE))
    clause = click_publishes(page, label, picked)
    assert clause["fields"] == ["model"] and clause["value"] == [[HOSTILE]]


def expected_cells(rows: dict[str, np.ndarray], normalize: str) -> dict[tuple[str, str, str], tuple[int, float]]:
    """(model, level, cell) -> (count, share of the actual class), by scikit-learn, for panels with predictions."""
    out = {}
    for model in set(rows["model"]):
        for level in set(rows["level"]):
            at = (rows["model"] == model) & (rows["level"] == level)
            if not at.any():
                continue
            y, p = rows["y"][at].astype(int), rows["p"][at].astype(float)
            counts = confusion_matrix(y, p >= THRESHOLD, labels=[0, 1])
            with np.errstate(invalid="ignore", divide="ignore"):
                shares = confusion_matrix(y, p >= THRESHOLD, labels=[0, 1], normalize=normalize)
            for (a, b), name in zip([(0, 0), (0, 1), (1, 0), (1, 1)], ("TN", "FP", "FN", "TP"), strict=True):
                share = None if counts[a].sum() == 0 else float(shares[a, b])
                out[(model, level, name)] = (int(counts[a, b]), share)
    return out


def drawn_cells(page: ChartPage) -> dict[tuple[str, str, str], tuple[int, float]]:
    return {(i.datum["series"], i.datum["slice"], i.datum["cell"]): (i.datum["count"], i.datum["share"])
            for i in page.items() if i.name and i.name.endswith("_cells_marks") and i.datum}


def assert_cells(page: ChartPage, rows: dict[str, np.ndarray]) -> None:
    drawn, expected = drawn_cells(page), expected_cells(rows, "true")
    assert {k: c for k, (c, _) in drawn.items()} == {k: c for k, (c, _) in expected.items()}
    for key, (_, share) in expected.items():
        assert drawn[key][1] == (None if share is None else pytest.approx(share)), key


def test_confusion_grid_recounts_each_panel_from_the_filtered_predictions(render, data, table, chosen):
    page = render(ev.confusion_grid(data, label="y", score="p", series="model", slice="level", threshold=THRESHOLD,
                                    normalize="true", filter_by=chosen))
    assert_cells(page, kept(table))
    publish(page, chosen, {"source": "epoch", "fields": ["epoch"], "op": "in", "value": [[1]]})
    rows = kept(table, epoch=(1,))
    assert_cells(page, rows)
    # The panel's rates, as scikit-learn computes them over the filtered predictions.
    tp = next(i.datum for i in page.items() if i.name and i.name.endswith("_cells_marks") and i.datum
              and i.datum["series"] == "m-a" and i.datum["slice"] == "hard" and i.datum["cell"] == "TP")
    at = (rows["model"] == "m-a") & (rows["level"] == "hard")
    y, predicted = rows["y"][at].astype(int), rows["p"][at].astype(float) >= THRESHOLD
    (tn, fp), (fn, tp_count) = confusion_matrix(y, predicted, labels=[0, 1])
    assert tp["precision"] == pytest.approx(tp_count / (tp_count + fp))
    assert tp["recall"] == pytest.approx(tp_count / (tp_count + fn))
    assert tp["fpr"] == pytest.approx(fp / (fp + tn))
    assert tp["accuracy"] == pytest.approx(np.mean(y == predicted))
    assert tp["n"] == at.sum()
    publish(page, chosen, {"source": "org", "fields": ["org"], "op": "in", "value": [["Org Y"]]})
    assert_cells(page, kept(table, epoch=(1,), org=("Org Y",)))
    assert note(page)[0] is False


def test_a_click_on_a_confusion_cell_publishes_its_series_and_slice(render, data):
    picked = ev.Selection.single()
    page = render(ev.confusion_grid(data, label="y", score="p", series="model", slice="level", target=picked))
    cell = next(i for i in page.items() if i.name and i.name.endswith("_cells_marks") and i.datum
                and i.datum["series"] == HOSTILE and i.datum["slice"] == "easy")
    clause = click_publishes(page, cell, picked)
    assert clause["fields"] == ["model", "level"] and clause["value"] == [[HOSTILE, "easy"]]


@pytest.mark.parametrize("view", ["roc_curve", "pr_curve"])
def test_curves_keep_whole_series_and_name_the_filter_they_cannot_answer(render, data, table, chosen, view):
    area = roc_auc_score if view == "roc_curve" else average_precision_score
    short = "AUC" if view == "roc_curve" else "AP"
    page = render(getattr(ev, view)(data, label="y", score="p", series="model", filter_by=chosen))
    publish(page, chosen, {"source": "org", "fields": ["org"], "op": "in", "value": [["Org X"]]})
    rows = kept(table)
    assert {d["series"] for d in marks(page, "lines")} == {"m-a", "m-b"}
    if view == "pr_curve":
        assert {d["series"] for d in marks(page, "prevalence")} == {"m-a", "m-b"}
    expected = [f"{m} ({short} {area(*of_model(rows, m)):.3f})" for m in ("m-a", "m-b")]
    assert sorted(page.legend_labels()) == sorted(expected)  # the legend lists the curves left only
    publish(page, chosen, {"source": "epoch", "fields": ["epoch"], "op": "in", "value": [[1]]})
    shown, text, children = note(page)
    assert shown and "'epoch' varies within a series" in text and "live widget" in text and children == 0
    assert {d["series"] for d in marks(page, "lines")} == {"m-a", "m-b"}  # the org filter still holds


def test_a_click_on_a_curve_legend_entry_publishes_its_series_as_text(render, data):
    picked = ev.Selection.single()
    page = render(ev.roc_curve(data, label="y", score="p", series="model", target=picked))
    label = next(i for i in page.items() if i.role == "legend-label" and i.text.startswith(HOSTILE))
    clause = click_publishes(page, label, picked)
    assert clause["fields"] == ["model"] and clause["value"] == [[HOSTILE]]


def test_the_live_widget_requeries_the_classifier_views_over_the_filtered_predictions(data, table, chosen):
    clause = {"source": "epoch", "fields": ["epoch"], "op": "in", "value": [[0], [1]]}
    rows = kept(table, epoch=(0, 1))
    for view, area in (("roc_curve", roc_auc_score), ("pr_curve", average_precision_score)):
        again, said = requeried(getattr(ev, view)(data, label="y", score="p", series="model", filter_by=chosen),
                                [clause], "intersect")
        assert said is None
        areas = {r["series"]: r["area"] for r in again.datasets["series"].to_pylist()}
        assert areas == pytest.approx({m: area(*of_model(rows, m)) for m in MODELS})
    quantile = ev.reliability_diagram(data, label="y", score="p", series="model", bins=BINS, strategy="quantile",
                                      filter_by=chosen)
    again, _ = requeried(quantile, [clause], "intersect")
    for model in MODELS:
        y, p = of_model(rows, model)
        observed, predicted = calibration_curve(y, p, n_bins=BINS, strategy="quantile")
        drawn = sorted((r for r in again.datasets["c0_bins"].to_pylist() if r["series"] == model),
                       key=lambda r: r["bin"])
        assert [r["observed"] for r in drawn] == pytest.approx(observed.tolist())
        assert [r["predicted"] for r in drawn] == pytest.approx(predicted.tolist())
    grid = ev.confusion_grid(data, label="y", score="p", series="model", slice="level", threshold=THRESHOLD,
                             filter_by=chosen)
    again, _ = requeried(grid, [clause], "intersect")
    counts = {}
    for part in again.datasets.values():
        for r in part.to_pylist():
            key = (r["series"], r["slice"], ("TN", "FP", "FN", "TP")[r["actual"] * 2 + r["predicted"]])
            counts[key] = counts.get(key, 0) + r["count"]
    assert counts == {k: c for k, (c, _) in expected_cells(rows, "true").items() if c}


@pytest.mark.parametrize(("view", "mark"), [("reliability_diagram", "c0_points"), ("confusion_grid", "_cells"),
                                            ("roc_curve", "lines"), ("pr_curve", "lines")])
def test_highlight_fades_the_series_left_out_and_names_what_it_cannot_fade(render, data, chosen, view, mark):
    page = render(getattr(ev, view)(data, label="y", score="p", series="model", filter_by=chosen, highlight=True))
    publish(page, chosen, {"source": "org", "fields": ["org"], "op": "in", "value": [["Org Y"]]})
    faded = {i.datum["series"]: i.opacity for i in page.items() if i.name and i.name.endswith(f"{mark}_marks")
             and i.datum}
    assert len(faded) == len(MODELS), faded
    assert all((opacity < 0.5) == (series != HOSTILE) for series, opacity in faded.items()), faded
    publish(page, chosen, {"source": "epoch", "fields": ["epoch"], "op": "in", "value": [[1]]})
    shown, text, _ = note(page)
    assert shown and "'epoch' varies within a" in text and "live widget" in text
