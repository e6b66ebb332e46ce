"""Charts publishing what the user does into selections, and other charts on the page following (Chromium, network
cut): a click on a cell or a bar, a click on a legend entry, a brush; crossfilter; hostile labels stay text."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest
from test_chart_filters import MODELS, TASKS, evals_table, publish, redraws, wait_redrawn

import evalviz as ev
from browser import ChartPage, Item
from evalviz.charts import Interaction, LayerChart, Publish
from evalviz.rendering.component import Component
from evalviz.views.marks import bars

HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def evals() -> ev.Data:
    table = evals_table()
    models = [HOSTILE if m == "m-delta" else m for m in table["model"].to_pylist()]
    table = table.set_column(table.schema.get_field_index("model"), "model", pa.array(models))
    links = [f"https://logs.example/{m}/{t}" for m, t in zip(table["model"].to_pylist(), table["task"].to_pylist(),
                                                            strict=True)]
    return ev.Data.from_dataframe(table.append_column("log", pa.array(links)))


def shared_clauses(page: ChartPage, selection: ev.Selection) -> list[dict[str, Any]]:
    return page.page.evaluate("([n]) => globalThis.evalviz.selections.clauses(n)", [selection.name])


def click(page: ChartPage, item: Item, index: int = 0, **keys: bool) -> None:
    """Click `item`, holding the modifier `keys` (shift, ctrl), and wait until chart `index` redrew."""
    before = redraws(page, index)
    held = [name for name, on in (("Shift", keys.get("shift")), ("Control", keys.get("ctrl"))) if on]
    for key in held:
        page.page.keyboard.down(key)
    page.page.mouse.click(*item.center)
    for key in reversed(held):
        page.page.keyboard.up(key)
    wait_redrawn(page, index, before)


def bars_of(page: ChartPage, part: str = "c1_") -> list[dict[str, Any]]:
    return [i.datum for i in page.items() if i.name == f"{part}scores_marks"]


def duck_scores(data: ev.Data, where: str) -> dict[tuple[str, str], float]:
    rows = data.run(f"SELECT model, task, avg(score) FILTER (WHERE status = 'success') AS v FROM this "
                    f"WHERE {where} GROUP BY ALL").to_pylist()
    return {(r["model"], r["task"]): r["v"] for r in rows}


def score_chart(data: ev.Data, **linking: Any) -> Component:
    return ev.scores_by_task(data, model_name="model", task_name="task", score_value="score", score_stderr=None,
                             **linking)


def test_clicking_a_cell_filters_the_other_chart_and_a_second_click_clears(render, evals):
    picked = ev.Selection.intersect()
    grid = ev.heatmap(evals, x="task", y="model", fill="score", status="status", link="log", target=picked)
    assert picked.columns == ("task", "model")  # recorded, so the chart built next ships them
    page = render(ev.vconcat(grid, score_chart(evals, filter_by=picked)))
    cell = next(c for c in page.cells() if c.name == "c0_cells_marks" and c.datum["y"] == "m-gamma"
                and c.datum["x"] == "capitals")
    assert page.click_opens(cell) is None  # a click that selects does not open the cell's log ...
    wait_redrawn(page, 0, 0)
    assert shared_clauses(page, picked) == [{"source": page_client(page), "fields": ["task", "model"], "op": "in",
                                             "value": [["capitals", "m-gamma"]]}]
    expected = duck_scores(evals, "model = 'm-gamma' AND task = 'capitals'")
    assert {(b["model"], b["task"]): b["value"] for b in bars_of(page)} == pytest.approx(expected)
    # Shift-click adds a cell; both bars are drawn.
    other = next(c for c in page.cells() if c.name == "c0_cells_marks" and c.datum["y"] == HOSTILE
                 and c.datum["x"] == "logic")
    click(page, other, shift=True)
    expected = duck_scores(evals, f"(model, task) IN (('m-gamma', 'capitals'), ('{HOSTILE}', 'logic'))")
    assert {(b["model"], b["task"]): b["value"] for b in bars_of(page)} == pytest.approx(expected)
    assert HOSTILE in page.axis_labels("x") or HOSTILE in page.legend_labels()  # the hostile model, as text
    # ... which opens with Ctrl held.
    assert page.click_opens(cell_at(page, "m-gamma", "arith"), wait_ms=1500) is None
    page.page.keyboard.down("Control")
    opened = page.click_opens(cell_at(page, "m-gamma", "arith"))
    page.page.keyboard.up("Control")
    assert opened == "https://logs.example/m-gamma/arith"
    # A click on the only selected cell clears; the other chart is whole again.
    click(page, cell_at(page, "m-gamma", "arith"))
    click(page, cell_at(page, "m-gamma", "arith"))
    assert shared_clauses(page, picked) == []
    assert len(bars_of(page)) == len(MODELS) * len(TASKS)


def cell_at(page: ChartPage, model: str, task: str, part: str = "c0_") -> Item:
    return next(c for c in page.cells() if c.name == f"{part}cells_marks" and c.datum["y"] == model
                and c.datum["x"] == task)


def page_client(page: ChartPage) -> str:
    return page.page.evaluate(
        "() => document.querySelector('script.evalviz-payload') && "
        "JSON.parse(document.querySelector('script.evalviz-payload').textContent)"
        ".item.spec.usermeta.evalviz.publish[0].client")


def test_crossfilter_leaves_the_clicked_chart_whole_and_highlights_its_choice(render, evals):
    cross = ev.Selection.crossfilter()
    grid = ev.heatmap(evals, x="task", y="model", fill="score", target=cross, filter_by=cross, highlight=True)
    page = render(ev.hconcat(grid, score_chart(evals, filter_by=cross)))
    click(page, cell_at(page, "m-alpha", "logic"))
    cells = [c for c in page.cells() if c.name == "c0_cells_marks"]
    assert len(cells) == len(MODELS) * len(TASKS)  # not filtered by its own clause
    faded = {(c.datum["y"], c.datum["x"]): c.opacity for c in cells}
    assert faded[("m-alpha", "logic")] == pytest.approx(1.0)
    assert [v for k, v in faded.items() if k != ("m-alpha", "logic")] == pytest.approx([0.2] * (len(cells) - 1))
    assert [(b["model"], b["task"]) for b in bars_of(page)] == [("m-alpha", "logic")]


def test_a_legend_entry_publishes_its_model_and_an_organisation_filter_keeps_whole_bars(render, evals):
    picked = ev.Selection.single()
    orgs = ev.Selection.intersect()
    orgs.add_columns("org", "run")
    chart = score_chart(evals, target=picked, filter_by=orgs)
    follower = ev.heatmap(evals, x="task", y="model", fill="score", status="status", filter_by=picked)
    page = render(ev.vconcat(chart, follower))
    entry = next(i for i in page.items() if i.role == "legend-label" and i.text == "m-beta")
    click(page, entry, index=0)
    [clause] = shared_clauses(page, picked)
    assert (clause["fields"], clause["value"]) == (["model"], [["m-beta"]])
    assert {c.datum["y"] for c in page.cells() if c.name == "c1_cells_marks"} == {"m-beta"}
    # A filter on a column with one value per bar keeps whole bars; one varying inside a bar is named.
    publish(page, orgs, {"source": "org", "fields": ["org"], "op": "in", "value": [["Org B"]]})
    assert {b["model"] for b in bars_of(page, "c0_")} == {"m-gamma"}
    publish(page, orgs, {"source": "run", "fields": ["run"], "op": "in", "value": [[0]]})
    text = page.chart(0).evaluate("(el) => el.querySelector('.evalviz-filter-note').textContent")
    assert '"run"' in text and "live widget" in text


def test_a_brush_on_a_continuous_axis_publishes_a_range_the_other_chart_follows(render, evals):
    brushed = ev.Selection.intersect()
    brushed.add_columns("score")
    rows = evals.run("SELECT model, task, run, score FROM this ORDER BY model, task, run")
    layer = bars("points", x={"field": "score", "type": "quantitative", "scale": {"domain": [0, 1]}},
                 y={"field": "model", "type": "nominal"})
    chart = LayerChart((layer,), data="rows", width=400, height=200, interaction=Interaction(
        publish=(Publish(brushed, "interval", {"score": "score"}, ("points",)),)))
    source = Component.from_parts(chart, {"rows": rows})
    page = render(ev.vconcat(source, ev.heatmap(evals, x="task", y="model", fill="score", filter_by=brushed)))
    plot = page.page.locator("div.evalviz-target svg.marks").bounding_box()
    # Drag across the first plot from x = 0.25 to 0.75 of its score axis (read from the drawn scale).
    ends = page.chart(0).evaluate("(el) => [0.25, 0.75].map((v) => el.evalvizView.scale('c0_x')(v))")
    origin = page.chart(0).evaluate("(el) => { const v = el.evalvizView; const [x, y] = v.origin(); "
                                    "return [x + (v.padding().left || 0), y + (v.padding().top || 0)]; }")
    y = plot["y"] + origin[1] + 100
    before = redraws(page, 0)
    page.page.mouse.move(plot["x"] + origin[0] + ends[0], y)
    page.page.mouse.down()
    page.page.mouse.move(plot["x"] + origin[0] + ends[1], y, steps=5)
    page.page.mouse.up()
    wait_redrawn(page, 0, before)
    [clause] = shared_clauses(page, brushed)
    assert clause["op"] == "range" and clause["fields"] == ["score"]
    low, high = clause["value"]
    assert low == pytest.approx(0.25, abs=0.01) and high == pytest.approx(0.75, abs=0.01)
    expected = {(r["model"], r["task"]): r["v"] for r in evals.run(
        f"SELECT model, task, avg(score) AS v FROM this WHERE score BETWEEN {low} AND {high} "
        "GROUP BY ALL").to_pylist()}
    drawn = {(c.datum["y"], c.datum["x"]): c.datum["value"] for c in page.cells() if c.name == "c1_cells_marks"}
    assert drawn == pytest.approx(expected)
