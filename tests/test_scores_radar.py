"""scores_radar_by_task (issue 13): vertices read back from Chromium, their normalised values and their places on the
spokes checked against DuckDB means and numpy / scipy normalisations; missing scores drawn as such; bad input."""

from __future__ import annotations

import math
from fractions import Fraction

import duckdb
import numpy as np
import pyarrow as pa
import pytest
from scipy.stats import rankdata

import evalviz as ev
from evalviz.errors import ColumnTypeError, EvalvizError, MissingColumnError

HOSTILE = '<img src=x onerror=alert(1)> "Hostile"'
TASKS = ["Alpha", "Beta", "Delta", "Gamma", "Omega"]  # spokes in label order


def radar_evals() -> pa.Table:
    """Five tasks, four models: "Twice" ran Beta twice (averaged), "Broke" failed on Gamma (missing) and has no row
    for Omega (missing), a hostile model name with a javascript: link, and a tie on Delta."""
    rng = np.random.default_rng(13)
    rows = []
    for model in ("Ace", "Broke", "Twice", HOSTILE):
        for task in TASKS:
            if model == "Broke" and task == "Omega":
                continue
            failed = model == "Broke" and task == "Gamma"
            score = None if failed else round(float(rng.uniform(0.1, 0.95)), 4)
            if task == "Delta" and model in ("Ace", "Twice"):
                score = 0.5
            link = "javascript:alert(1)" if model == HOSTILE else f"https://logs.example.com/{model}/{task}"
            rows.append((model, task, score, "error" if failed else "success", link))
            if model == "Twice" and task == "Beta":
                rows.append((model, task, 0.2, "success", link + "/2"))
    names = ["model_display_name", "task_display_name", "score_headline_value", "status", "log_viewer"]
    return pa.table({name: [row[i] for row in rows] for i, name in enumerate(names)})


def means(table: pa.Table) -> dict[tuple[str, str], float]:
    """DuckDB: the mean score of each (model, task) over its rows that ran."""
    db = duckdb.connect()
    db.register("evals", table)
    return {(m, t): v for m, t, v in db.sql(
        "SELECT model_display_name, task_display_name, avg(score_headline_value) FROM evals "
        "WHERE status = 'success' GROUP BY ALL").fetchall()}


def normalised(scores: dict[tuple[str, str], float], how: str, inverted: tuple[str, ...] = ()) -> dict:
    """numpy / scipy: each task's scores over its models, min-max or percentile rank (mean rank of ties / n)."""
    out = {}
    for task in TASKS:
        keys = [k for k in scores if k[1] == task]
        values = np.array([scores[k] for k in keys]) * (-1 if task in inverted else 1)
        if how == "min_max":
            span = values.max() - values.min()
            scaled = (values - values.min()) / span if span else np.full(len(values), 0.5)
        else:
            scaled = rankdata(values, method="average") / len(values)
        out.update(dict(zip(keys, scaled, strict=True)))
    return out


def named(page, name: str) -> list:
    return [i for i in page.items() if i.role == "mark" and i.name == f"{name}_marks"]


def centre_and_radius(page) -> tuple[float, float, float]:
    """The radar's centre (where the spokes start) and the outer ring's radius in pixels."""
    spokes = named(page, "spokes")
    cx, cy = spokes[0].x, spokes[0].y
    assert all(abs(s.x - cx) < 0.5 and abs(s.y - cy) < 0.5 for s in spokes)
    ring = [i for i in named(page, "rings") if i.datum["ring"] == 1]
    radii = [math.hypot(i.x - cx, i.y - cy) for i in ring]
    assert max(radii) - min(radii) < 1.0  # round: the same pixels per unit on both axes
    return cx, cy, float(np.mean(radii))


@pytest.mark.parametrize("how", ["min_max", "percentile"])
def test_vertices_are_normalised_scores_on_their_spokes(render, how: str) -> None:
    table = radar_evals()
    scores = means(table)
    want = normalised(scores, how)
    page = render(ev.scores_radar_by_task(table, normalization=how, title="Radar"))
    cx, cy, outer = centre_and_radius(page)
    vertices = named(page, "vertices")
    assert len(vertices) == len(scores) == 18
    for vertex in vertices:
        key = (vertex.datum["model"], vertex.datum["task"])
        assert vertex.datum["raw"] == pytest.approx(scores[key])
        assert vertex.datum["value"] == pytest.approx(want[key])
        angle = math.pi / 2 - 2 * math.pi * TASKS.index(key[1]) / len(TASKS)  # first spoke up, then clockwise
        x, y = vertex.center
        assert x == pytest.approx(cx + want[key] * outer * math.cos(angle), abs=1.0)
        assert y == pytest.approx(cy - want[key] * outer * math.sin(angle), abs=1.0)
    twice = next(v for v in vertices if v.datum["model"] == "Twice" and v.datum["task"] == "Beta")
    tip = page.hover(twice)
    assert tip["Score"] == f"{scores[('Twice', 'Beta')]:.4g}" and tip["Rows"] == "2"
    title = "Normalised (min-max)" if how == "min_max" else "Percentile rank"
    assert tip[title] == f"{want[('Twice', 'Beta')]:.3f}"
    assert "the mean of 2 rows" in tip["Note"]
    labels = sorted(t.text for t in page.items() if t.role == "mark" and (t.name or "").startswith("task_labels"))
    assert labels == sorted(TASKS)


