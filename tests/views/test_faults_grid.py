"""Faults of the heatmap views found by trying them as users would (issue 10), without a browser: non-finite
numbers, cells keyed by text, unchecked arguments, and what an inspect_ai user sees in the cells' data.

Every table is written to a real file or held by DuckDB; expected values are computed apart, with DuckDB or numpy.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import evalviz as ev
from evalviz.views.colors import INFINITE_COLOR
from evalviz.views.options import MAX_PIXELS
from grid_cells import cell, cells, parquet

INF = float("inf")








def color_domain(chart: ev.Component) -> list[float]:
    colored = [layer for layer in chart.spec["layer"] if "color" in layer.get("encoding", {})]
    return colored[0]["encoding"]["color"]["scale"]["domain"]


def flag_domain(chart: ev.Component) -> list[str]:
    flagged = [layer for layer in chart.spec["layer"] if "fill" in layer.get("encoding", {})]
    return flagged[0]["encoding"]["fill"]["scale"]["domain"] if flagged else []


def assert_json_clean(chart: ev.Component) -> None:
    """The spec is strict JSON, and the HTML page of the chart is written."""
    json.dumps(chart.spec, allow_nan=False)
    assert "evalviz-payload" in chart.to_html()


# -- 1. non-finite numbers -----------------------------------------------------------------------------------
@pytest.fixture
def evals_with_inf(tmp_path: Path) -> ev.Data:
    """Scores in [0.2, 0.9] and one inf, with inspect_ai's column names."""
    return parquet(tmp_path, "evals", model_display_name=["a", "a", "b", "b", "c", "c"],
                   task_display_name=["t1", "t2", "t1", "t2", "t1", "t2"],
                   score_headline_value=[0.2, 0.9, INF, 0.5, 0.4, -INF],
                   score_headline_stderr=[0.01, 0.02, 0.03, INF, 0.01, 0.01])


def test_one_inf_keeps_the_colour_domain_finite_and_the_chart_writable(evals_with_inf: ev.Data,
                                                                       tmp_path: Path) -> None:
    chart = ev.scores_heatmap(evals_with_inf)
    finite = evals_with_inf.sql(
        "SELECT min(score_headline_value) AS lo, max(score_headline_value) AS hi FROM this "
        "WHERE isfinite(score_headline_value)").to_pylist()[0]
    assert 0 <= finite["lo"] and finite["hi"] <= 1
    assert color_domain(chart) == [0.0, 1.0]  # scores in [0, 1] span [0, 1]; the infinity takes no part
    assert_json_clean(chart)
    assert chart.write_html(tmp_path / "scores.html").read_text().count("evalviz-chart") >= 1
    # The infinite cells are flagged, with their value as their note; their value travels as null.
    plus, minus = cell(chart, x="t1", y="b"), cell(chart, x="t2", y="c")
    assert (plus["status"], plus["note"], plus["value"]) == ("infinite", "inf", None)
    assert (minus["status"], minus["note"], minus["value"]) == ("infinite", "-inf", None)
    assert flag_domain(chart) == ["infinite"]
    # An infinite standard error gives no interval rather than [-inf, inf].
    with_inf_stderr = cell(chart, x="t2", y="b")
    assert with_inf_stderr["status"] == "ok" and with_inf_stderr["low"] is None and with_inf_stderr["high"] is None


def test_static_export_colours_the_finite_cells_apart(evals_with_inf: ev.Data, tmp_path: Path) -> None:
    pytest.importorskip("vl_convert")
    chart = ev.scores_heatmap(evals_with_inf)
    assert chart.write_png(tmp_path / "scores.png").read_bytes().startswith(b"\x89PNG")
    svg = chart.write_svg(tmp_path / "scores.svg").read_text()
    fills = dict(re.findall(r'<path aria-label="Task: (t\d); Model: (?:a); value: [^"]*"[^>]*fill="([^"]*)"', svg))
    assert len(fills) == 2 and fills["t1"] != fills["t2"]  # 0.2 and 0.9 are two colours, not one
    assert svg.count(f'fill="{INFINITE_COLOR}"') >= 2  # the two infinite cells and their legend entry


