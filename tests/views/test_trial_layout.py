"""hconcat / vconcat keep each part's layout, and diff_plot names what it compares (new-user trial, findings 3
and 13): measured in a real Chromium and in the PNG/SVG export, against each chart drawn alone."""

from __future__ import annotations

import doctest
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import altair as alt
import pyarrow as pa
import pytest

import evalviz as ev
from browser import ChartPage, open_chart_page
from evalviz.analysis import paired_diff_between_models
from evalviz.rendering import concat_parts
from evalviz.rendering.contract import RendererContract
from evalviz.rendering.html import chart_markup, standalone_page

pytestmark = pytest.mark.browser

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "data"
PADDING = 5  # Vega's default padding around a whole chart

# Each chart's plot area and the bounds of all it draws (axes, legend, title), alone or as a part of a
# concatenation (its group "<name>_group"), in pixels.
_LAYOUT_JS = """
(el) => {
  const view = el.evalvizView;
  const root = view.scenegraph().root.items[0];
  const box = (b) => [b.x2 - b.x1, b.y2 - b.y1];
  const parts = {};
  const walk = (item) => {
    for (const mark of item.items || []) {
      if (mark.marktype !== 'group') continue;
      for (const child of mark.items || []) {
        if (mark.name && mark.name.endsWith('_group')) {
          parts[mark.name.replace(/_group$/, '')] = {plot: [child.width, child.height], bounds: box(child.bounds)};
        }
        walk(child);
      }
    }
  };
  walk(root);
  const surface = el.querySelector('svg.marks, canvas.marks').getBoundingClientRect();
  return {plot: [view.width(), view.height()], bounds: box(root.bounds), parts,
          surface: [surface.width, surface.height]};
}
"""


@pytest.fixture(scope="module")
def diffs() -> ev.Data:
    samples = ev.Data.from_file(EXAMPLES / "samples.parquet")
    return paired_diff_between_models(samples, "Atlas Small", "Atlas Large", score="match", by="task",
                                      n_resamples=200, progress=False)


@pytest.fixture(scope="module")
def charts(diffs: ev.Data) -> dict[str, ev.Component]:
    evals = ev.Data.from_file(EXAMPLES / "evals.parquet")
    alone = {
        "heatmap": ev.scores_heatmap(evals, width=480),
        "titled": ev.scores_heatmap(evals, width=420, height=260, title="Scores by task"),
        "diff": ev.diff_plot(diffs),
        "diff400": ev.diff_plot(diffs, width=400, title="Atlas Large - Atlas Small"),
        "grid": ev.slice_metric_heatmap([[0.1, 0.9], [0.5, 0.3]], ["a", "b"], ["x", "y"], metric_name="acc",
                                        width=300),
    }
    return {
        **alone,
        "v_diff": ev.vconcat(alone["diff"]),
        "v_heatmap": ev.vconcat(alone["heatmap"]),
        "h_pair": ev.hconcat(alone["heatmap"], alone["titled"]),
        "nested": ev.vconcat(alone["heatmap"], ev.hconcat(alone["diff400"], alone["grid"])),
    }


@pytest.fixture(scope="module")
def drawn(browser: Any, charts: dict[str, ev.Component],
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ChartPage, dict[str, dict]]]:
    """All the charts on one page, and what each drew (see _LAYOUT_JS)."""
    path = tmp_path_factory.mktemp("layout") / "charts.html"
    path.write_text(standalone_page("".join(chart_markup(c.spec, c.datasets) for c in charts.values())))
    page = open_chart_page(browser, path, wait_for=len(charts))
    layouts = {name: page.chart(i).evaluate(_LAYOUT_JS) for i, name in enumerate(charts)}
    yield page, {name: dict(layout, index=i) for i, (name, layout) in enumerate(layouts.items())}
    assert page.requests == [] and page.errors == []
    page.context.close()


