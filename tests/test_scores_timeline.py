"""scores_timeline (issue 13): points, intervals and each task's frontier read back from Chromium and checked against
DuckDB (means, standard errors) and numpy (the running max over release dates)."""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pyarrow as pa
import pytest
from scipy.stats import norm

import evalviz as ev
from evalviz.errors import ColumnTypeError, EvalvizError, MissingColumnError

HOSTILE = '<img src=x onerror=alert(1)> "quoted"'


def timeline_evals() -> pa.Table:
    """Two tasks; a model released later that scores lower (the frontier stays), two models released on one day,
    a model run twice, a model without a release date, a failed eval, a javascript: link and a hostile name."""
    d = dt.date
    rows = [
        # model, org, date, task, score, stderr, status, link
        ("Old", "Acme", d(2024, 1, 10), "t1", 0.6, 0.05, "success", "https://logs.example.com/old1"),
        ("Mid", "Beta", d(2024, 6, 1), "t1", 0.4, 0.05, "success", "https://logs.example.com/mid1"),
        ("Twin A", "Acme", d(2024, 9, 9), "t1", 0.7, 0.04, "success", "https://logs.example.com/a1"),
        ("Twin B", "Beta", d(2024, 9, 9), "t1", 0.8, 0.04, "success", "javascript:alert(1)"),
        ("Twice", "Gamma", d(2025, 2, 2), "t1", 0.5, 0.1, "success", "https://logs.example.com/tw1"),
        ("Twice", "Gamma", d(2025, 2, 2), "t1", 0.9, 0.1, "success", "https://logs.example.com/tw2"),
        ("Undated", "Gamma", None, "t1", 0.99, 0.01, "success", "https://logs.example.com/u1"),
        ("Old", "Acme", d(2024, 1, 10), "t2", 0.3, 0.2, "success", "https://logs.example.com/old2"),
        ("Mid", "Beta", d(2024, 6, 1), "t2", None, None, "error", "https://logs.example.com/mid2"),
        (HOSTILE, "Delta", d(2025, 5, 5), "t2", 0.95, 0.1, "success", "https://logs.example.com/h2"),
        ("Undated", "Gamma", None, "t2", 0.2, 0.01, "success", "https://logs.example.com/u2"),
    ]
    names = ["model_display_name", "model_organization_name", "model_release_date", "task_display_name",
             "score_headline_value", "score_headline_stderr", "status", "log_viewer"]
    return pa.table({name: [row[i] for row in rows] for i, name in enumerate(names)})


def expected_points(table: pa.Table, ci: float = 0.95) -> dict[tuple[str, str], dict]:
    """Per dated (model, task) with a score: the mean, and its interval sqrt(sum se^2) / k at `ci`, clamped to
    [0, 1]."""
    z = norm.ppf(0.5 + ci / 2)
    db = duckdb.connect()
    db.register("evals", table)
    rows = db.sql("""
        SELECT model_display_name, task_display_name, min(model_release_date),
               avg(score_headline_value) FILTER (WHERE status = 'success'),
               sqrt(sum(score_headline_stderr ^ 2) FILTER (WHERE status = 'success'))
                   / count(score_headline_value) FILTER (WHERE status = 'success')
        FROM evals GROUP BY ALL HAVING min(model_release_date) IS NOT NULL
            AND avg(score_headline_value) FILTER (WHERE status = 'success') IS NOT NULL""").fetchall()
    return {(m, t): {"date": date.isoformat(), "value": v, "low": max(0.0, v - z * se), "high": min(1.0, v + z * se)}
            for m, t, date, v, se in rows}


def running_max(points: dict[tuple[str, str], dict], task: str) -> dict[str, float]:
    """The best score released on or before each date of `task` (numpy's running max over dates, ties grouped)."""
    dated = sorted((p["date"], p["value"]) for (_, t), p in points.items() if t == task)
    best = np.maximum.accumulate([value for _, value in dated])
    return {date: float(b) for (date, _), b in zip(dated, best, strict=True)}


def marks(page, name: str) -> list:
    return [i for i in page.items() if i.role == "mark" and (i.name or "").endswith(f"_{name}_marks")]