def test_missing_scores_break_the_polygon_and_are_marked(render) -> None:
    table = radar_evals()
    page = render(ev.scores_radar_by_task(table, subtitle="Given."))
    missing = named(page, "missing")
    assert sorted((m.datum["model"], m.datum["task"]) for m in missing) == [("Broke", "Gamma"), ("Broke", "Omega")]
    tips = {m.datum["task"]: page.hover(m)["Score"] for m in missing}
    assert tips["Gamma"].startswith("missing: 1 of 1 rows failed")
    assert tips["Omega"] == "missing: no row for this model and task"
    # No vertex of Broke sits at the centre: its missing scores are no zeros.
    assert {v.datum["task"] for v in named(page, "vertices") if v.datum["model"] == "Broke"} == \
        {"Alpha", "Beta", "Delta"}
    polygon = [p for p in named(page, "polygons") if p.datum["model"] == "Broke"]
    assert [p.datum["x"] is None for p in sorted(polygon, key=lambda p: p.datum["place"])] == \
        [False, False, False, True, True, False]  # the path breaks at Gamma and Omega, then closes at Alpha
    subtitle = " ".join(page.title_texts())
    assert subtitle.startswith("Given. Scores min-max normalised per task")
    assert "2 (model, task) scores are missing" in subtitle
    assert HOSTILE in page.legend_labels()
    assert page.chart().locator("img").count() == 0
    vertices = named(page, "vertices")
    hostile, ace = (alone(vertices, model) for model in (HOSTILE, "Ace"))
    assert page.hover(hostile)["Model"] == HOSTILE
    assert page.click_opens(ace) == f"https://logs.example.com/Ace/{ace.datum['task']}"
    assert page.click_opens(hostile) is None  # javascript: is not opened


def alone(vertices: list, model: str):
    """The vertex of `model` farthest from every other vertex (none drawn over it)."""
    def room(v) -> float:
        return min(math.dist(v.center, o.center) for o in vertices if o is not v)
    return max((v for v in vertices if v.datum["model"] == model), key=room)


def test_invert_domain_and_raw_scores() -> None:
    table = radar_evals()
    scores = means(table)
    inverted = normalised(scores, "percentile", inverted=("Alpha",))
    drawn = ev.scores_radar_by_task(table, normalization="percentile", invert=["Alpha"])
    rows = [r for r in drawn.datasets["vertices"].to_pylist() if not r["closing"] and r["raw"] is not None]
    assert {(r["model"], r["task"]): r["value"] for r in rows} == pytest.approx(inverted)
    fixed = ev.scores_radar_by_task(table, domain=(0, 2)).datasets["vertices"].to_pylist()
    assert {(r["model"], r["task"]): r["value"] for r in fixed if not r["closing"] and r["raw"] is not None} == \
        pytest.approx({k: v / 2 for k, v in scores.items()})
    raw = ev.scores_radar_by_task(table, normalization="none").datasets["vertices"].to_pylist()
    assert {(r["model"], r["task"]): r["value"] for r in raw if not r["closing"] and r["raw"] is not None} == \
        pytest.approx(scores)


def test_bad_input_names_the_problem_and_the_way_out() -> None:
    table = radar_evals()
    two = table.filter(pa.compute.is_in(table["task_display_name"], pa.array(["Alpha", "Beta"])))
    with pytest.raises(EvalvizError, match=r"3 or more tasks.*2 \('Alpha', 'Beta'\).*scores_by_task"):
        ev.scores_radar_by_task(two)
    with pytest.raises(EvalvizError, match="normalization is 'min_max'"):
        ev.scores_radar_by_task(table, normalization="zscore")
    with pytest.raises(EvalvizError, match="domain fixes the ends of 'min_max'"):
        ev.scores_radar_by_task(table, normalization="percentile", domain=(0, 1))
    with pytest.raises(EvalvizError, match="low below high"):
        ev.scores_radar_by_task(table, domain=(1, 0))
    with pytest.raises(EvalvizError, match="two finite numbers"):
        ev.scores_radar_by_task(table, domain=(0, 10**400))  # was Python's OverflowError
    with pytest.raises(EvalvizError, match="'Zeta', which is not a task.*'Alpha'"):
        ev.scores_radar_by_task(table, invert=["Zeta"])
    with pytest.raises(EvalvizError, match="give normalization='min_max' or 'percentile'"):
        ev.scores_radar_by_task(table, normalization="none", invert=["Alpha"])
    negative = table.set_column(2, "score_headline_value", pa.compute.negate(table["score_headline_value"]))
    with pytest.raises(EvalvizError, match="is negative. Give normalization="):
        ev.scores_radar_by_task(negative, normalization="none")
    with pytest.raises(MissingColumnError, match="'scroe'"):
        ev.scores_radar_by_task(table, score_value="scroe")
    letters = table.set_column(2, "score_headline_value", pa.array(["C"] * table.num_rows))
    with pytest.raises(ColumnTypeError, match="score_to_float"):
        ev.scores_radar_by_task(letters)
    failed = table.set_column(3, "status", pa.array(["error"] * table.num_rows))
    with pytest.raises(EvalvizError, match="no score to draw"):
        ev.scores_radar_by_task(failed)


