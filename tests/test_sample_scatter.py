"""sample_scatter (issue 13): jittered strips and scatters read back from Chromium; the stratified subsample checked
against DuckDB counts; hover text cut and kept as text; only http(s) links open."""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa
import pytest

import evalviz as ev
from evalviz.errors import ColumnTypeError, MissingColumnError

HOSTILE = "<img src=x onerror=alert(1)>"


def samples_table(rows: int = 60) -> pa.Table:
    """Samples of three models, one rare; a long hostile input, a javascript: link and a NULL time."""
    rng = np.random.default_rng(3)
    models = np.array(["big"] * (rows - rows // 3 - 2) + ["small"] * (rows // 3) + ["rare"] * 2)
    texts = [f"question {i}" for i in range(rows)]
    texts[0] = HOSTILE + " " + "x" * 400
    links = [f"https://logs.example.com/#/sample/{i}" for i in range(rows)]
    links[1] = "javascript:alert(1)"
    time = rng.gamma(2, 1.0, rows).tolist()
    time[2] = None
    return pa.table({"id": [str(i) for i in range(rows)], "model_display_name": models, "input": texts,
                     "total_time": pa.array(time, pa.float64()), "total_tokens": rng.integers(5, 50, rows),
                     "log_viewer": links})


def quotas(counts: dict[str, int], n: int) -> dict[str, int]:
    """The documented quotas, computed here: one row per stratum, the other n - S points shared by the rows each
    has beyond its first (rounded down, then one more for the largest remainders, ties by name); with more strata
    than points, one row of each of the n largest."""
    names = sorted(counts)
    m = np.array([counts[k] for k in names])
    if m.sum() <= n:
        return dict(counts)
    if len(m) >= n:
        largest = sorted(names, key=lambda k: (-counts[k], k))[:n]
        return {k: int(k in largest) for k in names}
    exact = (n - len(m)) * (m - 1) / (m.sum() - len(m))
    k = 1 + np.floor(exact).astype(int)
    for i in sorted(range(len(m)), key=lambda i: (-(exact[i] - np.floor(exact[i])), names[i]))[:n - k.sum()]:
        k[i] += 1
    return {name: int(q) for name, q in zip(names, k, strict=True)}


def marks(page, name: str) -> list:
    return [i for i in page.items() if i.role == "mark" and (i.name or "").endswith(f"{name}_marks")]


def test_hover_shows_cut_text_as_text_and_only_http_links_open(render) -> None:
    table = samples_table()
    page = render(ev.sample_scatter(table, y="total_time", color="model_display_name"))
    drawn = {p.datum["d0"]: p for p in marks(page, "points")}
    assert len(drawn) == table.num_rows - 1 and "2" not in drawn  # the NULL time is left out
    assert any("1 row without a value (NULL or NaN) left out." in t for t in page.title_texts())
    tip = page.hover(drawn["0"])
    assert tip["input"] == table["input"][0].as_py()[:200] + "\u2026"
    assert tip["id"] == "0" and tip["model_display_name"] == "big"
    assert tip["total_time"] == f"{table['total_time'][0].as_py():.4g}"
    assert "&lt;img" in page.tooltip_html() and "<img" not in page.tooltip_html()
    assert page.click_opens(drawn["3"]) == "https://logs.example.com/#/sample/3"
    assert page.click_opens(drawn["1"]) is None  # javascript: never opens
    # One strip per model: every point sits in its model's band.
    bands = {}
    for point in drawn.values():
        bands.setdefault(point.datum["group"], []).append(point.x)
    spans = sorted((min(xs), max(xs)) for xs in bands.values())
    assert all(a[1] < b[0] for a, b in zip(spans, spans[1:], strict=False))


def test_scatter_places_points_by_x_and_y(render) -> None:
    table = samples_table()
    page = render(ev.sample_scatter(table, x="total_tokens", y="total_time"))
    drawn = [p for p in marks(page, "points")]
    by_x = sorted(drawn, key=lambda p: p.datum["x"])
    assert all(a.x <= b.x + 0.01 for a, b in zip(by_x, by_x[1:], strict=False))
    by_y = sorted(drawn, key=lambda p: p.datum["y"])
    assert all(a.y >= b.y - 0.01 for a, b in zip(by_y, by_y[1:], strict=False))  # up the page
    tokens = dict(zip(table["id"].to_pylist(), table["total_tokens"].to_pylist(), strict=True))
    assert all(p.datum["x"] == tokens[p.datum["d0"]] for p in drawn)


def test_subsample_keeps_each_strata_share_and_says_so(render) -> None:
    table = samples_table(3000)
    db = duckdb.connect()
    db.register("t", table)
    counts = dict(db.sql("SELECT model_display_name, count(*) FROM t WHERE total_time IS NOT NULL "
                         "GROUP BY 1").fetchall())
    total = sum(counts.values())
    chart = ev.sample_scatter(table, y="total_time", color="model_display_name", max_points=200)
    page = render(chart)
    drawn = marks(page, "points")
    shown = {m: sum(1 for p in drawn if p.datum["group"] == m) for m in counts}
    assert shown == quotas(counts, 200)
    for model, m in counts.items():
        assert abs(shown[model] - 200 * m / total) < 2 and shown[model] >= 1  # its share; a rare stratum keeps one
    assert any(f"200 of {total:,} samples shown, stratified by model_display_name." in t
               for t in page.title_texts())
    again = ev.sample_scatter(table, y="total_time", color="model_display_name", max_points=200)
    other = ev.sample_scatter(table, y="total_time", color="model_display_name", max_points=200, seed=5)
    ids = [sorted(c.datasets["points"]["d0"].to_pylist()) for c in (chart, again, other)]
    assert ids[0] == ids[1] and ids[0] != ids[2]  # the same seed, the same sample


def test_default_cap_ships_at_most_5000_points() -> None:
    big = ev.Data.from_sql("SELECT i AS id, i % 7 AS model, random() AS score FROM range(20000) t(i)")
    chart = ev.sample_scatter(big, y="score", stratify_by="model")
    points = chart.datasets["points"]
    assert points.num_rows == 5000
    shown = np.bincount([int(r.split(" ")[0]) for r in points["stratum"].to_pylist()], minlength=7)
    expected = [big.sql(f"SELECT count(*) AS n FROM this WHERE model = {k}")["n"][0].as_py() * 5000 / 20000
                for k in range(7)]
    assert np.all(np.abs(shown - expected) < 1)


def test_bad_input_is_refused() -> None:
    table = samples_table()
    with pytest.raises(ev.EvalvizError, match="needs y="):
        ev.sample_scatter(table)
    with pytest.raises(MissingColumnError, match="'time'"):
        ev.sample_scatter(table, y="time")
    with pytest.raises(ColumnTypeError, match="'input'"):
        ev.sample_scatter(table, y="input")
    infinite = table.set_column(3, "total_time", pa.array([1.0, float("-inf")] + [1.0] * (table.num_rows - 2)))
    with pytest.raises(ColumnTypeError, match="-inf at row 1"):
        ev.sample_scatter(infinite, y="total_time")
    with pytest.raises(ev.EvalvizError, match="max_points"):
        ev.sample_scatter(table, y="total_time", max_points=0)
    with pytest.raises(MissingColumnError, match="'difficulty'"):
        ev.sample_scatter(table, y="total_time", stratify_by="difficulty")


def test_a_sample_never_holds_more_than_max_points_and_says_which_strata_have_none(render) -> None:
    # Nine strata of one row beside one of 1,000: one row each, and the large stratum the rest (10 points, not 18).
    table = pa.table({"s": ["big"] * 1000 + [f"s{i}" for i in range(9)], "v": np.arange(1009, dtype=float)})
    drawn = ev.sample_scatter(table, y="v", stratify_by="s", max_points=10).datasets["points"]["stratum"].to_pylist()
    counts = {k: table["s"].to_pylist().count(k) for k in set(table["s"].to_pylist())}
    assert {k: drawn.count(k) for k in counts} == quotas(counts, 10)
    # More strata than points: exactly max_points, one of each of the largest strata, and the subtitle says so.
    many = ev.Data.from_sql("SELECT i % 10000 AS s, CAST(i AS DOUBLE) AS v FROM range(50500) t(i)")
    chart = ev.sample_scatter(many, y="v", stratify_by="s", max_points=100)
    strata = chart.datasets["points"]["stratum"].to_pylist()
    sizes = many.sql("SELECT CAST(s AS VARCHAR) AS s, count(*) AS n FROM this GROUP BY s").to_pylist()
    largest = {r["s"] for r in sizes if r["n"] == max(x["n"] for x in sizes)}  # 500 strata of 6 rows, the rest 5
    assert len(strata) == 100 and len(set(strata)) == 100 and set(strata) <= largest
    said = " ".join(render(chart).title_texts())
    assert "100 of 50,500 samples shown, stratified by s. 9,900 of 10,000 strata have no point" in said


def test_a_null_group_and_one_named_null_stay_two_groups_both_labelled(render) -> None:
    table = pa.table({"g": [None] * 3 + ["(null)"] * 3, "v": [1.0, 2.0, 3.0, 10.0, 11.0, 12.0],
                      "x": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]})
    page = render(ev.sample_scatter(table, x="x", y="v", color="g"))
    assert page.legend_labels() == ["(null)", "(null)"]
    fills = {p.datum["y"]: p.fill for p in marks(page, "points")}
    assert fills[1.0] == fills[2.0] == fills[3.0] != fills[10.0] == fills[11.0] == fills[12.0]
    page = render(ev.sample_scatter(table, y="v", color="g"))
    assert page.axis_labels("x") == ["(null)", "(null)"]
    bands = {}
    for point in marks(page, "points"):
        bands.setdefault(point.datum["y"] < 5, []).append(point.x)
    assert max(bands[True]) < min(bands[False]) or max(bands[False]) < min(bands[True])  # two strips


def test_values_too_large_to_draw_and_points_beyond_the_ceiling_are_refused() -> None:
    with pytest.raises(ColumnTypeError, match=r"1e\+200 at row 1: a value beyond ±1e\+150 .* Rescale"):
        ev.sample_scatter(pa.table({"v": [1.0, 1e200]}), y="v")
    with pytest.raises(ev.EvalvizError, match="max_points is the most points drawn, from 1 to 100,000"):
        ev.sample_scatter(samples_table(), y="total_time", max_points=10**30)
