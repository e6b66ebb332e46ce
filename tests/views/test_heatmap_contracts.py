"""The heatmap views without a browser: parameters, error messages, aggregation and the specs they build."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

import evalviz as ev
from evalviz.rendering.contract import RendererContract
from evalviz.views.colors import valid_cmaps, vega_scheme
from evalviz.views.formatting import d3_format
from evalviz.views.grid import GridColumns, aggregate_grid


def table(**columns: list) -> ev.Data:
    return ev.Data.from_dataframe(pa.table(columns))


@pytest.fixture
def small() -> ev.Data:
    return table(
        model_display_name=["a", "a", "a", "b"],
        task_display_name=["t1", "t1", "t2", "t1"],
        score_headline_value=[0.2, 0.6, 1.0, 0.5],
        score_headline_stderr=[0.1, 0.1, 0.0, 0.05],
    )


def color_scale(component: ev.Component) -> dict:
    layers = component.spec["layer"]
    colored = [layer for layer in layers if "field" in layer.get("encoding", {}).get("color", {})]
    return colored[0]["encoding"]["color"]["scale"]


# -- errors name the problem and the way out -----------------------------------------------------------------
def test_sample_heatmap_without_score_value_lists_the_score_columns(samples_path: Path) -> None:
    with pytest.raises(ValueError, match="score_value") as caught:
        ev.sample_heatmap(ev.Data.from_file(samples_path))
    assert "'score_includes'" in str(caught.value) and "'score_match'" in str(caught.value)


def test_grid_shape_mismatch_names_both_shapes() -> None:
    with pytest.raises(ValueError) as caught:
        ev.slice_metric_heatmap(np.zeros((2, 3)), ["r1", "r2"], ["c1", "c2"])
    assert "(2, 3)" in str(caught.value) and "(2, 2)" in str(caught.value)
    with pytest.raises(ValueError, match="2-D"):
        ev.slice_metric_heatmap([1.0, 2.0])
    with pytest.raises(ValueError, match="repeat"):
        ev.slice_metric_heatmap([[1.0, 2.0]], ["r"], ["c", "c"])
    with pytest.raises(ValueError, match="row_labels and col_labels label a 2-D grid"):
        ev.slice_metric_heatmap(table(row=["a"], col=["b"], value=[1.0]), row_labels=["a"])


def test_unknown_cmap_lists_the_valid_names() -> None:
    with pytest.raises(ValueError) as caught:
        ev.slice_metric_heatmap([[0.5]], cmap="jet")
    message = str(caught.value)
    assert "'jet'" in message and "viridis" in message and "RdBu_r" in message and "coolwarm" in message


@pytest.mark.parametrize("fmt", ["{:d}", "%.3f", "{:.3x}", "{0} {1}", "{:s}", 3])
def test_bad_annotation_formats_are_refused(fmt: object) -> None:
    with pytest.raises(ValueError, match="[Ff]ormat"):
        ev.slice_metric_heatmap([[0.5]], annot_fmt=fmt)


def test_bad_parameters_are_refused_by_name(small: ev.Data) -> None:
    with pytest.raises(ValueError, match="orientation"):
        ev.scores_heatmap(small, orientation="diagonal")
    with pytest.raises(ValueError, match="sort="):
        ev.scores_heatmap(small, sort="random")
    with pytest.raises(ValueError, match="keys 'x' and 'y'"):
        ev.scores_heatmap(small, sort={"rows": ["a"]})
    with pytest.raises(ValueError, match="Unknown agg 'avg'"):
        ev.scores_heatmap(small, agg="avg")
    with pytest.raises(ValueError, match="vmin must be below vmax"):
        ev.slice_metric_heatmap([[0.5]], vmin=1, vmax=0)
    with pytest.raises(ValueError, match="has no argument 'colour_scheme'"):
        ev.scores_heatmap(small, colour_scheme="greens")
    with pytest.raises(ev.MissingColumnError, match="'viewer'"):
        ev.scores_heatmap(small, link="viewer")
    with pytest.raises(ValueError, match="Components"):
        ev.hconcat(ev.scores_heatmap(small), "not a chart")


def test_text_scores_point_to_score_to_float() -> None:
    data = table(model_display_name=["a"], task_display_name=["t"], score_headline_value=["C"])
    with pytest.raises(ValueError, match="score_to_float") as caught:
        ev.scores_heatmap(data)
    assert "'C'" in str(caught.value)


def test_a_table_of_several_metrics_must_be_filtered_first() -> None:
    data = table(slice=["s", "s"], scorer=["m", "m"], metric=["accuracy", "f1"], value=[0.5, 0.6])
    with pytest.raises(ValueError, match="'accuracy', 'f1'") as caught:
        ev.slice_metric_heatmap(data, row="slice", col="scorer")
    assert "data.filter(\"metric = 'accuracy'\")" in str(caught.value)
    chart = ev.slice_metric_heatmap(data.filter("metric = 'f1'"), row="slice", col="scorer", metric_name="f1")
    assert chart.datasets["cells"]["value"].to_pylist() == [0.6]


# -- formats and colour maps ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("python", "d3"), [
    ("{:.3f}", ".3f"), ("{:.0%}", ".0%"), ("{:.2g}", ".2~g"), ("{:#.2g}", "#.2g"), ("{:+.1f}", "+.1f"),
    ("{:,.2f}", ",.2f"), ("{:.2e}", ".2e"), ("{:8.3f}", "8.3f"),
])
def test_python_formats_become_d3_formats(python: str, d3: str) -> None:
    assert d3_format(python) == d3


def test_matplotlib_colour_maps_map_to_vega_schemes_in_the_same_direction() -> None:
    assert vega_scheme("viridis") == ("viridis", False)
    assert vega_scheme("RdBu_r") == ("redblue", True)
    assert vega_scheme("PuOr") == ("purpleorange", True)  # matplotlib's PuOr starts orange, Vega's purple
    assert vega_scheme("PuOr_r") == ("purpleorange", False)
    assert "Blues_r" in valid_cmaps() and "coolwarm" in valid_cmaps()


def test_colour_domain_rules() -> None:
    unit = ev.slice_metric_heatmap([[0.2, 0.4]])
    assert color_scale(unit)["domain"] == [0.0, 1.0]
    wide = ev.slice_metric_heatmap([[2.0, 5.0]])
    assert color_scale(wide)["domain"] == [2.0, 5.0]
    clipped = ev.slice_metric_heatmap([[0.2, 0.4]], vmin=0.1, vmax=0.5)
    assert color_scale(clipped)["domain"] == [0.1, 0.5] and color_scale(clipped)["clamp"] is True
    diverging = ev.slice_metric_heatmap([[-0.1, 0.3]], center=0, cmap="RdBu_r")
    assert color_scale(diverging)["domain"] == [-0.3, 0.3]
    assert color_scale(diverging)["scheme"] == "redblue" and color_scale(diverging)["reverse"] is True
    centred_half = ev.slice_metric_heatmap([[0.2, 0.9]], center=0.5)
    assert color_scale(centred_half)["domain"] == pytest.approx([0.0, 1.0])
    one_value = ev.slice_metric_heatmap([[3.0]])
    assert color_scale(one_value)["domain"] == [2.5, 3.5]


# -- aggregation in DuckDB -----------------------------------------------------------------------------------
def test_cells_are_aggregated_in_sql_and_only_cells_travel(samples_path: Path) -> None:
    samples = ev.Data.from_file(samples_path)
    chart = ev.sample_heatmap(samples, score_value="score_match")
    cells = chart.datasets["cells"]
    expected = samples.sql(
        "SELECT count(DISTINCT task_name || '/' || id) * count(DISTINCT model) AS k FROM this"
    )
    assert cells.num_rows == expected["k"][0].as_py() < len(samples)
    assert list(chart.datasets) == ["cells"]
    assert "values" not in json.dumps(chart.spec)


def test_aggregates_and_intervals(small: ev.Data) -> None:
    cells = {(r["x"], r["y"]): r for r in ev.scores_heatmap(small).datasets["cells"].to_pylist()}
    assert cells[("t1", "a")]["value"] == pytest.approx(0.4) and cells[("t1", "a")]["n"] == 2
    assert cells[("t1", "a")]["low"] == pytest.approx(0.4 - 1.96 * (0.1 * 2**0.5) / 2)
    assert cells[("t2", "b")]["status"] == "no data" and cells[("t2", "b")]["n"] == 0
    highest = {(r["x"], r["y"]): r for r in ev.scores_heatmap(small, agg="max").datasets["cells"].to_pylist()}
    assert highest[("t1", "a")]["value"] == pytest.approx(0.6)
    assert highest[("t1", "a")]["low"] is None  # no interval for the max of several rows
    assert highest[("t1", "b")]["low"] == pytest.approx(0.5 - 1.96 * 0.05)


def test_status_rows_do_not_count_towards_the_value() -> None:
    data = table(r=["x", "x", "y"], c=["k", "k", "k"], v=[0.9, 0.1, 0.5], status=["ok", "error", "skipped"],
                 reason=[None, "boom", "too few"])
    grid = aggregate_grid(data, GridColumns(x="c", y="r", fill="v", status="status", reason="reason"))
    cells = {r["y"]: r for r in grid.cells.to_pylist()}
    assert cells["x"]["status"] == "partly failed" and cells["x"]["value"] == pytest.approx(0.9)
    assert cells["x"]["note"] == "partly failed: 1 of 2 rows failed: boom"  # how many of its rows failed
    assert cells["y"]["status"] == "skipped" and cells["y"]["value"] is None
    assert cells["y"]["note"] == "skipped: too few"


def test_inspect_fallback_columns_and_stderr_pairs() -> None:
    raw = table(model=["openai/gpt"], task_name=["arith"], score_match_accuracy=[0.5],
                score_match_stderr=[0.1])
    chart = ev.scores_heatmap(raw, score_value="score_match_accuracy")
    row = chart.datasets["cells"].to_pylist()[0]
    assert (row["x"], row["y"]) == ("arith", "openai/gpt")
    assert row["high"] == pytest.approx(0.5 + 1.96 * 0.1)


# -- the spec ------------------------------------------------------------------------------------------------
def test_default_size_orientation_and_attributes(small: ev.Data) -> None:
    spec = ev.scores_heatmap(small).spec
    assert (spec["width"], spec["height"]) == (700, round(700 / 1.618))
    assert spec["autosize"] == {"type": "fit", "contains": "padding"}
    spec = ev.scores_heatmap(small, width=500, height=200, x_tick_rotate=90, background="#fafafa").spec
    assert (spec["width"], spec["height"], spec["background"]) == (500, 200, "#fafafa")
    x = spec["layer"][0]["encoding"]["x"]
    assert x["axis"]["labelAngle"] == -90
    vertical = ev.scores_heatmap(small, orientation="vertical").spec["layer"][0]["encoding"]
    assert vertical["x"]["title"] == "Model" and vertical["y"]["title"] == "Task"


def test_legend_none_hides_every_legend(small: ev.Data) -> None:
    for legend in (None, False):
        spec = json.dumps(ev.scores_heatmap(small, legend=legend).spec)
        assert '"legend": null' in spec and '"legend": {' not in spec
    titled = ev.scores_heatmap(small, legend="Accuracy").spec["layer"][0]["encoding"]["color"]
    assert titled["legend"]["title"] == "Accuracy"


def test_no_values_no_colour_legend_and_no_tooltips_when_asked() -> None:
    empty = table(model_display_name=["a", "b"], task_display_name=["t", "u"],
                  score_headline_value=[float("nan"), None])
    spec = ev.scores_heatmap(empty).spec
    assert [layer["encoding"]["fill"]["scale"]["domain"] for layer in spec["layer"]] == [["no data"]]
    untipped = ev.scores_heatmap(empty, tip=False).spec
    assert "tooltip" not in json.dumps(untipped["layer"]) and RendererContract.of_spec(untipped).tooltips == {}


def test_marks_are_layered_on_top(small: ev.Data) -> None:
    import altair as alt

    star = alt.Chart().mark_text(text="*").encode(x="x:N", y="y:N").transform_filter("datum.value > 0.9")
    spec = ev.scores_heatmap(small, marks=[star]).spec
    assert spec["layer"][-1]["mark"]["text"] == "*"
    assert spec["data"] == {"name": "cells"}


def test_concat_renames_datasets_and_rescopes_scale_expressions(small: ev.Data) -> None:
    a, b = ev.scores_heatmap(small), ev.scores_heatmap(small, orientation="vertical")
    both = ev.hconcat(a, b)
    assert list(both.datasets) == ["c0_cells", "c1_cells"]
    text = json.dumps(both.spec)
    assert '{"name": "cells"}' not in text
    # Each part's annotations contrast with its own colour scale, named by the part's place.
    tests = [layer["encoding"]["color"]["condition"]["test"] for part in both.spec["hconcat"]
             for layer in part["layer"] if "condition" in layer["encoding"].get("color", {})]
    assert [re.findall(r'scale\("([^"]+)"', test) for test in tests] == [["c0_color"] * 2, ["c1_color"] * 2]
    assert RendererContract.of_spec(both.spec).links == {}  # these rows carry no links
    nested = ev.vconcat([both, a])
    assert list(nested.datasets) == ["c0_c0_cells", "c0_c1_cells", "c1_cells"]
    assert 'scale("c0_c1_color"' in str(nested.spec["vconcat"][0]["hconcat"][1]["layer"])
    assert nested.spec["vconcat"][0]["resolve"]["scale"]["color"] == "independent"


def test_static_export_draws_the_annotations(small: ev.Data, tmp_path: Path) -> None:
    pytest.importorskip("vl_convert")
    long_form = table(row=["r", "r"], col=["a", "b"], value=[0.5, None], n=[10, 3], status=["ok", "skipped"])
    both = ev.hconcat(ev.scores_heatmap(small, width=400),
                      ev.slice_metric_heatmap([[0.25]], annot_fmt="{:.0%}"),
                      ev.slice_metric_heatmap(long_form, annot_fmt="{:.1f}"))
    svg = both.write_svg(tmp_path / "both.svg").read_text()
    assert ">0.400<" in svg and ">25%<" in svg and ">0.5<" in svg
    assert both.write_png(tmp_path / "both.png").read_bytes().startswith(b"\x89PNG")
