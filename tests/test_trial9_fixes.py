"""Faults a new user found (trial 9): wrong-typed arguments raise `ev.ArgumentTypeError` as the docs say; an
input's value that its column lacks is named in a sentence; a lone value given to a multiple select is picked;
a model keeps one colour across a composition."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import duckdb
import pytest

import evalviz as ev
from browser import _SCENE_JS as SCENE_JS  # noqa: E402 - tests/ is on the path (conftest)
from browser import Item  # noqa: E402
from evalviz.charts.shared_colours import PALETTES

DOCS = Path(__file__).parent.parent / "docs" / "interactivity.md"


@pytest.fixture(scope="module")
def evals(evals_path: Path) -> ev.Data:
    return ev.Data.from_file(evals_path)


# 1. A wrong-typed argument is an ArgumentTypeError (a TypeError too), as docs/interactivity.md says.
@pytest.mark.parametrize(("view", "arguments"), [
    ("scores_heatmap", {"highlight": "yes"}),
    ("scores_by_task", {"highlight": 1}),
    ("scores_by_model", {"highlight": None}),
    ("scores_radar_by_task", {"highlight": "no"}),
    ("score_distribution", {"overlay": 1}),
    ("scores_by_task", {"tip": "no"}),
    ("scores_by_task", {"title": 3}),
    ("scores_by_task", {"width": "wide"}),
    ("scores_by_model", {"baseline": "half"}),
])
def test_a_wrong_typed_argument_is_an_argument_type_error(evals, view, arguments) -> None:
    name = next(iter(arguments))
    with pytest.raises(ev.ArgumentTypeError, match=rf"^{name} ") as caught:
        getattr(ev, view)(evals, **arguments)
    assert isinstance(caught.value, TypeError) and isinstance(caught.value, ev.EvalvizError)


def test_the_docs_name_the_error_a_wrong_highlight_raises(evals) -> None:
    docs = DOCS.read_text(encoding="utf-8")
    said = set(re.findall(r"`highlight`[^.]*?raises?\s+`(\w+)`", docs.replace("\n", " ")))
    assert said  # the docs say which error
    for name in said:
        with pytest.raises(getattr(ev, name)):
            ev.scores_heatmap(evals, highlight="yes")


def test_a_value_out_of_range_stays_a_plain_evalviz_error(evals) -> None:
    with pytest.raises(ev.EvalvizError, match="width is a size") as caught:
        ev.scores_by_task(evals, width=0)
    assert not isinstance(caught.value, ev.ArgumentTypeError)


# 2. A value the column lacks is named in a sentence: the value, the column, the closest value, its values.
def distinct(evals_path: Path, column: str) -> list[Any]:
    rows = duckdb.connect().execute(f'SELECT DISTINCT "{column}" FROM read_parquet(?) ORDER BY 1',
                                    [str(evals_path)]).fetchall()
    return [value for (value,) in rows]


@pytest.mark.parametrize(("make", "name", "argument", "column", "given", "closest"), [
    (lambda e, s: ev.checkbox(e, "status", values=("succes", "all"), target=s), "checkbox", "values", "status",
     "succes", "success"),
    (lambda e, s: ev.select(e, "task_name", value="arithmetc", target=s), "select", "value", "task_name",
     "arithmetc", "arithmetic"),
    (lambda e, s: ev.radio_group(e, "task_name", value="speling", target=s), "radio_group", "value", "task_name",
     "speling", "spelling"),
    (lambda e, s: ev.checkbox_group(e, "task_name", value=["capitals", "zzz"], target=s), "checkbox_group",
     "value", "task_name", "zzz", None),
])
def test_a_value_not_in_its_column_is_named_in_a_sentence(evals, evals_path, make, name, argument, column, given,
                                                         closest) -> None:
    with pytest.raises(ev.EvalvizError) as caught:
        make(evals, ev.Selection.single())
    message = str(caught.value)
    values = distinct(evals_path, column)
    listed = ", ".join(map(repr, values))
    listing = f"Its only value is {listed}" if len(values) == 1 else f"Its values are {listed}"
    hint = f" Did you mean {closest!r}?" if closest else ""
    assert message == (f"{name}'s {argument}= names {given!r}, which is not a value of column {column!r}.{hint} "
                       f"{listing}. Give one of them, or 'all' for no filter.")
    assert " holds " not in message


# 3. A lone value given to a multiple select is picked as a list of one: shown picked, the chart filtered to it.
def test_a_multiple_select_given_one_value_starts_with_it_picked_and_filters_the_chart(render, evals,
                                                                                      evals_path) -> None:
    tasks = ev.Selection.intersect()
    picker = ev.select(evals, "task_name", multiple=True, value="arithmetic", target=tasks)
    page = render(ev.vconcat(picker, ev.scores_heatmap(evals, filter_by=tasks)))
    menu = page.page.locator('[data-evalviz-input="select"] select')
    assert menu.evaluate("(s) => s.multiple") is True
    assert menu.evaluate("(s) => [...s.selectedOptions].map((o) => o.text)") == ["arithmetic"]

    chart = page.page.locator("div.evalviz-item").filter(has=page.page.locator("svg.marks, canvas.marks")).last
    items = [Item(**raw) for raw in chart.locator("xpath=.").evaluate(SCENE_JS)]
    cells = [i.datum for i in items if i.marktype == "rect" and i.role == "mark" and i.datum
             and {"x", "y"} <= set(i.datum)]
    kept = duckdb.connect().execute("SELECT DISTINCT task_display_name, model_display_name FROM read_parquet(?) "
                                    "WHERE task_name = 'arithmetic'", [str(evals_path)]).fetchall()
    assert sorted((cell["x"], cell["y"]) for cell in cells) == sorted(kept) and kept


# 4. A model keeps one colour across a composition: in every chart colouring by model, whichever models it holds.
def fills_by_model(items: list[Item], mark: str) -> dict[str, set[str]]:
    fills: dict[str, set[str]] = {}
    for item in items:
        if (item.name or "").endswith(f"{mark}_marks") and item.datum and item.datum.get("value") is not None:
            fills.setdefault(item.datum["model"], set()).add(item.fill)
    return fills


def test_a_model_keeps_one_colour_across_a_composition(render, evals, evals_path) -> None:
    others = evals.filter("model_display_name <> 'Atlas Small'")  # a chart of fewer models: another domain
    both = ev.hconcat(ev.scores_by_task(evals), ev.scores_by_task(others))
    items = render(both).items(0)
    by_task = fills_by_model([i for i in items if (i.name or "").startswith("c0_")], "scores")
    by_model = fills_by_model([i for i in items if (i.name or "").startswith("c1_")], "scores")  # fewer models
    models = [m for (m,) in duckdb.connect().execute(
        "SELECT DISTINCT model_display_name FROM read_parquet(?) ORDER BY 1", [str(evals_path)]).fetchall()]
    assert set(by_task) == set(models) and set(by_model) == set(models) - {"Atlas Small"}
    assert all(len(fills) == 1 for fills in [*by_task.values(), *by_model.values()])  # one colour a model
    assert {m: by_model[m] for m in by_model} == {m: by_task[m] for m in by_model}
    # Each model in the colour its place among all the composition's models gives it, so none shares another's.
    palette = PALETTES["tableau10"]
    assert {m: next(iter(f)) for m, f in by_task.items()} == {m: palette[i] for i, m in enumerate(models)}


def test_charts_laid_out_beside_an_input_keep_a_model_in_one_colour(evals) -> None:
    models = ev.Selection.intersect()
    layout = ev.vconcat(ev.select(evals, "model_display_name", target=models),
                        ev.scores_radar_by_task(evals.filter("model_display_name <> 'Atlas Large'")),
                        ev.scores_by_task(evals))
    colours: dict[str, set[str]] = {}
    for chart in [item for item in layout.item["items"] if item["kind"] == "chart"]:
        for scale in scales(chart["spec"]):
            for model, colour in zip(scale["domain"], scale["range"], strict=True):
                colours.setdefault(model, set()).add(colour)
    assert len(colours) == 5 and all(len(c) == 1 for c in colours.values())
    assert len({next(iter(c)) for c in colours.values()}) == 5


def scales(node: Any, key: str = "") -> list[dict[str, Any]]:
    """The scales of the colour channels of a spec."""
    if isinstance(node, list):
        return [s for child in node for s in scales(child, key)]
    if not isinstance(node, dict):
        return []
    own = [node["scale"]] if key == "color" and isinstance(node.get("scale"), dict) and "range" in node["scale"] \
        else []
    return own + [s for k, v in node.items() for s in scales(v, k)]
