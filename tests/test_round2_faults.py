"""Round-2 faults an attacker found in grids and score charts, which share one mechanism each: the interval check
(`query.intervals`), the ranking of axis values by an overflow-safe mean (`query.axes`), unique keys whatever the
labels hold, intervals read from low/high in scores_heatmap as in the score charts, and factor levels matched by
value. Expected values are computed here with DuckDB, exact fractions and scipy."""

from __future__ import annotations

from fractions import Fraction

import duckdb
import numpy as np
import pyarrow as pa
import pytest
from scipy.stats import norm

import evalviz as ev

MARK = "\u2063"


def rounded(pairs: list) -> list[tuple]:
    """Pairs of scores rounded to 9 places, sorted: which scores belong to one model, whatever its key."""
    return sorted(tuple(round(v, 9) for v in pair) for pair in pairs)


def group_means(table: pa.Table, keys: str) -> list[tuple]:
    """DuckDB's mean score per group of `keys` (typed values: NULL and "(null)" apart)."""
    db = duckdb.connect()
    db.register("evals", table)
    return db.sql(f"SELECT {keys}, avg(score_headline_value) FROM evals GROUP BY ALL").fetchall()


# -- 1. one interval check, for grids and score charts -------------------------------------------------------
def _evals(**columns: list) -> pa.Table:
    base = {"model": ["m1", "m2"], "task_name": ["t1", "t1"], "score_headline_value": [0.5, 0.6]}
    return pa.table({**base, **columns})


WRONG = [
    ({"score_headline_stderr": [0.1, -0.05]}, ["negative", "score_headline_stderr", "-0.05"]),
    ({"low": [0.4, 0.7], "high": [0.6, 0.5]}, ["upside down", "'low'", "'high'", "0.7"]),
    ({"low": [0.4, 0.61], "high": [0.6, 0.7]}, ["outside its interval", "'low'", "'high'", "0.6"]),
]


@pytest.mark.parametrize(("columns", "said"), WRONG)
def test_scores_heatmap_refuses_the_rows_the_score_charts_refuse(columns: dict, said: list[str]) -> None:
    table = _evals(**columns)
    for view in (ev.scores_heatmap, ev.scores_by_task, ev.scores_by_model):
        with pytest.raises(ev.EvalvizError) as caught:
            view(table)
        message = str(caught.value)
        assert view.__name__ in message and "'m2'" in message and "'t1'" in message, message
        assert "'m1'" not in message
        for part in said:
            assert part in message, (view.__name__, message)


@pytest.mark.parametrize(("columns", "said"), WRONG)
def test_heatmap_refuses_a_wrong_interval_naming_its_row_and_columns(columns: dict, said: list[str]) -> None:
    renamed = {"score_headline_stderr": "se"}
    table = _evals(**{renamed.get(k, k): v for k, v in columns.items()})
    kind = {k: k for k in ("low", "high")} if "low" in columns else {"stderr": "se"}
    with pytest.raises(ev.EvalvizError) as caught:
        ev.heatmap(table, x="task_name", y="model", fill="score_headline_value", **kind)
    message = str(caught.value)
    assert "heatmap cannot draw the row of task_name 't1', model 'm2'" in message
    for part in said:
        assert part.replace("score_headline_stderr", "se") in message


def test_a_failed_or_unscored_row_with_a_wrong_interval_is_not_refused() -> None:
    # An error row and a row without a score draw no interval: their stderr plays no part, in every view.
    table = pa.table({"model": ["m1", "m2", "m3"], "task_name": ["t1"] * 3,
                      "score_headline_value": [0.5, 0.6, None], "score_headline_stderr": [0.1, -0.2, -0.3],
                      "status": ["success", "error", "success"]})
    cells = {c["y"]: c for c in ev.scores_heatmap(table).datasets["cells"].to_pylist()}
    assert cells["m2"]["status"] == "error" and cells["m3"]["status"] == "no data"
    z = norm.ppf(0.975)
    assert (cells["m1"]["low"], cells["m1"]["high"]) == pytest.approx((0.5 - z * 0.1, 0.5 + z * 0.1), abs=1e-3)
    grid = ev.heatmap(table, x="task_name", y="model", fill="score_headline_value", stderr="score_headline_stderr",
                      status="status")
    assert sorted(c["status"] for c in grid.datasets["cells"].to_pylist()) == ["error", "no data", "ok"]
    for view in (ev.scores_by_task, ev.scores_by_model):
        rows = {r["model"]: r for r in view(table).datasets["scores"].to_pylist()}
        assert rows["m2"]["status"] == "error" and rows["m1"]["low"] == pytest.approx(0.5 - z * 0.1)
    # the same negative stderr on a row that counts is refused
    with pytest.raises(ev.EvalvizError, match="'m2'"):
        ev.heatmap(table, x="task_name", y="model", fill="score_headline_value", stderr="score_headline_stderr")