def test_a_sum_that_overflows_is_flagged_not_drawn(tmp_path: Path) -> None:
    data = parquet(tmp_path, "big", x=["a", "a", "b"], y=["m", "m", "m"], v=[1e308, 1e308, 3.0])
    total = duckdb.sql("SELECT sum(v) FROM (VALUES (1e308::DOUBLE), (1e308::DOUBLE)) t(v)").fetchall()[0][0]
    assert math.isinf(total)  # DuckDB's own sum overflows
    chart = ev.heatmap(data, x="x", y="y", fill="v", agg="sum")
    overflow = cell(chart, x="a")
    assert overflow["status"] == "infinite" and overflow["note"].startswith("inf (") and "overflow" in overflow["note"]
    assert color_domain(chart) == [2.5, 3.5]  # one finite value: the domain gives it room around it
    assert_json_clean(chart)


def test_inf_and_minus_inf_in_one_cell_is_no_value_never_ok(tmp_path: Path) -> None:
    data = parquet(tmp_path, "both", x=["a", "a", "b"], y=["m", "m", "m"], v=[INF, -INF, 0.5])
    mean = duckdb.sql("SELECT avg(v) FROM (VALUES ('inf'::DOUBLE), ('-inf'::DOUBLE)) t(v)").fetchall()[0][0]
    assert math.isnan(mean)
    for agg in ("mean", "median", "sum"):
        both = cell(ev.heatmap(data, x="x", y="y", fill="v", agg=agg), x="a")
        assert both["status"] == "no data" and both["value"] is None
        assert both["note"] == "no value: its rows hold both inf and -inf"


def test_slice_metric_heatmap_with_inf_in_a_grid_and_in_a_long_form_table(tmp_path: Path) -> None:
    grid = ev.slice_metric_heatmap(np.array([[0.1, INF], [0.5, -INF]]), ["r1", "r2"], ["c1", "c2"])
    assert color_domain(grid) == [0.0, 1.0]
    assert [c["status"] for c in cells(grid)] == ["ok", "infinite", "ok", "infinite"]
    assert_json_clean(grid)

    long_form = parquet(tmp_path, "slices", slice=["all", "all", "en"], scorer=["m", "f", "m"],
                        value=[1.5, INF, 2.5], low=[1.0, 0.0, -INF], high=[2.0, INF, 3.0], n=[10, 10, 5])
    chart = ev.slice_metric_heatmap(long_form, row="slice", col="scorer")
    assert color_domain(chart) == [1.5, 2.5]
    assert cell(chart, x="f", y="all")["status"] == "infinite"
    one_sided = cell(chart, x="m", y="en")
    assert (one_sided["low"], one_sided["high"]) == (None, 3.0)  # the infinite end is no number in the chart
    assert_json_clean(chart)


def test_binned_sample_heatmap_with_inf_keeps_its_colour_range_finite(tmp_path: Path) -> None:
    ids = [f"s{i:03d}" for i in range(120)]
    scores = [(i % 5) / 4 for i in range(120)]
    scores[7] = INF
    data = parquet(tmp_path, "samples", id=ids * 2, model_display_name=["m1"] * 120 + ["m2"] * 120,
                   score_match=scores + scores[::-1])
    chart = ev.sample_heatmap(data, score_value="score_match", width=300)
    assert chart.spec["usermeta"]["evalviz"]["drill"] is True  # binned
    assert color_domain(chart) == [0.0, 1.0]
    flagged = [c for c in cells(chart) if c["status"] == "infinite"]
    assert len(flagged) == 2 and {c["note"] for c in flagged} == {"inf"}
    assert_json_clean(chart)
    region = chart.drilldown(flagged[0])
    assert [c["x"] for c in cells(region) if c["status"] == "infinite" and c["y"] == flagged[0]["y"]] == ["s007"]
    assert_json_clean(region)


@pytest.mark.parametrize("attributes", [{"padding": float("nan")}, {"x_tick_rotate": INF}])
def test_no_spec_carries_nan_or_infinity(evals_with_inf: ev.Data, attributes: dict) -> None:
    with pytest.raises(ev.EvalvizError, match=r"finite|NaN"):
        ev.scores_heatmap(evals_with_inf, **attributes)


