"""A new user's trial of the interactive features on a standalone page (Chromium, network cut): a legend click in a
highlighted chart, a filter that leaves a chart nothing to draw, the note naming a filter the page cannot apply,
and inputs holding very long labels. Drawn numbers are compared with DuckDB over the rows the filters keep."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

import evalviz as ev
from browser import _SCENE_JS, ChartPage, Item

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "data"
LONG = "a-very-long-model-name-" + "x" * 240


@pytest.fixture(scope="module")
def evals() -> ev.Data:
    return ev.Data.from_file(EXAMPLES / "evals.parquet")


def view(page: ChartPage, index: int) -> Any:
    """The element of the `index`-th Vega view on the page (a layout's charts each have one)."""
    return page.page.evaluate_handle(
        "(i) => [...document.querySelectorAll('div')].filter((el) => el.evalvizView)[i]", index)


def marks(page: ChartPage, index: int, name: str) -> list[Item]:
    return [Item(**raw) for raw in view(page, index).evaluate(_SCENE_JS)
            if raw["role"] == "mark" and raw["name"] == name and raw["datum"]]


def note(page: ChartPage, index: int) -> str | None:
    """The note under view `index` as shown, or None when it is hidden."""
    return view(page, index).evaluate(
        "(el) => { const n = el.querySelector('.evalviz-filter-note'); return n.hidden ? null : n.textContent; }")


def redrawn(page: ChartPage, index: int) -> int:
    return view(page, index).evaluate(
        "(el) => Number(el.querySelector('.evalviz-filter-note').dataset.redrawn || 0)")


def after(page: ChartPage, index: int, action: Any) -> None:
    """Do `action` (a user's click, tick or typing) and wait until view `index` was redrawn for it."""
    before = redrawn(page, index)
    action()
    view(page, index).evaluate(
        """async (el, before) => { const n = el.querySelector('.evalviz-filter-note');
            for (let i = 0; i < 300 && Number(n.dataset.redrawn || 0) <= before; i++)
                await new Promise((r) => setTimeout(r, 10)); }""", before)
    assert redrawn(page, index) > before, "the chart did not redraw"


def clauses(page: ChartPage, selection: ev.Selection) -> list[dict[str, Any]]:
    return page.page.evaluate("(n) => globalThis.evalviz.selections.clauses(n)", selection.name)


def duck_scores(data: ev.Data, where: str) -> dict[tuple[str, str], float]:
    rows = data.run("SELECT model_display_name AS m, task_display_name AS t, avg(score_headline_value) AS v "
                    f"FROM this WHERE {where} GROUP BY ALL").to_pylist()
    return {(r["m"], r["t"]): r["v"] for r in rows}


def bar_values(page: ChartPage, index: int) -> dict[tuple[str, str], float]:
    return {(b.datum["model"], b.datum["task"]): b.datum["value"] for b in marks(page, index, "scores_marks")}


def test_a_legend_click_in_a_highlighted_chart_publishes_its_model(render, evals):
    picked = ev.Selection.crossfilter()
    bars = ev.scores_by_task(evals, target=picked, filter_by=picked, highlight=True)
    follower = ev.scores_by_task(evals, filter_by=picked)
    page = render(ev.vconcat(bars, ev.table(evals, ["model_display_name"], filter_by=picked), follower))
    legend = view(page, 0).as_element().query_selector_all("g.role-legend-label text")
    entry = next(text for text in legend if text.text_content() == "Borealis")
    after(page, 1, entry.click)
    assert [(c["fields"], c["value"]) for c in clauses(page, picked)] == [(["model_display_name"], [["Borealis"]])]
    faded = {(b.datum["model"], b.opacity) for b in marks(page, 0, "scores_marks")}
    assert faded == {(m, 1 if m == "Borealis" else 0.2) for m, _ in faded}  # the chart highlights its choice
    assert bar_values(page, 1) == pytest.approx(duck_scores(evals, "model_display_name = 'Borealis'"))


def test_a_filter_leaving_a_chart_nothing_says_so_and_the_chart_comes_back(render, evals):
    picked = ev.Selection.crossfilter()
    orgs = ev.checkbox_group(evals, "model_organization_name", target=picked, label="Organisation")
    heat = ev.scores_heatmap(evals, target=picked, filter_by=picked, highlight=True)
    bars = ev.scores_by_task(evals, filter_by=picked)
    page = render(ev.vconcat(orgs, heat, bars))
    cell = next(c for c in marks(page, 0, "cells_marks") if (c.datum["y"], c.datum["x"]) == ("Delta Pro", "Arithmetic"))
    after(page, 1, lambda: page.page.mouse.click(*cell.center))
    assert bar_values(page, 1) == pytest.approx(
        duck_scores(evals, "model_display_name = 'Delta Pro' AND task_display_name = 'Arithmetic'"))
    assert note(page, 1) is None
    # Another organisation's models and the clicked cell keep no row in common.
    after(page, 1, page.page.get_by_role("checkbox", name="Atlas Labs").check)
    assert bar_values(page, 1) == {} and note(page, 1) == "No rows match the selection."
    assert note(page, 0) is None  # the highlighted heatmap is never emptied: it fades every cell
    assert {c.opacity for c in marks(page, 0, "cells_marks")} == {0.2}
    after(page, 1, page.page.get_by_role("checkbox", name="Atlas Labs").uncheck)
    assert note(page, 1) is None and len(bar_values(page, 1)) == 1


def test_a_search_matching_nothing_empties_the_chart_with_the_note(render, evals):
    tasks = ev.Selection.intersect()
    search = ev.search(evals, "task_name", type="regexp", target=tasks)
    page = render(ev.vconcat(search, ev.scores_heatmap(evals, filter_by=tasks)))
    box = page.page.locator('[data-evalviz-input="search"] input')
    after(page, 0, lambda: box.fill("(arith"))  # not a valid pattern yet
    assert marks(page, 0, "cells_marks") == [] and note(page, 0) == "No rows match the selection."
    after(page, 0, lambda: box.fill("^(arith|spell)"))
    drawn = {(c.datum["y"], c.datum["x"]): c.datum["value"] for c in marks(page, 0, "cells_marks")}
    assert drawn == pytest.approx(duck_scores(evals, "regexp_matches(task_name, '^(arith|spell)')"))
    assert note(page, 0) is None


def test_the_note_offers_building_the_chart_after_the_input_only_when_that_would_help(render):
    rows = pa.table({"model": ["m1", "m1", "m2", "m2"] * 2, "task": ["t1"] * 4 + ["t2"] * 4,
                     "org": ["A", "A", "B", "B"] * 2, "run": [0, 1] * 4,
                     "score": [0.2, 0.4, 0.6, 0.9, 0.3, 0.5, 0.7, 0.1]})
    data = ev.Data.from_dataframe(rows)
    picked = ev.Selection.intersect()
    early = ev.scores_heatmap(data, model_name="model", task_name="task", score_value="score", filter_by=picked)
    runs = ev.radio_group(data, "run", target=picked, label="Run")
    orgs = ev.select(data, "org", target=picked, label="Org")
    bars = ev.scores_by_task(data, model_name="model", task_name="task", score_value="score", score_stderr=None,
                             filter_by=picked)
    page = render(ev.vconcat(runs, orgs, bars, early))
    after(page, 0, lambda: page.page.get_by_role("radio", name="1", exact=True).check())
    # A run varies inside a bar: rebuilding the chart would not help, so the note does not offer it.
    assert note(page, 0) == ('The filter on "run" is not applied to this chart: \'run\' varies within a mark (its '
                             "runs are averaged), which the page cannot redo. It needs the live widget (a notebook "
                             "with its kernel).")
    # The heatmap built before the inputs has neither column: building it after them would.
    assert "built without that column" in note(page, 1) and "or the chart built after the input" in note(page, 1)
    after(page, 0, lambda: page.page.locator('[data-evalviz-input="select"] select').select_option(label="B"))
    assert {b.datum["model"] for b in marks(page, 0, "scores_marks")} == {"m2"}  # org is one per bar: applied


def test_very_long_labels_keep_inputs_within_the_page_and_still_filter(render):
    rows = pa.table({"model": [LONG, LONG, "short", "short"], "task": ["t1", "t2", "t1", "t2"],
                     "score": [0.25, 0.5, 0.75, 1.0]})
    data = ev.Data.from_dataframe(rows)
    picked = ev.Selection.intersect()
    page = render(ev.vconcat(
        ev.select(data, "model", target=picked, label=LONG),
        ev.select(data, "model", multiple=True, target=ev.Selection.intersect(), label="Several"),
        ev.checkbox_group(data, "model", target=ev.Selection.intersect(), label=LONG),
        ev.radio_group(data, "model", target=ev.Selection.intersect(), label="Model"),
        ev.search(data, "model", target=ev.Selection.intersect(), label=LONG),
        ev.slider(data, "score", target=ev.Selection.intersect(), label=LONG),
        ev.scores_heatmap(data, model_name="model", task_name="task", score_value="score", filter_by=picked),
    ))
    width = page.page.evaluate("() => document.documentElement.clientWidth")
    assert page.page.evaluate("() => document.documentElement.scrollWidth") <= width  # no sideways scrolling
    boxes = page.page.evaluate("() => [...document.querySelectorAll('.evalviz-input')].map((el) => "
                               "el.getBoundingClientRect().right)")
    assert len(boxes) == 6 and max(boxes) <= width
    menu = page.page.locator('[data-evalviz-input="select"] select').first
    after(page, 0, lambda: menu.select_option(label=LONG))
    drawn = {(c.datum["y"], c.datum["x"]): c.datum["value"] for c in marks(page, 0, "cells_marks")}
    expected = data.run("SELECT model, task, avg(score) AS v FROM this WHERE model = ? GROUP BY ALL", [LONG])
    assert drawn == pytest.approx({(r["model"], r["task"]): r["v"] for r in expected.to_pylist()})
