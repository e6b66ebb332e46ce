"""The faults a new user and an attacker found in the score charts (scores_by_task, scores_by_model,
scores_by_factor), checked in Chromium and against values computed here with DuckDB, scipy and exact fractions."""

from __future__ import annotations

import math
import re
from fractions import Fraction

import duckdb
import pyarrow as pa
import pytest
from scipy.stats import norm

import evalviz as ev

INF = float("inf")
NAN = float("nan")


def marks(page, name: str, index: int = 0) -> list:
    """The drawn items of the marks named `name` (in any panel)."""
    return [i for i in page.items(index) if i.role == "mark" and (i.name or "").endswith(f"{name}_marks")]


def rows_of(chart: ev.Component, name: str = "scores") -> list[dict]:
    return chart.datasets[name].to_pylist()


def grouped(table: pa.Table, sql: str) -> list[tuple]:
    db = duckdb.connect()
    db.register("evals", table)
    return db.sql(sql).fetchall()


# -- 1. keys: typed values, never their text ----------------------------------------------------------------------
def test_null_and_the_text_null_and_coinciding_names_stay_apart(render) -> None:
    table = pa.table({
        "model_display_name": [None, "(null)", "a", "a \u00b7 b", "a", "a \u00b7 b"],
        "model": ["n1", "n2", "b \u00b7 c", "c", "x", "y"],
        "task_name": ["t"] * 6,
        "score_headline_value": [0.1, 0.9, 0.2, 0.8, 0.5, 0.6],
    })
    expected = sorted(v for (v,) in grouped(table, "SELECT avg(score_headline_value) FROM evals "
                                                   "GROUP BY model_display_name, model"))
    chart = ev.scores_by_task(table)
    assert sorted(r["value"] for r in rows_of(chart)) == pytest.approx(expected)  # six bars, none averaged
    page = render(chart)
    bars = marks(page, "scores")
    assert sorted(b.datum["value"] for b in bars) == pytest.approx(expected)
    drawn = page.legend_labels()
    assert drawn.count("a \u00b7 b \u00b7 c") == 2  # two models whose labels coincide: two entries
    tips = {page.hover(b)["Model"] for b in bars}
    assert {"a \u00b7 b \u00b7 c", "a \u00b7 x", "a \u00b7 b \u00b7 y"} <= tips


def test_a_null_level_and_the_text_null_are_two_levels() -> None:
    table = pa.table({"model": ["m"] * 4, "task_name": ["t1", "t1", "t2", "t2"],
                      "score_headline_value": [0.2, 0.4, 0.6, 0.8], "f": [None, "(null)", None, "(null)"]})
    rows = rows_of(ev.scores_by_factor(table, "f"))
    expected = dict(grouped(table, "SELECT f IS NULL, avg(score_headline_value) FROM evals GROUP BY ALL"))
    assert [r["level_label"] for r in rows] == ["(null)", "(null)"]
    assert len({r["level"] for r in rows}) == 2
    by_null = {r["level"] == "(null)": r["value"] for r in rows}  # the text sorts first, NULL last
    assert by_null[True] == pytest.approx(expected[False]) and by_null[False] == pytest.approx(expected[True])


# -- 2. the same rows read as scores_heatmap reads them -----------------------------------------------------------
def consistency_table() -> pa.Table:
    return pa.table({
        "model_display_name": ["A", "A", "A", "A", "B", "B", "B", "B"],
        "task_display_name": ["t1", "t2", "t2", "t3", "t1", "t2", "t3", "t3"],
        "score_headline_value": [0.5, 0.6, 0.7, None, 0.4, 0.3, 0.9, 0.5],
        "score_headline_stderr": [0.1, 0.05, None, None, 0.02, 0.03, 0.04, 0.05],
        "status": ["success", "success", "success", "error", "success", "success", "success", "started"],
        "error_message": ["a warning, not an error", None, None, "RuntimeError: boom", None, None, None, None],
        "completed_samples": [40, 100, 100, 0, 100, 100, 100, 3],
        "total_samples": [100, 100, 100, 100, 100, 100, 100, 100],
    })


