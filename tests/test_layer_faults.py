"""Faults testers found in the view layer (issue 11), each tested where a user meets it: concatenated charts
keeping their own scales and titles (drawn in Chromium), explicit orders that match nothing, notes that speak of
hovering only where something shows on hover, and titles that fit narrow charts."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

import evalviz as ev
from evalviz.charts.chart import INDEPENDENT_LEGENDS, INDEPENDENT_SCALES
from evalviz.views.binning import axis_ranks
from evalviz.views.grid import GridColumns
from evalviz.views.sorting import check_order_matches, parse_sort


def evals_table(evals_path: Path, sql: str = "SELECT * FROM evals") -> pa.Table:
    db = duckdb.connect()
    db.sql(f"CREATE VIEW evals AS SELECT * FROM '{evals_path}'")
    return db.sql(sql).to_arrow_table()


def bars_by_mark(page, index: int = 0) -> dict[str, list[tuple[float, float]]]:
    """Each bar mark's bars as (x from the mark's leftmost bar, width), left to right, in page pixels."""
    found: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for item in page.items(index):
        if item.role == "mark" and item.marktype == "rect" and item.width > 0:
            found[item.name].append((item.x, item.width))
    return {name: [(x - min(b[0] for b in bars), w) for x, w in sorted(bars)] for name, bars in found.items()}


# -- 1. every scale and legend of a part of a concatenation is its own --------------------------------------
def test_every_channel_vega_lite_resolves_is_independent_between_parts() -> None:
    import altair as alt

    schema = alt.vegalite.v6.schema.core.load_schema()["definitions"]
    assert set(INDEPENDENT_SCALES) == set(schema["ScaleResolveMap"]["properties"])
    assert set(INDEPENDENT_LEGENDS) == set(schema["LegendResolveMap"]["properties"])


def test_grouped_bars_of_concatenated_parts_sit_where_they_sit_alone(render, evals_path: Path) -> None:
    evals = evals_table(evals_path)
    levels = evals_table(evals_path, "SELECT *, task_name = 'arithmetic' AS r FROM evals")
    by_task, by_factor = ev.scores_by_task(evals), ev.scores_by_factor(levels, "r")
    alone = [bars_by_mark(render(by_task))["scores_marks"], bars_by_mark(render(by_factor))["scores_marks"]]
    together = bars_by_mark(render(ev.hconcat(by_task, by_factor)))
    for scope, bars in zip(("c0_", "c1_"), alone, strict=True):
        drawn = together[f"{scope}scores_marks"]
        assert len(drawn) == len(bars) == {"c0_": 20, "c1_": 10}[scope]  # 5 models x 4 tasks; x 2 levels
        assert drawn == [pytest.approx(bar, abs=0.5) for bar in bars]


# -- 2. a concatenation keeps its own title as a part --------------------------------------------------------
def test_a_concatenation_keeps_its_title_inside_another(render, evals_path: Path) -> None:
    evals = evals_table(evals_path)
    several_tasks = ev.scores_by_model(evals, title="X")
    assert "vconcat" in several_tasks.spec  # several tasks: small multiples, titled as a whole
    for composed in (ev.hconcat(several_tasks), ev.vconcat(several_tasks, ev.scores_by_task(evals))):
        page = render(composed)
        assert "X" in page.title_texts()
        tasks = evals_table(evals_path, "SELECT DISTINCT task_display_name FROM evals")["task_display_name"]
        assert set(tasks.to_pylist()) <= set(page.title_texts())  # and each panel keeps its task's title


def test_a_part_in_a_part_passes_its_config_to_the_whole(evals_path: Path) -> None:
    evals = evals_table(evals_path)
    config = {"axis": {"labelFontSize": 9}}
    spec = ev.hconcat(ev.scores_by_model(evals, config=config)).spec
    assert spec["config"]["axis"] == {"labelFontSize": 9} and "config" not in spec["hconcat"][0]


# -- 3. an explicit order that names none of the labels present ----------------------------------------------
def test_an_order_naming_no_label_present_is_refused_naming_labels_that_are(evals_path: Path) -> None:
    evals = ev.Data.from_file(evals_path)
    models = sorted(evals.sql("SELECT DISTINCT model_display_name AS m FROM this")["m"].to_pylist())
    tasks = evals.sql("SELECT DISTINCT task_display_name AS t FROM this")["t"].to_pylist()
    with pytest.raises(ev.EvalvizError, match=r"none of the y labels present: 'Atlas' is not one of") as caught:
        ev.scores_heatmap(evals, sort={"y": ["Atlas"]})
    near = [m for m in models if "Atlas" in m]
    assert str(caught.value).split("is not one of ")[1].startswith(", ".join(map(repr, near)))  # near ones first
    assert f"({len(models)} labels)" in str(caught.value)
    with pytest.raises(ev.EvalvizError, match=r"none of the x labels present: 'arithmetic', 'logic'"):
        ev.heatmap(evals, "task_display_name", "model_display_name", "score_headline_value",
                   sort={"x": ["arithmetic", "logic"]})
    with pytest.raises(ev.EvalvizError, match=rf"\({len(tasks)} labels\)"):
        axis_ranks(evals, GridColumns(x="task_display_name", y="model_display_name", fill="score_headline_value"),
                   {"x": ["nope"]})  # the binned sample heatmap's order


def test_an_order_naming_some_labels_present_ignores_the_others(evals_path: Path) -> None:
    evals = ev.Data.from_file(evals_path)
    models = evals.sql("SELECT DISTINCT model_display_name AS m FROM this ORDER BY 1")["m"].to_pylist()
    chart = ev.scores_heatmap(evals, sort={"y": ["Not a model", models[-1], models[0]]})
    y = chart.spec["layer"][0]["encoding"]["y"]["scale"]["domain"]
    assert y[:2] == [models[-1], models[0]] and sorted(y) == models


def test_diff_plot_refuses_an_order_of_no_slice_it_has() -> None:
    diffs = pa.table({"slice": ["all", "math", "code"], "delta": [0.1, 0.2, -0.1]})
    with pytest.raises(ev.EvalvizError, match=r"none of the slice labels present: 'Math' is not one of 'math'"):
        ev.diff_plot(diffs, sort=["Math"])
    assert ev.diff_plot(diffs, sort=["code", "Math"]).datasets["diffs"]["slice"].to_pylist() == ["all", "code", "math"]


def test_the_grammar_checks_present_labels_once_for_every_view() -> None:
    sort = parse_sort(["GPT", None], axes=("y",))
    sort.check_matches("y", ["Claude", None])  # None names the NULL value, present here
    sort.check_matches("y", ["Claude", "(null)"])  # ... as its label
    sort.check_matches("y", [])  # nothing to order
    parse_sort(None, axes=("y",)).check_matches("y", ["Claude"])  # no explicit order
    with pytest.raises(ev.EvalvizError, match=r"'GPT', '\(null\)' are not one of 'GPT · openai/gpt', 'Claude'"):
        parse_sort(["GPT", None], axes=("y",)).arranged("y", ["Claude", "GPT · openai/gpt"])
    many = [f"label {i}" for i in range(40)]
    with pytest.raises(ev.EvalvizError, match=r"'label 0', 'label 1', 'label 2', 'label 3', 'label 4', \.\.\. "
                                              r"\(40 labels\)"):
        check_order_matches(["nope"], many, axis="x")


# -- 5. notes speak of hovering only where the chart has tooltips ---------------------------------------------
def title_text(spec: dict) -> str:
    title = spec.get("title") or {}
    lines = [title.get("text", "")] + [title.get("subtitle", "")]
    return " ".join(" ".join(line) if isinstance(line, list) else line for line in lines)


def partly_failed_rows(n_x: int = 60, n_y: int = 40) -> pa.Table:
    """A grid too dense to mark partly failed cells: every cell ok, one with a failed row besides."""
    xs, ys = [f"x{i}" for i in range(n_x)], [f"y{j}" for j in range(n_y)]
    rows = [(x, y, 0.5, "ok") for x in xs for y in ys] + [(xs[0], ys[0], None, "error")]
    return pa.table(dict(zip(("x", "y", "v", "status"), map(list, zip(*rows, strict=True)), strict=True)))


def test_notes_say_hover_only_with_tooltips(render, evals_path: Path, samples_path: Path) -> None:
    repeated = evals_table(evals_path, "SELECT * FROM evals UNION ALL SELECT * FROM evals")
    samples = ev.Data.from_file(samples_path)
    views = {
        "heatmap": lambda tip: ev.heatmap(repeated, "task_display_name", "model_display_name",
                                          "score_headline_value", tip=tip),
        "scores_heatmap": lambda tip: ev.scores_heatmap(repeated, tip=tip),
        "partly failed": lambda tip: ev.heatmap(partly_failed_rows(), "x", "y", "v", status="status", width=300,
                                                tip=tip),
        "binned": lambda tip: ev.sample_heatmap(samples, score_value="score_match", width=200, height=120, tip=tip),
    }
    assert "Binned" in title_text(views["binned"](False).spec)  # the sample heatmap's overview, binned
    for name, view in views.items():
        with_tips, without = title_text(view(True).spec), title_text(view(False).spec)
        assert "hover" in with_tips.lower(), name
        assert "hover" not in without.lower() and without.strip(), name
    page = render(views["heatmap"](False))
    count = duckdb.sql("SELECT max(n) FROM (SELECT count(*) AS n FROM repeated "
                       "GROUP BY task_display_name, model_display_name)").fetchall()[0][0]
    assert " ".join(page.title_texts()) == f"Each cell shows the mean of its rows (up to {count})."
    assert "Each cell shows the mean of its rows (up to 2); hover a cell for its row count." in " ".join(
        render(views["heatmap"](True)).title_texts())
    partly = title_text(views["partly failed"](False).spec)
    assert "1 cell is partly failed (too small to mark): it shows the value of its good rows." in partly


# -- 6. titles fit a narrow chart --------------------------------------------------------------------------------
TITLE_BOXES = """(el) => {
    const svg = el.querySelector('svg.marks').getBoundingClientRect();
    const texts = [...el.querySelectorAll('.role-title-text text, .role-title-subtitle text')];
    return {svg: [svg.left, svg.right, svg.top, svg.bottom],
            texts: texts.map((t) => { const b = t.getBoundingClientRect();
                                      return [t.textContent, b.left, b.right, b.top, b.bottom]; })};
}"""


@pytest.mark.parametrize(("width", "height"), [(200, 500), (160, 500), (200, None)])
def test_a_subtitle_lies_within_a_narrow_chart(render, evals_path: Path, width: int, height: int | None) -> None:
    """The title and subtitle of a narrow chart wrap within it; by default (height None) the chart grows to hold
    their lines above a plot, rather than cutting the top lines off."""
    scorer = "model_graded_rubric_scorer_with_a_long_name_" * 2  # one word wider than the chart
    mixed = evals_table(evals_path, f"""
        SELECT * REPLACE (CASE WHEN task_name = 'arithmetic' THEN '{scorer}' ELSE score_headline_name END
                          AS score_headline_name) FROM evals UNION ALL SELECT * FROM evals""")
    chart = ev.scores_heatmap(mixed, width=width, height=height, title="Scores of every model on every task")
    page = render(chart)
    drawn = page.chart().evaluate(TITLE_BOXES)
    left, right, top, bottom = drawn["svg"]
    letters = "".join("".join(text for text, *_ in drawn["texts"]).split())  # a text's lines join without spaces
    assert "Scoresofeverymodeloneverytask" in letters and "differentscorers" in letters and "rowcount" in letters
    assert letters.count(scorer) == 1  # the long word is drawn whole, over lines
    for text, x0, x1, y0, y1 in drawn["texts"]:
        assert left <= x0 and x1 <= right and top <= y0 and y1 <= bottom, (text, drawn["svg"], json.dumps(drawn))
