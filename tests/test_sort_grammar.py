"""One sort grammar for every view (views/sorting.py): the forms it takes, the errors it gives, and the same
order for the same sort in a heatmap and a binned sample heatmap, against means computed by DuckDB."""

from __future__ import annotations

import random

import duckdb
import pyarrow as pa
import pytest

import evalviz as ev
from evalviz.views.binning import axis_ranks, binned_grid
from evalviz.views.grid import GridColumns, aggregate_grid
from evalviz.views.sorting import Sort, parse_sort


# -- the forms it takes --------------------------------------------------------------------------------------
@pytest.mark.parametrize(("sort", "by_value", "x", "y", "input_order"), [
    ("ascending", "ascending", None, None, False),
    ("descending", "descending", None, None, False),
    (None, None, None, None, True),
    ({"x": ["b", "a", "b"]}, None, ("b", "a"), None, True),  # each label once, in its first place
    ({"x": ("b",), "y": [None, 1, True]}, None, ("b",), (None, "1", "true"), True),  # as DuckDB writes them
    ({"x": None, "y": []}, None, None, (), True),
])
def test_grid_sorts_are_parsed(sort: object, by_value: str | None, x: object, y: object, input_order: bool) -> None:
    parsed = parse_sort(sort, axes=("x", "y"))
    assert parsed.by_value == by_value
    assert parsed.explicit_order("x") == x and parsed.explicit_order("y") == y
    assert parsed.needs_input_order is input_order
    assert parse_sort(parsed, axes=("x", "y")) is parsed  # a parsed sort passes through


def test_a_one_axis_view_takes_a_list_and_arranges_present_labels() -> None:
    sort = parse_sort(["c", "nope", "a"], axes=("y",), view="diff_plot's sort")
    assert sort.explicit_order("y") == ("c", "nope", "a")
    assert sort.arranged("y", ["a", "b", "c", "d"]) == ["c", "a", "b", "d"]  # others follow in input order
    assert parse_sort("ascending", axes=("y",)).arranged("y", ["b", "a"]) == ["b", "a"]


@pytest.mark.parametrize(("sort", "axes", "message"), [
    ("random", ("x", "y"), r"sort='random' is not understood\. Use 'ascending', 'descending', None"),
    ("ascendng", ("x", "y"), r"Did you mean 'ascending'\?"),
    ({"rows": ["a"]}, ("x", "y"), r"sort takes the keys 'x' and 'y', not 'rows'"),
    ({"x": "abc"}, ("x", "y"), r"sort\['x'\] is a list of labels or 'cluster', not the string 'abc'"),
    ({"x": {"a", "b"}}, ("x", "y"), r"not a set"),
    (["a", "b"], ("x", "y"), r"explicit orders go in a dict by axis, not a list"),
    (3, ("x", "y"), r"sort=3 is not understood"),
    ({"x": ["a"]}, ("y",), r"sort takes the keys 'y', not 'x'"),
    ({"a", "b"}, ("y",), r"or a list of labels"),
    (Sort(axes=("y",)), ("x", "y"), r"A sort of the axes \('y',\) was given to a view that sorts \('x', 'y'\)"),
])
def test_bad_sorts_say_what_the_grammar_takes(sort: object, axes: tuple[str, ...], message: str) -> None:
    with pytest.raises(ev.EvalvizError, match=message):
        parse_sort(sort, axes=axes)


@pytest.mark.parametrize("view", ["heatmap", "scores_heatmap", "sample_heatmap"])
def test_every_grid_view_refuses_a_bad_sort_by_the_grammar(view: str) -> None:
    data = ev.Data.from_sql("SELECT 'a' AS id, 'a' AS task_display_name, 'm' AS model_display_name, "
                            "1.0 AS score_headline_value, 1.0 AS score")
    call = {"heatmap": lambda s: ev.heatmap(data, x="id", y="model_display_name", fill="score", sort=s),
            "scores_heatmap": lambda s: ev.scores_heatmap(data, sort=s),
            "sample_heatmap": lambda s: ev.sample_heatmap(data, score_value="score", link=None, sort=s)}[view]
    with pytest.raises(ev.EvalvizError, match="keys 'x' and 'y', not 'rows'"):
        call({"rows": ["a"]})


# -- the same order in a heatmap and a binned sample heatmap -------------------------------------------------
MODELS, SAMPLES, EPOCHS = ("m-b", "m-a", "m-c"), 30, 2