# -- 5. cells keyed by the values themselves -----------------------------------------------------------------
def test_a_null_task_and_a_task_named_null_are_two_cells(tmp_path: Path) -> None:
    data = parquet(tmp_path, "evals", model_display_name=["a", "a", "a"], task_display_name=[None, "(null)", "x"],
                   score_headline_value=[0.1, 0.7, 0.5])
    expected = data.sql("SELECT count(*) AS k FROM (SELECT DISTINCT task_display_name FROM this)")["k"][0].as_py()
    chart = ev.scores_heatmap(data)
    assert len(cells(chart)) == expected == 3
    nulls = [c for c in cells(chart) if c.get("x_label") == "(null)"]
    assert sorted((c["value"], c["n"]) for c in nulls) == [(0.1, 1), (0.7, 1)]
    assert len({c["x"] for c in nulls}) == 2  # two keys, so two columns of the grid
    encoding = chart.spec["layer"][0]["encoding"]["x"]
    assert len(encoding["scale"]["domain"]) == 3 and "labelExpr" in encoding["axis"]


def test_sample_keys_that_read_alike_are_two_cells(tmp_path: Path) -> None:
    data = parquet(tmp_path, "samples", task_name=["a \u00b7 b", "a", "a \u00b7 b", "a"],
                   id=["c", "b \u00b7 c", "c", "b \u00b7 c"], model_display_name=["m", "m", "m", "m"],
                   score_match=[1.0, 0.0, 1.0, 0.0])
    pairs = data.sql("SELECT task_name, id, avg(score_match) AS v, count(*) AS n FROM this GROUP BY ALL").to_pylist()
    chart = ev.sample_heatmap(data, score_value="score_match")
    drawn = cells(chart)
    assert len(drawn) == len(pairs) == 2
    assert {c["x_label"] for c in drawn} == {"a \u00b7 b \u00b7 c"}  # one label, drawn twice
    assert sorted((c["value"], c["n"]) for c in drawn) == sorted((p["v"], p["n"]) for p in pairs)


def test_a_null_task_beside_a_named_one_still_qualifies_sample_ids(tmp_path: Path) -> None:
    data = parquet(tmp_path, "samples", task_name=[None, "t"], id=["1", "1"], model_display_name=["m", "m"],
                   score_match=[0.0, 1.0])
    drawn = cells(ev.sample_heatmap(data, score_value="score_match"))
    assert sorted(c["x"] for c in drawn) == ["(null) \u00b7 1", "t \u00b7 1"]
    assert sorted(c["value"] for c in drawn) == [0.0, 1.0]


@pytest.fixture
def colliding_samples(tmp_path: Path) -> ev.Data:
    """120 ids x 2 models, plus a NULL id and an id "(null)" with different scores: binned at width 300."""
    rows = [{"id": f"s{i:03d}", "model_display_name": m, "score_match": (i % 7) / 6, "error": ""}
            for i in range(120) for m in ("m1", "m2")]
    rows += [{"id": None, "model_display_name": "m1", "score_match": 0.0, "error": ""},
             {"id": "(null)", "model_display_name": "m1", "score_match": 1.0, "error": ""}]
    path = tmp_path / "colliding.parquet"
    pq.write_table(pa.Table.from_pylist(rows), path)
    return ev.Data.from_file(path)


