"""filter_by / target on diff_plot, scores_by_factor, scores_timeline, scores_by_limit, scores_radar_by_task,
sample_tool_calls and metric_curve, on a standalone page (Chromium, network cut): after a clause is published
through the page's registry, the marks drawn are what DuckDB computes over the filtered rows; a click publishes
the mark's keys; a filter the page cannot answer is named, never drawn wrong; hostile labels stay text. And the
live widget's re-query draws each view again over the kept rows."""

from __future__ import annotations

import math
from typing import Any

import duckdb
import pyarrow as pa
import pytest
from test_chart_filters import note, publish
from test_chart_linking import shared_clauses

import evalviz as ev
from browser import ChartPage
from evalviz.rendering.requery import requeried

HOSTILE = "<img src=x onerror=alert(1)>"
MODELS = {"m-alpha": "Org A", "m-beta": "Org A", "m-gamma": "Org B", HOSTILE: "Org C"}
TASKS = ("arith", "capitals", "logic", "spelling")


def sql(query: str, **tables: pa.Table) -> list[dict[str, Any]]:
    con = duckdb.connect()
    for name, table in tables.items():
        con.register(name, table)
    return con.sql(query).to_arrow_table().to_pylist()


def drawn(page: ChartPage, mark: str, index: int = 0) -> list[dict[str, Any]]:
    return [i.datum for i in page.items(index) if i.name == f"{mark}_marks" and i.datum]


def clicked(page: ChartPage, target: ev.Selection, mark: str, index: int = 0, **datum: Any) -> None:
    """Click the mark whose datum has these values, and wait until `target` holds a clause."""
    item = next(i for i in page.items(index) if i.name == f"{mark}_marks" and i.datum
                and all(i.datum.get(k) == v for k, v in datum.items()))
    page.page.mouse.click(*item.center)
    page.page.wait_for_function("([n]) => globalThis.evalviz.selections.clauses(n).length > 0", arg=[target.name])


def in_clause(column: str, *values: Any, source: str = "input") -> dict[str, Any]:
    return {"source": source, "fields": [column], "op": "in", "value": [[v] for v in values]}


@pytest.fixture(scope="module")
def evals() -> pa.Table:
    """Two runs of each (model, task), one failed; release dates per model; a factor per task."""
    rows: dict[str, list[Any]] = {k: [] for k in ("model", "org", "task", "run", "score", "status", "released",
                                                  "reasoning")}
    for m, (model, org) in enumerate(MODELS.items()):
        for t, task in enumerate(TASKS):
            for run in range(2):
                rows["model"].append(model)
                rows["org"].append(org)
                rows["task"].append(task)
                rows["run"].append(run)
                rows["score"].append(round(((m * 7 + t * 3 + run * 5) % 11) / 10, 2))
                rows["status"].append("error" if (m, t, run) == (1, 2, 1) else "success")
                rows["released"].append(f"2024-0{1 + m % 3}-1{m}")
                rows["reasoning"].append(task in ("arith", "logic"))
    return pa.table(rows)


def score_args() -> dict[str, Any]:
    return {"model_name": "model", "task_name": "task", "score_value": "score", "score_stderr": None}


def test_diff_plot_keeps_whole_rows_its_axis_follows_and_a_click_publishes_the_slice(render) -> None:
    diffs = pa.table({"slice": ["all", "arith", HOSTILE, "logic"], "delta": [0.1, -0.2, 0.3, 0.05],
                      "low": [0.0, -0.3, 0.1, -0.1], "high": [0.2, -0.1, 0.5, 0.2],
                      "family": ["all", "maths", "words", "maths"]})
    families, picked = ev.Selection.intersect(), ev.Selection.single()
    families.add_columns("family", "nope")
    page = render(ev.diff_plot(diffs, filter_by=families, target=picked))
    publish(page, families, in_clause("family", "maths", "all"))
    expected = sql("SELECT slice, delta FROM d WHERE family IN ('maths', 'all') "
                   "ORDER BY slice = 'all' DESC, delta DESC", d=diffs)
    assert {(p["slice"], p["delta"]) for p in drawn(page, "point")} == {(r["slice"], r["delta"]) for r in expected}
    # No band is left for the slice filtered out; the others keep their order (the overall slice on top).
    assert page.axis_labels_in_order("y") == [r["slice"] for r in expected]
    publish(page, families, in_clause("nope", 1, source="other"))
    shown, text, children = note(page)
    assert shown and '"nope"' in text and children == 0
    publish(page, families, in_clause("family", "words"))
    assert HOSTILE in page.axis_labels("y")  # drawn as text: the page opened no dialog (checked by `render`)
    clicked(page, picked, "point", slice=HOSTILE)
    assert [(c["fields"], c["value"]) for c in shared_clauses(page, picked)] == [(["slice"], [[HOSTILE]])]


