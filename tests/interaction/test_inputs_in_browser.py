"""Inputs in Chromium, the network cut: choosing an option, ticking a box, moving a slider and typing publish
exactly the clause expected into the page's registry (`globalThis.__evalvizShared`), the rows it keeps are those
DuckDB keeps, and hostile labels stay text."""

from __future__ import annotations

from typing import Any

import duckdb
import pyarrow as pa
import pytest

import evalviz as ev
from browser import _SCENE_JS as SCENE_JS  # noqa: E402 - tests/ is on the path (conftest)
from browser import Item  # noqa: E402
from evalviz.interaction.selection import Clause
from evalviz.query.filters import where_sql
from evalviz.rendering import html

HOSTILE = "<img src=x onerror=alert(1)>"
ROWS = pa.table({
    "model": ["gpt-4", "claude", None, HOSTILE, "claude", "Ünïcode"],
    "n": [3, 1, 2, 2, None, 3],
})


def clauses(page: Any, selection: ev.Selection) -> list[dict[str, Any]]:
    """The clauses of `selection` in the page's registry, read from the global every output shares."""
    return page.page.evaluate(
        "(name) => Array.from(globalThis.__evalvizShared.get(name).clauses.values())", selection.name)


def param_value(page: Any, param: ev.Param) -> Any:
    return page.page.evaluate("(name) => globalThis.__evalvizShared.get(name).value", param.name)


def clause(component: ev.Component, column: str, op: str, value: Any) -> dict[str, Any]:
    return Clause(component.chart.id, (column,), op, value).to_dict()


def kept_in_page(page: Any, selection: ev.Selection, rows: list[dict[str, Any]]) -> list[int]:
    """Which of `rows` the page's registry keeps for a reader of `selection`."""
    return page.page.evaluate(
        """([name, rows]) => { const s = globalThis.evalviz.selections; const state = s.active(name, "reader");
            return rows.map((row, i) => [i, s.keeps(state, (f) => row[f])]).filter(([, k]) => k).map(([i]) => i); }""",
        [selection.name, rows])


def kept_by_duckdb(table: pa.Table, selection_clauses: list[dict[str, Any]]) -> list[int]:
    rows = table.append_column("i", pa.array(range(table.num_rows)))  # noqa: F841 - read by DuckDB
    condition, params = where_sql([Clause.from_dict(c) for c in selection_clauses], "intersect",
                                  ev.Data.from_dataframe(rows).types)
    found = duckdb.connect().execute(f"SELECT i FROM rows WHERE {condition} ORDER BY i", params).fetchall()
    return [i for (i,) in found]


def drawn_cells(page: Any) -> list[Item]:
    """The heatmap cells drawn by the chart of a layout (the element holding a Vega view)."""
    chart = page.page.locator("div.evalviz-item").filter(has=page.page.locator("svg.marks, canvas.marks")).last
    items = [Item(**raw) for raw in chart.locator("xpath=.").evaluate(SCENE_JS)]
    return [i for i in items if i.marktype == "rect" and i.role == "mark" and i.datum and {"x", "y"} <= set(i.datum)]


def control(page: Any, kind: str, index: int = 0) -> Any:
    """The box of the `index`-th input of `kind` on the page."""
    return page.page.locator(f'[data-evalviz-input="{kind}"]').nth(index)


def test_choosing_an_option_publishes_its_values_as_they_are_and_labels_stay_text(render) -> None:
    data = ev.Data.from_dataframe(ROWS)
    models, counts = ev.Selection.intersect(), ev.Selection.intersect()
    by_model = ev.select(data, "model", target=models, label=HOSTILE)
    by_n = ev.select(data, "n", multiple=True, target=counts)
    level = ev.Param(2)
    page = render(ev.vconcat(by_model, by_n, ev.select(data, "n", target=level)))
    assert clauses(page, models) == [] and clauses(page, counts) == []
    rows = ROWS.to_pylist()

    menu = control(page, "select", 0).locator("select")
    for label, value in [("claude", "claude"), ("(null)", None), (HOSTILE, HOSTILE)]:
        menu.select_option(label=label)
        published = clauses(page, models)
        assert published == [clause(by_model, "model", "in", [[value]])]
        assert kept_in_page(page, models, rows) == kept_by_duckdb(ROWS, published)
    menu.select_option(label="All")
    assert clauses(page, models) == []

    control(page, "select", 1).locator("select").select_option(label=["1", "3"])
    assert clauses(page, counts) == [clause(by_n, "n", "in", [[1], [3]])]
    assert page.page.evaluate("(name) => globalThis.__evalvizShared.get(name).clauses.values().next().value"
                              ".value.flat().map((v) => typeof v)", counts.name) == ["number", "number"]

    # A select setting a Param starts at its value and sets it to the value picked, a number as a number.
    assert param_value(page, level) == 2
    control(page, "select", 2).locator("select").select_option(label="3")
    assert param_value(page, level) == 3 and isinstance(param_value(page, level), int)
    control(page, "select", 2).locator("select").select_option(label="All")
    assert param_value(page, level) is None

    # The hostile label and option are text: shown as written, and no element was made from them.
    assert control(page, "select", 0).locator(".evalviz-input-text").text_content() == HOSTILE
    assert HOSTILE in control(page, "select", 0).locator("select").evaluate("(s) => [...s.options].map((o) => o.text)")
    assert page.page.locator("img").count() == 0


