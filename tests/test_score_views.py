"""The score charts (issue 11): scores_by_task, scores_by_model and scores_by_factor, read back from Chromium and
checked against values computed here with DuckDB and scipy."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from scipy.stats import norm

import evalviz as ev
from evalviz.errors import ColumnTypeError, MissingColumnError

HOSTILE = '<img src=x onerror=alert(1)> "quoted" \'single\' ' + "x" * 200


def expected_scores(table: pa.Table, keys: str, ci: float = 0.95) -> dict[tuple, dict]:
    """Per group of `keys`: the mean score of the rows that ran, their count, and the stderr-based interval (the
    standard error of a mean of k estimates, sqrt(sum se^2) / k), clamped to [0, 1] when every score lies there."""
    z = norm.ppf(0.5 + ci / 2)
    db = duckdb.connect()
    db.register("evals", table)
    rows = db.sql(f"""
        SELECT {keys}, count(*) AS n,
               avg(score_headline_value) FILTER (WHERE status = 'success') AS value,
               sqrt(sum(score_headline_stderr ^ 2) FILTER (WHERE status = 'success'))
                   / count(score_headline_value) FILTER (WHERE status = 'success') AS se
        FROM evals GROUP BY ALL""").fetchall()
    bounded = db.sql("SELECT min(score_headline_value) >= 0 AND max(score_headline_value) <= 1 "
                         "FROM evals WHERE status = 'success'").fetchall()[0][0]
    found = {}
    for *key, n, value, se in rows:
        low = high = None
        if value is not None and se is not None:
            low, high = value - z * se, value + z * se
            if bounded:
                low, high = max(0.0, low), min(1.0, high)
        found[tuple(key)] = {"value": value, "n": n, "low": low, "high": high}
    return found


def evals_with_repeats(evals_path: Path) -> pa.Table:
    """The example evals with a second run of one eval (another score): that pair averages two rows."""
    return duckdb.sql(f"""
        SELECT model_display_name, model, task_display_name, task_name, score_headline_value,
               score_headline_stderr, score_headline_name, status, log_viewer
        FROM '{evals_path}'
        UNION ALL
        SELECT model_display_name, model, task_display_name, task_name, 0.5, 0.07, score_headline_name, status,
               log_viewer
        FROM '{evals_path}' WHERE model = 'mockllm/atlas-small' AND task_name = 'arithmetic'""").to_arrow_table()


def failing_evals() -> pa.Table:
    """Two tasks: a hostile model name, a failed eval (with a message), an eval without a score, a
    javascript: link, and a model with two runs."""
    return pa.table({
        "model_display_name": [HOSTILE, "Broken", "Twice", "Twice", HOSTILE, "Broken", "Twice"],
        "task_display_name": ["t1", "t1", "t1", "t1", "t2", "t2", "t2"],
        "score_headline_value": [0.9, None, 0.5, 0.7, 0.2, None, 0.4],
        "score_headline_stderr": [0.1, None, 0.05, 0.05, 0.1, None, 0.1],
        "status": ["success", "error", "success", "success", "success", "success", "success"],
        "error_message": [None, "RuntimeError: <b>boom</b>", None, None, None, None, None],
        "log_viewer": ["javascript:alert(1)", "https://logs.example.com/broken", "https://logs.example.com/a",
                       "https://logs.example.com/b", "https://logs.example.com/c", None,
                       "https://logs.example.com/d"],
    })


def marks(page, name: str, index: int = 0) -> list:
    """The drawn items of the marks named `name` (in any panel)."""
    return [i for i in page.items(index) if i.role == "mark" and (i.name or "").endswith(f"{name}_marks")]


def test_scores_by_task_draws_every_mean_and_interval(render, evals_path: Path) -> None:
    table = evals_with_repeats(evals_path)
    expected = expected_scores(table, "model_display_name, task_display_name")
    page = render(ev.scores_by_task(table))
    bars = marks(page, "scores")
    assert len(bars) == len(expected) == 20
    heights = []
    for bar in bars:
        want = expected[(bar.datum["model"], bar.datum["task"])]
        assert bar.datum["value"] == pytest.approx(want["value"])
        assert (bar.datum["low"], bar.datum["high"]) == pytest.approx((want["low"], want["high"]))
        assert bar.datum["n"] == want["n"]
        heights.append(bar.height / want["value"])
    assert max(heights) - min(heights) < 1  # every bar is drawn to its value on one axis
    assert page.axis_labels("y")[-1] == "1.0"  # clamped intervals: the axis ends at 1
    assert len(marks(page, "intervals")) == 20
    repeated = next(b for b in bars if b.datum["model"] == "Atlas Small" and b.datum["task"] == "Arithmetic")
    tip = page.hover(repeated)
    want = expected[("Atlas Small", "Arithmetic")]
    assert tip["Score"] == f"{want['value']:.3f}" and tip["Rows"] == "2"
    assert tip["Interval"] == f"[{want['low']:.3f}, {want['high']:.3f}] (95% CI from stderr)"
    assert tip["Scorer"] == "match" and tip["Task"] == "Arithmetic"
    assert "mean of its rows (up to 2)" in " ".join(page.title_texts())


def test_a_click_opens_only_http_links_and_failures_are_drawn(render) -> None:
    table = failing_evals()
    page = render(ev.scores_by_task(table, ci=0.9))
    bars = {(b.datum["model"], b.datum["task"]): b for b in marks(page, "scores")}
    assert page.click_opens(bars[("Twice", "t1")]) == "https://logs.example.com/a"
    assert page.click_opens(bars[(HOSTILE, "t1")]) is None  # javascript: stays text
    expected = expected_scores(table, "model_display_name, task_display_name", ci=0.9)
    assert bars[("Twice", "t1")].datum["value"] == pytest.approx(expected[("Twice", "t1")]["value"])
    assert bars[("Twice", "t1")].datum["high"] == pytest.approx(expected[("Twice", "t1")]["high"])
    unscored = {(m.datum["task"], m.datum["status"]): m for m in marks(page, "flags")}
    assert set(unscored) == {("t1", "error"), ("t2", "no data")}
    assert page.hover(unscored[("t1", "error")])["Status"] == "error: RuntimeError: <b>boom</b>"
    assert page.hover(unscored[("t2", "no data")])["Status"] == "no value (NaN or empty)"
    assert page.click_opens(unscored[("t1", "error")]) == "https://logs.example.com/broken"
    assert {"no data", "error"} <= set(page.legend_labels())
    drawn = page.texts("g.role-legend-label text")
    assert any(label.startswith("<img src") and label.endswith("xxx") for label in drawn)  # drawn as text, cut
    assert page.chart().locator("img").count() == 0
    assert page.hover(bars[(HOSTILE, "t1")])["Model"] == HOSTILE  # whole and as text in the tooltip
    assert "<img" not in page.tooltip_html()


def test_scores_by_model_small_multiples_sorted_with_a_baseline(render, evals_path: Path) -> None:
    table = evals_with_repeats(evals_path)
    expected = expected_scores(table, "model_display_name, task_display_name")
    db = duckdb.connect()
    db.register("evals", table)
    order = [m for (m,) in db.sql(
        "SELECT model_display_name FROM (SELECT model_display_name, task_display_name, "
        "avg(score_headline_value) AS v FROM evals GROUP BY ALL) GROUP BY ALL ORDER BY avg(v) DESC").fetchall()]
    page = render(ev.scores_by_model(table, baseline=0.5, title="By model"))
    tasks = sorted({task for _, task in expected})
    assert sorted(t for t in page.title_texts() if t in tasks) == tasks  # one titled panel per task
    # Four panels in two rows: the first panel of each row labels the models, best model on top.
    assert page.axis_labels_in_order("y") == order + order
    bars = marks(page, "scores")
    assert len(bars) == 20
    for bar in bars:
        want = expected[(bar.datum["model"], bar.datum["task"])]
        assert bar.datum["value"] == pytest.approx(want["value"])
        assert (bar.datum["low"], bar.datum["high"]) == pytest.approx((want["low"], want["high"]))
    rules = marks(page, "baseline")
    assert len(rules) == len(tasks)
    assert [label.text for label in marks(page, "baseline_label")] == ["baseline 0.5"] * len(tasks)
    first = [b for b in bars if b.datum["task"] == bars[0].datum["task"]]
    left = min(b.x for b in first)
    scale = max(b.width / b.datum["value"] for b in first)
    rule = min(rules, key=lambda r: abs(r.x - (left + 0.5 * scale)))
    assert rule.x == pytest.approx(left + 0.5 * scale, abs=1)  # the rule sits at 0.5 on the score axis


def test_scores_by_factor_compares_two_levels(render, evals_path: Path) -> None:
    table = duckdb.sql(f"SELECT *, task_name IN ('arithmetic', 'logic_puzzles') AS reasoning "
                       f"FROM '{evals_path}'").to_arrow_table()
    expected = expected_scores(table, "model_display_name, reasoning")
    page = render(ev.scores_by_factor(table, "reasoning", ("Other tasks", "Reasoning tasks"), mark="point"))
    points = marks(page, "scores")
    assert len(points) == 10
    names = {"Other tasks": False, "Reasoning tasks": True}
    for point in points:
        want = expected[(point.datum["model"], names[point.datum["level"]])]
        assert point.datum["value"] == pytest.approx(want["value"]) and point.datum["n"] == want["n"] == 2
        assert (point.datum["low"], point.datum["high"]) == pytest.approx((want["low"], want["high"]))
    assert page.legend_labels()[:2] == ["Other tasks", "Reasoning tasks"]
    tip = page.hover(points[0])
    assert tip["reasoning"] in names and tip["Rows"] == "2" and ", " in tip["Tasks"]


def test_a_factor_needs_two_levels(evals_path: Path) -> None:
    evals = ev.Data.from_file(evals_path)
    with pytest.raises(ev.EvalvizError, match=r"'task_name' has 4: 'arithmetic', 'capitals', 'logic_puzzles'"):
        ev.scores_by_factor(evals, "task_name")
    with pytest.raises(ev.EvalvizError, match="factor_labels"):
        ev.scores_by_factor(evals.derive("SELECT *, epochs > 0 AS e FROM this UNION ALL "
                                         "SELECT *, false FROM this"), "e", ("only one",))
    labelled = ev.scores_by_factor(evals.derive("SELECT *, task_name = 'spelling' AS spelling FROM this"),
                                   "spelling", {True: "Spelling", False: "Others"})
    assert set(labelled.datasets["scores"]["level"].to_pylist()) == {"Spelling", "Others"}


def test_intervals_from_low_high_are_used_as_given_and_never_combined() -> None:
    table = pa.table({"model": ["a", "b", "b", "c"], "task_name": ["t"] * 4,
                      "score_headline_value": [0.5, 0.2, 0.4, 1.0], "low": [0.3, 0.1, 0.2, 0.9],
                      "high": [0.7, 0.3, 0.6, 1.2]})
    rows = {r["model"]: r for r in ev.scores_by_task(table).datasets["scores"].to_pylist()}
    assert (rows["a"]["low"], rows["a"]["high"]) == (0.3, 0.7)
    assert rows["a"]["interval"] == "[0.300, 0.700] (interval from low/high)"
    assert rows["b"]["low"] is None and rows["b"]["value"] == pytest.approx(0.3)
    assert rows["b"]["interval"] == "none: the intervals of 2 rows do not combine"
    assert rows["c"]["high"] == 1.0 and "clamped to [0, 1]" in rows["c"]["interval"]


def test_unbounded_scores_keep_their_intervals() -> None:
    table = pa.table({"model": ["a", "b"], "task_name": ["t", "t"], "score_headline_value": [3.0, 0.1],
                      "score_headline_stderr": [1.0, 0.2]})
    chart = ev.scores_by_model(table, ci=0.8)
    rows = {r["model"]: r for r in chart.datasets["scores"].to_pylist()}
    z = norm.ppf(0.9)
    assert rows["b"]["low"] == pytest.approx(0.1 - 0.2 * z)  # below zero: not clamped
    assert rows["a"]["high"] == pytest.approx(3.0 + z)
    assert "80% CI from stderr" in rows["a"]["interval"]
    assert chart.spec["layer"][0]["encoding"]["x"]["scale"]["domain"][1] == pytest.approx(3.0 + z)


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda d: ev.scores_by_task(d, ci=1.5), ev.EvalvizError, r"ci is a confidence level between 0 and 1"),
    (lambda d: ev.scores_by_model(d, ci=0), ev.EvalvizError, r"ci is a confidence level"),
    (lambda d: ev.scores_by_task(d, score_value="scroe"), MissingColumnError, r"'scroe'.*Columns present: 'eval_id'"),
    (lambda d: ev.scores_by_task(d, score_value="model"), ColumnTypeError, r"'model' holds text, not numbers"),
    (lambda d: ev.scores_by_model(d, mark="line"), ev.EvalvizError, r"mark is 'bar'"),
    (lambda d: ev.scores_by_model(d, baseline=50), ev.EvalvizError, r"baseline=50 lies outside \[0, 1\]"),
    (lambda d: ev.scores_by_model(d, sort="best"), ev.EvalvizError, r"sort='best' is not understood"),
    (lambda d: ev.scores_by_factor(d, "no_such"), MissingColumnError, r"'no_such'"),
    (lambda d: ev.scores_by_task(d, colour="red"), ev.EvalvizError, r"scores_by_task has no argument 'colour'"),
])
def test_bad_arguments_are_refused_by_name(evals_path: Path, call, error, message) -> None:
    with pytest.raises(error, match=message):
        call(ev.Data.from_file(evals_path))


def test_every_score_view_writes_finite_json(evals_path: Path) -> None:
    evals = ev.Data.from_file(evals_path)
    for chart in (ev.scores_by_task(evals), ev.scores_by_model(evals), ev.scores_by_task(failing_evals())):
        for table in chart.datasets.values():
            for column in table.columns:
                if pa.types.is_floating(column.type):
                    assert all(v is None or math.isfinite(v) for v in column.to_pylist())