def test_points_intervals_and_frontier_match_duckdb_and_numpy(render) -> None:
    table = timeline_evals()
    expected = expected_points(table)
    page = render(ev.scores_timeline(table, title="Timeline"))
    points = marks(page, "points")
    assert len(points) == len(expected) == 7
    for point in points:
        want = expected[(point.datum["model"], point.datum["task"])]
        assert point.datum["released"] == want["date"]
        assert point.datum["value"] == pytest.approx(want["value"])
        assert (point.datum["low"], point.datum["high"]) == pytest.approx((want["low"], want["high"]))
    assert len(marks(page, "intervals")) == 7
    frontier = marks(page, "frontier")
    assert len(frontier) == 7
    for task in ("t1", "t2"):
        best = running_max(expected, task)
        drawn = [f for f in frontier if f.datum["task"] == task]
        assert {f.datum["released"]: f.datum["frontier"] for f in drawn} == pytest.approx(best)
        # the step sits at the height of the best point so far: same pixels as that point
        for step in drawn:
            best_point = next(p for p in points if p.datum["task"] == task
                              and p.datum["value"] == pytest.approx(step.datum["frontier"]))
            assert step.y == pytest.approx(best_point.center[1], abs=1.0)
    # The later, lower model does not lower the frontier.
    assert best_at(frontier, "t1", "2024-06-01") == pytest.approx(0.6)
    twice = next(p for p in points if p.datum["model"] == "Twice")
    tip = page.hover(twice)
    want = expected[("Twice", "t1")]
    assert tip["Score"] == f"{want['value']:.3f}" and tip["Rows"] == "2" and tip["Organisation"] == "Gamma"
    assert tip["Released"] == "2025-02-02" and tip["Task"] == "t1"
    assert tip["Interval"] == f"[{want['low']:.3f}, {want['high']:.3f}] (95% CI from stderr)"
    subtitle = " ".join(page.title_texts())
    assert "1 model left out for lack of a release date (Undated)" in subtitle
    assert "1 eval without a score not drawn" in subtitle
    assert set(page.legend_labels()) >= {"Acme", "Beta", "Gamma", "Delta"}


def best_at(frontier: list, task: str, date: str) -> float:
    return next(f.datum["frontier"] for f in frontier if f.datum["task"] == task and f.datum["released"] == date)


def test_click_opens_http_logs_only_and_names_stay_text(render) -> None:
    page = render(ev.scores_timeline(timeline_evals(), subtitle="Given."))
    points = {p.datum["model"]: p for p in marks(page, "points")}
    assert page.click_opens(points["Old"]) in {"https://logs.example.com/old1", "https://logs.example.com/old2"}
    assert page.click_opens(points["Twin B"]) is None  # javascript: is not opened
    assert page.hover(points[HOSTILE])["Model"] == HOSTILE
    assert page.chart().locator("img").count() == 0
    subtitle = " ".join(page.title_texts())
    assert "Given. 1 model left out for lack of a release date (Undated)." in subtitle  # never silent


def test_bad_input_raises_before_drawing() -> None:
    table = timeline_evals()
    with pytest.raises(MissingColumnError, match="release"):
        ev.scores_timeline(table.drop_columns(["model_release_date"]))
    text_dates = table.set_column(2, "model_release_date",
                                  pa.array(["soon" if v else None for v in table["model_release_date"].to_pylist()]))
    with pytest.raises(ColumnTypeError, match="'soon' is not a date"):
        ev.scores_timeline(text_dates)
    undated = table.set_column(2, "model_release_date", pa.nulls(table.num_rows, pa.date32()))
    with pytest.raises(EvalvizError, match="none has both"):
        ev.scores_timeline(undated)
    negative = table.set_column(5, "score_headline_stderr", pa.array([-0.1] * table.num_rows))
    with pytest.raises(EvalvizError, match="stderr"):
        ev.scores_timeline(negative)
    with pytest.raises(EvalvizError, match="ci"):
        ev.scores_timeline(table, ci=1.5)
    with pytest.raises(EvalvizError, match="frontier"):
        ev.scores_timeline(table, frontier="yes")