def test_boxes_buttons_and_search_publish_into_one_selection_beside_a_chart(render, evals_path) -> None:
    evals = ev.Data.from_file(evals_path)
    chosen = ev.Selection.intersect()
    model = ev.select(evals, "model_display_name", value="Borealis", target=chosen)
    orgs = ev.checkbox_group(evals, "model_organization_name", target=chosen)
    tasks = ev.radio_group(evals, "task_name", target=chosen)
    finished = ev.checkbox(evals, "status", values=("success", "all"), target=chosen, label="Only finished")
    names = ev.search(evals, "model_display_name", target=chosen)
    page = render(ev.vconcat(ev.hconcat(model, orgs, tasks, finished, names), ev.scores_heatmap(evals)))

    pairs = duckdb.connect().execute("SELECT count(*) FROM (SELECT DISTINCT model_display_name, task_name "
                                     "FROM read_parquet(?))", [str(evals_path)]).fetchone()[0]
    assert len(drawn_cells(page)) == pairs  # the chart beside the inputs is drawn whole
    by_source = lambda: {c["source"]: c for c in clauses(page, chosen)}  # noqa: E731
    # The starting value is published when the page is drawn.
    assert by_source() == {model.chart.id: clause(model, "model_display_name", "in", [["Borealis"]])}

    group = control(page, "checkbox_group")
    group.get_by_label("Cirrus").check()
    group.get_by_label("Atlas Labs").check()
    assert by_source()[orgs.chart.id] == clause(orgs, "model_organization_name", "in", [["Atlas Labs"], ["Cirrus"]])
    group.get_by_label("Atlas Labs").uncheck()
    group.get_by_label("Cirrus").uncheck()
    assert orgs.chart.id not in by_source()

    radios = control(page, "radio_group")
    radios.get_by_label("capitals").check()
    assert by_source()[tasks.chart.id] == clause(tasks, "task_name", "in", [["capitals"]])
    radios.get_by_label("All").check()
    assert tasks.chart.id not in by_source()

    control(page, "checkbox").get_by_label("Only finished").check()
    assert by_source()[finished.chart.id] == clause(finished, "status", "in", [["success"]])
    control(page, "checkbox").get_by_label("Only finished").uncheck()
    assert finished.chart.id not in by_source()

    box = control(page, "search", 0).locator("input")
    box.fill("atl")
    assert by_source()[names.chart.id] == clause(names, "model_display_name", "contains", "atl")
    box.fill("")
    assert set(by_source()) == {model.chart.id}