def test_binned_ranks_and_drill_down_keep_null_apart_from_its_label(colliding_samples: ev.Data) -> None:
    chart = ev.sample_heatmap(colliding_samples, score_value="score_match", width=300)
    regions = chart.drilldown.regions
    x_ranks = regions._x_ranks.to_pylist()
    distinct = colliding_samples.sql("SELECT count(DISTINCT id) + 1 AS k FROM this")["k"][0].as_py()
    assert len(x_ranks) == distinct  # the NULL id is a value of its own
    null_rank = next(r for r in x_ranks if r["x_v"] is None)
    text_rank = next(r for r in x_ranks if r["x_v"] == "(null)")
    assert null_rank["x_label"] == text_rank["x_label"] == "(null)" and null_rank["x"] != text_rank["x"]

    def region_of(rank: dict) -> list[dict]:
        bin_size = math.ceil(len(x_ranks) / len({c["xb"] for c in cells(chart)}))
        datum = next(c for c in cells(chart) if c["xb"] == rank["xr"] // bin_size and c["y"] == "m1")
        return [c for c in cells(chart.drilldown(datum)) if c.get("x_label", c["x"]) == "(null)" and c["y"] == "m1"]

    queried = [region_of(null_rank), region_of(text_rank)]
    regions.keep_in_background()
    assert regions.ready.wait(60) and regions.in_memory
    kept = [region_of(null_rank), region_of(text_rank)]
    assert queried == kept
    for found, value in zip(queried, (0.0, 1.0), strict=True):
        assert value in [c["value"] for c in found]  # each (null) region cell holds its own row, once
        assert all(c["n"] == 1 for c in found if c["value"] is not None)


def test_explicit_order_matches_labels_and_none_names_the_null(tmp_path: Path) -> None:
    data = parquet(tmp_path, "evals", model_display_name=["a", "a", "a"], task_display_name=["x", None, "y"],
                   score_headline_value=[0.1, 0.2, 0.3])
    chart = ev.scores_heatmap(data, sort={"x": ["y", None]})
    assert chart.spec["layer"][0]["encoding"]["x"]["scale"]["domain"] == ["y", "(null)", "x"]


# -- 8. arguments checked by name, before any work -----------------------------------------------------------
@pytest.fixture
def no_columns() -> ev.Data:
    """A table none of the views can draw: a check that runs first must fail before its columns are looked at."""
    return ev.Data.from_sql("SELECT 1 AS unrelated")


@pytest.mark.parametrize("width", [0, -5, "wide", float("nan"), INF, True, MAX_PIXELS + 1, [700]])
@pytest.mark.parametrize("view", ["scores_heatmap", "sample_heatmap", "heatmap", "slice_metric_heatmap",
                                  "diff_plot"])
def test_bad_sizes_are_refused_by_name_before_any_work(no_columns: ev.Data, view: str, width: object) -> None:
    call = {
        "scores_heatmap": lambda **kw: ev.scores_heatmap(no_columns, **kw),
        "sample_heatmap": lambda **kw: ev.sample_heatmap(no_columns, score_value="s", **kw),
        "heatmap": lambda **kw: ev.heatmap(no_columns, x="x", y="y", fill="f", **kw),
        "slice_metric_heatmap": lambda **kw: ev.slice_metric_heatmap(no_columns, **kw),
        "diff_plot": lambda **kw: ev.diff_plot(no_columns, **kw),
    }[view]
    for name in ("width", "height"):
        with pytest.raises(ev.EvalvizError, match=rf"^{name} ") as caught:
            call(**{name: width})
        assert "pixels" in str(caught.value) and repr(width) in str(caught.value)


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"domain": (0, INF)}, "vmax"), ({"domain": ("low", 1)}, "vmin"), ({"domain": 1}, "domain"),
    ({"center": float("nan")}, "center"), ({"cell": {"inset": 1}}, "cell"), ({"x_tick_rotate": "45"}, "x_tick_rotate"),
])
def test_bad_numeric_options_are_refused_by_name(no_columns: ev.Data, kwargs: dict, name: str) -> None:
    with pytest.raises(ev.EvalvizError, match=rf"^{name} "):
        ev.heatmap(no_columns, x="x", y="y", fill="f", **kwargs)


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"inset": -1}, "CellOptions.inset"), ({"corner_radius": "2"}, "CellOptions.corner_radius"),
    ({"annotate": "yes"}, "CellOptions.annotate"), ({"text": 3}, "CellOptions.text"),
])
def test_cell_options_are_checked_when_made(kwargs: dict, name: str) -> None:
    with pytest.raises(ev.EvalvizError, match=rf"^{re.escape(name)} "):
        ev.CellOptions(**kwargs)


