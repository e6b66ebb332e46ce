"""Selections and their clauses: the same rows are kept by the page (js/selections.js) and by the kernel's SQL
(query/filters.py), and a selection resolves its clauses as its kind says."""

from __future__ import annotations

import random

import duckdb
import pyarrow as pa
import pytest

import evalviz as ev
from evalviz.errors import ArgumentTypeError, EvalvizError
from evalviz.interaction.selection import Clause
from evalviz.query.filters import where_sql

ROWS = [
    {"model": m, "task": t, "score": s, "org": o}
    for m, t, s, o in [
        ("gpt-4", "math", 0.5, "OpenAI"), ("gpt-4", "code", 0.9, "OpenAI"), ("claude", "math", 0.7, "Anthropic"),
        ("claude", "code", 0.2, "Anthropic"), ("Llama", "math", None, None), ("llama-2", "code", 1.0, "Meta"),
        ("<img src=x onerror=alert(1)>", "math", 0.0, "x'; DROP TABLE t; --"), ("Ünïcode", "code", 0.33, "Méta"),
    ]
]


def sql_kept(clauses: list[Clause], resolve: str) -> list[int]:
    rows = pa.Table.from_pylist([{**row, "i": i} for i, row in enumerate(ROWS)])  # noqa: F841 - read by DuckDB
    condition, params = where_sql(clauses, resolve, ev.Data.from_dataframe(rows).types)
    found = duckdb.connect().execute(f"SELECT i FROM rows WHERE {condition} ORDER BY i", params).fetchall()
    return [i for (i,) in found]


def random_clause(rng: random.Random, source: str) -> Clause:
    column = rng.choice(["model", "task", "score", "org"])
    values = [row[column] for row in ROWS]
    op = rng.choice(["in", "in", "range", "contains", "prefix", "regexp"] if column != "score" else ["in", "range"])
    if op == "in":
        if rng.random() < 0.3:
            return Clause(source, ("model", "task"), "in", [[r["model"], r["task"]] for r in rng.sample(ROWS, 2)])
        return Clause(source, (column,), "in", [[v] for v in rng.sample(values, rng.randint(0, 3))])
    if op == "range":
        if column != "score":
            column = "score"
        low = rng.choice([0.0, 0.2, 0.5])
        return Clause(source, (column,), "range", [low, low + rng.choice([0.0, 0.3, 1.0])])
    text = rng.choice([v for v in values if v is not None])
    piece = text[: rng.randint(1, 3)] if op == "prefix" else text[1:3]
    if op == "regexp":
        piece = rng.choice(["^cl", "a$", "[0-9]", "ma(th)?", "LL"])
    return Clause(source, (column,), op, piece.upper() if rng.random() < 0.3 and op != "regexp" else piece)


def test_the_page_keeps_the_rows_the_kernel_keeps(render, evals_path) -> None:
    page = render(ev.scores_heatmap(ev.Data.from_file(evals_path)))
    rng = random.Random(7)
    for trial in range(60):
        clauses = [random_clause(rng, f"s{k}") for k in range(rng.randint(1, 3))]
        resolve = rng.choice(["intersect", "union"])
        in_page = page.page.evaluate(
            """([rows, state]) => rows.map((row, i) => [i, globalThis.evalviz.selections.keeps(state, (f) => row[f])])
                .filter(([, kept]) => kept).map(([i]) => i)""",
            [ROWS, {"resolve": resolve, "clauses": [c.to_dict() for c in clauses]}],
        )
        assert in_page == sql_kept(clauses, resolve), (trial, resolve, [c.to_dict() for c in clauses])