def test_moving_sliders_publishes_points_and_ranges(render, evals_path, samples_path) -> None:
    evals, samples = ev.Data.from_file(evals_path), ev.Data.from_file(samples_path)
    scores, epochs, level = ev.Selection.intersect(), ev.Selection.intersect(), ev.Param(None)
    interval = ev.slider(evals, "score_headline_value", select="interval", step=0.05, target=scores)
    point = ev.slider(samples, "epoch", target=epochs)
    band = ev.slider(min=0, max=1, step=0.1, value=(0.2, 0.6), select="interval", target=level)
    page = render(ev.vconcat(interval, point, band))
    low_end, high_end = duckdb.connect().execute(
        "SELECT min(score_headline_value), max(score_headline_value) FROM read_parquet(?)", [str(evals_path)]
    ).fetchone()
    thumbs = control(page, "slider", 0).locator("input[type=range]")
    assert (float(thumbs.nth(0).get_attribute("min")), float(thumbs.nth(0).get_attribute("max"))) == (low_end,
                                                                                                         high_end)
    assert clauses(page, scores) == []  # no value given: nothing published until moved

    thumbs.nth(1).press("ArrowLeft")
    thumbs.nth(1).press("ArrowLeft")
    high = float(thumbs.nth(1).input_value())
    assert clauses(page, scores) == [clause(interval, "score_headline_value", "range", [low_end, high])]
    thumbs.nth(1).press("End")  # the top of the track is the column's greatest value, off the step grid or not
    assert clauses(page, scores)[0]["value"] == [low_end, high_end]
    thumbs.nth(0).press("End")  # the low thumb stops at the high one
    low, high = clauses(page, scores)[0]["value"]
    assert low <= high == high_end
    rows = evals.sql("SELECT score_headline_value FROM this").to_pylist()
    assert kept_in_page(page, scores, rows) == [i for i, r in enumerate(rows) if low <= r["score_headline_value"]]

    one = control(page, "slider", 1).locator("input[type=range]")
    one.press("ArrowRight")
    first = duckdb.connect().execute("SELECT min(epoch) FROM read_parquet(?)", [str(samples_path)]).fetchone()[0]
    assert clauses(page, epochs) == [clause(point, "epoch", "in", [[first + 1]])]

    assert param_value(page, level) == [0.2, 0.6]  # the starting value, set when drawn
    control(page, "slider", 2).locator("input[type=range]").nth(1).press("ArrowRight")
    assert param_value(page, level) == [0.2, 0.7]


def test_inputs_in_separate_outputs_share_their_selection(render, evals_path) -> None:
    evals = ev.Data.from_file(evals_path)
    chosen = ev.Selection.union()
    first = ev.select(evals, "model_display_name", target=chosen)
    second = ev.checkbox_group(evals, "task_name", value=["logic_puzzles"], target=chosen)
    body = "".join(html.item_markup(c.item, c.datasets, c.shared) for c in (first, second))
    page = render(html.standalone_page(body, title="two outputs"), wait_for=2)
    control(page, "select", 0).locator("select").select_option(label="Cirrus Mini")
    assert sorted(clauses(page, chosen), key=lambda c: c["source"] != first.chart.id) == [
        clause(first, "model_display_name", "in", [["Cirrus Mini"]]),
        clause(second, "task_name", "in", [["logic_puzzles"]]),
    ]


def test_inputs_filter_a_heatmap_to_the_cells_duckdb_computes(render, evals_path) -> None:
    evals = ev.Data.from_file(evals_path)
    chosen = ev.Selection.intersect()
    page = render(ev.vconcat(
        ev.select(evals, "model_display_name", target=chosen),
        ev.checkbox_group(evals, "model_organization_name", target=chosen),
        ev.slider(evals, "score_headline_value", select="interval", step=0.05, target=chosen),
        ev.scores_heatmap(evals, filter_by=chosen),
    ))

    def expected(where: str, params: list[Any]) -> dict[tuple[str, str], float]:
        found = duckdb.connect().execute(
            "SELECT model_display_name, task_display_name, avg(score_headline_value) FROM read_parquet(?) "
            f"WHERE {where} GROUP BY ALL", [str(evals_path), *params]).fetchall()
        return {(model, task): value for model, task, value in found}

    def drawn() -> dict[tuple[str, str], float]:
        page.page.wait_for_timeout(100)  # the chart redraws on the registry's change (runAsync)
        return {(c.datum["y"], c.datum["x"]): c.datum["value"] for c in drawn_cells(page)}

    assert drawn() == pytest.approx(expected("TRUE", []))
    control(page, "select").locator("select").select_option(label="Borealis")
    assert drawn() == pytest.approx(expected("model_display_name = ?", ["Borealis"]))
    control(page, "select").locator("select").select_option(label="All")
    control(page, "checkbox_group").get_by_label("Cirrus").check()
    control(page, "checkbox_group").get_by_label("Delta Systems").check()
    assert drawn() == pytest.approx(expected("model_organization_name IN ('Cirrus', 'Delta Systems')", []))
    thumbs = control(page, "slider").locator("input[type=range]")
    for _ in range(6):
        thumbs.nth(1).press("ArrowLeft")
    high = float(thumbs.nth(1).input_value())
    assert drawn() == pytest.approx(expected(
        "model_organization_name IN ('Cirrus', 'Delta Systems') AND score_headline_value <= ?", [high]))