def test_a_part_keeps_its_plot_area_and_outer_size_in_a_concatenation(drawn) -> None:
    _, layouts = drawn
    where = {  # the parts of each concatenation: Vega-Lite's name of the part, and the chart it is
        "v_diff": {"c0": "diff"},
        "v_heatmap": {"c0": "heatmap"},
        "h_pair": {"c0": "heatmap", "c1": "titled"},
        "nested": {"c0": "heatmap", "c1_c0": "diff400", "c1_c1": "grid"},
    }
    widths = {"heatmap": 480, "titled": 420, "diff": 700, "diff400": 400, "grid": 300}
    for concat, parts in where.items():
        for part, chart in parts.items():
            alone, inside = layouts[chart], layouts[concat]["parts"][part]
            # Alone, Vega fits the whole chart, padding included, into `width`: so it does inside.
            assert alone["surface"][0] == pytest.approx(widths[chart], abs=1)
            assert inside["plot"] == alone["plot"], (concat, part)
            assert inside["bounds"] == pytest.approx(alone["bounds"], abs=1), (concat, part)
            assert inside["bounds"][0] == pytest.approx(widths[chart] - 2 * PADDING, abs=1), (concat, part)
    # A concatenation of one part is the size of the part alone.
    for concat, chart in (("v_diff", "diff"), ("v_heatmap", "heatmap")):
        assert layouts[concat]["surface"] == pytest.approx(layouts[chart]["surface"], abs=2)


def _separator_and_rows(page: ChartPage, index: int) -> tuple[float, float, float, float]:
    """(separator y, 'all' row's point y, next row's point y, 'all' row's interval y), in page pixels."""
    items = page.items(index)
    (separator,) = [i for i in items if i.name and i.name.endswith("separator_marks")]
    points = sorted((i for i in items if i.name and i.name.endswith("point_marks")), key=lambda i: i.y)
    (interval,) = [i for i in items if i.name and i.name.endswith("interval_marks") and i.datum["slice"] == "all"]
    assert points[0].datum["slice"] == "all"
    return separator.y, points[0].y, points[1].y, interval.y


def test_the_overall_separator_lies_between_the_overall_row_and_the_slices_as_alone(drawn) -> None:
    page, layouts = drawn
    results = {}
    for name in ("diff", "v_diff", "diff400", "nested"):
        sep, first, second, interval = _separator_and_rows(page, layouts[name]["index"])
        assert sep == pytest.approx((first + second) / 2, abs=1), name  # halfway, not through the "all" row
        assert interval == pytest.approx(first, abs=1) and abs(interval - sep) > 5, name
        results[name] = (sep - first, second - first)
    assert results["v_diff"] == pytest.approx(results["diff"], abs=0.5)
    assert results["nested"] == pytest.approx(results["diff400"], abs=0.5)


def _svg_size(component: ev.Component, path: Path) -> tuple[float, float]:
    svg = component.write_svg(path).read_text()
    found = re.search(r'<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"', svg)
    assert found
    return float(found[1]), float(found[2])


def test_the_exported_image_keeps_each_part_as_alone(charts: dict[str, ev.Component], tmp_path: Path) -> None:
    pytest.importorskip("vl_convert")
    for concat, chart in (("v_diff", "diff"), ("v_heatmap", "heatmap")):
        alone = _svg_size(charts[chart], tmp_path / f"{chart}.svg")
        assert alone[0] == pytest.approx(charts[chart].spec["width"], abs=1)
        assert _svg_size(charts[concat], tmp_path / f"{concat}.svg") == pytest.approx(alone, abs=2)
    # Side by side: the two parts' widths, Vega-Lite's spacing between them (20) and the padding, to a pixel or
    # two per part (Vega rounds each part's bounds up).
    pair = _svg_size(charts["h_pair"], tmp_path / "pair.svg")
    assert pair[0] == pytest.approx(480 + 420 - 2 * 2 * PADDING + 20 + 2 * PADDING, abs=4)


def _strings(node: Any) -> Iterator[str]:
    """Every string in a spec (keys aside)."""
    if isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)
    elif isinstance(node, str):
        yield node