def test_scores_by_factor_filters_bars_by_organisation_and_names_a_task_filter(render, evals) -> None:
    orgs, picked = ev.Selection.intersect(), ev.Selection.single()
    orgs.add_columns("org", "task")
    page = render(ev.scores_by_factor(evals, "reasoning", filter_by=orgs, target=picked, **score_args()))
    publish(page, orgs, in_clause("org", "Org A"))
    expected = sql("""SELECT model, reasoning, avg(v) AS v FROM (SELECT model, reasoning, task,
                          avg(score) FILTER (WHERE status = 'success') AS v FROM e WHERE org = 'Org A' GROUP BY ALL)
                      GROUP BY ALL""", e=evals)
    bars = {(b["model"], b["level"]): b["value"] for b in drawn(page, "scores")}
    assert bars == pytest.approx({(r["model"], str(r["reasoning"]).lower()): r["v"] for r in expected})
    assert page.axis_labels_in_order("x") == ["m-alpha", "m-beta"]
    publish(page, orgs, in_clause("task", "arith", source="task"))
    shown, text, _ = note(page)
    assert shown and '"task"' in text and "live widget" in text
    clicked(page, picked, "scores", model="m-beta", level="true")
    [clause] = shared_clauses(page, picked)
    assert (clause["fields"], clause["value"]) == (["model", "reasoning"], [["m-beta", True]])


def test_scores_timeline_keeps_points_and_draws_each_frontier_again_over_them(render, evals) -> None:
    orgs = ev.Selection.intersect()
    orgs.add_columns("org")
    chart = ev.scores_timeline(evals, model_organization="org", model_release_date="released", low=None,
                               high=None, filter_by=orgs, **score_args())
    page = render(chart)
    publish(page, orgs, in_clause("org", "Org B", "Org C"))
    expected = sql("""SELECT model, task, v, max(v) OVER (PARTITION BY task ORDER BY d
                          RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS frontier
                      FROM (SELECT model, task, CAST(min(released) AS DATE) AS d,
                                   avg(score) FILTER (WHERE status = 'success') AS v
                            FROM e WHERE org IN ('Org B', 'Org C') GROUP BY ALL)""", e=evals)
    scope = {task: f"c{i // 3}_c{i % 3}_" for i, task in enumerate(sorted(TASKS))}
    points = {(p["model"], p["task"]): p["value"] for task in TASKS for p in drawn(page, f"{scope[task]}points")}
    assert points == pytest.approx({(r["model"], r["task"]): r["v"] for r in expected})
    for task in TASKS:
        steps = {s["model"]: s["frontier"] for s in drawn(page, f"{scope[task]}frontier")}
        assert steps == pytest.approx({r["model"]: r["frontier"] for r in expected if r["task"] == task})
    whole = {(p["model"], p["task"]): p["frontier"] for table in chart.datasets.values() for p in table.to_pylist()}
    assert any(whole.get((r["model"], r["task"]), r["frontier"]) != r["frontier"] for r in expected), \
        "the data must hold a frontier that the filter changes"


