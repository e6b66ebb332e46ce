"""A binned sample heatmap filtered in the live widget from its rows grouped once (`views.binned_requery`): the
cells equal what the view draws over the filtered rows, and DuckDB's own counts and means of those rows; the page
swaps the new cells in without drawing the chart anew, its axes keeping only the values left."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from test_widget_live_browser import answer_requests, kernel, widget_page

import evalviz as ev
from evalviz.interaction.selection import Clause, Selection
from evalviz.query.filters import where_sql
from evalviz.rendering.requery import requeried, same_client

MODELS, SAMPLES, EPOCHS = 12, 400, 3
SIZE = {"width": 300, "height": 200}  # 400 samples on 23 cells: binned, as the benchmark's chart is


@pytest.fixture(scope="module")
def rows() -> pa.Table:
    """Samples of 12 models in 3 organisations and 2 tasks, 3 epochs each; some failed, some NaN or infinite."""
    return duckdb.sql(f"""
        SELECT 'model-' || lpad(CAST(m AS VARCHAR), 2, '0') AS model_display_name,
            'org-' || CAST(m % 3 AS VARCHAR) AS org, CASE WHEN s % 2 = 0 THEN 'alpha' ELSE 'beta' END AS task_name,
            CAST(s AS VARCHAR) AS id, e + 1 AS epoch,
            CASE WHEN hash(m, s, e) % 97 = 0 THEN 'nan'::DOUBLE WHEN hash(m, s, e) % 89 = 0 THEN 'inf'::DOUBLE
                 ELSE (hash(m, s, e) % 1000) / 1000.0 * (1 + m % 4) END AS score_match,
            CASE WHEN hash(m, s, e) % 53 = 0 THEN 'timeout ' || CAST(e AS VARCHAR) ELSE '' END AS error
        FROM range({MODELS}) AS a(m), range({SAMPLES}) AS b(s), range({EPOCHS}) AS c(e)""").to_arrow_table()


def clause(fields: list[str], op: str, value: object) -> dict:
    return {"source": "test", "fields": fields, "op": op, "value": value}


def models_in(*names: str) -> dict:
    return clause(["model_display_name"], "in", [[n] for n in names])


# Each filter a page sends: on a model, an organisation (one value per model), an epoch (varying inside a cell),
# several at once, in a union; and whether the groups answer it. One task left is drawn otherwise (sample ids
# without their task), so the view draws it from the rows.
FILTERS = {
    "models": ([models_in("model-01", "model-05", "model-07")], "intersect", True),
    "organisation": ([clause(["org"], "in", [["org-2"]])], "intersect", True),
    "epochs": ([clause(["epoch"], "range", [2, 3])], "intersect", True),
    "model and epoch": ([models_in("model-00", "model-11"), clause(["epoch"], "in", [[1]])], "intersect", True),
    "union": ([models_in("model-03"), clause(["org"], "prefix", "ORG-1")], "union", True),
    "one task": ([clause(["task_name"], "in", [["beta"]])], "intersect", False),
}


def chart_of(rows: pa.Table, **options):  # noqa: ANN201 - a Component
    data = ev.Data.from_dataframe(rows)
    picked = Selection.intersect()
    picked.add_columns("org", "epoch")  # as inputs targeting it record their columns
    chart = ev.sample_heatmap(data, score_value="score_match", filter_by=picked, **SIZE, **options)
    return data, chart


def by_view(chart, data, clauses: list[dict], resolve: str):  # noqa: ANN001, ANN201
    """The chart the view draws over the rows the clauses keep, read from every row."""
    condition, params = where_sql([Clause.from_dict(c) for c in clauses], resolve, data.types)
    return chart.call.over(data.where(condition, params)), condition, params


def assert_same_cells(got: pa.Table, want: pa.Table) -> None:
    assert got.column_names == want.column_names and got.num_rows == want.num_rows
    for name in got.column_names:
        if pa.types.is_floating(got.schema.field(name).type):
            assert pc.is_null(got[name]).to_pylist() == pc.is_null(want[name]).to_pylist(), name
            mine, theirs = (pc.drop_null(t[name]).to_pylist() for t in (got, want))
            assert mine == pytest.approx(theirs, rel=1e-12, nan_ok=True), name
        else:
            assert got[name].to_pylist() == want[name].to_pylist(), name


@pytest.mark.parametrize("name", list(FILTERS))
def test_a_filter_answered_from_the_groups_equals_the_view_over_the_filtered_rows(rows, name: str) -> None:
    clauses, resolve, grouped = FILTERS[name]
    data, chart = chart_of(rows)
    groups = chart.drilldown.groups
    groups.build()
    assert {"org", "epoch", "model_display_name", "task_name"} <= set(groups.by)
    drawn, note = requeried(chart, clauses, resolve)
    assert note is None and (drawn.drilldown.groups is None) == grouped  # drawn from the groups, or by the view
    want, condition, params = by_view(chart, data, clauses, resolve)
    cells = drawn.datasets["cells"]
    assert "x_members" in cells.column_names  # still binned
    assert_same_cells(cells, want.datasets["cells"])
    assert drawn.spec == same_client(want, chart).spec
    # DuckDB over the kept rows: each model's row count; the axis keeps only the models left.
    kept_rows = rows  # noqa: F841 - read by DuckDB
    counts = dict(duckdb.sql(f"SELECT model_display_name, count(*) FROM kept_rows WHERE {condition} GROUP BY ALL",
                             params=params).fetchall())
    assert {m: pc.sum(pc.filter(cells["n"], pc.equal(cells["y"], m))).as_py() for m in counts} == counts
    assert set(cells["y"].to_pylist()) == set(counts)


def test_bins_hold_duckdb_means_of_their_samples(rows) -> None:
    """A bin's value is the mean of its samples' finite, unfailed scores in the rows kept, as DuckDB takes it."""
    data, chart = chart_of(rows)
    chart.drilldown.groups.build()
    kept = [models_in("model-02", "model-09"), clause(["epoch"], "in", [[1], [3]])]
    drawn, _ = requeried(chart, kept, "intersect")
    condition, params = where_sql([Clause.from_dict(c) for c in kept], "intersect", data.types)
    kept_rows = rows  # noqa: F841 - read by DuckDB
    ok_cells = [c for c in drawn.datasets["cells"].to_pylist() if c["status"] in ("ok", "partly failed")]
    assert ok_cells
    for cell in ok_cells[:20]:
        first, last = cell["x_members"].split(" \u2026 ")[0], cell["x_members"].split(" \u2026 ")[-1].split(" (")[0]
        ids = _bin_ids(drawn, cell["xb"])
        assert ids[0].endswith(first) and ids[-1].endswith(last)
        marks = ", ".join("?" for _ in ids)
        [(mean, n)] = duckdb.sql(
            f"SELECT avg(CASE WHEN error = '' AND NOT isnan(score_match) THEN score_match END), count(*) "
            f"FROM kept_rows WHERE ({condition}) AND model_display_name = ? "
            f"AND task_name || ' \u00b7 ' || id IN ({marks})", params=[*params, cell["y"], *ids]).fetchall()
        assert (cell["value"], cell["n"]) == (pytest.approx(mean), n)


def _bin_ids(drawn, xb: int) -> list[str]:  # noqa: ANN001
    """The labels of the samples in bin `xb` of the drawn chart, from its drill-down's ranks."""
    ranks = drawn.drilldown.regions._x_ranks
    size = drawn.drilldown.binned.x.size
    return ranks["x_label"].to_pylist()[xb * size:(xb + 1) * size]


