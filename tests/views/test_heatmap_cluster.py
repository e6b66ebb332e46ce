"""sort="cluster" (GRADIEND's order="cluster") on every grid view: the drawn order of rows and columns against
scipy's average-linkage clustering with optimal leaf ordering, computed here over cell means from DuckDB."""

from __future__ import annotations

import itertools
import random

import duckdb
import numpy as np
import pyarrow as pa
import pytest
from scipy.cluster.hierarchy import leaves_list, linkage, optimal_leaf_ordering

import evalviz as ev
from evalviz.views.binning import axis_ranks
from evalviz.views.grid import GridColumns
from evalviz.views.sorting import parse_sort

MODELS = ["m-a", "m-b", "m-c", "m-d", "m-e", "m-f"]
TASKS = ["t1", "t2", "t3", "t4", "t5"]


def _rows(seed: int = 3) -> list[dict]:
    """Models in two families that score alike, tasks in two kinds; two cells of two rows, one NaN row, and one
    (model, task) pair without any row."""
    rng = np.random.default_rng(seed)
    family = {"m-a": 0, "m-d": 0, "m-f": 0, "m-b": 1, "m-c": 1, "m-e": 1}
    kind = {"t1": 0, "t4": 0, "t2": 1, "t3": 1, "t5": 1}
    rows = []
    for model, task in itertools.product(MODELS, TASKS):
        if (model, task) == ("m-e", "t3"):
            continue  # no row at all
        base = 0.85 if family[model] == kind[task] else 0.25
        rows.append({"model": model, "task": task, "score": float(base + rng.normal(0, 0.06))})
    rows.append({"model": "m-a", "task": "t1", "score": 0.5})  # a cell of two rows: its mean counts
    rows.append({"model": "m-c", "task": "t2", "score": float("nan")})  # NaN: no value, the other row counts
    return rows


def _data(rows: list[dict]) -> ev.Data:
    return ev.Data.from_dataframe(pa.Table.from_pylist(rows))


def _means(rows: list[dict]) -> tuple[list[str], list[str], np.ndarray]:
    """Cell means by DuckDB (NaN and missing cells as NaN): models, tasks (in label order) and the matrix."""
    rows_table = pa.Table.from_pylist(rows)  # noqa: F841 - read by DuckDB below
    found = duckdb.sql("SELECT model, task, avg(CASE WHEN NOT isnan(score) THEN score END) AS v "
                       "FROM rows_table GROUP BY ALL").fetchall()
    models = sorted({m for m, _, _ in found})
    tasks = sorted({t for _, t, _ in found})
    matrix = np.full((len(models), len(tasks)), np.nan)
    for model, task, value in found:
        matrix[models.index(model), tasks.index(task)] = np.nan if value is None else value
    return models, tasks, matrix


def _scipy_order(matrix: np.ndarray, *, rising: bool) -> list[int]:
    """The expected order of the rows: RMS difference over shared columns (pairs sharing none as far apart as
    the farthest pair), average linkage, optimal leaf order; then turned so that the higher mean is last
    (`rising`, x) or first (y)."""
    n = len(matrix)
    if n <= 2:
        order = list(range(n))
    else:
        pairs = []
        for i, j in itertools.combinations(range(n), 2):
            shared = ~np.isnan(matrix[i]) & ~np.isnan(matrix[j])
            pairs.append(np.sqrt(np.mean((matrix[i, shared] - matrix[j, shared]) ** 2)) if shared.any() else None)
        farthest = max(p for p in pairs if p is not None)
        condensed = np.array([farthest if p is None else p for p in pairs])
        order = list(leaves_list(optimal_leaf_ordering(linkage(condensed, "average"), condensed)))
    means = [np.nanmean(matrix[i]) if (~np.isnan(matrix[i])).any() else -np.inf for i in order]
    if len(order) > 1 and ((means[0] > means[-1]) if rising else (means[0] < means[-1])):
        order = order[::-1]
    return order


