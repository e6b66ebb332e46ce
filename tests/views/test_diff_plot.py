"""diff_plot: its spec and errors without a browser, then what Chromium draws (positions on the x scale, the
zero rule, tooltips, skipped and error rows, hostile labels)."""

from __future__ import annotations

import doctest
from pathlib import Path

import pyarrow as pa
import pytest

import evalviz as ev
import evalviz.views.diff as diff_module
from evalviz.views.colors import ERROR_COLOR, SKIPPED_COLOR
from evalviz.views.diff import BETTER, WORSE
from evalviz.views.diff_marks import RESULT_COLORS

ROOT = Path(__file__).resolve().parents[2]

HOSTILE = "<img src=x onerror=alert(1)>"
SINGLE_CLASS = "single-class data: 0 positive and 9 negative rows"


def diffs(**overrides: list) -> ev.Data:
    """A paired-diff table as the analysis layer writes it: one better, one worse, one unclear slice, a slice
    whose difference is exactly zero, a skipped slice with a hostile name and an error slice."""
    columns = {
        "slice": ["up", "down", "flat", "zero", HOSTILE, "broken"],
        "metric": ["roc_auc"] * 6,
        "delta": [0.2, -0.15, 0.05, 0.0, None, None],
        "low": [0.1, -0.25, -0.05, -0.1, None, None],
        "high": [0.3, -0.05, 0.15, 0.1, None, None],
        "n": [120, 80, 60, 40, 9, 30],
        "overlaps_zero": [False, False, True, True, None, None],
        "status": ["ok", "ok", "ok", "ok", "skipped", "error"],
        "reason": [None, None, None, None, SINGLE_CLASS, "unexpected failure: ZeroDivisionError"],
        "baseline_value": [0.5, 0.7, 0.6, 0.65, None, 0.5],
        "candidate_value": [0.7, 0.55, 0.65, 0.65, None, None],
    }
    columns.update(overrides)
    return ev.Data.from_dataframe(pa.table(columns))


def drawn(component: ev.Component) -> list[dict]:
    return component.datasets["diffs"].to_pylist()


def tooltip_rows(component: ev.Component, mark: str) -> list[dict]:
    """The rows a mark's tooltip shows, as the renderer contract gives them."""
    return component.spec["usermeta"]["evalviz"]["tooltips"][mark]


def y_order(component: ev.Component) -> list[str]:
    point = next(layer for layer in component.spec["layer"] if layer.get("name") == "point")
    return point["encoding"]["y"]["scale"]["domain"]


# -- without a browser ---------------------------------------------------------------------------------------
def test_spec_is_valid_vega_lite_with_only_the_drawn_rows_travelling() -> None:
    chart = ev.diff_plot(diffs(), title="New vs old")
    chart.to_altair().to_dict(validate=True)  # the whole spec against the Vega-Lite schema
    meta = chart.spec["usermeta"]["evalviz"]  # the renderer contract: no mark opens a link, four have tooltips
    assert meta["links"] == {} and meta["renderer"] == "svg" and not meta["drill"] and len(meta["plot_size"]) == 2
    assert set(meta["tooltips"]) == {"interval", "point", "flagged", "flag_text"}
    assert "values" not in str(chart.spec["layer"])  # the data is named, never inlined
    rows = drawn(chart)
    assert len(rows) == 6
    assert set(rows[0]) == {"slice", "delta", "low", "high", "n", "baseline", "candidate", "reason", "result",
                            "note", "delta_inf", "low_inf", "high_inf", "n_inf", "baseline_inf", "candidate_inf"}
    results = {r["slice"]: r["result"] for r in rows}
    assert results == {"up": "better", "down": "worse", "flat": "no clear difference",
                       "zero": "no clear difference", HOSTILE: "skipped", "broken": "error"}
    # Default size: 700 wide, 50 + 28 px per slice high, plus the title and the metric's subtitle line.
    assert chart.spec["width"] == 700 and chart.spec["height"] == 50 + 28 * 6 + 2 * 24
    assert ev.diff_plot(diffs(), width=500, height=300).spec["height"] == 300


def test_sort_orders() -> None:
    assert y_order(ev.diff_plot(diffs())) == ["up", "flat", "zero", "down", HOSTILE, "broken"]
    assert y_order(ev.diff_plot(diffs(), sort="ascending")) == ["down", "zero", "flat", "up", HOSTILE, "broken"]
    assert y_order(ev.diff_plot(diffs(), sort=None)) == ["up", "down", "flat", "zero", HOSTILE, "broken"]
    explicit = ev.diff_plot(diffs(), sort=["zero", "broken", "nope"])  # as in heatmaps, "nope" is ignored
    assert y_order(explicit) == ["zero", "broken", "up", "down", "flat", HOSTILE]
    with pytest.raises(ev.EvalvizError, match="sort="):
        ev.diff_plot(diffs(), sort="biggest")


