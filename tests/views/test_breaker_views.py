"""Faults of the views found by trying them as users would (issue 10, the breaker's report): failed evals,
means of huge values, colour domains that overflow, keys that merged, arguments not checked, diff_plot's
intervals and slices, grids of other kinds of numbers, and Altair editing of compositions. Expected values are
computed here independently (DuckDB, numpy, exact fractions)."""

from __future__ import annotations

import json
import math
import sys
from fractions import Fraction

import altair as alt
import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
import vl_convert as vlc

import evalviz as ev
from grid_cells import cells

HUGE = [1.5e308, 1.7e308, 1.2e308]




def color_domain(chart: ev.Component) -> list[float]:
    """The domain of the chart's colour scale over values."""
    found = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            scale = node.get("scale")
            if isinstance(scale, dict) and "scheme" in scale:
                found.append(scale["domain"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(chart.spec)
    assert found, "the chart has no colour scale"
    return found[0]


def exact_mean(values: list[float]) -> float:
    return float(sum(Fraction(v) for v in values) / len(values))


# -- 2.1: every eval failed ------------------------------------------------------------------------------------
def test_a_table_where_every_eval_failed_draws_error_cells_with_their_messages() -> None:
    # As from_inspect_logs reads two failed evals: the score columns hold no value, and are text.
    evals = ev.Data.from_sql("""
        SELECT * FROM (VALUES ('broken', 'mockllm/a', 'error', 'RuntimeError(''provider exploded'')'),
                              ('broken', 'mockllm/b', 'error', 'ValueError(''bad'')'))
            AS t(task_name, model, status, error_message),
        (SELECT CAST(NULL AS VARCHAR) AS score_headline_value, CAST(NULL AS VARCHAR) AS score_headline_stderr)""")
    drawn = {c["y"]: c for c in cells(ev.scores_heatmap(evals))}
    expected = dict(duckdb.sql("SELECT 'mockllm/a', 'RuntimeError(''provider exploded'')' UNION ALL "
                               "SELECT 'mockllm/b', 'ValueError(''bad'')'").fetchall())
    assert {model: c["status"] for model, c in drawn.items()} == dict.fromkeys(expected, "error")
    assert {model: c["note"] for model, c in drawn.items()} == {m: f"error: {e}" for m, e in expected.items()}


def test_an_empty_text_column_beside_values_is_still_refused_with_an_example() -> None:
    data = ev.Data.from_sql("SELECT * FROM (VALUES ('a', 'm', 'C'), ('b', 'm', NULL)) AS t(t, m, s)")
    with pytest.raises(ev.EvalvizError, match="row 1 holds 'C'.*score_to_float"):
        ev.heatmap(data, x="t", y="m", fill="s")


# -- 1.2: the mean of huge finite values -----------------------------------------------------------------------
def test_the_mean_of_huge_finite_values_is_their_mean_in_every_path() -> None:
    frame = pd.DataFrame({"m": ["a"] * 3 + ["b"] * 3, "t": ["x"] * 6, "s": HUGE + HUGE[::-1]})
    for cell in cells(ev.heatmap(frame, x="t", y="m", fill="s")):
        assert cell["status"] == "ok"
        assert cell["value"] == pytest.approx(exact_mean(HUGE), rel=1e-12)
    long = pd.DataFrame({"row": ["r"] * 3, "col": ["c"] * 3, "value": HUGE})
    [cell] = cells(ev.slice_metric_heatmap(ev.Data.from_dataframe(long)))
    assert cell["status"] == "ok" and cell["value"] == pytest.approx(exact_mean(HUGE), rel=1e-12)
    # A binned sample heatmap: bins of many samples whose scores are all 1.5e308 have that mean.
    samples = pd.DataFrame({"id": [f"s{i}" for i in range(600)], "model_display_name": "m",
                            "score_x": 1.5e308})
    chart = ev.sample_heatmap(samples, score_value="score_x", width=200, height=120)
    assert chart.spec["usermeta"]["evalviz"].get("drill")
    drawn = cells(chart)
    assert {c["status"] for c in drawn} == {"ok"}
    assert [c["value"] for c in drawn] == pytest.approx([1.5e308] * len(drawn), rel=1e-12)


def test_a_sum_that_overflows_is_flagged_and_its_note_names_the_sum() -> None:
    frame = pd.DataFrame({"m": ["a"] * 3, "t": ["x"] * 3, "s": HUGE})
    assert sum(Fraction(v) for v in HUGE) > Fraction(sys.float_info.max)  # the true sum is beyond the largest float
    [cell] = cells(ev.heatmap(frame, x="t", y="m", fill="s", agg="sum"))
    assert cell["status"] == "infinite" and cell["note"] == "inf (its rows are finite: their sum overflows)"


# -- 1.1, 1.5: colour domains whose span overflows --------------------------------------------------------------
def test_a_colour_domain_of_huge_values_keeps_a_finite_span() -> None:
    frame = pd.DataFrame({"m": list("aabb"), "t": list("xyxy"), "s": [-1.7e308, 1.7e308, 0.0, 1e300]})
    chart = ev.heatmap(frame, x="t", y="m", fill="s")
    low, high = color_domain(chart)
    assert math.isfinite(high - low) and low < 0 < high
    json.dumps(chart.spec, allow_nan=False)
    chart.to_html()


@pytest.mark.parametrize("center", [1e308, -1.7e308, 0.5])
def test_a_huge_center_gives_a_finite_domain(center: float) -> None:
    frame = pd.DataFrame({"m": list("aabb"), "t": list("xyxy"), "s": [0.1, 0.2, 0.3, 0.4]})
    chart = ev.heatmap(frame, x="t", y="m", fill="s", center=center)
    low, high = color_domain(chart)
    assert math.isfinite(high - low) and low < high
    json.dumps(chart.spec, allow_nan=False)
    if center == 0.5:
        assert (low + high) / 2 == pytest.approx(0.5)  # an ordinary centre stays the middle of the domain


# -- 5.1, 5.2: distinct keys with one display name -------------------------------------------------------------
def test_samples_of_tasks_sharing_a_display_name_stay_apart() -> None:
    samples = pd.DataFrame({"task_name": ["a", "b"], "task_display_name": ["Quiz", "Quiz"], "id": ["1", "1"],
                            "model_display_name": ["M", "M"], "score_x": [1.0, 0.0]})
    drawn = cells(ev.sample_heatmap(samples, score_value="score_x"))
    expected = duckdb.sql("SELECT task_name || ' · ' || id, avg(score_x) FROM samples GROUP BY ALL").fetchall()
    assert sorted((c["x"], c["value"]) for c in drawn) == sorted(expected)
    # Tasks told apart by their display names keep them.
    samples["task_display_name"] = ["Quiz A", "Quiz B"]
    assert sorted(c["x"] for c in cells(ev.sample_heatmap(samples, score_value="score_x"))) == [
        "Quiz A · 1", "Quiz B · 1"]


def test_models_sharing_a_display_name_stay_two_rows() -> None:
    evals = pd.DataFrame({"task_display_name": ["T"] * 3, "task_name": ["t"] * 3,
                          "model_display_name": ["GPT-4o", "GPT-4o", "Claude"],
                          "model": ["openai/gpt-4o", "openai/azure/gpt-4o", "anthropic/claude"],
                          "score_headline_value": [1.0, 0.0, 0.5]})
    drawn = {c["y"]: c["value"] for c in cells(ev.scores_heatmap(evals))}
    expected = duckdb.sql("SELECT model_display_name || ' · ' || model, avg(score_headline_value) "
                          "FROM evals GROUP BY ALL").fetchall()
    assert drawn == dict(expected)


# -- 2.3, 8: arguments -----------------------------------------------------------------------------------------
FRAME = pd.DataFrame({"m": list("aabb"), "t": list("xyxy"), "s": [0.1, 0.2, 0.3, 0.4], "e": list("pqrs")})


@pytest.mark.parametrize(("options", "message"), [
    ({"x": None}, "x is a string, not None"),
    ({"x": 1}, "x is a string, not 1"),
    ({"link": 1}, "link is a string or None, not 1"),
    ({"title": 123}, "title is a string or None, not 123"),
    ({"subtitle": 123}, "subtitle is a string or None, not 123"),
    ({"x_label": 123}, "x_label is a string or None, not 123"),
    ({"marks": "x"}, "marks is an Altair chart or a list of them, not 'x'"),
    ({"tip": "yes"}, "tip is True or False, not 'yes'"),
    ({"legend": 123}, "legend is True, False, None or a title, not 123"),
    ({"stderr": "e"}, "The stderr column 'e' holds text, not numbers: row 1 holds 'p'"),
])
def test_heatmap_arguments_are_checked(options: dict, message: str) -> None:
    given = {"x": "t", "y": "m", "fill": "s", **options}
    with pytest.raises(ev.EvalvizError, match=message) as caught:
        ev.heatmap(FRAME, **given)
    assert "Binder" not in str(caught.value) and "LINE" not in str(caught.value)  # no internal SQL


def test_score_views_check_their_column_names() -> None:
    with pytest.raises(ev.EvalvizError, match="score_value is a string or None, not 1"):
        ev.sample_heatmap(FRAME, score_value=1)
    with pytest.raises(ev.EvalvizError, match="score_value is a string, not 1"):
        ev.scores_heatmap(FRAME, score_value=1)


@pytest.mark.parametrize("convert", [lambda f: f, pl.from_pandas, pa.Table.from_pandas])
def test_views_take_dataframes(convert) -> None:
    expected = duckdb.sql("SELECT t, m, avg(s) FROM FRAME GROUP BY ALL ORDER BY ALL").fetchall()
    drawn = sorted((c["x"], c["y"], c["value"]) for c in cells(ev.heatmap(convert(FRAME), x="t", y="m", fill="s")))
    assert drawn == expected
    samples = FRAME.rename(columns={"t": "id", "m": "model_display_name", "s": "score_x"})
    assert len(cells(ev.sample_heatmap(convert(samples), score_value="score_x"))) == 4
    evals = FRAME.rename(columns={"t": "task_name", "m": "model", "s": "score_headline_value"})
    assert len(cells(ev.scores_heatmap(convert(evals)))) == 4


def test_a_view_refuses_what_is_not_a_table() -> None:
    with pytest.raises(ev.EvalvizError, match="Cannot read a str"):
        ev.heatmap("results.csv", x="t", y="m", fill="s")


# -- diff_plot ---------------------------------------------------------------------------------------------------
def diffs(**columns: list) -> pd.DataFrame:
    base = {"slice": ["a", "b"], "delta": [0.1, -0.2], "low": [0.0, -0.3], "high": [0.2, -0.1]}
    return pd.DataFrame({**base, **columns})


def test_a_text_delta_column_is_not_pointed_to_score_to_float() -> None:
    with pytest.raises(ev.EvalvizError, match="delta column 'delta' holds text, not numbers: row 1") as caught:
        ev.diff_plot(diffs(delta=["x", "y"]))
    assert "score_to_float" not in str(caught.value)


def test_a_null_slice_and_the_text_null_are_two_slices() -> None:
    frame = pd.DataFrame({"slice": [None, "(null)"], "delta": [0.1, 0.2]})
    drawn = ev.diff_plot(frame).datasets["diffs"].to_pylist()
    assert len(drawn) == 2 and len({r["slice"] for r in drawn}) == 2
    assert sorted(r["delta"] for r in drawn) == sorted(frame["delta"])
    assert {r["slice"].replace("\u2063", "") for r in drawn} == {"(null)"}


@pytest.mark.parametrize(("columns", "problem"), [
    ({"low": [0.3, -0.3], "high": [0.2, -0.1], "delta": [0.25, -0.2]}, "slice 'a': low is above high"),
    ({"delta": [-0.5, -0.2]}, "slice 'a': the difference lies outside its interval"),
    ({"delta": [0.1, 0.5]}, "slice 'b': the difference lies outside its interval"),
])
def test_intervals_that_cannot_be_read_are_refused_naming_the_slice(columns: dict, problem: str) -> None:
    with pytest.raises(ev.EvalvizError, match=problem):
        ev.diff_plot(diffs(**columns))


def test_diff_plot_sort_and_height() -> None:
    with pytest.raises(ev.EvalvizError, match="not a set"):
        ev.diff_plot(diffs(), sort={"a", "b"})
    many = pd.DataFrame({"slice": [f"s{i}" for i in range(500)], "delta": np.linspace(-1, 1, 500)})
    chart = ev.diff_plot(many)
    assert chart.spec["height"] <= 10_000
    assert len(chart.datasets["diffs"]) == 500


# -- 4.3: grids of other kinds of numbers ------------------------------------------------------------------------
def test_a_masked_grid_leaves_masked_cells_without_value() -> None:
    values = np.ma.masked_array([[1, 2], [3, 4]], mask=[[0, 1], [1, 0]])
    drawn = {(c["y"], c["x"]): c for c in cells(ev.slice_metric_heatmap(values, ["r0", "r1"], ["c0", "c1"]))}
    for (i, j), masked in np.ndenumerate(np.ma.getmaskarray(values)):
        cell = drawn[(f"r{i}", f"c{j}")]
        assert (cell["value"] is None) == masked
        assert cell["status"] == ("no data" if masked else "ok")
        if not masked:
            assert cell["value"] == values.data[i, j]


@pytest.mark.parametrize(("grid", "kind"), [
    (np.array([[1 + 2j, 0.5]]), "complex numbers"),
    (np.array([["2024-01-01", "2024-01-02"]], dtype="datetime64[D]"), "dates and times"),
    (np.array([[1, 2]], dtype="timedelta64[s]"), "durations"),
])
def test_grids_of_numbers_that_are_not_real_are_refused(grid: np.ndarray, kind: str) -> None:
    with pytest.raises(ev.EvalvizError, match=f"holds {kind}"):
        ev.slice_metric_heatmap(grid)


# -- 10.2: an Altair composition stays editable ----------------------------------------------------------------
@pytest.mark.parametrize("edit", [lambda c: c.interactive(), lambda c: c.add_params(alt.selection_point())])
def test_a_concatenation_with_diff_plot_stays_editable_in_altair(edit) -> None:
    both = ev.hconcat(ev.heatmap(FRAME, x="t", y="m", fill="s"), ev.diff_plot(diffs()))
    edited = edit(both.to_altair())
    svg = vlc.vegalite_to_svg(edited.to_dict())  # Vega parses and draws it: no duplicate signal
    assert svg.startswith("<svg")



@pytest.mark.parametrize("attributes", [{"padding": "lots"}, {"background": 5}, {"config": "x"},
                                        {"config": {"nonsense": 1}}])
def test_a_bad_top_level_property_value_is_an_evalviz_error_naming_it(attributes: dict) -> None:
    table = pd.DataFrame({"t": ["a", "b"], "m": ["x", "y"], "s": [0.1, 0.2]})
    with pytest.raises(ev.EvalvizError, match=f"chart attributes \\['{next(iter(attributes))}'\\]"):
        ev.heatmap(table, x="t", y="m", fill="s", **attributes)


def test_params_are_added_as_altair_adds_them() -> None:
    unnamed = ev.diff_plot(diffs(), params=[alt.param(value=1)])
    named = ev.diff_plot(diffs(), params=[{"name": "p", "value": 1}])
    assert len(unnamed.spec["params"]) == 1 and unnamed.spec["params"][0]["value"] == 1
    assert named.spec["params"] == [{"name": "p", "value": 1}]
