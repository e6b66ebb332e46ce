"""Attacks on selections, clauses, tables and filtered charts (issue 12): hostile names and values, values of the
wrong kind for their column, malformed requests from a page, observers that raise, threads, and re-aggregation
under random filters, read from the page (Chromium, network cut) and compared with DuckDB.
"""

from __future__ import annotations

import logging
import random
import re
import threading
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pytest
from test_chart_filters import redraws, wait_redrawn

import evalviz as ev
from browser import ChartPage
from evalviz.data.patterns import is_valid_pattern
from evalviz.errors import EvalvizError
from evalviz.interaction.selection import Clause
from evalviz.interaction.table import table
from evalviz.query.filters import where_sql
from evalviz.rendering.widget import take_from_page

HOSTILE = "</script><img src=x onerror=alert(1)>'; DROP TABLE this; --"
MODELS = ("m-alpha", "m-beta", "m-gamma", "m-delta")
TASKS = ("arith", "capitals", "logic")
LEVELS = ("easy", "Medium", HOSTILE, "Ünïcødé", None)


# --- kernel: a clause compares values as the page does, and never reaches DuckDB as an engine error -------------

def kinds_table() -> pa.Table:
    return pa.table({
        "id": ["a", "1", None],
        "n": [1, 2, None],
        "flag": [True, False, None],
        "when": pa.array([19000, 19001, None], pa.int32()).cast(pa.date32()),
        'we"ird col': ["p", "q", "r"],
    })


def page_keeps(clause: dict[str, Any], row: dict[str, Any]) -> bool:
    """What js/selections.js keeps, written again here: strict equality (a boolean never equals 1, text never
    equals a number), NULL matches NULL; ranges and text matches skip NULL; an invalid pattern keeps nothing (the
    patterns the tests use mean the same to Python's engine and RE2)."""
    def same(a: Any, b: Any) -> bool:
        return a is None and b is None or (a is not None and b is not None and type(a) is type(b) and a == b) or (
            isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool)
            and not isinstance(b, bool) and a == b)

    if clause["op"] == "in":
        return any(all(same(v, row[f]) for v, f in zip(kept, clause["fields"], strict=True))
                   for kept in clause["value"])
    x = row[clause["fields"][0]]
    if x is None:
        return False
    if clause["op"] == "range":
        return clause["value"][0] <= x <= clause["value"][1]
    if clause["op"] == "regexp":
        return is_valid_pattern(clause["value"]) and re.search(clause["value"], str(x)) is not None
    if clause["op"] == "contains":
        return clause["value"].lower() in str(x).lower()
    return str(x).lower().startswith(clause["value"].lower())


@pytest.mark.parametrize(("column", "value"), [
    ("n", "abc"),       # text against numbers: DuckDB raised "Could not convert string 'abc' to INT64"
    ("id", 1),          # a number against text: DuckDB cast the column and raised on 'a'
    ("n", True),        # true against 1: DuckDB kept the row, the page does not
    ("flag", 1),        # 1 against true: likewise
    ("id", "1"),
    ("n", 2),
    ("n", None),
    ("flag", False),
    ('we"ird col', "q"),
])
def test_an_in_clause_keeps_in_the_kernel_what_the_page_keeps(column, value):
    data = ev.Data.from_dataframe(kinds_table())
    clause = {"source": "s", "fields": [column], "op": "in", "value": [[value]]}
    condition, params = where_sql([Clause.from_dict(clause)], "intersect", data.types)
    kept = data.run(f"SELECT id FROM this WHERE {condition}", params).column(0)
    expected = [row["id"] for row in kinds_table().to_pylist() if page_keeps(clause, row)]
    assert kept.to_pylist() == expected


@pytest.mark.parametrize(("clause", "kept"), [
    ({"fields": ["id"], "op": "range", "value": [0, 1]}, ["1"]),       # DuckDB: "Cannot mix VARCHAR and INTEGER"
    ({"fields": ["when"], "op": "range", "value": [19000 * 86_400_000, 19000 * 86_400_000]}, ["a"]),  # a brush's ms
    ({"fields": ["id"], "op": "regexp", "value": "("}, []),             # DuckDB: "Invalid Input Error: missing )"
    ({"fields": ["id"], "op": "regexp", "value": "a(?=b)"}, []),        # no lookahead in DuckDB's engine
    ({"fields": ["id"], "op": "regexp", "value": "^[a1]$"}, ["a", "1"]),
])
def test_ranges_and_patterns_the_engine_cannot_take_keep_nothing_instead_of_failing(clause, kept):
    data = ev.Data.from_dataframe(kinds_table())
    answer, rows = table(data, key="id").chart.page({"filter": {"resolve": "intersect",
                                                                 "clauses": [{"source": "s", **clause}]}})
    assert rows["rows"].column("id").to_pylist() == kept
    assert answer["total"] == len(kept)


def test_a_page_request_past_any_end_is_refused_with_the_pages_it_takes():
    element = table(kinds_table(), key="id").chart
    with pytest.raises(EvalvizError, match="page from 1 to"):
        element.page({"page": 10**20, "size": 20})  # was DuckDB's "INT128 ... out of range for INT64"