def test_slice_metric_heatmap_checks_vmin_vmax_center(no_columns: ev.Data) -> None:
    for kwargs, name in (({"vmin": INF}, "vmin"), ({"vmax": "1"}, "vmax"), ({"center": float("nan")}, "center")):
        with pytest.raises(ev.EvalvizError, match=rf"^{name} "):
            ev.slice_metric_heatmap(no_columns, **kwargs)


def test_sizes_as_floats_and_numpy_numbers_are_taken(tmp_path: Path) -> None:
    data = parquet(tmp_path, "evals", model_display_name=["a"], task_display_name=["t"], score_headline_value=[0.5])
    assert ev.scores_heatmap(data, width=np.int64(640), height=400.0).spec["width"] == 640


def test_a_drill_down_asked_for_a_bin_out_of_range_is_refused(colliding_samples: ev.Data) -> None:
    chart = ev.sample_heatmap(colliding_samples, score_value="score_match", width=300)
    datum = cells(chart)[0]
    for bad in (10**30, -5, 1.5, "3", float("nan")):
        with pytest.raises(ev.EvalvizError, match="no bin xb="):
            chart.drilldown({**datum, "xb": bad})


# -- 10. what an inspect_ai user sees ------------------------------------------------------------------------
@pytest.fixture
def evals_with_failures(tmp_path: Path) -> ev.Data:
    """An evals table as inspect_ai's evals_df writes it: one eval errored, one never finished, one task's
    headline scorer differs, and one pair ran twice with different headline scorers."""
    return parquet(
        tmp_path, "evals",
        model_display_name=["A", "A", "A", "B", "B", "B", "B"],
        task_display_name=["arith", "capitals", "spelling", "arith", "capitals", "spelling", "spelling"],
        status=["success", "error", "success", "started", "success", "success", "success"],
        error_message=[None, "RateLimitError: 429 Too Many Requests", None, None, None, None, None],
        score_headline_name=["includes", None, "graded", None, "includes", "graded", "includes"],
        score_headline_score=["includes", None, "graded", None, "includes", "graded", "includes"],
        score_headline_metric=["accuracy", None, "mean", None, "accuracy", "mean", "accuracy"],
        score_headline_value=[0.95, None, 0.5, None, 0.6, 0.4, 0.8],
        score_headline_stderr=[0.05, None, 0.1, None, 0.1, 0.1, 0.1],
        total_samples=[20, 20, 20, 20, 20, 20, 20],
        log_viewer=["https://logs.example.com/#/a1.eval", None, "https://logs.example.com/#/a3.eval", None,
                    "https://logs.example.com/#/b2.eval", "https://logs.example.com/#/b3.eval",
                    "https://logs.example.com/#/b4.eval"],
    )


def test_failed_and_unfinished_evals_are_error_cells_with_their_message(evals_with_failures: ev.Data) -> None:
    chart = ev.scores_heatmap(evals_with_failures)
    errored, started = cell(chart, x="capitals", y="A"), cell(chart, x="arith", y="B")
    assert errored["status"] == "error" and errored["note"] == "error: RateLimitError: 429 Too Many Requests"
    assert started["status"] == "error" and started["note"] == "error: did not finish (started)"
    assert "error" in flag_domain(chart)
    # Without the status columns the same rows would read as missing data: the defaults are what draws them.
    plain = ev.scores_heatmap(evals_with_failures, status=None, error_message=None)
    assert cell(plain, x="capitals", y="A")["status"] == "no data"


def test_the_headline_scorer_is_named_and_a_mixed_cell_says_so(evals_with_failures: ev.Data) -> None:
    chart = ev.scores_heatmap(evals_with_failures)
    assert cell(chart, x="arith", y="A")["scorer"] == "includes (accuracy)"
    assert cell(chart, x="spelling", y="A")["scorer"] == "graded (mean)"
    mixed = cell(chart, x="spelling", y="B")
    assert mixed["scorer"] == "mixed: graded (mean), includes (accuracy)" and mixed["n"] == 2
    subtitle = " ".join(chart.spec["title"]["subtitle"] if isinstance(chart.spec["title"], dict)
                        and "subtitle" in chart.spec["title"] else chart.spec["title"]["text"])
    assert "different scorers" in subtitle and "graded (mean)" in subtitle and "includes (accuracy)" in subtitle


