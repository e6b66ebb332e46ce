"""The grid's colour scale types (log, sqrt, power), axis groups and annotate="auto", as drawn in Chromium: cell
colours against Vega's viridis at the scale's position of each DuckDB cell mean, the legend on the same scale,
brackets over their groups' rows, and annotations only where they fit."""

from __future__ import annotations

import math
import re
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pytest

import evalviz as ev

VEGA_SCALE = Path(__file__).resolve().parents[2] / "node_modules" / "vega-scale" / "build" / "vega-scale.js"
TRANSFORMS = {"log": math.log, "sqrt": math.sqrt, "power": lambda v: v ** 3}


def _viridis() -> list[tuple[int, int, int]]:
    """Vega's viridis stops, read from vega-scale itself."""
    palette = re.search(r"viridis: '([0-9a-f]+)'", VEGA_SCALE.read_text()).group(1)
    return [tuple(int(palette[i + k:i + k + 2], 16) for k in (0, 2, 4)) for i in range(0, len(palette), 6)]


def _colour_at(t: float, stops: list[tuple[int, int, int]]) -> tuple[float, float, float]:
    """d3's piecewise RGB interpolation of `stops` at t in [0, 1]."""
    n = len(stops) - 1
    i = max(0, min(n - 1, math.floor(t * n)))
    u = t * n - i
    return tuple(a + (b - a) * u for a, b in zip(stops[i], stops[i + 1], strict=True))


def _rgb(colour: str) -> tuple[int, int, int]:
    if colour.startswith("rgb"):
        return tuple(int(float(v)) for v in colour[colour.index("(") + 1:-1].split(",")[:3])
    colour = colour.lstrip("#")
    return tuple(int(colour[i:i + 2], 16) for i in (0, 2, 4))


def _table() -> pa.Table:
    """Values over three orders of magnitude; one cell of two rows (its mean is drawn)."""
    values = [0.02, 0.05, 0.1, 0.3, 0.9, 2.0, 7.5, 20.0, 60.0]
    rows = [{"model": f"m{i // 3}", "task": f"t{i % 3}", "v": v} for i, v in enumerate(values)]
    rows.append({"model": "m0", "task": "t0", "v": 0.08})
    return pa.Table.from_pylist(rows)


def _page_of(*components: ev.Component) -> str:
    from test_heatmaps_in_browser import page_of

    return page_of(*components)


@pytest.mark.browser
def test_cell_colours_and_legend_follow_log_sqrt_and_power_scales(render) -> None:
    cells_table = _table()
    means = {(m, t): v for m, t, v in duckdb.sql("SELECT model, task, avg(v) FROM cells_table GROUP BY ALL").fetchall()}
    data = ev.Data.from_dataframe(cells_table)
    kinds = [("log", None), ("sqrt", None), ("power", 3)]
    charts = [ev.heatmap(data, x="task", y="model", fill="v", color_scale=kind, exponent=exponent)
              for kind, exponent in kinds]
    page = render(_page_of(*charts), wait_for=len(charts))
    stops = _viridis()
    lo, hi = min(means.values()), max(means.values())
    for index, (kind, _) in enumerate(kinds):
        f = TRANSFORMS[kind]
        cells = page.cells(index)
        assert len(cells) == 9
        for cell in cells:
            value = means[(cell.datum["y"], cell.datum["x"])]
            expected = _colour_at((f(value) - f(lo)) / (f(hi) - f(lo)), stops)
            drawn = _rgb(cell.fill)
            assert max(abs(a - b) for a, b in zip(drawn, expected, strict=True)) <= 2, (kind, value, drawn, expected)
        # The gradient legend's labels sit where the same scale puts their values: positions along the legend
        # are proportional to f(label) (read from the page, compared with the transform computed here).
        labels = [i for i in page.items(index) if i.role == "legend-label" and i.text]
        numbers = [(float(i.text), i.y + i.height / 2) for i in labels if re.fullmatch(r"[0-9.]+", i.text)]
        assert len(numbers) >= 3, [i.text for i in labels]
        (v0, y0), (v1, y1) = numbers[0], numbers[-1]
        for v, y in numbers[1:-1]:
            assert (y - y0) / (y1 - y0) == pytest.approx((f(v) - f(v0)) / (f(v1) - f(v0)), abs=0.03), (kind, v)
    # The three scales colour one value differently: 0.9 sits near the middle of the log scale only.
    fills = [_rgb(page.cell(i, x="t1", y="m1").fill) for i in range(3)]
    assert len(set(fills)) == 3


