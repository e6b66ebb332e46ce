"""scores_by_limit (issue 13): each model's share of samples solved within a budget, and its Wilson band, read back
from Chromium and checked against numpy (counts per budget) and scipy (the Wilson interval)."""

from __future__ import annotations

import math
from fractions import Fraction

import duckdb
import numpy as np
import pyarrow as pa
import pytest
from scipy.stats import binomtest, norm

import evalviz as ev
from evalviz.data.table import Data
from evalviz.errors import ColumnTypeError, EmptyDataError, EvalvizError, MissingColumnError
from evalviz.views.scores_by_limit import scores_by_limit_data

HOSTILE = '<img src=x onerror=alert(1)> "quoted"'
MODELS = ("Atlas", HOSTILE, "O'Brien")


def samples() -> pa.Table:
    """Three models of 80 rows each: tokens log-uniform from 10 to 10,000 (stronger models solve with fewer),
    0/1 scores with a half score, errored rows (with a score of 1: still unsolved), rows without tokens, a NULL and
    a NaN score and an infinite token count."""
    rng = np.random.default_rng(13)
    model = np.repeat(MODELS, 80)
    tokens = 10 ** rng.uniform(1, 4, model.size)
    strength = np.repeat([0.8, 0.5, 0.3], 80)
    score = (rng.uniform(size=model.size) < strength).astype(float)
    score[5] = 0.5
    error = np.where(rng.uniform(size=model.size) < 0.08, "RuntimeError: sandbox died", "")
    error[0], score[0] = "boom", 1.0  # errored with a full score: not solved
    tokens_given = rng.uniform(size=model.size) > 0.05
    tokens[90] = np.inf
    score_given = np.ones(model.size, bool)
    score_given[100] = False
    score[101] = np.nan
    return pa.table({
        "model_display_name": model,
        "total_tokens": pa.array(tokens, mask=~tokens_given),
        "total_time": rng.uniform(2.0, 9.0, model.size),
        "score_match": pa.array(score, mask=~score_given),
        "error": error,
    })


def expected_share(table: pa.Table, model: str, budget: float, *, limit: str = "total_tokens",
                   threshold: float = 1.0) -> tuple[int, int]:
    """(solved, n): the model's rows with no error, a finite score >= threshold and a finite limit <= budget; all
    of its rows."""
    rows = table.filter(pa.compute.equal(table["model_display_name"], model))
    used = rows[limit].to_numpy(zero_copy_only=False).astype(float)
    score = rows["score_match"].to_numpy(zero_copy_only=False).astype(float)
    fine = rows["error"].to_numpy(zero_copy_only=False) == ""
    with np.errstate(invalid="ignore"):
        solved = fine & np.isfinite(score) & (score >= threshold) & np.isfinite(used) & (used <= budget)
    return int(solved.sum()), rows.num_rows


def unsolvable(table: pa.Table, model: str, limit: str = "total_tokens") -> tuple[int, int]:
    """(errored, without a finite score or limit and no error) rows of a model."""
    rows = table.filter(pa.compute.equal(table["model_display_name"], model))
    used = rows[limit].to_numpy(zero_copy_only=False).astype(float)
    score = rows["score_match"].to_numpy(zero_copy_only=False).astype(float)
    failed = rows["error"].to_numpy(zero_copy_only=False) != ""
    return int(failed.sum()), int((~failed & ~(np.isfinite(used) & np.isfinite(score))).sum())


def wilson(solved: int, n: int, ci: float = 0.95) -> tuple[float, float]:
    interval = binomtest(solved, n).proportion_ci(confidence_level=ci, method="wilson")
    return interval.low, interval.high


# The band's drawn pixels, with the y scale's pixels of each item's low and high.
BAND_JS = """(el) => {
    const view = el.evalvizView, y = view.scale('y'), out = [];
    const walk = (mark) => {
        for (const item of mark.items || []) {
            if (mark.marktype === 'group') { (item.items || []).forEach(walk); continue; }
            if ((mark.name || '').endsWith('band_marks')) out.push({y: item.y, y2: item.y2,
                low: y(item.datum.low), high: y(item.datum.high), model: item.datum.model});
        }
    };
    walk(view.scenegraph().root);
    return out;
}"""


def marks(page, name: str) -> list:
    return [i for i in page.items() if i.role == "mark" and (i.name or "").endswith(f"{name}_marks")]