def test_statuses_notes_values_and_intervals_match_scores_heatmap() -> None:
    table = consistency_table()
    heatmap = {(r["y"], r["x"]): r for r in ev.scores_heatmap(table).datasets["cells"].to_pylist()}
    scores = {(r["model"], r["task"]): r for r in rows_of(ev.scores_by_task(table))}
    assert set(heatmap) == set(scores)
    ratio = norm.ppf(0.975) / 1.96  # the heatmap's intervals are at 1.96 standard errors
    for key, cell in heatmap.items():
        mark = scores[key]
        assert (mark["status"], mark["note"], mark["n"]) == (cell["status"], cell["note"], cell["n"]), key
        assert mark["value"] == pytest.approx(cell["value"])
        for end in ("low", "high"):
            if cell[end] is None:
                assert mark[end] is None, key
            else:
                half = (cell[end] - cell["value"]) * ratio
                assert mark[end] == pytest.approx(cell["value"] + half), key
    assert scores[("A", "t1")]["status"] == "partly failed"  # 40 of 100 samples; its error_message is no error
    assert scores[("A", "t1")]["note"] == "partly failed: 40 of 100 samples completed"
    assert scores[("A", "t2")]["low"] is None  # one of its two runs has no stderr: in both charts
    assert scores[("A", "t2")]["interval"] == "none: 1 of 2 rows have no stderr"
    assert scores[("B", "t3")]["note"] == "partly failed: 1 of 2 rows failed: did not finish (started)"


# -- 3. partly failed marks are marked ------------------------------------------------------------------------
def test_a_partly_failed_bar_carries_a_marker_at_its_end(render) -> None:
    page = render(ev.scores_by_task(consistency_table()))
    bars = {(b.datum["model"], b.datum["task"]): b for b in marks(page, "scores")}
    flags = [f for f in marks(page, "flags") if f.datum["status"] == "partly failed"]
    assert {(f.datum["model"], f.datum["task"]) for f in flags} == {("A", "t1"), ("B", "t3")}
    for flag in flags:
        bar = bars[(flag.datum["model"], flag.datum["task"])]
        assert flag.center[1] == pytest.approx(bar.y, abs=1)  # at the top of its bar
        assert bar.x <= flag.center[0] <= bar.x + bar.width
    assert "partly failed" in page.legend_labels()
    assert page.hover(flags[0])["Status"].startswith("partly failed: ")


# -- 4. wrong intervals are refused, naming the row -------------------------------------------------------------
@pytest.mark.parametrize(("columns", "message"), [
    ({"score_headline_stderr": [0.1, -0.2]}, r"model 'b', task 't'.*standard error is negative \(-0.2 in "
                                             r"'score_headline_stderr'\)"),
    ({"low": [0.1, 0.5], "high": [0.9, 0.3]}, r"model 'b', task 't'.*low 0.5 above high 0.3.*'low' and 'high'"),
    ({"low": [0.6, 0.1], "high": [0.9, 0.9]}, r"model 'a', task 't'.*score 0.5 .*outside its interval \[0.6, 0.9\]"),
])
def test_wrong_intervals_are_refused_naming_the_row(columns, message) -> None:
    table = pa.table({"model": ["a", "b"], "task_name": ["t", "t"], "score_headline_value": [0.5, 0.4], **columns})
    for view in (ev.scores_by_task, ev.scores_by_model):
        with pytest.raises(ev.EvalvizError, match=message):
            view(table)


# -- 5. overflow ------------------------------------------------------------------------------------------------
def test_huge_scores_and_stderrs_are_drawn_and_infinities_flagged(render) -> None:
    big = 1.5e308
    table = pa.table({"model": ["a", "a", "b", "c"], "task_name": ["t"] * 4,
                      "score_headline_value": [big, big * 0.9, 3.0, INF],
                      "score_headline_stderr": [1e300, 1e300, 1e200, 0.1]})
    chart = ev.scores_by_task(table)
    rows = {r["model"]: r for r in rows_of(chart)}
    assert rows["a"]["value"] == pytest.approx(float((Fraction(big) + Fraction(big * 0.9)) / 2))
    se = math.hypot(1e300, 1e300) / 2  # its squares overflow
    assert rows["a"]["high"] - rows["a"]["value"] == pytest.approx(norm.ppf(0.975) * se, rel=1e-6)
    assert rows["b"]["low"] == pytest.approx(3.0 - norm.ppf(0.975) * 1e200)
    assert rows["c"]["status"] == "infinite" and rows["c"]["note"] == "inf"
    page = render(chart)
    bars = {b.datum["model"]: b for b in marks(page, "scores")}
    assert bars["a"].height > 100  # drawn, not vanished
    flags = [f for f in marks(page, "flags") if f.datum["status"] == "infinite"]
    assert len(flags) == 1 and "infinite" in page.legend_labels()
    assert page.hover(flags[0])["Status"] == "inf"