def test_log_scale_refuses_a_cell_at_or_below_zero_naming_it() -> None:
    data = ev.Data.from_dataframe(pa.table({"model": ["a", "a", "b"], "task": ["x", "y", "x"],
                                            "v": [0.5, 0.0, 2.0]}))
    with pytest.raises(ev.EvalvizError, match=r"color_scale='log' takes values above 0: the cell of model 'a', "
                                              r"task 'y' has 0 \(v\)\. Use color_scale='sqrt' or 'power'"):
        ev.heatmap(data, x="task", y="model", fill="v", color_scale="log")
    with pytest.raises(ev.EvalvizError, match=r"vmin is 0"):
        ev.heatmap(data.filter("v > 0"), x="task", y="model", fill="v", color_scale="log", domain=(0, 2))
    samples = ev.Data.from_file("examples/data/samples.parquet")
    with pytest.raises(ev.EvalvizError, match=r"color_scale='log' takes values above 0: the cell of Model"):
        ev.sample_heatmap(samples, score_value="score_match", color_scale="log")


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"color_scale": "power"}, r"color_scale='power' needs its exponent"),
    ({"color_scale": "sqrt", "exponent": 2}, r"color_scale='sqrt' takes none"),
    ({"color_scale": "logg"}, r"Did you mean 'log'\?"),
    ({"color_scale": "power", "exponent": -1}, r"exponent must be above 0"),
    ({"groups": {"y": {"G": ["nope", "m1"]}}}, r"groups name y labels the data does not have: 'nope'\. The y axis "
                                               r"has ('m\d', ){2}'m\d' \(3 labels\)"),
    ({"groups": {"y": {"A": ["m0"], "B": ["m0"]}}}, r"'m0' is in two groups, 'A' and 'B'"),
    ({"groups": {"rows": {"A": ["m0"]}}}, r"groups takes the keys 'x', 'y', not 'rows'"),
    ({"groups": {"y": ["m0"]}}, r"groups\['y'\] maps each group's name to its labels"),
    ({"groups": {"y": {"A": "m0"}}}, r"The group 'A' \(groups\['y'\]\) is a non-empty list of labels"),
    ({"cell": lambda: ev.CellOptions(annotate="yes")}, r"CellOptions.annotate is 'auto'"),
    ({"groups": {"y": {"  ": ["m0"]}}}, r"A group's name is a string with some text to draw beside its bracket, "
                                        r"not '  '"),
])
def test_bad_scale_group_and_annotate_options_are_refused(kwargs: dict, message: str) -> None:
    data = ev.Data.from_dataframe(_table())
    with pytest.raises(ev.EvalvizError, match=message):
        kwargs = {k: (v() if callable(v) else v) for k, v in kwargs.items()}
        ev.heatmap(data, x="task", y="model", fill="v", **kwargs)


