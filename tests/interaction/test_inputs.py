"""Inputs in Python: the options and ranges they offer are the column's values as DuckDB reads them, and bad
arguments are refused before anything is drawn, naming the problem and the way out."""

from __future__ import annotations

import math

import duckdb
import pyarrow as pa
import pytest

import evalviz as ev
from evalviz.errors import ArgumentTypeError, ColumnTypeError, EmptyDataError, EvalvizError, MissingColumnError
from evalviz.interaction.inputs.options import MAX_OPTIONS

HOSTILE = "<img src=x onerror=alert(1)>"
ROWS = pa.table({
    "model": ["gpt-4", "claude", None, HOSTILE, "claude", "", "Ünïcode"],
    "n": [3, 1, 2, 2, None, 1, 3],
    "score": [0.5, 0.25, float("nan"), 1.0, float("inf"), None, -0.75],
    "flag": [True, False, None, True, True, False, False],
    "xs": [[1], [2], [3], [4], [5], [6], [7]],
})


@pytest.fixture(scope="module")
def data() -> ev.Data:
    return ev.Data.from_dataframe(ROWS)


def duckdb_distinct(column: str, where: str = "TRUE") -> list[object]:
    rows = ROWS  # noqa: F841 - read by DuckDB
    query = f'SELECT DISTINCT "{column}" AS v FROM rows WHERE {where} ORDER BY v ASC NULLS LAST'
    return [v for (v,) in duckdb.connect().execute(query).fetchall()]


def offered(component: ev.Component) -> list[object]:
    return [option["value"] for option in component.item["options"]]


@pytest.mark.parametrize("make", [ev.select, ev.checkbox_group, ev.radio_group])
@pytest.mark.parametrize("column", ["model", "n", "flag"])
def test_options_are_the_distinct_values_duckdb_reads_null_last(make, column, data) -> None:
    component = make(data, column, target=ev.Selection.intersect())
    assert offered(component) == duckdb_distinct(column)
    labels = {option["value"]: option["label"] for option in component.item["options"]}
    assert labels[None] == "(null)"
    assert component.item["note"] is None


def test_option_labels_name_empty_text_and_keep_hostile_text_as_it_is(data) -> None:
    labels = {o["value"]: o["label"] for o in ev.select(data, "model", target=ev.Selection()).item["options"]}
    assert labels[""] == "(empty text)"
    assert labels[HOSTILE] == HOSTILE  # shown as text by the page (tested in Chromium)


def test_options_of_floats_leave_out_nan_and_infinities(data) -> None:
    component = ev.select(data, "score", target=ev.Selection())
    assert offered(component) == duckdb_distinct("score", "score IS NULL OR isfinite(score)")
    assert all(v is None or math.isfinite(v) for v in offered(component))


def test_a_column_with_more_values_than_the_cap_lists_the_first_and_says_how_many() -> None:
    many = ev.Data.from_sql(f"SELECT 'm' || lpad(i::VARCHAR, 5, '0') AS model FROM range({MAX_OPTIONS + 537}) t(i)")
    component = ev.select(many, "model", target=ev.Selection())
    expected = many.sql("SELECT DISTINCT model FROM this ORDER BY model LIMIT 1000")["model"].to_pylist()
    assert offered(component) == expected
    total = many.sql("SELECT count(DISTINCT model) AS k FROM this")["k"][0].as_py()
    assert f"first {MAX_OPTIONS:,} of {total:,}" in component.item["note"]


def test_the_starting_value_picks_its_option(data) -> None:
    component = ev.select(data, "model", value="claude", target=ev.Selection())
    assert [component.item["options"][i]["value"] for i in component.item["selected"]] == ["claude"]
    several = ev.checkbox_group(data, "n", value=[3, None], target=ev.Selection())
    assert sorted(several.item["options"][i]["value"] is None for i in several.item["selected"]) == [False, True]
    assert ev.select(data, "model", target=ev.Selection()).item["selected"] == []


def test_slider_ends_are_the_columns_finite_range_from_duckdb(data, evals_path) -> None:
    evals = ev.Data.from_file(evals_path)
    item = ev.slider(evals, "score_headline_value", select="interval", target=ev.Selection()).item
    low, high = duckdb.connect().execute(
        "SELECT min(score_headline_value), max(score_headline_value) FROM read_parquet(?)", [str(evals_path)]
    ).fetchone()
    assert (item["min"], item["max"], item["step"], item["select"]) == (low, high, "any", "interval")
    finite = [v for v in ROWS["score"].to_pylist() if v is not None and math.isfinite(v)]
    item = ev.slider(data, "score", target=ev.Selection()).item
    assert (item["min"], item["max"]) == (min(finite), max(finite))
    assert ev.slider(data, "n", target=ev.Selection()).item["step"] == 1
    assert ev.slider(data, "n", min=0, max=10, value=4, target=ev.Selection()).item["value"] == 4


def test_an_input_records_its_column_in_its_selection(data) -> None:
    models = ev.Selection.intersect()
    ev.select(data, "model", target=models)
    ev.slider(data, "score", target=models)
    assert models.columns == ("model", "score")


def test_inputs_compose_with_charts_in_a_layout(data, evals_path) -> None:
    evals = ev.Data.from_file(evals_path)
    models = ev.Selection.intersect()
    page = ev.vconcat(ev.select(evals, "model_display_name", target=models), ev.scores_heatmap(evals))
    kinds = [child["kind"] for child in page.item["items"]]
    assert (page.item["kind"], kinds) == ("layout", ["input", "chart"])
    assert [s["name"] for s in page.shared] == [models.name]
    assert all(name.startswith("c1_") for name in page.datasets)