# -- 6. large charts ------------------------------------------------------------------------------------------------
def many(models: int, tasks: int, *, width: int = 3) -> pa.Table:
    names = [f"model {m:0{width}d}" for m in range(models) for _ in range(tasks)]
    scores = [((m * 7 + t * 3) % 10) / 10 for m in range(models) for t in range(tasks)]
    return pa.table({"model": names, "task_name": [f"task {t}" for _ in range(models) for t in range(tasks)],
                     "score_headline_value": scores})


def test_a_large_chart_grows_shows_every_model_and_says_when_colours_repeat(render) -> None:
    chart = ev.scores_by_task(many(30, 12))
    assert chart.spec["width"] > 700
    page = render(chart)
    bars = marks(page, "scores")
    assert len(bars) == 360 and min(b.width for b in bars) >= 3
    labels = page.legend_labels()
    assert all(f"model {m:03d}" in labels for m in range(30))  # the legend holds every model
    first = {b.datum["model"]: b.fill for b in bars if b.datum["task"] == "task 0"}
    assert len({first[f"model {m:03d}"] for m in range(20)}) == 20  # twenty colours for twenty models
    assert "30 models share 20 colours" in " ".join(page.title_texts())


def test_bars_too_thin_even_at_the_cap_are_said_and_labels_stay_in_the_chart(render) -> None:
    chart = ev.scores_by_task(many(300, 12))
    assert chart.spec["width"] == 10_000
    said = " ".join(chart.spec["title"]["text"])
    assert "3,600 bars leave each" in said and "pixels wide" in said and "scores_heatmap" in said
    legend = chart.spec["layer"][0]["encoding"]["color"]["legend"]
    assert f"The legend shows {legend['symbolLimit']} of 300 entries" in said
    long_tasks = many(4, 8).set_column(1, "task_name", pa.array([f"a rather long task name {t}" for _ in range(4)
                                                                 for t in range(8)]))
    page = render(ev.scores_by_task(long_tasks))
    chart_box = page.chart().bounding_box()
    left = page.chart().evaluate("el => Math.min(...[...el.querySelectorAll('g.role-axis-label text')]"
                                 ".map(t => t.getBoundingClientRect().left))")
    assert left >= chart_box["x"]  # the first slanted label is not cut at the left


def test_many_models_and_tasks_keep_a_sensible_height_and_say_so() -> None:
    chart = ev.scores_by_model(many(200, 50))
    panels = [p for row in chart.spec["vconcat"] for p in row["hconcat"]]
    rows = len(chart.spec["vconcat"])
    assert rows * (panels[0]["height"] + 70) <= 5_000
    assert "capped" in " ".join(chart.spec["title"]["text"])


def test_scores_by_factor_slants_crowded_model_labels() -> None:
    table = many(200, 2).append_column("f", pa.array([t % 2 == 0 for _ in range(200) for t in range(2)]))
    chart = ev.scores_by_factor(table, "f")
    assert chart.spec["layer"][0]["encoding"]["x"]["axis"]["labelAngle"] != 0


# -- 7. a model keeps its colour --------------------------------------------------------------------------------
def test_a_model_keeps_its_colour_in_charts_sorted_differently(render) -> None:
    table = many(5, 2, width=1)
    reversed_rows = table.take(list(range(table.num_rows))[::-1])
    fills = []
    for data in (table, reversed_rows):
        page = render(ev.scores_by_task(data))
        fills.append({b.datum["model"]: b.fill for b in marks(page, "scores")})
    assert fills[0] == fills[1]


# -- 8. ci ------------------------------------------------------------------------------------------------------------
def test_a_fraction_ci_works_and_given_intervals_say_ci_does_not_apply() -> None:
    table = pa.table({"model": ["a"], "task_name": ["t"], "score_headline_value": [0.5],
                      "score_headline_stderr": [0.1]})
    row = rows_of(ev.scores_by_task(table, ci=Fraction(9, 10)))[0]
    assert row["high"] == pytest.approx(0.5 + norm.ppf(0.95) * 0.1)
    assert "90% CI from stderr" in row["interval"]
    given = pa.table({"model": ["a"], "task_name": ["t"], "score_headline_value": [0.5], "low": [0.2],
                      "high": [0.7]})
    chart = ev.scores_by_task(given, ci=0.9)
    assert "ci=0.9 does not apply" in rows_of(chart)[0]["interval"]
    assert "ci=0.9 does not apply" in " ".join(chart.spec["title"]["text"])