@pytest.mark.browser
def test_groups_keep_labels_together_and_draw_named_spans_over_their_rows(render) -> None:
    evals = ev.Data.from_file("examples/data/evals.parquet")
    groups = {"y": {"Atlas": ["Atlas Small", "Atlas Large"], "Others": ["Delta Pro", "Cirrus Mini"]},
              "x": {"Words": ["World Capitals", "Backwards Spelling"]}}
    charts = [ev.scores_heatmap(evals, groups=groups, title="Grouped"),
              ev.slice_metric_heatmap(np.arange(12.0).reshape(4, 3), ["a", "b", "c", "d"], ["p", "q", "r"],
                                      groups={"y": {"Pair": ["d", "b"]}}, sort="descending")]
    page = render(_page_of(*charts), wait_for=2)
    # Ascending within each group (DuckDB's model means), groups in the order given, the ungrouped model last.
    means = dict(duckdb.sql("SELECT model_display_name, avg(score_headline_value) FROM "
                            "read_parquet('examples/data/evals.parquet') GROUP BY ALL").fetchall())
    y = page.axis_labels_in_order("y", 0)
    for members, drawn in ((groups["y"]["Atlas"], y[:2]), (groups["y"]["Others"], y[2:4])):
        assert drawn == sorted(members, key=lambda m: -means[m])
    assert y[4:] == ["Borealis"]
    assert page.axis_labels_in_order("x", 0)[:2] == sorted(["World Capitals", "Backwards Spelling"],
                                                           key=lambda t: _task_mean(t))

    items = page.items(0)
    cells = page.cells(0)
    rules = _rules(page, "y_group_brackets_marks")
    for name, members in groups["y"].items():
        (bracket,) = [i for i in items if i.name == "y_group_brackets_marks" and i.datum["name"] == name]
        (label,) = [i for i in items if i.name == "y_group_names_marks" and i.text == name]
        rows = [c for c in cells if c.datum["y"] in members]
        top, bottom = min(c.y for c in rows), max(c.y + c.height for c in rows)
        # A vertical rule left of the cells, from the group's first row to its last (inset by 2 pixels).
        assert bracket.y == pytest.approx(top + 2, abs=1.5)
        assert rules[name]["y2"] - rules[name]["y"] == pytest.approx(bottom - top - 4, abs=1.5)
        assert rules[name].get("x2") in (None, rules[name]["x"]) and bracket.x < min(c.x for c in cells)
        assert label.y == pytest.approx((top + bottom) / 2, abs=1.5) and label.x < bracket.x
        assert page.hover(label) == {"group": name, "labels": "2"}
    (x_label,) = [i for i in items if i.name == "x_group_names_marks"]
    columns = [c for c in cells if c.datum["x"] in groups["x"]["Words"]]
    assert x_label.text == "Words"
    assert x_label.x == pytest.approx((min(c.x for c in columns) + max(c.x + c.width for c in columns)) / 2, abs=1.5)
    assert x_label.y > max(c.y + c.height for c in cells)
    # The group names sit between the cells and the axis labels, which still show in full.
    assert sorted(page.axis_labels("y", 0)) == sorted(means)

    # slice_metric_heatmap: the pair first, then the others; "descending" within each (lowest row mean on top).
    row_means = dict(zip("abcd", np.arange(12.0).reshape(4, 3).mean(axis=1), strict=True))
    assert page.axis_labels_in_order("y", 1) == [*sorted("db", key=row_means.get), *sorted("ac", key=row_means.get)]
    assert [i.text for i in page.items(1) if i.name == "y_group_names_marks"] == ["Pair"]


def _rules(page, name: str) -> dict[str, dict[str, float]]:
    """The rule items of the mark `name` by their datum's group name: x, y, x2, y2 in their group's coordinates."""
    return page.chart(0).evaluate("""(el, name) => {
        const found = {};
        const walk = (node) => {
            if (node.marktype === 'rule' && node.name === name) {
                for (const i of node.items) found[i.datum.name] = {x: i.x, y: i.y, x2: i.x2, y2: i.y2};
            }
            for (const item of node.items || []) for (const child of item.items || []) walk(child);
        };
        walk(el.evalvizView.scenegraph().root);
        return found;
    }""", name)


def _task_mean(task: str) -> float:
    return duckdb.sql("SELECT avg(score_headline_value) FROM read_parquet('examples/data/evals.parquet') "
                      "WHERE task_display_name = ?", params=[task]).fetchall()[0][0]


def test_sample_heatmap_refuses_groups_on_a_binned_axis() -> None:
    samples = ev.Data.from_file("examples/data/samples.parquet")
    ids = [str(i) for i in samples.to_arrow()["id"].to_pylist()[:2]]
    with pytest.raises(ev.EvalvizError, match=r"groups on the x axis \(Sample\): its .* values are more than the "
                                              r"chart has room for, so they are binned"):
        ev.sample_heatmap(samples, score_value="score_match", orientation="horizontal", width=300,
                          groups={"x": {"G": ids}})