def test_a_param_target_needs_no_data() -> None:
    level = ev.Param(0.5)
    item = ev.slider(min=0, max=1, step=0.1, value=0.5, target=level, label="Level").item
    assert item["target"] == {"kind": "param", "name": level.name}
    box = ev.checkbox(target=ev.Param(False), label="Show")
    assert box.item["values"] == [{"value": True}, {"value": False}]


# -- bad input ------------------------------------------------------------------------------------------------------
def test_a_missing_column_lists_the_columns_present(data) -> None:
    for make in (ev.select, ev.checkbox_group, ev.radio_group, ev.checkbox, ev.slider, ev.search):
        with pytest.raises(MissingColumnError, match=r"'modle'.*Did you mean 'model'.*Columns present: 'model'"):
            make(data, "modle", target=ev.Selection())


def test_a_value_not_among_the_options_names_them(data) -> None:
    named = r"select's value= names 'gpt-5', which is not a value of column 'model'\. Did you mean 'gpt-4'\? "
    named += r"Its values are '', .*'claude', "
    named += r"'gpt-4'.*None\. Give one of them"
    with pytest.raises(EvalvizError, match=named):
        ev.select(data, "model", value="gpt-5", target=ev.Selection())
    with pytest.raises(EvalvizError, match=r"names 1, which is not a value of column 'flag'"):  # True is not 1
        ev.radio_group(data, "flag", value=1, target=ev.Selection())
    with pytest.raises(EvalvizError, match="needs multiple=True"):
        ev.select(data, "model", value=["claude", "gpt-4"], target=ev.Selection())
    with pytest.raises(EvalvizError, match="values= names 'nope', which is not a value of column 'model'"):
        ev.checkbox(data, "model", values=("nope", "all"), target=ev.Selection())


def test_a_slider_refuses_text_and_out_of_range_values(data) -> None:
    with pytest.raises(ColumnTypeError, match=r"slider moves over numbers; column 'model' holds VARCHAR .* ev.select"):
        ev.slider(data, "model", target=ev.Selection())
    with pytest.raises(EvalvizError, match=r"value 5 lies outside the slider's range \[1, 3\]"):
        ev.slider(data, "n", value=5, target=ev.Selection())
    with pytest.raises(EvalvizError, match=r"min \(3\) is above max \(1\)"):
        ev.slider(data, "n", min=3, max=1, target=ev.Selection())
    with pytest.raises(EvalvizError, match="select is 'point'"):
        ev.slider(data, "n", select="range", target=ev.Selection())
    with pytest.raises(EvalvizError, match="not a range within"):
        ev.slider(data, "n", select="interval", value=(3, 1), target=ev.Selection())
    with pytest.raises(EvalvizError, match="step is a positive number"):
        ev.slider(data, "n", step=0, target=ev.Selection())
    empty = ev.Data.from_sql("SELECT NULL::DOUBLE AS x")
    with pytest.raises(EmptyDataError, match="no finite number.*give min= and max="):
        ev.slider(empty, "x", target=ev.Selection())


def test_a_target_that_is_not_a_selection_or_param_is_refused(data) -> None:
    with pytest.raises(ArgumentTypeError, match=r"select publishes into target=, an ev.Selection .* or sets an "
                                                r"ev.Param"):
        ev.select(data, "model", target="models")
    with pytest.raises(EvalvizError, match="select takes data, column, multiple, value, target, label: missing a "
                                           "required argument: 'target'"):
        ev.select(data, "model")


def test_misspelt_and_mistyped_arguments_are_refused(data) -> None:
    with pytest.raises(EvalvizError, match="select has no argument 'lable'. Did you mean 'label'?"):
        ev.select(data, "model", target=ev.Selection(), lable="Model")
    with pytest.raises(EvalvizError, match="column is a string, not 3"):
        ev.select(data, 3, target=ev.Selection())
    with pytest.raises(EvalvizError, match="multiple is True or False"):
        ev.select(data, "model", multiple="yes", target=ev.Selection())
    with pytest.raises(EvalvizError, match="type is one of 'contains', 'prefix', 'regexp'"):
        ev.search(data, "model", type="suffix", target=ev.Selection())
    with pytest.raises(EvalvizError, match=r"values is a pair"):
        ev.checkbox(data, "flag", values=True, target=ev.Selection())
    with pytest.raises(EvalvizError, match="needs data and column"):
        ev.checkbox(target=ev.Selection())


def test_a_column_of_lists_or_dates_is_refused_with_the_way_out(data, evals_path) -> None:
    with pytest.raises(ColumnTypeError, match=r"'xs' holds BIGINT\[\] values; select offers text, numbers or "
                                              r"booleans.*CAST"):
        ev.select(data, "xs", target=ev.Selection())
    with pytest.raises(ColumnTypeError, match="holds DATE values"):
        ev.checkbox_group(ev.Data.from_file(evals_path), "model_release_date", target=ev.Selection())


def test_an_input_setting_a_param_starts_at_its_value_unless_given_one(data) -> None:
    picked = ev.select(data, "model", target=ev.Param("claude")).item
    assert [picked["options"][i]["value"] for i in picked["selected"]] == ["claude"]
    assert ev.select(data, "model", value="gpt-4", target=ev.Param("claude")).item["selected"] == [
        offered(ev.select(data, "model", target=ev.Selection())).index("gpt-4")]
    assert ev.slider(data, "n", select="interval", target=ev.Param([1, 2])).item["value"] == [1, 2]
    assert ev.search(data, "model", target=ev.Param("cla")).item["value"] == "cla"
    assert ev.checkbox(target=ev.Param(True)).item["checked"] is True
    with pytest.raises(EvalvizError, match="'gpt-5', which is not a value of column 'model'"):
        ev.radio_group(data, "model", target=ev.Param("gpt-5"))
