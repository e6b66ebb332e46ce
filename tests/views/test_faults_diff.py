"""Issue 10 in diff_plot: the overall row stays on top, apart from the sorted slices; infinities and NaN never
reach the spec (an infinite difference is flagged, "inf" in its tooltip); sizes and options are checked first."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pyarrow as pa
import pytest

import evalviz as ev
from evalviz.analysis import paired_diff_between_models
from evalviz.views.colors import INFINITE_COLOR

ROOT = Path(__file__).resolve().parents[2]
INF = float("inf")


def table(**columns: list) -> pa.Table:
    base = {
        "slice": ["easy", "all", "hard", "medium"],
        "metric": ["mean"] * 4,
        "delta": [0.30, 0.05, -0.20, 0.10],
        "low": [0.10, -0.02, -0.35, -0.05],
        "high": [0.50, 0.12, -0.05, 0.25],
        "status": ["ok"] * 4,
    }
    return pa.table({**base, **columns})


def layer(chart: ev.Component, name: str) -> dict:
    return next(part for part in chart.spec["layer"] if part.get("name") == name)


def y_order(chart: ev.Component) -> list[str]:
    return layer(chart, "point")["encoding"]["y"]["scale"]["domain"]


def by_delta(rows: pa.Table, *, descending: bool) -> list[str]:
    """The slices other than 'all', ordered by their delta in Python."""
    pairs = [(r["slice"], r["delta"]) for r in rows.to_pylist() if r["slice"] != "all"]
    return [s for s, _ in sorted(pairs, key=lambda p: p[1], reverse=descending)]


# -- the overall row -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("sort", ["descending", "ascending", None, ["hard", "easy"]])
def test_the_overall_row_stays_on_top_whatever_the_sort(sort):
    rows = table()
    order = y_order(ev.diff_plot(rows, sort=sort))
    assert order[0] == "all"
    expected = {
        "descending": by_delta(rows, descending=True),
        "ascending": by_delta(rows, descending=False),
        None: ["easy", "hard", "medium"],
        "hard-easy": ["hard", "easy", "medium"],
    }["hard-easy" if isinstance(sort, list) else sort]
    assert order[1:] == expected


def test_without_an_overall_name_it_sorts_with_the_slices():
    rows = table()
    pairs = sorted(((r["slice"], r["delta"]) for r in rows.to_pylist()), key=lambda p: p[1], reverse=True)
    assert y_order(ev.diff_plot(rows, overall=None)) == [s for s, _ in pairs]
    assert not any(part.get("name") == "separator" for part in ev.diff_plot(rows, overall=None).spec["layer"])
    # A table without an overall row is drawn as before.
    no_overall = rows.filter(pa.compute.not_equal(rows["slice"], "all"))
    assert y_order(ev.diff_plot(no_overall)) == by_delta(rows, descending=True)


def test_the_analysis_tables_overall_row_comes_first(monkeypatch):
    monkeypatch.chdir(ROOT)
    samples = ev.Data.from_file("examples/data/samples.parquet")
    diffs = paired_diff_between_models(samples, "Atlas Small", "Atlas Large", score="match", by="task",
                                       n_resamples=200, progress=False)
    rows = diffs.to_arrow()
    chart = ev.diff_plot(diffs)
    assert y_order(chart) == ["all", *by_delta(rows, descending=True)]
    assert max(r["delta"] for r in rows.to_pylist()) != rows["delta"][0].as_py()  # 'all' is not simply the largest


# -- values that are not finite ------------------------------------------------------------------------------
def _numbers(chart: ev.Component) -> list[float]:
    data = chart.datasets["diffs"]
    return [v for name in data.column_names if pa.types.is_floating(data.schema.field(name).type)
            for v in data[name].to_pylist() if v is not None]


def test_infinities_and_nan_do_not_reach_the_spec():
    rows = table(
        slice=["up", "all", "down", "huge", "nan", "wide"],
        metric=["mean"] * 6,
        delta=[INF, 0.05, -0.2, -INF, math.nan, 0.1],
        low=[0.1, -0.02, -INF, None, 0.0, -0.2],
        high=[INF, 0.12, -0.05, None, math.nan, INF],
        status=["ok"] * 6,
        baseline_value=[0.5, 0.5, INF, 0.5, 0.5, 0.5],
        n=[INF, 10.0, 1e30, 10.0, 10.0, 10.0],
    )
    chart = ev.diff_plot(rows)
    json.dumps(chart.spec, allow_nan=False)  # no infinity or NaN in the spec ...
    assert all(math.isfinite(v) for v in _numbers(chart))  # ... nor in the data travelling with it
    assert "<html" in chart.to_html().lower()
    lo, hi = layer(chart, "point")["encoding"]["x"]["scale"]["domain"]
    assert math.isfinite(lo) and math.isfinite(hi)
    drawn = {r["slice"]: r for r in chart.datasets["diffs"].to_pylist()}
    assert drawn["up"]["result"] == drawn["huge"]["result"] == "infinite"
    assert (drawn["up"]["delta_inf"], drawn["huge"]["delta_inf"]) == ("inf", "-inf")
    assert drawn["up"]["note"] == "infinite difference (inf)"
    assert drawn["nan"]["result"] == "no value"  # NaN from arithmetic is no value, never "ok"
    # An infinite end still reads against zero, and is drawn at the edge of the x range.
    assert drawn["down"]["result"] == "worse" and drawn["down"]["low_inf"] == "-inf" and drawn["down"]["low"] == lo
    assert drawn["wide"]["result"] == "no clear difference" and drawn["wide"]["high"] == hi
    assert drawn["down"]["baseline"] is None and drawn["down"]["baseline_inf"] == "inf"
    assert drawn["up"]["n"] is None and drawn["up"]["n_inf"] == "inf" and drawn["down"]["n"] == 1e30
    finite = [0.05, -0.02, 0.12, -0.2, -0.05, 0.1, -0.2]
    assert lo < min(finite) and hi > max(finite) and hi - lo < 1  # the range of the finite values only


def _huge() -> ev.Component:
    return ev.diff_plot(table(delta=[1.7e308, 0.0, -1.7e308, 1.0], low=[1.0e308, -1.0, -1.7e308, 0.5],
                              high=[1.7e308, 1.0, -1.0e308, 1.5]))


def test_the_largest_finite_values_keep_the_range_finite():
    chart = _huge()
    lo, hi = layer(chart, "point")["encoding"]["x"]["scale"]["domain"]
    assert math.isfinite(hi - lo) and lo < 0 < hi  # the browser computes with hi - lo
    json.dumps(chart.spec, allow_nan=False)


# -- options -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"width": 0}, "width is a size in pixels from 1 to 10000 .*not 0"),
        ({"width": "wide"}, "width is a size in pixels .*not 'wide'"),
        ({"width": -5}, "width is a size in pixels"),
        ({"width": True}, "width is a size in pixels"),
        ({"width": math.nan}, "width is a size in pixels"),
        ({"height": 10**6}, "height is a size in pixels .*not 1000000"),
        ({"tip": "yes"}, "tip is True or False, not 'yes'"),
        ({"higher_is_better": None}, "higher_is_better is True or False, not None"),
        ({"overall": 1}, "overall is a string or None, not 1"),
        ({"title": 5}, "title is a string or None, not 5"),
        ({"x_label": 5}, "x_label is a string or None, not 5"),
    ],
)
def test_options_are_checked_before_the_data_is_read(options, message):
    with pytest.raises(ev.EvalvizError, match=message):
        ev.diff_plot(object(), **options)  # the option fails first, not the data
    with pytest.raises(ev.EvalvizError, match=message):
        ev.diff_plot(table(), **options)


def test_a_given_size_is_used():
    chart = ev.diff_plot(table(), width=480.4, height=300)
    assert (chart.spec["width"], chart.spec["height"]) == (480, 300)


# -- in Chromium ---------------------------------------------------------------------------------------------
_MARKS_JS = """
(el) => {
  const view = el.evalvizView;
  const x = view.scale('x');
  const out = [];
  const walk = (mark) => {
    for (const item of mark.items || []) {
      if (mark.marktype === 'group') { for (const child of item.items || []) walk(child); continue; }
      if (!mark.name) continue;
      const d = item.datum || {};
      out.push({name: mark.name, slice: d.slice ?? null, x: item.x, x2: item.x2 ?? null, y: item.y,
                fill: item.fill ?? null, zero: x(0), range: x.range()});
    }
  };
  walk(view.scenegraph().root);
  return out;
}
"""


@pytest.mark.browser
def test_diff_plot_in_the_browser(render):
    rows = table(
        slice=["easy", "all", "hard", "medium", "broken"],
        metric=["mean"] * 5,
        delta=[0.30, 0.05, -0.20, 0.10, INF],
        low=[0.10, -0.02, -INF, -0.05, None],
        high=[0.50, 0.12, -0.05, 0.25, None],
        status=["ok"] * 5,
    )
    page = render(ev.diff_plot(rows))
    assert page.axis_labels_in_order("y") == ["all", "easy", "medium", "hard", "broken"]
    weights = page.chart().evaluate(
        """(el) => Object.fromEntries([...el.querySelectorAll('g.role-axis-label text')].map(t =>
            [t.textContent, getComputedStyle(t).fontWeight]))"""
    )
    assert int(weights["all"]) >= 700 and all(int(weights[s]) < 700 for s in ("easy", "hard", "medium"))

    marks = page.chart().evaluate(_MARKS_JS)
    rows_y = {m["slice"]: m["y"] for m in marks if m["name"] == "point_marks"}
    (separator,) = [m for m in marks if m["name"] == "separator_marks"]
    assert separator["y"] == pytest.approx((rows_y["all"] + rows_y["easy"]) / 2, abs=1)  # halfway: apart

    # The infinite difference: flagged on the zero line, in the infinite colour, "inf" in its tooltip.
    (flagged,) = [m for m in marks if m["name"] == "flagged_marks"]
    assert flagged["slice"] == "broken" and flagged["fill"] == INFINITE_COLOR
    assert flagged["x"] == pytest.approx(flagged["zero"], abs=0.5)
    items = {(i.name, i.datum.get("slice")): i for i in page.items() if i.role == "mark" and i.datum}
    tip = page.hover(items[("flagged_marks", "broken")])
    assert tip["difference"] == "inf" and tip["result"] == "infinite difference (inf)"
    assert "infinite" in page.legend_labels()

    # The interval with an infinite end runs to the left edge of the data, left of everything else.
    interval = next(m for m in marks if m["name"] == "interval_marks" and m["slice"] == "hard")
    others = [m["x"] for m in marks if m["name"] in ("point_marks", "interval_marks") and m["slice"] != "hard"]
    assert interval["x"] < min(others) and interval["x"] >= interval["range"][0] - 0.5
    tip = page.hover(items[("point_marks", "hard")])
    assert tip["interval"] == "[-inf, \u22120.050]" and tip["result"] == "worse: the interval excludes zero"

    # Differences near the largest float still draw: every point at a finite x, in the order of the values.
    huge = render(_huge())
    points = {m["slice"]: m["x"] for m in huge.chart().evaluate(_MARKS_JS) if m["name"] == "point_marks"}
    assert all(math.isfinite(x) for x in points.values())
    assert points["hard"] < points["all"] < points["easy"]
    assert "NaN" not in huge.axis_labels("x")