@pytest.mark.browser
def test_annotate_auto_writes_values_only_where_they_fit(render) -> None:
    wide = ev.Data.from_dataframe(pa.table({"m": ["a", "a", "b", "b"], "t": ["x", "y", "x", "y"],
                                            "v": [0.1, 0.25, 0.5, 0.75]}))
    narrow = ev.Data.from_dataframe(pa.table({"m": ["a"] * 40, "t": [f"t{i:02d}" for i in range(40)],
                                              "v": np.linspace(0, 1, 40)}))
    charts = [ev.heatmap(wide, x="t", y="m", fill="v"),  # default "auto": large cells, annotated
              ev.heatmap(narrow, x="t", y="m", fill="v", width=500),  # "auto": 40 cells of ~10 px, none
              ev.heatmap(narrow, x="t", y="m", fill="v", width=500, cell=ev.CellOptions(annotate=True)),
              ev.heatmap(wide, x="t", y="m", fill="v", cell=ev.CellOptions(annotate=False)),
              # Wide cells, but a format too long for them: "auto" leaves them bare.
              ev.heatmap(wide, x="t", y="m", fill="v", width=200, cell=ev.CellOptions(annot_fmt="{:.12f}")),
              ev.slice_metric_heatmap(np.array([[0.5, 0.25]]), ["r"], ["c1", "c2"])]
    page = render(_page_of(*charts), wait_for=len(charts))

    def annotations(index: int) -> list:
        return [i for i in page.items(index) if i.name == "annotations_marks"]

    drawn = annotations(0)
    assert sorted(i.text for i in drawn) == ["0.100", "0.250", "0.500", "0.750"]
    for text in drawn:  # each is written on one cell
        inside = [c for c in page.cells(0) if c.x <= text.x <= c.x + c.width and c.y <= text.y <= c.y + c.height]
        assert len(inside) == 1
    band = page.cells(1)[0].width
    assert band < 30 and annotations(1) == []
    assert len(annotations(2)) == 40  # True: on every cell, however small
    assert annotations(3) == []
    assert page.cells(4)[0].width < 100 and annotations(4) == []
    assert sorted(i.text for i in annotations(5)) == ["0.250", "0.500"]  # slice_metric_heatmap: "auto" too


def test_grouped_heatmaps_export_to_altair_and_keep_to_vega_lite_schema() -> None:
    """Group brackets and names on both axes, clustered: every layer holds only values Vega-Lite's schema takes
    (a name written upwards at angle -90 did not, and Altair then could not read the chart back), so
    to_altair() gives a chart whose group layers name the groups given."""
    import altair as alt
    from altair.utils.schemapi import validate_jsonschema

    evals = ev.Data.from_file("examples/data/evals.parquet")
    groups = {"y": {"Atlas": ["Atlas Large", "Atlas Small"]}, "x": {"Words": ["World Capitals"]}}
    chart = ev.scores_heatmap(evals, sort="cluster", groups=groups, color_scale="power", exponent=2)
    schema = alt.vegalite.v6.schema.core.load_schema()
    error = validate_jsonschema(chart.spec, schema, raise_error=False)
    assert error is None, error.message
    for exported in (chart.to_altair(), ev.hconcat(chart, chart).to_altair()):
        text = str(exported.to_dict(validate=True))
        assert all(f"'name': '{name}'" in text for axis in groups.values() for name in axis)


def test_a_grid_of_booleans_and_none_labels_is_named_as_sort_and_groups_name_it() -> None:
    """The labels of a numpy grid are written as a table's are (DuckDB: booleans "true", NULL "(null)"), so that
    `sort` and `groups` given the same Python values (True, None) find them."""
    values = np.array([[0.1, 0.4], [0.3, 0.2], [0.9, 0.8]])
    from_grid = ev.slice_metric_heatmap(values, [None, "b", "c"], [True, False], sort={"x": [False, True]},
                                        groups={"y": {"Unnamed": [None], "C": ["c"]}})
    table = pa.table({"row": [None, None, "b", "b", "c", "c"], "col": [True, False] * 3,
                      "value": values.ravel().tolist()})
    from_table = ev.slice_metric_heatmap(ev.Data.from_dataframe(table), sort={"x": [False, True]},
                                         groups={"y": {"Unnamed": [None], "C": ["c"]}})
    duck_text = [duckdb.sql("SELECT ?::VARCHAR", params=[v]).fetchall()[0][0] for v in (False, True)]
    for chart in (from_grid, from_table):
        encoding = chart.spec["layer"][0]["encoding"]
        assert encoding["x"]["scale"]["domain"] == duck_text
        assert encoding["y"]["scale"]["domain"] == ["(null)", "c", "b"]
        assert [(s["name"], s["first"], s["last"]) for s in chart.datasets["groups"].to_pylist()] == [
            ("Unnamed", "(null)", "(null)"), ("C", "c", "c")]