# -- 2. ranking by a mean that does not overflow ----------------------------------------------------------------
HUGE = {"A": 1.7e308, "B": 1e308, "C": 1.5e308}


def _huge_table(scale: float = 1.0) -> pa.Table:
    models = [m for m in HUGE for _ in range(2)]
    return pa.table({"model": models, "task_name": ["t1", "t2"] * 3,
                     "score_headline_value": [HUGE[m] * scale for m in models]})


def test_models_rank_by_their_means_near_the_largest_double() -> None:
    # Each model's mean over its two tasks: exact, as fractions (the sum of two values overflows a double).
    means = {m: (Fraction(v) + Fraction(v)) / 2 for m, v in HUGE.items()}
    descending = sorted(means, key=means.get, reverse=True)
    assert descending != list(HUGE)  # not input order
    rows = ev.scores_by_model(_huge_table(), sort="descending").datasets
    for name, panel in rows.items():
        drawn = sorted(panel.to_pylist(), key=lambda r: r["model_pos"])
        assert [r["model"] for r in drawn] == descending, name
    vertical = ev.scores_heatmap(_huge_table(), sort="descending", orientation="vertical")
    cells = vertical.datasets["cells"].to_pylist()
    assert list(dict.fromkeys(c["x"] for c in cells)) == descending
    # models on y: the order is that of the same table scaled far from overflow, whichever way y runs
    for sort in ("descending", "ascending"):
        huge, small = (list(dict.fromkeys(c["y"] for c in ev.scores_heatmap(
            _huge_table(scale), sort=sort).datasets["cells"].to_pylist())) for scale in (1.0, 1e-300))
        assert huge == small
        assert huge in (descending, descending[::-1])
    grid = ev.heatmap(_huge_table(), x="model", y="task_name", fill="score_headline_value", sort="descending")
    assert list(dict.fromkeys(c["x"] for c in grid.datasets["cells"].to_pylist())) == descending


# -- 3. unique keys whatever the labels hold --------------------------------------------------------------------
HOSTILE = [None, "(null)", f"(null){MARK}2", f"(null){MARK}", f"x{MARK}1", "x"]


def _hostile_table() -> pa.Table:
    models = [m for m in HOSTILE for _ in range(2)]
    scores = [round(0.05 + 0.07 * i, 2) for i in range(len(models))]
    return pa.table({"model": models, "task_name": ["t1", "t2"] * len(HOSTILE), "score_headline_value": scores})


def test_hostile_labels_keep_one_key_per_model_in_every_view() -> None:
    table = _hostile_table()
    expected = group_means(table, "model, task_name")
    # per model, its (t1, t2) scores: which scores belong together
    pairs = rounded([tuple(v for m2, _, v in sorted(expected, key=lambda r: r[1]) if m2 == m) for m in HOSTILE])

    heat = ev.scores_heatmap(table).datasets["cells"].to_pylist()
    keys = list(dict.fromkeys(c["y"] for c in heat))
    assert len(keys) == len(HOSTILE)
    by_x = sorted(heat, key=lambda c: c["x"])
    assert rounded([tuple(c["value"] for c in by_x if c["y"] == k) for k in keys]) == pairs

    by_task = ev.scores_by_task(table).datasets["scores"].to_pylist()
    assert len({(r["model"], r["task"]) for r in by_task}) == len(by_task) == len(expected)
    assert rounded([tuple(r["value"] for r in sorted(by_task, key=lambda r: r["task"]) if r["model"] == k)
                    for k in dict.fromkeys(r["model"] for r in by_task)]) == pairs

    panels = ev.scores_by_model(table).datasets
    assert len(panels) == 2
    per_key: dict[str, list[float]] = {}
    for panel in panels.values():
        rows = panel.to_pylist()
        assert len({r["model"] for r in rows}) == len(rows) == len(HOSTILE)  # no key shared within a panel
        for r in rows:
            per_key.setdefault(r["model"], []).append(r["value"])
    assert rounded(list(per_key.values())) == pairs  # a key is one model in each panel


def test_hostile_labels_are_drawn_as_they_are(render) -> None:
    table = _hostile_table()
    page = render(ev.scores_by_task(table))
    drawn = {page.hover(b)["Model"] for b in page.items() if b.role == "mark"
             and (b.name or "").endswith("scores_marks")}
    assert drawn == {"(null)" if m is None else m for m in HOSTILE}