def test_lower_is_better_and_values_that_are_not_finite() -> None:
    flipped = {r["slice"]: r["result"] for r in drawn(ev.diff_plot(diffs(), higher_is_better=False))}
    assert flipped["up"] == "worse" and flipped["down"] == "better"
    # NaN differences with an "ok" status are drawn as rows without a value, infinite ones flagged: not dropped.
    odd = diffs(delta=[0.2, float("nan"), float("inf"), 0.0, None, None])
    rows = {r["slice"]: r for r in drawn(ev.diff_plot(odd, status=None, reason=None))}
    assert len(rows) == 6
    assert rows["down"]["result"] == "no value" and rows["flat"]["result"] == "infinite"
    assert rows["down"]["note"] == "no value (the difference is missing or NaN)"
    assert rows["flat"]["note"] == "infinite difference (inf)" and rows["flat"]["delta_inf"] == "inf"
    assert rows[HOSTILE]["result"] == "no value" and rows["broken"]["result"] == "no value"
    assert rows["up"]["result"] == "better"


def test_minimal_table_and_optional_columns() -> None:
    data = ev.Data.from_dataframe(pa.table({"task": ["a", "b"], "gain": [0.1, -0.1]}))
    chart = ev.diff_plot(data, slice="task", delta="gain")
    rows = drawn(chart)
    assert [r["result"] for r in rows] == ["no interval", "no interval"]
    point = next(layer for layer in chart.spec["layer"] if layer.get("name") == "point")
    assert [t["title"] for t in tooltip_rows(chart, "point")] == ["task", "difference", "result"]
    assert point["encoding"]["y"]["title"] == "task"
    # A pyarrow Table (or a pandas / polars dataframe) is taken as it is.
    assert drawn(ev.diff_plot(pa.table({"slice": ["a"], "delta": [0.1]})))[0]["result"] == "no interval"
    assert [t["title"] for t in tooltip_rows(ev.diff_plot(diffs()), "point")] == [
        "slice", "difference", "interval", "n", "baseline", "candidate", "result"]


def test_errors_name_the_column_and_the_way_out() -> None:
    with pytest.raises(ev.MissingColumnError) as caught:
        ev.diff_plot(diffs(), slice="task")
    assert "'task'" in str(caught.value) and "'slice'" in str(caught.value) and "'delta'" in str(caught.value)
    with pytest.raises(ev.MissingColumnError, match="'lower'"):
        ev.diff_plot(diffs(), low="lower")  # a name other than the default must be there
    with pytest.raises(ev.EvalvizError, match="both ends"):
        ev.diff_plot(diffs(), high=None)
    two_metrics = diffs(metric=["roc_auc"] * 5 + ["pr_auc"])
    with pytest.raises(ev.EvalvizError, match="several metrics.*filter"):
        ev.diff_plot(two_metrics)
    with pytest.raises(ev.EvalvizError, match="'up' \\(2 rows\\)"):
        ev.diff_plot(diffs(slice=["up", "up", "a", "b", "c", "d"]))
    with pytest.raises(ev.EvalvizError, match="not numbers"):
        ev.diff_plot(diffs(delta=["big", "small", "x", "y", None, None]))
    with pytest.raises(ev.EmptyDataError):
        ev.diff_plot(diffs().filter("delta > 1"))
    with pytest.raises(ev.EvalvizError, match="diff_plot has no argument 'no_such_property'"):
        ev.diff_plot(diffs(), no_such_property=1)
    assert ev.diff_plot(diffs(), background="#fafafa").spec["background"] == "#fafafa"