def test_curves_and_band_match_numpy_and_scipy(render) -> None:
    table = samples()
    page = render(ev.scores_by_limit(table, score="score_match", steps=20, title="Budget"))
    drawn = marks(page, "points")
    assert len(drawn) == 3 * 20 and {p.datum["model"] for p in drawn} == set(MODELS)
    used = table["total_tokens"].to_numpy(zero_copy_only=False).astype(float)
    finite = used[np.isfinite(used)]
    grid = np.geomspace(finite.min(), finite.max(), 20)  # 10 to 10,000: three orders of magnitude, a log scale
    assert sorted({p.datum["budget"] for p in drawn}) == pytest.approx(grid, rel=1e-9)
    for point in drawn:
        solved, n = expected_share(table, point.datum["model"], point.datum["budget"])
        assert (point.datum["solved"], point.datum["n"]) == (solved, n)
        assert point.datum["success_rate"] == pytest.approx(solved / n)
        assert (point.datum["low"], point.datum["high"]) == pytest.approx(wilson(solved, n), abs=1e-12)
    # The x axis is a log scale: equal budget ratios are equal distances.
    xs = sorted({round(p.center[0], 3) for p in drawn if p.datum["model"] == "Atlas"})
    assert np.diff(xs) == pytest.approx(np.full(19, (xs[-1] - xs[0]) / 19), abs=0.01)
    # Each share rises with the budget; the band is drawn from low to high.
    for model in MODELS:
        shares = [p.datum["success_rate"] for p in sorted(drawn, key=lambda p: p.datum["budget"])
                  if p.datum["model"] == model]
        assert shares == sorted(shares)
    band = page.chart().evaluate(BAND_JS)
    assert len(band) == 60
    for item in band:
        assert item["y"] == pytest.approx(item["low"], abs=0.01) and item["y2"] == pytest.approx(item["high"], abs=0.01)
    assert len(marks(page, "lines")) == 3 * 20  # one line per model, a vertex per budget


def test_tooltip_and_subtitle_count_what_is_unsolved(render) -> None:
    table = samples()
    page = render(ev.scores_by_limit(table, score="score_match", steps=12))
    drawn = marks(page, "points")
    centers = np.array([p.center for p in drawn])
    # The point farthest from every other, so that the pointer lands on it alone.
    gaps = [np.delete(np.hypot(*(centers - c).T), i).min() for i, c in enumerate(centers)]
    point = drawn[int(np.argmax(gaps))]
    assert point.opacity == 0  # points show on hover
    tip = page.hover(point)
    model, budget = point.datum["model"], point.datum["budget"]
    solved, n = expected_share(table, model, budget)
    low, high = wilson(solved, n)
    errored, unscored = unsolvable(table, model)
    assert tip["Model"] == model
    assert tip["Total tokens"] == f"{float(f'{budget:.4g}'):,.10g}"
    assert tip["Solved"] == f"{solved / n:.1%}"
    assert tip["95% Wilson interval"] == f"[{low:.1%}, {high:.1%}]"
    assert tip["Solved samples"] == f"{solved} of {n}"
    assert tip["Counted unsolved"] == f"{errored} errored, {unscored} without a score or limit"
    assert [p.opacity for p in marks(page, "points") if p.datum == point.datum] == [1]
    # Hostile names are text: in the legend and the tooltip as written, and nothing ran (the fixture checks).
    assert HOSTILE in page.legend_labels()
    totals = [unsolvable(table, m) for m in MODELS]
    subtitle = " ".join(page.title_texts())
    assert "score_match \u2265 1 (no error) and total_tokens \u2264 the budget" in subtitle
    assert (f"{sum(e for e, _ in totals)} errored and {sum(u for _, u in totals)} without a score or total_tokens "
            "samples count as unsolved.") in subtitle
    assert "95% Wilson interval" in subtitle