def test_scores_by_limit_re_adds_the_kept_samples_into_each_curve_with_its_wilson_band(render) -> None:
    rows = sql("""SELECT ['a', 'b', 'c'][1 + i % 3] AS model, ['t1', 't2'][1 + (i // 3) % 2] AS task,
                         (i * 37) % 1000 + 1 AS total_tokens, CAST((i * 7) % 5 < 3 AS INTEGER) AS score_match,
                         CASE WHEN i % 17 = 0 THEN 'boom' END AS error FROM range(120) t(i)""")
    samples = pa.Table.from_pylist(rows)
    tasks = ev.Selection.intersect()
    tasks.add_columns("task")
    page = render(ev.scores_by_limit(samples, model="model", score="score_match", steps=6, scale="linear",
                                     filter_by=tasks, target=ev.Selection.single()))
    publish(page, tasks, in_clause("task", "t2"))
    lines = drawn(page, "lines")
    assert {line["model"] for line in lines} == {"a", "b", "c"}
    z = 1.959963984540054
    for line in lines:
        [want] = sql(f"""SELECT count(*) FILTER (WHERE coalesce(error, '') = '' AND score_match >= 1
                                                AND total_tokens <= {line['budget']!r}) AS k, count(*) AS n
                         FROM s WHERE task = 't2' AND model = '{line['model']}'""", s=samples)
        p, n = want["k"] / want["n"], want["n"]
        center = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        assert (line["solved"], line["n"]) == (want["k"], n)
        assert line["success_rate"] == pytest.approx(p)
        assert (line["low"], line["high"]) == pytest.approx((max(0, center - half), min(1, center + half)),
                                                            abs=1e-6)
    assert note(page)[0] is False


def test_radar_normalises_again_over_the_models_kept_and_names_a_task_filter(render, evals) -> None:
    models = ev.Selection.intersect()
    models.add_columns("org", "task")
    chart = ev.scores_radar_by_task(evals, filter_by=models, **{k: v for k, v in score_args().items()
                                                                 if k != "score_stderr"})
    chart_vertices = [v for v in chart.datasets["vertices"].to_pylist() if v["raw"] is not None]
    page = render(chart)
    publish(page, models, in_clause("org", "Org A", "Org B"))
    expected = sql("""SELECT model, task, CASE WHEN max(v) OVER t = min(v) OVER t THEN 0.5
                          ELSE (v - min(v) OVER t) / (max(v) OVER t - min(v) OVER t) END AS value
                      FROM (SELECT model, task, avg(score) FILTER (WHERE status = 'success') AS v FROM e
                            WHERE org IN ('Org A', 'Org B') GROUP BY ALL)
                      WINDOW t AS (PARTITION BY task)""", e=evals)
    vertices = {(v["model"], v["task"]): v["value"] for v in drawn(page, "vertices")}
    assert vertices == pytest.approx({(r["model"], r["task"]): r["value"] for r in expected
                                      if r["value"] is not None})
    whole = {(v["model"], v["task"]): v["value"] for v in chart_vertices}
    assert any(not math.isclose(whole[(r["model"], r["task"])], r["value"]) for r in expected
               if r["value"] is not None), "the data must hold a vertex the filter renormalises"
    publish(page, models, in_clause("task", "arith", source="task"))
    shown, text, _ = note(page)
    assert shown and '"task"' in text


def test_sample_tool_calls_keeps_whole_sample_rows(render) -> None:
    calls = pa.Table.from_pylist(sql("""
        SELECT i // 4 AS id, i % 4 AS "order", ['bash', 'python', NULL][1 + i % 3] AS tool_call_function,
               ['t1', 't2'][1 + (i // 4) % 2] AS task FROM range(24) t(i)"""))
    tasks = ev.Selection.intersect()
    tasks.add_columns("task", "tool_call_function")
    page = render(ev.sample_tool_calls(calls, filter_by=tasks, target=ev.Selection.single()))
    publish(page, tasks, in_clause("task", "t2"))
    expected = sql("""SELECT CAST(id AS VARCHAR) AS sample, count(*) AS calls FROM c
                      WHERE task = 't2' AND tool_call_function IS NOT NULL GROUP BY ALL""", c=calls)
    cells = drawn(page, "cells")
    assert {c["sample"] for c in cells} == {r["sample"] for r in expected}
    assert len(cells) == sum(r["calls"] for r in expected)
    assert sorted(page.axis_labels_in_order("y")) == sorted(r["sample"] for r in expected)
    publish(page, tasks, in_clause("tool_call_function", "bash", source="tool"))
    shown, text, _ = note(page)
    assert shown and '"tool_call_function"' in text