def test_docstring_example_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the example reads examples/data/samples.parquet
    result = doctest.testmod(diff_module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


# -- in Chromium ---------------------------------------------------------------------------------------------
_MARKS_JS = """
(el, name) => {
  const view = el.evalvizView;
  const x = view.scale('x'), y = view.scale('y');
  const out = [];
  const walk = (mark) => {
    for (const item of mark.items || []) {
      if (mark.marktype === 'group') { for (const child of item.items || []) walk(child); continue; }
      if (mark.name !== name) continue;
      const d = item.datum || {};
      out.push({slice: d.slice ?? null, delta: d.delta ?? null, low: d.low ?? null, high: d.high ?? null,
                x: item.x, x2: item.x2 ?? null, y: item.y, text: item.text ?? null, fill: item.fill ?? null,
                stroke: item.stroke ?? null, shape: item.shape ?? null,
                // Where the scales put this row's values, in the same (plot) coordinates.
                at: {delta: d.delta == null ? null : x(d.delta), low: d.low == null ? null : x(d.low),
                     high: d.high == null ? null : x(d.high), zero: x(0),
                     row: d.slice == null ? null : y(d.slice) + (y.bandwidth ? y.bandwidth() / 2 : 0)}});
    }
  };
  walk(view.scenegraph().root);
  return out;
}
"""


def marks(page, name: str) -> list[dict]:
    return page.chart().evaluate(_MARKS_JS, name)


@pytest.mark.browser
def test_diff_plot_in_the_browser(render) -> None:
    page = render(ev.diff_plot(diffs(), title="New vs old"))

    # The zero rule: one vertical line at x = scale(0).
    (zero,) = marks(page, "zero_marks")
    assert zero["x"] == pytest.approx(zero["at"]["zero"], abs=0.5)

    # One point and one interval per slice with a difference, at the x of delta, low and high, on its row.
    points, intervals = marks(page, "point_marks"), marks(page, "interval_marks")
    assert sorted(p["slice"] for p in points) == ["down", "flat", "up", "zero"]
    assert sorted(i["slice"] for i in intervals) == ["down", "flat", "up", "zero"]
    rows = {}
    for point in points:
        assert point["x"] == pytest.approx(point["at"]["delta"], abs=0.5)
        assert point["y"] == pytest.approx(point["at"]["row"], abs=0.5)
        rows[point["slice"]] = point["y"]
    for interval in intervals:
        assert interval["x"] == pytest.approx(interval["at"]["low"], abs=0.5)
        assert interval["x2"] == pytest.approx(interval["at"]["high"], abs=0.5)
        assert interval["y"] == pytest.approx(rows[interval["slice"]], abs=0.5)
    by_slice = {p["slice"]: p for p in points}
    assert by_slice["zero"]["x"] == pytest.approx(zero["x"], abs=0.5)  # a difference of 0 sits on the zero line
    assert by_slice["up"]["x"] > zero["x"] > by_slice["down"]["x"]
    # Positions are linear in delta: 0.2 is twice as far from zero as 0.1 would be, and -0.15 is 3/4 of it.
    gap_up, gap_down = by_slice["up"]["x"] - zero["x"], zero["x"] - by_slice["down"]["x"]
    assert gap_down / gap_up == pytest.approx(0.75, abs=0.01)
    # Colour and shape say how the interval reads; descending order puts the largest difference on top.
    assert by_slice["up"]["fill"] == RESULT_COLORS[BETTER] and by_slice["down"]["fill"] == RESULT_COLORS[WORSE]
    assert by_slice["up"]["shape"] == "triangle-right" and by_slice["down"]["shape"] == "triangle-left"
    assert by_slice["flat"]["shape"] == "circle"
    assert page.axis_labels_in_order("y") == ["up", "flat", "zero", "down", HOSTILE, "broken"]
    assert set(page.legend_labels()) == {"better", "worse", "no clear difference", "skipped", "error"}

    # Skipped and error rows: a neutral marker on the zero line and their status and reason as text.
    flagged = {m["slice"]: m for m in marks(page, "flagged_marks")}
    assert set(flagged) == {HOSTILE, "broken"}
    assert flagged[HOSTILE]["fill"] == SKIPPED_COLOR and flagged["broken"]["fill"] == ERROR_COLOR
    assert flagged[HOSTILE]["x"] == pytest.approx(zero["x"], abs=0.5)
    texts = {m["slice"]: m["text"] for m in marks(page, "flag_text_marks")}
    assert texts == {HOSTILE: f"skipped: {SINGLE_CLASS}", "broken": "error: unexpected failure: ZeroDivisionError"}

    # Tooltips: the slice, the difference, its interval, n, both values and how it reads.
    items = {(i.name, i.datum.get("slice")): i for i in page.items() if i.role == "mark" and i.datum}
    assert page.hover(items[("point_marks", "up")]) == {
        "slice": "up", "difference": "+0.200", "interval": "[+0.100, +0.300]", "n": "120",
        "baseline": "0.500", "candidate": "0.700", "result": "better: the interval excludes zero",
    }
    tip = page.hover(items[("flagged_marks", "broken")])
    assert tip["result"] == "error: unexpected failure: ZeroDivisionError"
    assert tip["difference"] == "none" and tip["interval"] == "none" and tip["baseline"] == "0.500"
    assert tip["n"] == "30"

    # The hostile slice name stays text: on the axis, beside its marker and in its tooltip.
    tip = page.hover(items[("flag_text_marks", HOSTILE)])
    assert tip["slice"] == HOSTILE and tip["result"] == f"skipped: {SINGLE_CLASS}"
    assert "&lt;img" in page.tooltip_html()
    assert page.page.locator("img").count() == 0