def test_the_table_behind_the_curve_is_a_data_of_one_query(monkeypatch) -> None:
    table = samples()
    curve = scores_by_limit_data(table, limit="total_time", score="score_match", steps=7, threshold=0.5, ci=0.8)
    assert isinstance(curve, Data)
    rows = curve.to_arrow().to_pylist()
    times = table["total_time"].to_numpy()
    grid = np.linspace(times.min(), times.max(), 7)  # 2 to 9 seconds: a linear scale
    assert {r["scale"] for r in rows} == {"linear"} and len(rows) == 3 * 7
    for row in rows:
        assert row["budget"] == pytest.approx(grid[np.argmin(abs(grid - row["budget"]))], rel=1e-12)
        solved, n = expected_share(table, row["model"], row["budget"], limit="total_time", threshold=0.5)
        assert (row["solved"], row["n"], row["success_rate"]) == (solved, n, pytest.approx(solved / n))
        assert (row["low"], row["high"]) == pytest.approx(wilson(solved, n, 0.8), abs=1e-12)
        assert (row["errors"], row["unscored"]) == unsolvable(table, row["model"], "total_time")
    assert max(r["budget"] for r in rows) == times.max()  # the last budget is the largest time, every row within
    # Forced scales; and the same number of queries whatever the number of budgets (no loop over budgets).
    assert {r["scale"] for r in scores_by_limit_data(table, limit="total_time", score="score_match",
                                                     scale="log").to_arrow().to_pylist()} == {"log"}
    calls: list[str] = []
    original = Data.run
    monkeypatch.setattr(Data, "run", lambda self, sql: calls.append(sql) or original(self, sql))
    counts = []
    for steps in (2, 2000):
        calls.clear()
        ev.scores_by_limit(table, score="score_match", steps=steps)
        counts.append(len(calls))
    assert counts == [1, 1]
    # The band's confidence level is said to the digits given.
    spec = ev.scores_by_limit(table, score="score_match", ci=0.995).spec
    assert "Band: 99.5% Wilson interval." in " ".join(spec["title"]["text"])


def test_every_row_errored_or_equal_limits() -> None:
    table = pa.table({"model": ["a", "a", "b", "b"], "total_tokens": [5, 5, 5, 5], "score_match": [1.0, 1, 1, 0],
                      "error": ["x", "y", "", None]})
    rows = scores_by_limit_data(table).to_arrow().to_pylist()  # model falls back to "model"; one score column
    assert [(r["model"], r["budget"], r["solved"], r["n"], r["errors"]) for r in rows] == [
        ("a", 5.0, 0, 2, 2), ("b", 5.0, 1, 2, 0)]  # every limit equal: one budget
    assert (rows[0]["low"], rows[0]["high"]) == pytest.approx(wilson(0, 2), abs=1e-12)