@pytest.fixture(scope="module")
def rows() -> list[tuple[str, str, int, float]]:
    """(id, model, epoch, score) in a shuffled input order; scores are quarters, so every mean is exact and
    ties are many (broken by label)."""
    rng = random.Random(11)
    ids = [f"s{i:02d}" for i in range(SAMPLES)]
    rng.shuffle(ids)
    return [(i, m, e, rng.randrange(5) / 4) for i in ids for m in MODELS for e in range(EPOCHS)]


@pytest.fixture(scope="module")
def data(rows: list[tuple[str, str, int, float]]) -> ev.Data:
    table = pa.table({name: [r[k] for r in rows] for k, name in enumerate(("id", "model", "epoch", "score"))})
    connection = duckdb.connect()
    connection.register("samples_rows", table)
    return ev.Data.from_sql("SELECT * FROM samples_rows", connection=connection)


def expected_orders(rows: list[tuple[str, str, int, float]], sort: object) -> tuple[list[str], list[str]]:
    """The order of samples (x) and models (y), from means DuckDB computes over the rows and input order."""
    con = duckdb.connect()
    con.execute("CREATE TABLE r (id VARCHAR, model VARCHAR, epoch INTEGER, score DOUBLE)")
    con.executemany("INSERT INTO r VALUES (?, ?, ?, ?)", rows)
    means = [dict(con.execute(f"SELECT {c}, avg(score) FROM r GROUP BY {c}").fetchall()) for c in ("id", "model")]
    first_seen = [list(dict.fromkeys(r[k] for r in rows)) for k in (0, 1)]
    if sort in ("ascending", "descending"):
        # "ascending": x rises left to right, y lists its best row first; ties by label.
        rising = sort == "ascending"
        return (sorted(first_seen[0], key=lambda v: ((means[0][v] if rising else -means[0][v]), v)),
                sorted(first_seen[1], key=lambda v: ((-means[1][v] if rising else means[1][v]), v)))
    given = sort or {}
    orders = []
    for axis, present in zip("xy", first_seen, strict=True):
        named = [label for label in given.get(axis) or [] if label in present]
        orders.append(named + [label for label in present if label not in named])
    return orders[0], orders[1]


SORTS = ["ascending", "descending", None, {"x": ["s07", "nope", "s03"], "y": ["m-c"]}, {"y": ["m-a", "m-b"]}]


@pytest.mark.parametrize("sort", SORTS, ids=["ascending", "descending", "input", "explicit", "y-only"])
def test_heatmap_and_binned_sample_heatmap_order_axes_alike(data: ev.Data, rows: list, sort: object) -> None:
    columns = GridColumns(x="id", y="model", fill="score")
    expected_x, expected_y = expected_orders(rows, sort)
    grid = aggregate_grid(data, columns, sort=sort)
    assert (grid.x_order, grid.y_order) == (expected_x, expected_y)
    ranks = axis_ranks(data, columns, sort)
    assert (ranks[0]["x"].to_pylist(), ranks[1]["y"].to_pylist()) == (expected_x, expected_y)

    binned = binned_grid(data, columns, ranks, agg="mean", max_cells=(10, 3)).grid  # 3 samples to a bin
    first_row = [c for c in binned.cells.to_pylist() if c["y"] == expected_y[0]]
    assert [c["x_members"] for c in first_row] == [
        f"{expected_x[b]} \u2026 {expected_x[b + 2]} (3)" for b in range(0, SAMPLES, 3)]
    assert binned.y_order == expected_y  # an axis that is not binned keeps its values


@pytest.mark.parametrize("sort", ["ascending", None, {"x": ["s07", "s03"]}], ids=["ascending", "input", "explicit"])
def test_public_views_draw_those_orders(data: ev.Data, rows: list, sort: object) -> None:
    expected_x, expected_y = expected_orders(rows, sort)
    heatmap = ev.heatmap(data, x="id", y="model", fill="score", sort=sort)
    cells = heatmap.datasets["cells"].to_pylist()
    assert list(dict.fromkeys(c["x"] for c in cells)) == expected_x
    assert list(dict.fromkeys(c["y"] for c in cells)) == expected_y
    binned = ev.sample_heatmap(data, model_name="model", score_value="score", link=None, error=None, sort=sort,
                               width=260, height=200)  # room for 10 sample cells: 3 samples to a bin
    members = [c["x_members"] for c in binned.datasets["cells"].to_pylist() if c["y"] == expected_y[0]]
    assert members == [f"{expected_x[b]} \u2026 {expected_x[b + 2]} (3)" for b in range(0, SAMPLES, 3)]