def test_the_page_registry_resolves_as_the_selection_kind_says(render, evals_path) -> None:
    page = render(ev.scores_heatmap(ev.Data.from_file(evals_path)))
    for resolve, own, other in [("single", ["b"], ["b"]), ("intersect", ["a", "b"], ["a", "b"]),
                                ("union", ["a", "b"], ["a", "b"]), ("crossfilter", ["b"], ["a", "b"])]:
        selection = ev.Selection(resolve)
        sources = page.page.evaluate(
            """([declared]) => { const s = globalThis.evalviz.selections; s.declare(declared);
                s.publish(declared.name, {source: "a", fields: ["x"], op: "in", value: [[1]]});
                s.publish(declared.name, {source: "b", fields: ["x"], op: "in", value: [[2]]});
                return [s.active(declared.name, "a").clauses.map((c) => c.source),
                        s.active(declared.name, "z").clauses.map((c) => c.source)]; }""",
            [selection.to_dict()],
        )
        selection.publish(Clause("a", ("x",), "in", [[1]]))
        selection.publish(Clause("b", ("x",), "in", [[2]]))
        python = [[c.source for c in selection.active("a")], [c.source for c in selection.active("z")]]
        assert sources == python == [own, other], resolve


def test_a_selection_resolves_and_tells_its_observers() -> None:
    selection = ev.Selection.single()
    seen = []
    stop = selection.observe(lambda s: seen.append(len(s.clauses)))
    selection.publish(Clause("a", ("model",), "in", [["gpt-4"]]))
    selection.publish(Clause("b", ("task",), "in", [["math"]]))
    assert [c.source for c in selection.active()] == ["b"]
    selection.publish(Clause("a", ("model",), "in", [["claude"]]))  # a republished clause becomes the latest
    assert [c.source for c in selection.active()] == ["a"]
    selection.clear("a")
    stop()
    selection.clear()
    assert seen == [1, 2, 2, 1]
    assert selection.clauses == ()


def test_clauses_from_the_page_are_checked() -> None:
    selection = ev.Selection.intersect()
    selection.set_from_page([{"source": "s", "fields": ["score"], "op": "range", "value": [0.2, 0.8]}])
    assert selection.clauses == (Clause("s", ("score",), "range", (0.2, 0.8)),)
    for bad, message in [
        ([{"source": "s", "fields": ["x"], "op": "like", "value": "a"}], "op is one of"),
        ([{"source": "s", "fields": ["x", "y"], "op": "in", "value": [[1]]}], "2 parts"),
        ([{"source": "s", "fields": ["x"], "op": "range", "value": [1]}], "two numbers"),
        ([{"source": "s", "fields": ["x"], "op": "range", "value": ["a", "b"]}], "two numbers"),
        ([{"source": "s", "fields": ["x"], "op": "in", "value": [[float("nan")]]}], "finite"),
        ([{"source": "", "fields": ["x"], "op": "in", "value": [[1]]}], "source"),
        ("not a list", "list"),
        ([{"fields": ["x"]}], "source, fields, op, value"),
    ]:
        with pytest.raises(EvalvizError, match=message):
            selection.set_from_page(bad)
    assert len(selection.clauses) == 1  # a refused report leaves the clauses as they were


def test_names_and_kinds_are_checked() -> None:
    with pytest.raises(EvalvizError, match="single, intersect, union, crossfilter"):
        ev.Selection("both")
    with pytest.raises(ArgumentTypeError, match="identifier"):
        ev.Selection.union(name="a b")
    with pytest.raises(ArgumentTypeError, match="finite"):
        ev.Param(float("inf"))
    assert ev.Selection.intersect().name != ev.Selection.intersect().name
    assert ev.Param([1, "a"], name="choice").to_dict() == {"name": "choice", "kind": "param", "value": [1, "a"]}


def test_values_are_bound_never_pasted() -> None:
    hostile = "x'; DROP TABLE t; --"
    condition, params = where_sql([Clause("s", ("org",), "in", [[hostile]]), Clause("t", ("model",), "regexp", "'")],
                                  "intersect", ev.Data.from_dataframe(pa.Table.from_pylist(ROWS)).types)
    assert hostile not in condition and "'" not in condition.replace("VARCHAR", "")
    assert params == [hostile, "'"]
    assert sql_kept([Clause("s", ("org",), "in", [[hostile]])], "intersect") == [6]