@pytest.mark.browser
def test_heatmap_cluster_draws_scipy_order_on_both_axes(render) -> None:
    rows = _rows()
    models, tasks, matrix = _means(rows)
    expected_y = [models[i] for i in _scipy_order(matrix, rising=False)]
    expected_x = [tasks[i] for i in _scipy_order(matrix.T, rising=True)]
    shuffled = random.Random(1).sample(rows, len(rows))
    charts = [ev.heatmap(_data(rows), x="task", y="model", fill="score", sort="cluster"),
              ev.heatmap(_data(shuffled), x="task", y="model", fill="score", sort="cluster"),
              ev.scores_heatmap(_data(rows), task_name="task", model_name="model", score_value="score",
                                sort={"y": "cluster", "x": ["t5", "t1"]})]
    from test_heatmaps_in_browser import page_of

    page = render(page_of(*charts), wait_for=3)
    for index in (0, 1):  # the order does not depend on the order the rows come in
        assert page.axis_labels_in_order("y", index) == expected_y
        assert page.axis_labels_in_order("x", index) == expected_x
    # The families end up side by side: the clustering found them.
    assert {frozenset(expected_y[:3]), frozenset(expected_y[3:])} == {frozenset({"m-a", "m-d", "m-f"}),
                                                                      frozenset({"m-b", "m-c", "m-e"})}
    # One axis clustered, the other in the explicit order given (labels left out following).
    assert page.axis_labels_in_order("y", 2) == expected_y
    assert page.axis_labels_in_order("x", 2)[:2] == ["t5", "t1"]
    # The cell without rows is drawn where its row and column are, as no data.
    missing = page.cell(x="t3", y="m-e")
    assert missing.datum["status"] == "no data"


def test_slice_metric_heatmap_clusters_a_numpy_grid_and_within_groups() -> None:
    rng = np.random.default_rng(7)
    grid = rng.random((7, 5))
    grid[2, 3] = np.nan
    rows, cols = [f"r{i}" for i in range(7)], [f"c{j}" for j in range(5)]
    chart = ev.slice_metric_heatmap(grid, rows, cols, sort="cluster")
    drawn = {axis: chart.spec["layer"][0]["encoding"][axis]["scale"]["domain"] for axis in ("x", "y")}
    assert drawn["y"] == [rows[i] for i in _scipy_order(grid, rising=False)]
    assert drawn["x"] == [cols[j] for j in _scipy_order(grid.T, rising=True)]

    # With groups, each group is clustered on its own, groups in the order given, ungrouped rows last.
    groups = {"first": ["r5", "r0", "r3"], "second": ["r6", "r1"]}
    grouped = ev.slice_metric_heatmap(grid, rows, cols, sort="cluster", groups={"y": groups})
    expected = []
    for members in [*groups.values(), ["r2", "r4"]]:
        block = sorted(members)  # a clustered axis starts from its labels in order
        sub = grid[[rows.index(r) for r in block]]
        expected += [block[i] for i in _scipy_order(sub, rising=False)]
    assert grouped.spec["layer"][0]["encoding"]["y"]["scale"]["domain"] == expected


def test_binned_sample_heatmap_is_clustered_before_it_is_binned() -> None:
    """400 samples x 3 models: too many for the chart, so binned; the samples' order is scipy's over all 400."""
    rng = np.random.default_rng(11)
    hard = set(rng.choice(400, 150, replace=False).tolist())
    rows = [{"id": i, "model_display_name": m, "score_match": float(rng.random() < (0.2 if i in hard else 0.9))}
            for i in range(400) for m in ("a", "b", "c")]
    data = _data(rows)
    chart = ev.sample_heatmap(data, score_value="score_match", sort="cluster", orientation="horizontal")
    assert "Binned (clustered)" in " ".join(chart.spec["title"]["text"])  # no title: the note stands in its place
    columns = GridColumns(x="id", y="model_display_name", fill="score_match")
    x_ranks, y_ranks = axis_ranks(data, columns, parse_sort("cluster", ("x", "y")))
    rows_table = pa.Table.from_pylist(rows)  # noqa: F841 - read by DuckDB below
    means = duckdb.sql("SELECT id, model_display_name AS m, avg(score_match) AS v FROM rows_table "
                       "GROUP BY ALL").fetchall()
    ids = sorted({str(i) for i, _, _ in means})  # the clustered axis starts from its labels in order
    models = ["a", "b", "c"]
    matrix = np.full((len(ids), 3), np.nan)
    for i, m, v in means:
        matrix[ids.index(str(i)), models.index(m)] = v
    assert x_ranks["x_label"].to_pylist() == [ids[i] for i in _scipy_order(matrix, rising=True)]
    assert x_ranks["xr"].to_pylist() == list(range(400))
    assert y_ranks["y_label"].to_pylist() == [models[i] for i in _scipy_order(matrix.T, rising=False)]