# -- 4. scores_heatmap reads low/high as the score charts do ---------------------------------------------------
def test_scores_heatmap_shows_the_interval_the_score_charts_show(render) -> None:
    table = pa.table({"model": ["m"], "task_name": ["t"], "score_headline_value": [0.5],
                      "score_headline_stderr": [0.1], "low": [0.45], "high": [0.55]})
    cell = ev.scores_heatmap(table).datasets["cells"].to_pylist()[0]
    bar = ev.scores_by_task(table).datasets["scores"].to_pylist()[0]
    assert (cell["low"], cell["high"]) == (bar["low"], bar["high"]) == (0.45, 0.55)
    page = render(ev.scores_heatmap(table))
    assert page.hover(page.cells()[0])["interval"] == "[0.450, 0.550]"
    # without low/high, both read the stderr: 0.5 ± z(0.975) * 0.1
    z = norm.ppf(0.975)
    plain = table.drop_columns(["low", "high"])
    cell = ev.scores_heatmap(plain).datasets["cells"].to_pylist()[0]
    bar = ev.scores_by_task(plain).datasets["scores"].to_pylist()[0]
    assert (cell["low"], cell["high"]) == pytest.approx((0.5 - z * 0.1, 0.5 + z * 0.1), abs=1e-3)
    assert (bar["low"], bar["high"]) == pytest.approx((0.5 - z * 0.1, 0.5 + z * 0.1))
    # named columns, and None to use the stderr though low/high are there
    renamed = table.rename_columns(["model", "task_name", "score_headline_value", "score_headline_stderr",
                                    "lo", "hi"])
    cell = ev.scores_heatmap(renamed, low="lo", high="hi").datasets["cells"].to_pylist()[0]
    assert (cell["low"], cell["high"]) == (0.45, 0.55)
    cell = ev.scores_heatmap(table, low=None, high=None).datasets["cells"].to_pylist()[0]
    assert cell["low"] == pytest.approx(0.5 - z * 0.1, abs=1e-3)


# -- 5. factor levels matched by value ---------------------------------------------------------------------------
def _factor_table(levels: list) -> pa.Table:
    return pa.table({"model": ["m"] * 4, "task_name": ["t"] * 4, "score_headline_value": [0.2, 0.4, 0.6, 0.8],
                     "f": levels})


def _labels_by_level(chart: ev.Component) -> dict:
    return {r["level_label"]: r["value"] for r in chart.datasets["scores"].to_pylist()}


def test_factor_labels_keyed_by_numpy_booleans_as_pandas_gives_them() -> None:
    table = _factor_table([True, False, True, False])
    expected = dict(group_means(table, "f"))
    given = dict(zip(np.unique(np.array([True, False])), ("no", "yes"), strict=True))  # keys np.False_, np.True_
    assert all(type(k).__module__ == "numpy" for k in given)
    drawn = _labels_by_level(ev.scores_by_factor(table, "f", given))
    assert drawn == pytest.approx({"yes": expected[True], "no": expected[False]})


def test_factor_labels_keyed_by_numbers_match_float_levels() -> None:
    table = _factor_table([0.5, 1.0, 0.5, 1.0])
    expected = dict(group_means(table, "f"))
    for given in ({0.5: "half", 1: "one"}, {np.float64(0.5): "half", np.int64(1): "one"}):
        drawn = _labels_by_level(ev.scores_by_factor(table, "f", given))
        assert drawn == pytest.approx({"half": expected[0.5], "one": expected[1.0]})
    with pytest.raises(ev.EvalvizError, match="factor_labels"):
        ev.scores_by_factor(table, "f", {0.5: "half", 2: "two"})
    with pytest.raises(ev.EvalvizError, match="factor_labels"):  # a boolean names no number
        ev.scores_by_factor(_factor_table([0, 1, 0, 1]), "f", {False: "no", True: "yes"})


def test_diff_plot_keeps_a_null_slice_apart_from_texts_holding_the_key_mark() -> None:
    """A NULL slice beside "(null)" is keyed "(null)" + KEY_MARK; a real slice of that very text stays apart."""
    mark = "\u2063"
    slices = [None, "(null)", "(null)" + mark, "a"]
    deltas = [0.1, 0.2, 0.3, 0.4]
    table = pa.table({"slice": slices, "delta": deltas, "low": [d - 0.1 for d in deltas],
                      "high": [d + 0.1 for d in deltas]})
    rows = ev.diff_plot(table).datasets["diffs"].to_pylist()
    assert len({row["slice"] for row in rows}) == len(slices)
    assert sorted(row["delta"] for row in rows) == deltas
