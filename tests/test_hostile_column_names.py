"""A user column named like a name evalviz's own SQL uses (an internal alias, or a conventional companion column)
must not change what a view draws: the view reads the columns given for its roles, and nothing else by accident."""

from __future__ import annotations

import duckdb
import pytest

import evalviz as ev

RADAR = """SELECT 'm' || (i % 3) AS model_display_name, 't' || (i // 3 % 4) AS task_display_name,
                  ((i * 37) % 100) / 100.0 AS score_headline_value,
                  CASE WHEN i = 0 THEN 'error' ELSE 'success' END AS status,
                  CASE WHEN i = 0 THEN 'the real error' END AS error_message{extra}
           FROM range(24) AS t(i)"""


def _tables(component: ev.Component) -> list[list[dict]]:
    return [table.to_pylist() for table in component.datasets.values()]


@pytest.mark.parametrize("extra", [", 1 AS st", ", 'junk' AS st", ", NULL AS st", ", 0.5 AS st"])
def test_radar_unused_column_named_st_changes_nothing(extra: str) -> None:
    clean = ev.scores_radar_by_task(ev.Data.from_sql(RADAR.format(extra="")))
    hostile = ev.scores_radar_by_task(ev.Data.from_sql(RADAR.format(extra=extra)))
    assert _tables(hostile) == _tables(clean)


def test_radar_unused_column_named_why_does_not_replace_the_error_shown() -> None:
    chart = ev.scores_radar_by_task(ev.Data.from_sql(RADAR.format(extra=", 'not an error' AS why")))
    shown = str(_tables(chart))
    assert "the real error" in shown
    assert "not an error" not in shown


TASKS_NAMED_MODEL = "SELECT 'm' || (i % 3) AS mdl, 't' || (i // 3 % 4) AS model, ((i * 37) % 100) / 100.0 AS s " \
                    "FROM range(48) AS t(i)"


def _expected_cells(sql: str, model: str, other: str) -> dict[tuple[str, str], float]:
    rows = duckdb.sql(f'SELECT "{model}", "{other}", avg(s) FROM ({sql}) GROUP BY ALL').fetchall()
    return {(m, o): round(v, 9) for m, o, v in rows}


def test_scores_heatmap_task_column_named_model_draws_one_row_per_model() -> None:
    chart = ev.scores_heatmap(ev.Data.from_sql(TASKS_NAMED_MODEL), model_name="mdl", task_name="model", score_value="s")
    [cells] = [t for t in chart.datasets.values() if "value" in t.column_names]
    drawn = {(row["y"], row["x"]): round(row["value"], 9) for row in cells.to_pylist()}
    assert drawn == _expected_cells(TASKS_NAMED_MODEL, "mdl", "model")  # 12 cells over 3 models, not 48 over 12


def test_sample_heatmap_id_column_named_model_draws_one_row_per_model() -> None:
    sql = "SELECT 'm' || (i % 3) AS mdl, 'id' || (i // 3 % 5) AS model, ((i * 37) % 100) / 100.0 AS s " \
          "FROM range(30) AS t(i)"
    chart = ev.sample_heatmap(ev.Data.from_sql(sql), id="model", model_name="mdl", score_value="s")
    [cells] = [t for t in chart.datasets.values() if "value" in t.column_names]
    drawn = {(row["y"], row["x"]): round(row["value"], 9) for row in cells.to_pylist()}
    assert drawn == _expected_cells(sql, "mdl", "model")  # 15 cells over 3 models


def test_scores_by_task_task_column_named_model_has_one_bar_per_model_and_task() -> None:
    chart = ev.scores_by_task(ev.Data.from_sql(TASKS_NAMED_MODEL), model_name="mdl", task_name="model",
                              score_value="s", score_stderr=None)
    rows = max((t for t in chart.datasets.values()), key=lambda t: t.num_rows)
    assert rows.num_rows == len(_expected_cells(TASKS_NAMED_MODEL, "mdl", "model"))  # 12 bars, not 48


SCATTER = "SELECT i / 10.0 AS \"{x}\", (i * 7 % 10) / 10.0 AS y, 'm' || (i % 3) AS model FROM range(300) AS t(i)"


def _scatter_points(x: str) -> tuple[list[tuple[float, float]], list[str]]:
    chart = ev.sample_scatter(ev.Data.from_sql(SCATTER.format(x=x)), x=x, y="y", color="model", text=None,
                              max_points=100)
    [points] = chart.datasets.values()
    return sorted(zip(points.column("x").to_pylist(), points.column("y").to_pylist(), strict=True)), \
        sorted(set(points.column("stratum").to_pylist()))


@pytest.mark.parametrize("x", ["k", "_h", "_stratum"])
def test_sample_scatter_samples_the_same_points_whatever_the_x_column_is_named(x: str) -> None:
    assert _scatter_points(x) == _scatter_points("plain_x")  # same 100 points, strata m0, m1, m2
