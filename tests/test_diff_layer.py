"""diff_plot on the view layer (issue 11): a chart object that composes. Beside a scores heatmap in hconcat, both
parts draw in Chromium, each with its own tooltips, and the diff's tooltip shows the difference DuckDB computes
from the samples."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

import evalviz as ev
from evalviz.analysis import paired_diff_between_models
from evalviz.charts import LayerChart

BASELINE, CANDIDATE = "Atlas Small", "Atlas Large"


@pytest.fixture(scope="module")
def diffs() -> ev.Data:
    samples = ev.Data.from_file(Path(__file__).parent.parent / "examples" / "data" / "samples.parquet")
    return paired_diff_between_models(samples, BASELINE, CANDIDATE, score="match", by="task", n_resamples=50,
                                      progress=False)


def mean_differences(samples_path: Path) -> dict[str, float]:
    """Each task's mean match score of the candidate minus the baseline's, computed by DuckDB from the samples
    (every sample is scored for both models, so the paired mean difference is the difference of the means)."""
    rows = duckdb.connect().execute(
        """SELECT task_display_name,
                  avg(score_match) FILTER (WHERE model_display_name = $candidate)
                  - avg(score_match) FILTER (WHERE model_display_name = $baseline)
           FROM read_parquet($path) GROUP BY 1""",
        {"candidate": CANDIDATE, "baseline": BASELINE, "path": str(samples_path)},
    ).fetchall()
    return dict(rows)


def d3_signed(value: float) -> str:
    """A difference as the chart's default format "{:+.3f}" writes it (d3 writes a minus sign, U+2212)."""
    return f"{value:+.3f}".replace("-", "\u2212")


def test_diff_plot_is_a_chart_of_marks_each_with_its_tooltip(diffs: ev.Data) -> None:
    chart = ev.diff_plot(diffs, legend="Result")
    assert isinstance(chart.chart, LayerChart)
    layers = {layer["name"]: layer for layer in chart.spec["layer"]}
    assert list(layers) == ["zero", "interval", "point", "separator"]
    tooltips = chart.spec["usermeta"]["evalviz"]["tooltips"]
    assert set(tooltips) == {"interval", "point"}  # the zero line and the separator have none
    assert [row["title"] for row in tooltips["point"]] == [
        "slice", "difference", "interval", "n", f"{BASELINE} (baseline)", f"{CANDIDATE} (candidate)", "result"]
    assert layers["point"]["encoding"]["color"]["legend"]["title"] == "Result"
    hidden = ev.diff_plot(diffs, legend=False, tip=False)
    colored = [layer["encoding"]["color"] for layer in hidden.spec["layer"]
               if "field" in layer["encoding"].get("color", {})]
    assert colored and all(color["legend"] is None for color in colored)
    assert hidden.spec["usermeta"]["evalviz"]["tooltips"] == {}


def test_the_one_sort_grammar_and_orders_without_order(diffs: ev.Data) -> None:
    def order(chart: ev.Component) -> list[str]:
        return next(layer for layer in chart.spec["layer"] if layer["name"] == "point")["encoding"]["y"]["scale"][
            "domain"]

    tasks = [s for s in diffs.to_arrow()["slice"].to_pylist() if s != "all"]
    wanted = list(reversed(tasks))
    assert order(ev.diff_plot(diffs, sort=wanted)) == ["all", *wanted]
    assert order(ev.diff_plot(diffs, sort={"y": wanted})) == ["all", *wanted]
    for unordered in (set(wanted), {"Arithmetic": 1}):
        with pytest.raises(ev.EvalvizError, match=f"not a {type(unordered).__name__}: give the slices in a list"):
            ev.diff_plot(diffs, sort=unordered)
    with pytest.raises(ev.EvalvizError, match="Did you mean 'ascending'"):
        ev.diff_plot(diffs, sort="ascendng")


def test_a_null_slice_in_an_explicit_order_is_the_null_row() -> None:
    table = pa.table({"slice": ["a", None, "b"], "delta": [0.1, 0.2, 0.3]})
    drawn = ev.diff_plot(table, sort=[None, "b"]).datasets["diffs"]["slice"].to_pylist()
    assert drawn == ["(null)", "b", "a"]


def test_hconcat_composes_the_chart_objects(diffs: ev.Data, evals_path: Path) -> None:
    both = ev.hconcat(ev.diff_plot(diffs), ev.scores_heatmap(ev.Data.from_file(evals_path)))
    assert set(both.datasets) == {"c0_diffs", "c1_cells"}
    tooltips = both.spec["usermeta"]["evalviz"]["tooltips"]
    assert {"c0_point", "c0_interval"} <= set(tooltips) and any(mark.startswith("c1_") for mark in tooltips)
    separator = next(layer for layer in both.spec["hconcat"][0]["layer"] if layer["name"] == "c0_separator")
    assert separator["mark"]["yOffset"]["expr"].startswith('bandwidth("c0_y")')  # the part's own slice scale


@pytest.mark.browser
def test_diff_plot_beside_a_heatmap_in_the_browser(render, diffs: ev.Data, evals_path: Path,
                                                    samples_path: Path) -> None:
    evals = ev.Data.from_file(evals_path)
    page = render(ev.hconcat(ev.diff_plot(diffs), ev.scores_heatmap(evals)))
    items = [item for item in page.items() if item.role == "mark" and item.datum]

    # Both parts draw: a point per slice on the left, a cell per (model, task) on the right.
    points = {item.datum["slice"]: item for item in items if item.name == "c0_point_marks"}
    expected = mean_differences(samples_path)
    assert set(points) == {"all", *expected}
    cells = [item for item in items if item.name == "c1_cells_marks"]
    assert len(cells) == duckdb.connect().execute(
        "SELECT count(DISTINCT (model_display_name, task_display_name)) FROM read_parquet(?)", [str(evals_path)]
    ).fetchone()[0]
    assert max(point.x for point in points.values()) < min(cell.x for cell in cells)  # side by side

    # The diff's tooltip gives the difference DuckDB computes from the samples, under the sides' names.
    for task, delta in expected.items():
        tip = page.hover(points[task])
        assert tip["slice"] == task and tip["difference"] == d3_signed(delta)
        assert f"{CANDIDATE} (candidate)" in tip and "interval" in tip
    # The heatmap's cells keep their own tooltip.
    tip = page.hover(cells[0])
    assert cells[0].datum["y"] in tip.values() or cells[0].datum["x"] in tip.values()