def test_metric_curve_keeps_whole_lines_with_their_best_steps_and_a_legend_click_publishes(render) -> None:
    runs = pa.Table.from_pylist(sql("""
        SELECT i % 10 AS step, 'seed' || (i // 10) AS seed, ['lr1', 'lr2'][1 + (i // 10) % 2] AS lr,
               ((i * 13) % 7) / 7 AS accuracy FROM range(40) t(i)"""))
    lrs, picked = ev.Selection.intersect(), ev.Selection.single()
    lrs.add_columns("lr")
    page = render(ev.metric_curve(runs, y="accuracy", series="seed", filter_by=lrs, target=picked))
    publish(page, lrs, in_clause("lr", "lr2"))
    kept = {r["seed"] for r in sql("SELECT DISTINCT seed FROM r WHERE lr = 'lr2'", r=runs)}
    assert {p["series"] for p in drawn(page, "lines")} == kept
    best = sql("""SELECT seed, arg_min(step, -accuracy) AS step FROM (SELECT seed, step, avg(accuracy) AS accuracy
                  FROM r WHERE lr = 'lr2' GROUP BY ALL) GROUP BY seed""", r=runs)
    assert {(b["series"], b["x"]) for b in drawn(page, "best")} == {(r["seed"], r["step"]) for r in best}
    entry = next(i for i in page.items() if i.role == "legend-label" and i.text == "seed1")
    page.page.mouse.click(*entry.center)
    page.page.wait_for_function("([n]) => globalThis.evalviz.selections.clauses(n).length > 0", arg=[picked.name])
    [clause] = shared_clauses(page, picked)
    assert (clause["fields"], clause["value"]) == (["seed"], [["seed1"]])


@pytest.mark.parametrize("view", ["diff", "factor", "timeline", "limit", "radar", "tools", "curve"])
def test_the_live_widget_draws_each_view_again_over_the_kept_rows(view, evals) -> None:
    orgs = ev.Selection.intersect()
    clause = in_clause("org", "Org A")
    kept = evals.filter(pa.compute.equal(evals["org"], "Org A"))
    args = {"filter_by": orgs}
    charts = {
        "factor": lambda d: ev.scores_by_factor(d, "reasoning", **score_args(), **args),
        "timeline": lambda d: ev.scores_timeline(d, model_organization="org", model_release_date="released",
                                                 low=None, high=None, **score_args(), **args),
        "limit": lambda d: ev.scores_by_limit(d, limit="run", score="score", model="model", steps=3, **args),
        "radar": lambda d: ev.scores_radar_by_task(d, model_name="model", task_name="task", score_value="score",
                                                   **args),
        "tools": lambda d: ev.sample_tool_calls(d, x="run", y="model", tool="task", **args),
        "curve": lambda d: ev.metric_curve(d, x="run", y="score", series="model", **args),
    }
    if view == "diff":  # a table of differences: its rows are what the page filters
        table = pa.Table.from_pylist(sql("SELECT model AS slice, avg(score) - 0.5 AS delta, any_value(org) AS org "
                                         "FROM e GROUP BY ALL", e=evals))
        chart, fresh = ev.diff_plot(table, **args), ev.diff_plot(table.filter(pa.compute.equal(table["org"],
                                                                                                "Org A")))
    else:
        chart, fresh = charts[view](evals), charts[view](kept)
    again, said = requeried(chart, [clause], "intersect")
    assert said is None
    for name, table in fresh.datasets.items():
        shown = again.datasets[name].select([c for c in table.column_names if c in again.datasets[name].column_names])
        assert shown.to_pylist() == table.select(shown.column_names).to_pylist(), name