@pytest.mark.parametrize(("arguments", "error", "match"), [
    ({"limit": "tokens"}, MissingColumnError, r"'tokens'.*Did you mean 'total_tokens'.*'score_match'"),
    ({"limit": "model_display_name"}, ColumnTypeError, r"limit column 'model_display_name' holds"),
    ({"score": "grade"}, ColumnTypeError, r"'grade'.*score_to_float"),
    ({"error": "failure"}, MissingColumnError, r"'failure'"),
    ({"steps": 1}, EvalvizError, r"steps is the number of budgets.*not 1"),
    ({"steps": 2.5}, EvalvizError, r"steps .* not 2.5"),
    ({"steps": True}, EvalvizError, r"steps .* not True"),
    ({"steps": 10_001}, EvalvizError, r"from 2 to 10,000"),
    ({"scale": "sqrt"}, EvalvizError, r"scale is 'auto'.*not 'sqrt'"),
    ({"threshold": math.nan}, EvalvizError, r"threshold must be a finite number"),
    ({"ci": 1.5}, EvalvizError, r"ci is a confidence level"),
    ({"limit": "nothing"}, EmptyDataError, r"'nothing' value; every one is NULL"),
    ({"limit": "non_positive", "scale": "log"}, EvalvizError, r"scale='log' needs positive 'non_positive'"),
    ({"score": None}, EvalvizError, r"the table has 'score_match', 'score_other': name one"),
    ({"widht": 300}, EvalvizError, r"no argument 'widht'. Did you mean 'width'"),
    ({"score": "nothing"}, EmptyDataError, r"'nothing' score; every one is NULL.*score="),
    ({"error": "flag"}, ColumnTypeError, r"error column 'flag' holds BOOLEAN values.*error=None"),
    ({"threshold": 10**400}, EvalvizError, r"threshold must be a finite number"),
])
def test_bad_input_is_refused_before_any_output(tmp_path, arguments: dict, error: type, match: str) -> None:
    table = samples()
    table = (table.append_column("grade", pa.array(["C", "I"] * (table.num_rows // 2)))
             .append_column("nothing", pa.array([None] * table.num_rows, pa.float64()))
             .append_column("non_positive", pa.array(np.zeros(table.num_rows)))
             .append_column("score_other", pa.array(np.ones(table.num_rows)))
             .append_column("flag", pa.array(np.zeros(table.num_rows, bool))))
    with pytest.raises(error, match=match):
        ev.scores_by_limit(table, **{"score": "score_match", **arguments}).write_html(tmp_path / "chart.html")
    assert not (tmp_path / "chart.html").exists()


def test_a_null_model_and_a_model_named_null_are_two_curves(render) -> None:
    """Regression: rows without a model and rows of a model named "(null)" were one curve of both."""
    table = pa.table({"model": [None, None, None, "(null)", "(null)"], "total_tokens": [1, 2, 3, 1, 2],
                      "score_match": [1.0, 1.0, 0.0, 0.0, 1.0]})
    db = duckdb.connect()
    db.register("samples", table)
    want = sorted(db.sql("SELECT count(*), count(*) FILTER (WHERE score_match >= 1) FROM samples "
                         "GROUP BY model IS NULL").fetchall())
    rows = scores_by_limit_data(table, steps=2).to_arrow().to_pylist()
    assert sorted((r["n"], r["solved"]) for r in rows if r["budget"] == 3) == want
    page = render(ev.scores_by_limit(table, steps=2))
    assert page.legend_labels() == ["(null)", "(null)"]  # two entries, drawn alike
    assert len({line.stroke for line in marks(page, "lines")}) == 2  # in two colours


def test_budgets_stay_finite_and_ascending_over_the_widest_range() -> None:
    """Regression: limits from -1.7e308 to 1.7e308 overflowed a budget to infinity, out of order, and the curve
    read fewer samples solved at a larger budget."""
    limits = np.array([-1.7e308, -1e300, 0.0, 5.0, 1e307, 1.7e308])
    table = pa.table({"model": ["m"] * 6, "total_tokens": limits, "score_match": np.ones(6)})
    rows = scores_by_limit_data(table, steps=9, scale="linear").to_arrow().to_pylist()
    lo, hi = Fraction(limits.min()), Fraction(limits.max())
    assert [r["budget"] for r in rows] == pytest.approx([float(lo + (hi - lo) * i / 8) for i in range(9)],
                                                        rel=1e-12, abs=1e295)
    assert [r["solved"] for r in rows] == [int((limits <= r["budget"]).sum()) for r in rows]
    assert rows[0]["budget"] == limits.min() and rows[-1]["budget"] == limits.max()


def test_at_most_twenty_curves_those_solving_most_and_the_subtitle_says_so(render) -> None:
    """Regression: 300 models drew 300 curves in ten repeating colours (and 290 MB of HTML at 10,000 steps)."""
    rng = np.random.default_rng(5)
    names = [f"model {i:02d}" for i in range(25)]
    model = np.repeat(names, 20)
    score = (rng.uniform(size=model.size) < np.repeat(np.linspace(0.1, 0.9, 25), 20)).astype(float)
    table = pa.table({"model": model, "total_tokens": rng.uniform(1, 50, model.size), "score_match": score})
    shares = {name: score[model == name].mean() for name in names}
    best = sorted(names, key=lambda name: (-shares[name], name))[:20]
    chart = ev.scores_by_limit(table, steps=3)
    assert set(chart.datasets["curve"]["model"].to_pylist()) == set(best)
    assert "The 20 models of 25 solving the largest shares are drawn" in " ".join(chart.spec["title"]["text"])
    page = render(chart)
    assert sorted(page.legend_labels()) == sorted(best)
    assert len({line.stroke for line in marks(page, "lines")}) == 20  # a colour each
    assert len(set(scores_by_limit_data(table, steps=3).to_arrow()["model"].to_pylist())) == 25  # the table: all


def test_a_confidence_level_next_to_one_gives_a_finite_band() -> None:
    """Regression: ci=1 - 2**-53 raised Python's StatisticsError (0.5 + ci / 2 rounds to 1)."""
    ci = 1 - 2**-53
    table = pa.table({"model": ["m"] * 10, "total_tokens": np.arange(10.0), "score_match": [1.0] * 3 + [0.0] * 7})
    row = scores_by_limit_data(table, steps=2, ci=ci).to_arrow().to_pylist()[-1]
    z, p, n = norm.isf((1 - ci) / 2), 0.3, 10  # the Wilson score interval, from scipy's normal quantile
    center, half = (p + z * z / (2 * n)) / (1 + z * z / n), z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (
        1 + z * z / n)
    assert (row["low"], row["high"]) == pytest.approx((center - half, center + half), rel=1e-9)