def test_a_requery_with_values_of_the_wrong_kind_draws_the_empty_note_not_an_engine_error():
    from evalviz.rendering.requery import requeried

    evals = ev.Data.from_file("examples/data/evals.parquet")
    chart = ev.scores_heatmap(evals, filter_by=ev.Selection.intersect())
    for clause in ({"source": "s", "fields": ["epochs"], "op": "in", "value": [["abc"]]},
                   {"source": "s", "fields": ["model"], "op": "range", "value": [0, 1]},
                   {"source": "s", "fields": ["model"], "op": "regexp", "value": "(["}):
        _, note = requeried(chart, [clause], "intersect")
        assert note == "No rows match the selection."


# --- selections: observers and threads -----------------------------------------------------------------------

def test_an_observer_that_raises_neither_silences_the_others_nor_goes_unseen():
    models = ev.Selection.intersect()
    heard: list[int] = []
    models.observe(lambda s: 1 / 0)
    models.observe(lambda s: heard.append(len(s.clauses)))
    with pytest.raises(ZeroDivisionError):
        models.publish(Clause("a", ("model",), "in", [["x"]]))
    assert heard == [1] and len(models.clauses) == 1


def test_a_widget_takes_every_value_of_the_page_when_an_observer_raises(caplog):
    from evalviz.rendering.widget import ChartWidget

    first, second = ev.Selection.intersect(), ev.Param(0)
    first.observe(lambda s: [][1])
    widget = ChartWidget({"kind": "layout", "direction": "row", "items": []}, {},
                         params={first.name: first, second.name: second})
    clause = {"source": "s", "fields": ["m"], "op": "in", "value": [["a"]]}
    with caplog.at_level(logging.ERROR):
        widget.state = {first.name: {"clauses": [clause]}, second.name: {"value": 5}}
    assert len(first.clauses) == 1 and second.value == 5  # the param after the failing observer was set too
    assert "IndexError" in caplog.text


def test_threads_publishing_observing_and_reading_at_once_leave_a_consistent_selection():
    models = ev.Selection.crossfilter()
    failures: list[BaseException] = []

    def work(k: int) -> None:
        try:
            for i in range(300):
                stop = models.observe(lambda s: s.active(f"c{k}"))
                models.publish(Clause(f"c{k}", ("model",), "in", [[i]]))
                take_from_page(models, {"clauses": [c.to_dict() for c in models.clauses]})
                models.clear(f"c{(k + 1) % 6}")
                stop()
                stop()
        except BaseException as exc:  # noqa: BLE001 - any failure in a thread fails the test
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len({c.source for c in models.clauses}) == len(models.clauses) <= 6


# --- the page: re-aggregation under random filters, against DuckDB ------------------------------------------

def filtered_table() -> pa.Table:
    """Runs of each (model, task) with a varying difficulty (NULL and hostile text among them) and run number."""
    rng = np.random.default_rng(12)
    rows: dict[str, list[Any]] = {k: [] for k in ("model", "task", "difficulty", "run", "score", "status")}
    for model in MODELS:
        for task in TASKS:
            for run in range(int(rng.integers(2, 7))):
                rows["model"].append(model)
                rows["task"].append(task)
                rows["difficulty"].append(LEVELS[int(rng.integers(0, len(LEVELS)))])
                rows["run"].append(None if rng.uniform() < 0.1 else run)
                rows["score"].append(round(float(rng.uniform(-5, 5)), 4))
                rows["status"].append("success")
    return pa.table(rows)


def random_clause(rng: random.Random, source: str) -> dict[str, Any]:
    kind = rng.choice(["in", "in", "range", "contains", "prefix", "regexp"])
    if kind == "in":
        return {"source": source, "fields": ["difficulty"], "op": "in",
                "value": [[v] for v in rng.sample(LEVELS, rng.randint(1, 3))]}
    if kind == "range":
        low = rng.uniform(-1, 4)
        return {"source": source, "fields": ["run"], "op": "range", "value": [low, low + rng.uniform(0, 3)]}
    if kind == "regexp":
        return {"source": source, "fields": ["difficulty"], "op": kind,
                "value": rng.choice(["^e", "y$", "[Ü<]", "(s+)+y$", "ium|asy", "("])}
    text = rng.choice(["e", "M", "drop", "ü", "<img", "zzz"])
    return {"source": source, "fields": ["difficulty"], "op": kind, "value": text}


def active(clauses: list[dict[str, Any]], resolve: str) -> list[dict[str, Any]]:
    return clauses[-1:] if resolve == "single" else clauses


def kept_rows(rows: list[dict[str, Any]], clauses: list[dict[str, Any]], resolve: str) -> list[int]:
    combine = any if resolve == "union" else all
    return [i for i, row in enumerate(rows) if not clauses or combine(page_keeps(c, row) for c in clauses)]


def set_clauses(page: ChartPage, name: str, clauses: list[dict[str, Any]], old: list[dict[str, Any]]) -> None:
    before = redraws(page)
    page.page.evaluate("""([name, clauses, old]) => { const s = globalThis.evalviz.selections;
        for (const c of old) s.clear(name, c.source); for (const c of clauses) s.publish(name, c); }""",
                       [name, clauses, old])
    wait_redrawn(page, 0, before)