def test_a_scorer_of_several_scores_names_the_score(tmp_path: Path) -> None:
    data = parquet(tmp_path, "evals", model_display_name=["A", "A"], task_display_name=["t", "u"],
                   score_headline_name=["rubric", "rubric"], score_headline_score=["tone", "rubric"],
                   score_headline_metric=["mean", None], score_headline_value=[0.5, 0.6])
    chart = ev.scores_heatmap(data)
    assert cell(chart, x="t")["scorer"] == "rubric / tone (mean)" and cell(chart, x="u")["scorer"] == "rubric"


def test_the_example_evals_say_their_headlines_mix_scorers(evals_path: Path) -> None:
    data = ev.Data.from_file(evals_path)
    scorers = data.sql("SELECT DISTINCT score_headline_name || ' (' || score_headline_metric || ')' AS s "
                       "FROM this ORDER BY 1")["s"].to_pylist()
    assert len(scorers) > 1  # inspect_ai chose another headline scorer for some tasks
    chart = ev.scores_heatmap(data)
    assert sorted({c["scorer"] for c in cells(chart)}) == scorers
    assert f"different scorers ({'; '.join(scorers)})" in " ".join(chart.spec["title"]["text"])


def test_intervals_of_scores_in_0_1_are_clipped(evals_with_failures: ev.Data) -> None:
    top = cell(ev.scores_heatmap(evals_with_failures), x="arith", y="A")
    assert 0.95 + 1.96 * 0.05 > 1  # the normal approximation reaches past 1 ...
    assert top["low"] == pytest.approx(0.95 - 1.96 * 0.05) and top["high"] == 1.0  # ... the drawn interval not
    # Values beyond [0, 1] keep their intervals as computed.
    wide = ev.Data.from_sql("SELECT 'm' AS model_display_name, 't' AS task_display_name, 5.0 AS "
                            "score_headline_value, 4.0 AS score_headline_stderr")
    row = cells(ev.scores_heatmap(wide))[0]
    assert row["low"] == pytest.approx(5 - 1.96 * 4) and row["high"] == pytest.approx(5 + 1.96 * 4)


def test_errored_samples_are_error_cells_with_their_message(tmp_path: Path) -> None:
    data = parquet(tmp_path, "samples", id=["1", "1", "2", "2"], epoch=[1, 2, 1, 1],
                   model_display_name=["m", "m", "m", "n"], score_match=[1.0, None, 0.0, 1.0],
                   error=["", "RuntimeError: sandbox died", "", ""])
    chart = ev.sample_heatmap(data, score_value="score_match")
    failed = cell(chart, x="1", y="m")  # one epoch of two failed: the other's score, marked partly failed
    assert failed["status"] == "partly failed" and failed["value"] == 1.0
    assert failed["note"] == "partly failed: 1 of 2 rows failed: RuntimeError: sandbox died"
    assert cell(chart, x="2", y="m")["status"] == "ok"


def test_whole_numbers_of_integer_columns_are_drawn_without_decimals(tmp_path: Path) -> None:
    data = parquet(tmp_path, "counts", x=["a", "b", "a"], y=["m", "m", "n"], turns=[6, 1024, 3])
    chart = ev.heatmap(data, x="x", y="y", fill="turns")
    text = [layer for layer in chart.spec["layer"] if layer.get("mark", {}).get("type") == "text"]
    assert text[0]["encoding"]["text"]["format"] == ",.0f"
    # A mean that is not whole keeps decimals; a float column keeps them too.
    halves = parquet(tmp_path, "halves", x=["a", "a"], y=["m", "m"], turns=[6, 7])
    assert '".3f"' in json.dumps(ev.heatmap(halves, x="x", y="y", fill="turns").spec)
    grid = ev.slice_metric_heatmap(np.array([[6, 1024]]))
    assert '",.0f"' in json.dumps(grid.spec) and '".3f"' not in json.dumps(grid.spec)