def test_a_filter_the_groups_cannot_answer_is_drawn_from_the_rows(rows) -> None:
    data, chart = chart_of(rows)
    chart.drilldown.groups.build()
    on_score = [clause(["score_match"], "range", [0.1, 0.9])]  # a column the selection never named
    drawn, note = requeried(chart, on_score, "intersect")
    assert note is None and drawn.drilldown.groups is not None  # the view drew it, from the rows
    assert_same_cells(drawn.datasets["cells"], by_view(chart, data, on_score, "intersect")[0].datasets["cells"])
    nothing = [models_in("'; DROP TABLE x; --")]
    kept, note = requeried(chart, nothing, "intersect")
    assert kept is chart and note == "No rows match the selection."


def test_a_chart_whose_cells_do_not_add_up_keeps_no_groups(rows) -> None:
    assert chart_of(rows, agg="median")[1].drilldown.groups is None
    assert chart_of(rows, sort="cluster")[1].drilldown.groups is None
    unfiltered = ev.sample_heatmap(ev.Data.from_dataframe(rows), score_value="score_match", **SIZE)
    assert unfiltered.drilldown.groups is None


@pytest.mark.browser
def test_the_page_swaps_the_filtered_cells_in_and_its_axis_follows(render, rows) -> None:
    """Scores 0 or 1 (the benchmark's), none failed: a model filter changes the cells only, which are swapped in.
    (A filter that changes the colour span or the note on failed cells draws the chart anew.)"""
    alpha = rows.filter(pc.is_in(rows["task_name"], pa.array(["alpha"])))
    binary = pc.cast(pc.greater(pc.fill_null(alpha["score_match"], 0.0), 1.0), pa.float64())
    alpha = alpha.set_column(alpha.schema.get_field_index("score_match"), "score_match", binary)
    data, chart = chart_of(alpha.drop_columns(["error"]))
    chart.drilldown.groups.build()
    sent, channel = kernel(chart)
    page = widget_page(render, chart)
    name = chart.call.filter_by.name
    for done, kept in enumerate([["model-04", "model-10"], ["model-01", "model-02", "model-08"]], start=1):
        page.page.evaluate("([name, clause]) => evalviz.selections.publish(name, clause)", [name, models_in(*kept)])
        page.page.wait_for_function("() => window.outbox.length > 0")
        answer_requests(page, channel, sent)
        page.page.wait_for_function(f"() => document.querySelector('[data-evalviz-requeries=\"{done}\"]')")
        drawn = page.page.evaluate("() => performance.getEntriesByName('evalviz:requery-drawn').at(-1).detail")
        assert drawn["how"] == "data"
        want = by_view(chart, data, [models_in(*kept)], "intersect")[0].datasets["cells"]
        cells = [item.datum for item in page.items() if item.name == "cells_marks"]
        assert sorted((c["xb"], c["y"], c["n"]) for c in cells) == sorted(
            zip(want["xb"].to_pylist(), want["y"].to_pylist(), want["n"].to_pylist(), strict=True))
        assert sorted(page.axis_labels("y")) == sorted(kept)  # no band is left for the models filtered out