@pytest.mark.parametrize(("agg", "resolve"), [("mean", "intersect"), ("sum", "union"), ("min", "crossfilter"),
                                              ("max", "single")])
def test_cells_under_random_filters_are_what_duckdb_computes_over_the_kept_rows(render, agg, resolve):
    source = filtered_table()
    data = ev.Data.from_dataframe(source)
    selection = ev.Selection(resolve)
    selection.add_columns("difficulty", "run")
    page = render(ev.heatmap(data, x="task", y="model", fill="score", agg=agg, status="status",
                             filter_by=selection))
    rows = source.to_pylist()
    rng = random.Random(f"{agg}-{resolve}")
    previous: list[dict[str, Any]] = []
    for _ in range(8):  # 4 x 8 = 32 random clause sets
        clauses = [random_clause(rng, f"input{k}") for k in range(rng.randint(1, 3))]
        set_clauses(page, selection.name, clauses, previous)
        previous = clauses
        kept = kept_rows(rows, active(clauses, resolve), resolve)
        expected = {(m, t): v for m, t, v in duckdb.connect().execute(
            f"SELECT model, task, {agg}(score) FROM (SELECT *, row_number() OVER () - 1 AS i FROM source) "
            "WHERE i IN (SELECT unnest(?)) GROUP BY ALL", [kept]).fetchall()}
        drawn = {(c.datum["y"], c.datum["x"]): c.datum["value"] for c in page.cells()
                 if c.name and c.name.endswith("cells_marks")}
        assert drawn.keys() == expected.keys(), clauses
        for key, value in expected.items():
            assert drawn[key] == pytest.approx(value, abs=1e-9), (clauses, key)
        # The kernel's twin keeps the same rows.
        condition, params = where_sql([Clause.from_dict(c) for c in active(clauses, resolve)], resolve, data.types)
        by_kernel = duckdb.connect().execute(
            f"SELECT i FROM (SELECT *, row_number() OVER () - 1 AS i FROM source) WHERE {condition} ORDER BY i",
            params).fetchall()
        assert [i for (i,) in by_kernel] == kept, clauses


# --- the page: a pattern typed into a search box never hangs it ---------------------------------------------

def test_a_catastrophic_pattern_does_not_hang_the_page(render):
    data = ev.Data.from_dataframe(pa.table({"id": ["a" * 30 + "b", "aaa"], "x": [1, 2]}))
    picked = ev.Selection.intersect()
    box = ev.search(data, "id", type="regexp", target=picked)
    page = render(ev.vconcat(box, table(data, filter_by=picked)))
    took = page.page.evaluate("""(name) => { const s = globalThis.evalviz.selections;
        const t0 = performance.now();
        const kept = ["a".repeat(30) + "b", "aaa"].filter((id) => s.keeps(
            {resolve: "intersect", clauses: [{source: "q", fields: ["id"], op: "regexp", value: "(a+)+$"}]},
            () => id));
        return [performance.now() - t0, kept]; }""", picked.name)
    assert took[1] == ["aaa"]  # as DuckDB's engine answers: only "aaa" ends in a's
    assert took[0] < 250, f"matching one pattern over two rows took {took[0]:.0f} ms"


def test_hostile_values_in_declared_clauses_cells_headers_and_links_stay_text(render):
    hostile = pa.table({HOSTILE: [HOSTILE, "javascript:alert(1)", "https://example.org/x?a=<b>"],
                        "id": ["1", "2", "3"], "n": [2**53 + 1, -1, 0]})
    picked = ev.Selection.intersect(name="picked")
    picked.publish(Clause("pre", (HOSTILE,), "in", [[HOSTILE], ["https://example.org/x?a=<b>"]]))
    box = ev.select(hostile, HOSTILE, target=picked)
    page = render(ev.vconcat(box, table(hostile, filter_by=picked, target=ev.Selection.single())))
    texts = page.page.evaluate("""() => ({
        imgs: document.querySelectorAll('img').length,
        links: [...document.querySelectorAll('a')].map((a) => a.getAttribute('href')),
        cells: [...document.querySelectorAll('.tabulator-cell')].map((c) => c.textContent),
        headers: [...document.querySelectorAll('.tabulator-col-title')].map((c) => c.textContent)})""")
    assert texts["imgs"] == 0
    assert texts["links"] == ["https://example.org/x?a=%3Cb%3E"] or texts["links"] == ["https://example.org/x?a=<b>"]
    assert HOSTILE in texts["cells"] and "javascript:alert(1)" not in texts["cells"]  # filtered out by `picked`
    assert HOSTILE in texts["headers"]


def test_a_table_shows_integers_beyond_2_53_exactly(render):
    page = render(table(pa.table({"id": ["a"], "n": [2**53 + 1]})))
    cells = page.page.evaluate("() => [...document.querySelectorAll('.tabulator-cell')].map((c) => c.textContent)")
    assert str(2**53 + 1) in [c.replace(",", "") for c in cells]