def test_a_null_model_beside_a_model_named_null_is_a_polygon_of_its_own(render) -> None:
    """Regression: a model without a name and one named "(null)" shared one legend entry and one colour."""
    table = pa.table({"model_display_name": [None] * 3 + ["(null)"] * 3 + ["Ace"] * 3,
                      "task_display_name": ["A", "B", "C"] * 3,
                      "score_headline_value": [0.1, 0.9, 0.5, 0.4, 0.2, 0.8, 0.7, 0.6, 0.3]})
    scores = table["score_headline_value"].to_numpy().reshape(3, 3)  # models x tasks
    want = {raw: (raw - column.min()) / (column.max() - column.min()) for column in scores.T for raw in column}
    page = render(ev.scores_radar_by_task(table))
    assert sorted(page.legend_labels()) == ["(null)", "(null)", "Ace"]
    vertices = named(page, "vertices")
    assert {v.datum["raw"]: v.datum["value"] for v in vertices} == pytest.approx(want)
    colours = {v.datum["mi"]: {w.fill for w in vertices if w.datum["mi"] == v.datum["mi"]} for v in vertices}
    assert all(len(fills) == 1 for fills in colours.values()) and len(set.union(*colours.values())) == 3


def test_scores_at_the_ends_of_the_float_range_normalise_exactly() -> None:
    """Regression: scores of -1.7e308 and 1.7e308 overflowed max - min: the highest was drawn as NaN, and a fixed
    domain of that width put every score at the centre."""
    ends = [-1.7e308, 0.25, 1.7e308]
    table = pa.table({"model_display_name": [m for m in "abc" for _ in TASKS[:3]],
                      "task_display_name": TASKS[:3] * 3, "score_headline_value": [e for e in ends for _ in range(3)]})

    def share(raw: float, lo: float, hi: float) -> float:
        return float((Fraction(raw) - Fraction(lo)) / (Fraction(hi) - Fraction(lo)))

    own = ev.scores_radar_by_task(table).datasets["vertices"].to_pylist()
    assert {r["raw"]: r["value"] for r in own} == pytest.approx({e: share(e, ends[0], ends[2]) for e in ends})
    fixed = ev.scores_radar_by_task(table, domain=(-1.7e308, 1.7e308)).datasets["vertices"].to_pylist()
    assert {r["raw"]: r["value"] for r in fixed} == pytest.approx({e: share(e, ends[0], ends[2]) for e in ends})
    numpy_ends = ev.scores_radar_by_task(table, domain=(np.float32(-1), np.int64(1))).datasets["vertices"]
    assert numpy_ends["value"].to_pylist()[:3] == [0.0] * 3  # numpy numbers are numbers; beyond -1: at the edge


def test_at_most_twenty_models_and_forty_tasks_and_the_subtitle_says_so() -> None:
    """Regression: 200 models drew 200 polygons in 20 repeating colours; 3,000 tasks drew 3,000 spokes."""
    rng = np.random.default_rng(3)
    models, tasks = [f"m{i:02d}" for i in range(25)], [f"t{i:02d}" for i in range(45)]
    scores = rng.uniform(size=(25, 45))
    table = pa.table({"model_display_name": np.repeat(models, 45), "task_display_name": tasks * 25,
                      "score_headline_value": scores.ravel()})
    chart = ev.scores_radar_by_task(table)
    rows = [r for r in chart.datasets["vertices"].to_pylist() if not r["closing"]]
    assert sorted({r["model"] for r in rows}) == models[:20] and sorted({r["task"] for r in rows}) == tasks[:40]
    kept = scores[:20, :40]  # normalised among the models drawn
    want = (kept - kept.min(axis=0)) / (kept.max(axis=0) - kept.min(axis=0))
    assert {(r["model"], r["task"]): r["value"] for r in rows} == pytest.approx(
        {(m, t): want[i, j] for i, m in enumerate(models[:20]) for j, t in enumerate(tasks[:40])})
    said = " ".join(chart.spec["title"]["text"])
    assert "The first 20 of 25 models (by name) are drawn, normalised among themselves" in said
    assert "The first 40 of 45 tasks (by name) are drawn" in said