def test_every_expression_naming_a_scale_follows_the_parts_scale(charts: dict[str, ev.Component]) -> None:
    spec = charts["nested"].spec
    calls = [call for text in _strings(spec)
             for call in re.findall(r"""(?:scale|bandwidth|invert|domain|range)\(["']([^"']+)["']""", text)]
    assert "c1_c0_y" in calls  # the diff_plot's separator, on its part's band scale
    assert "c0_color" in calls and "c1_c1_color" in calls  # each heatmap's annotations, on its own colours
    assert all(re.fullmatch(r"c\d(_c\d)*_\w+", name) for name in calls), calls
    # Laid out alone, a part is as it is written: it names its scales as inside the concatenation.
    (part,) = [p for p in RendererContract.of_spec(spec).parts if p.path == ("vconcat", 1, "hconcat", 0)]
    alone = concat_parts.alone(spec, part)
    assert alone["name"] == "c1_c0" and any('"c1_c0_y"' in text for text in _strings(alone))
    assert alone["width"] == 400 and alone["autosize"]["type"] == "fit"
    assert doctest.testmod(concat_parts).failed == 0


# -- diff_plot names the two sides ---------------------------------------------------------------------------
def test_diff_plot_names_the_models_on_the_axis_and_in_the_tooltip(drawn, diffs: ev.Data) -> None:
    page, layouts = drawn
    index = layouts["diff"]["index"]
    assert page.axis_title("x", index) == "Difference (Atlas Large - Atlas Small)"
    (point,) = [i for i in page.items(index)
                if i.name and i.name.endswith("point_marks") and i.datum["slice"] == "Arithmetic"]
    row = diffs.filter("slice = 'Arithmetic'").to_arrow().to_pylist()[0]
    tip = page.hover(point)
    assert tip["Atlas Small (baseline)"] == f"{row['baseline_value']:.3f}"
    assert tip["Atlas Large (candidate)"] == f"{row['candidate_value']:.3f}"
    assert "baseline" not in tip and "candidate" not in tip


def test_diff_plot_without_names_or_with_several_keeps_the_generic_titles() -> None:
    base = {"slice": ["all", "a"], "delta": [0.1, 0.2], "baseline_value": [0.5, 0.4],
            "candidate_value": [0.6, 0.6]}
    unnamed = ev.diff_plot(pa.table(base))
    mixed = ev.diff_plot(pa.table({**base, "baseline_name": ["m1", "m2"], "candidate_name": ["m3", "m3"]}))
    renamed = ev.diff_plot(pa.table({**base, "old": ["bm25"] * 2, "new": ["bert"] * 2}),
                           baseline_name="old", candidate_name="new")
    for chart, axis, titles in ((unnamed, "Difference (candidate - baseline)", {"baseline", "candidate"}),
                                (mixed, "Difference (candidate - baseline)", {"baseline", "candidate"}),
                                (renamed, "Difference (bert - bm25)", {"bm25 (baseline)", "bert (candidate)"})):
        layer = chart.spec["layer"][1]
        assert layer["encoding"]["x"]["title"] == axis
        assert titles <= {t["title"] for t in chart.spec["usermeta"]["evalviz"]["tooltips"][layer["name"]]}
    with pytest.raises(ev.MissingColumnError, match="'old'"):
        ev.diff_plot(pa.table(base), baseline_name="old")


def test_a_concatenation_in_altair_keeps_each_parts_annotation_colours(charts: dict[str, ev.Component],
                                                                      render) -> None:
    """Altair names the parts by position: the annotations still contrast with their own part's colours, as in
    the chart evalviz draws; inside a chart the user concatenates it with, every annotation is still drawn."""
    nested = charts["nested"]
    exported = nested.to_altair()
    again = alt.hconcat(exported, exported).to_dict(validate=True)
    page = render(standalone_page("".join(chart_markup(spec, datasets) for spec, datasets in (
        (nested.spec, nested.datasets), (exported.to_dict(validate=True), {}), (again, {})))), wait_for=3)

    def annotations(index: int) -> list[tuple[str, str, str]]:
        return sorted((i.datum["x"], i.datum["y"], i.fill) for i in page.items(index)
                      if i.marktype == "text" and i.role == "mark" and i.datum and "value" in i.datum)

    drawn = annotations(0)
    assert {fill for *_, fill in drawn} == {"black", "white"}  # light and dark cells both annotated
    assert annotations(1) == drawn
    assert [cell for *cell, _ in annotations(2)] == sorted([cell for *cell, _ in drawn] * 2)