def test_cluster_refuses_what_it_cannot_do() -> None:
    many = _data([{"id": i, "model_display_name": m, "score_match": float(i % 3 == 0)}
                  for i in range(1200) for m in ("a", "b")])
    with pytest.raises(ev.EvalvizError, match=r"at most 1,000 labels per axis; the x axis has 1,200\. Cluster "
                                              r"the other axis alone \(sort=\{'y': 'cluster'\}\)"):
        ev.sample_heatmap(many, score_value="score_match", sort="cluster", orientation="horizontal")
    # Clustering the two models alone is fine: 1,200 samples are only read.
    chart = ev.sample_heatmap(many, score_value="score_match", sort={"y": "cluster"}, orientation="horizontal")
    assert chart.spec["layer"]
    evals = ev.Data.from_file("examples/data/evals.parquet")
    with pytest.raises(ev.EvalvizError, match=r"sort='cluster' orders the rows and columns of a grid"):
        ev.scores_by_model(evals, sort="cluster")
    with pytest.raises(ev.EvalvizError, match=r"Did you mean 'cluster'\?"):
        ev.scores_heatmap(evals, sort="clusters")


def test_sample_heatmap_keeps_the_axes_that_sort_and_groups_name_on_a_tall_chart() -> None:
    """A tall chart of many samples turns vertical when nothing names an axis; {"y": "cluster"} (clustering the
    models alone, as the docs suggest for many samples) and y groups of models keep the models on y."""
    rng = np.random.default_rng(5)
    family = {"m0": 0, "m1": 1, "m2": 0, "m3": 1}
    rows = [{"id": i, "model_display_name": m, "score_match": float(rng.random() < (0.8 if family[m] == i % 2
                                                                                  else 0.2))}
            for i in range(1200) for m in family]
    data = _data(rows)
    rows_table = pa.Table.from_pylist(rows)  # noqa: F841 - read by DuckDB below
    found = duckdb.sql("SELECT model_display_name, id, avg(score_match) FROM rows_table GROUP BY ALL").fetchall()
    models, ids = sorted(family), sorted({i for _, i, _ in found})
    matrix = np.full((len(models), len(ids)), np.nan)
    for model, sample, value in found:
        matrix[models.index(model), ids.index(sample)] = value
    expected = [models[i] for i in _scipy_order(matrix, rising=False)]

    def axes_of(chart: ev.Component) -> dict[str, tuple[str, list[str]]]:
        encoding = chart.spec["layer"][0]["encoding"]
        return {axis: (encoding[axis]["title"], encoding[axis]["scale"]["domain"]) for axis in "xy"}

    tall = {"width": 400, "height": 900}
    assert axes_of(ev.sample_heatmap(data, score_value="score_match", **tall))["x"][0] == "Model"  # turned
    clustered = axes_of(ev.sample_heatmap(data, score_value="score_match", sort={"y": "cluster"}, **tall))
    assert clustered["y"] == ("Model", expected)
    assert clustered["x"][0].startswith("Sample")  # "Sample (binned)"
    grouped = ev.sample_heatmap(data, score_value="score_match", groups={"y": {"Odd": ["m1", "m3"]}}, **tall)
    assert axes_of(grouped)["y"][0] == "Model" and axes_of(grouped)["y"][1][:2] in (["m1", "m3"], ["m3", "m1"])
    assert grouped.datasets["groups"].to_pylist() == [
        {"axis": "y", "name": "Odd", "first": axes_of(grouped)["y"][1][0], "last": axes_of(grouped)["y"][1][1],
         "count": 2}]


def test_a_per_axis_sort_that_is_not_a_list_names_cluster() -> None:
    evals = ev.Data.from_file("examples/data/evals.parquet")
    with pytest.raises(ev.EvalvizError, match=r"sort\['y'\] is a list of labels or 'cluster', not the string "
                                              r"'Cluster'\. Did you mean 'cluster'\?"):
        ev.scores_heatmap(evals, sort={"y": "Cluster"})
    with pytest.raises(ev.EvalvizError, match=r"sort\['x'\] is a list of labels or 'cluster', not the string "
                                              r"'ascending'\..* sort='ascending' or 'descending'"):
        ev.scores_heatmap(evals, sort={"x": "ascending"})