# -- 9. a factor averages tasks, not rows ---------------------------------------------------------------------------
def test_scores_by_factor_averages_per_task_first(render) -> None:
    table = pa.table({
        "model": ["m"] * 5 + ["n"] * 2,
        "task_name": ["t1", "t1", "t2", "t3", "t4", "t1", "t3"],
        "score_headline_value": [0.2, 0.4, 0.9, 0.5, 0.7, 0.6, 0.4],
        "score_headline_stderr": [0.1, 0.1, 0.05, 0.05, 0.02, 0.1, 0.1],
        "f": [True, True, True, False, False, True, False],
    })
    expected = {(m, f): (v, se) for m, f, v, se in grouped(table, """
        SELECT model, f, avg(v), sqrt(sum(se * se)) / count(*) FROM (
            SELECT model, f, task_name, avg(score_headline_value) AS v,
                   sqrt(sum(score_headline_stderr ^ 2)) / count(*) AS se
            FROM evals GROUP BY ALL) GROUP BY ALL""")}
    chart = ev.scores_by_factor(table, "f")
    z = norm.ppf(0.975)
    for row in rows_of(chart):
        value, se = expected[(row["model"], row["level"] == "true")]
        assert row["value"] == pytest.approx(value)  # t1 run twice counts once
        assert (row["low"], row["high"]) == pytest.approx((max(0, value - z * se), min(1, value + z * se)))
    page = render(chart)
    point = next(b for b in marks(page, "scores") if b.datum["model"] == "m" and b.datum["level"] == "true")
    tip = page.hover(point)
    assert tip["Tasks"] == "t1, t2" and tip["Rows"] == "3"
    assert page.legend_titles()[0] == "f" and page.legend_labels()[:2] == ["false", "true"]
    assert "hold different tasks" in " ".join(page.title_texts())


# -- 10. why an interval is missing ---------------------------------------------------------------------------------
def test_the_tooltip_says_why_an_interval_is_missing(render) -> None:
    table = pa.table({"model": ["nan", "inf", "none", "mixed", "mixed"], "task_name": ["t"] * 5,
                      "score_headline_value": [0.5, 0.5, 0.5, 0.4, 0.6],
                      "score_headline_stderr": [NAN, INF, None, 0.1, None]})
    page = render(ev.scores_by_task(table))
    tips = {b.datum["model"]: page.hover(b) for b in marks(page, "scores")}
    assert tips["nan"]["Interval"] == tips["inf"]["Interval"] == "none: 1 of 1 rows have a NaN or infinite stderr"
    assert tips["none"]["Interval"] == "none: 1 of 1 rows have no stderr"
    assert tips["mixed"]["Interval"] == "none: 1 of 2 rows have no stderr"
    one_end = pa.table({"model": ["a"], "task_name": ["t"], "score_headline_value": [0.5], "low": [0.2],
                        "high": pa.array([None], pa.float64())})
    assert rows_of(ev.scores_by_task(one_end))[0]["interval"] == "none: 1 of 1 rows only give one end of their interval"


# -- 11. factor levels ------------------------------------------------------------------------------------------------
def test_a_one_level_factor_says_so() -> None:
    table = pa.table({"model": ["a", "b"], "task_name": ["t", "t"], "score_headline_value": [0.5, 0.4],
                      "f": [True, True]})
    with pytest.raises(ev.EvalvizError, match=r"'f' has only one: 'true'.*scores_by_model or scores_by_task") as e:
        ev.scores_by_factor(table, "f")
    assert "two of them" not in str(e.value)


# -- 12. small sizes --------------------------------------------------------------------------------------------------
def test_a_narrow_chart_keeps_its_subtitle_and_a_low_one_is_refused_with_the_least_height(render,
                                                                                          evals_path) -> None:
    evals = ev.Data.from_file(evals_path)
    with pytest.raises(ev.EvalvizError, match=r"height=20 leaves no room for the plot.*Give height=\d+ or more") \
            as refused:
        ev.scores_by_task(evals, height=20)
    least = int(re.search(r"Give height=(\d+)", str(refused.value)).group(1))
    assert ev.scores_by_task(evals, height=least).spec["height"] == least  # the least height named is taken
    page = render(ev.scores_by_task(evals, width=200))
    box = page.chart().bounding_box()
    titles = page.chart().evaluate("el => [...el.querySelectorAll('g.role-title text')].map(t => {"
                                   "const b = t.getBoundingClientRect(); return [b.left, b.right]; })")
    assert titles and all(left >= box["x"] - 0.5 for left, _ in titles)
    assert "pixels wide" in " ".join(page.title_texts())  # 20 bars in 200 pixels: too thin, and said
