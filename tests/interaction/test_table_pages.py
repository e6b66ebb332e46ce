"""ev.table's kernel-side memory (evalviz.interaction.table_pages): over a sequence of page, sort, search and filter
changes, going back and forth between states, every answer equals DuckDB's own query over the source, written
here; the row order of one state is never served for another; the copy is dropped with the table."""

from __future__ import annotations

import gc
import itertools
import threading

import duckdb
import pyarrow as pa
import pytest

import evalviz as ev
from evalviz.interaction import table_pages
from evalviz.interaction.selection import Clause
from evalviz.interaction.table import table
from evalviz.rendering.items import live_datasets

SHOWN = ["id", "epoch", "model_display_name", "score_match", "working_time"]
COLS = ", ".join(f'"{c}"' for c in SHOWN)


@pytest.fixture(scope="module")
def duck(samples_path):  # noqa: ANN001, ANN201
    con = duckdb.connect()
    con.execute(f"CREATE VIEW s AS SELECT * FROM read_parquet('{samples_path}')")
    return con


def expected(duck, search: str, models: list[str] | None, sort: tuple[str, str] | None, page: int,  # noqa: ANN001
             size: int, extra: str = "TRUE") -> tuple[int, list[dict]]:
    """DuckDB's count and page for a state, written independently of evalviz's SQL."""
    where = [extra]
    params: list = []
    if search:
        where.append("(" + " OR ".join(f'CAST("{c}" AS VARCHAR) ILIKE ?' for c in SHOWN) + ")")
        params += [f"%{search}%"] * len(SHOWN)
    if models is not None:
        where.append("model_display_name IN (SELECT unnest(?))")
        params.append(models)
    condition = " AND ".join(where)
    total = duck.sql(f"SELECT count(*) FROM s WHERE {condition}", params=params).fetchall()[0][0]
    # Rows numbered as the file holds them: the table's own order, and the order of rows tied on every key
    numbered = "(SELECT *, row_number() OVER () AS position FROM s)"
    keys = "position" if sort is None else f'"{sort[0]}" {sort[1]} NULLS LAST, id, epoch, position'
    sql = f"SELECT {COLS} FROM {numbered} WHERE {condition} ORDER BY {keys} LIMIT {size} OFFSET {(page - 1) * size}"
    rows = duck.sql(sql, params=params).to_arrow_table().to_pylist()
    return total, rows


def request(search: str, models: list[str] | None, sort: tuple[str, str] | None, page: int, size: int) -> dict:
    clauses = [] if models is None else [Clause("m", ("model_display_name",), "in", [[m] for m in models]).to_dict()]
    return {"page": page, "size": size, "search": search,
            "sort": [] if sort is None else [{"column": sort[0], "dir": sort[1].lower()}],
            "filter": {"resolve": "intersect", "clauses": clauses}}


def test_every_page_of_a_sequence_of_states_is_duckdbs_page_of_that_state(samples_path, duck,  # noqa: ANN001
                                                                          monkeypatch) -> None:
    monkeypatch.setattr(table_pages, "SHALLOW_ROWS", 60)  # shallow and deep pages of a whole-table sort
    element = table(ev.Data.from_file(samples_path), SHOWN, filter_by=ev.Selection.intersect()).chart
    searches = ["", "ATLAS", "0.2", "sample/1"]
    filters = [None, ["Borealis", "Delta Pro"], []]
    sorts = [None, ("score_match", "DESC"), ("model_display_name", "ASC"), ("working_time", "ASC")]
    states = list(itertools.product(searches, filters, sorts))
    # Each state visited in turn, then the first ones again: a state returned to is asked again, not served from
    # the order of the state before it.
    for k, (search, models, sort) in enumerate([*states, *states[:12]]):
        for page in (1, 2 + k % 3, 20):
            answer, tables = element.page(request(search, models, sort, page, 17))
            total, rows = expected(duck, search, models, sort, page, 17)
            assert (answer["total"], tables["rows"].to_pylist()) == (total, rows), (search, models, sort, page)


def test_a_clause_on_a_column_the_copy_lacks_reads_the_source(samples_path, duck) -> None:  # noqa: ANN001
    picked = ev.Selection.intersect()
    element = table(ev.Data.from_file(samples_path), SHOWN, filter_by=picked).chart
    element.page(request("", None, ("score_match", "DESC"), 1, 10))  # the copy holds the shown columns
    # One model's samples of one task: (id, epoch) names each, so the order asked has no ties left
    clause = Clause("t", ("task_name", "model_display_name"), "in", [["capitals", "Borealis"]]).to_dict()
    for page in (1, 3):
        answer, tables = element.page({"page": page, "size": 10, "sort": [{"column": "score_match", "dir": "desc"}],
                                       "filter": {"resolve": "intersect", "clauses": [clause]}})
        total, rows = expected(duck, "", None, ("score_match", "DESC"), page, 10,
                               "task_name = 'capitals' AND model_display_name = 'Borealis'")
        assert total > 0 and (answer["total"], tables["rows"].to_pylist()) == (total, rows)


def test_the_copy_and_the_row_order_go_with_the_table(samples_path) -> None:  # noqa: ANN001
    data = ev.Data.from_file(samples_path)
    element = table(data, SHOWN).chart
    listed = "SELECT database_name || '.main.\"' || table_name || '\"' AS name FROM duckdb_tables()"
    for search, sort, page in (("ATLAS", None, 1), ("ATLAS", ("id", "DESC"), 1), ("", ("epoch", "ASC"), 1),
                               ("", ("epoch", "ASC"), 80), ("", ("id", "ASC"), 1), ("e", None, 2)):
        element.page(request(search, None, sort, page, 10))
    for thread in threading.enumerate():  # orders made in the background, for states left before they were asked
        if thread.name == "evalviz-table-order":
            thread.join()
    assert element.pages.ranked.result(timeout=60)  # the copy's sort ranks are made in the background
    names = element.pages.tables
    # The copy, its sample, its columns' ranks and the last state's order are held; every order made before it, or
    # left unfinished, is dropped, and so is the table ranking ties once the ranks are made
    ranks = set(element.pages.ranks_tables.values())
    assert len(names) == 3 + len(ranks) and names <= {r["name"] for r in data.run(listed).to_pylist()}
    assert {element.pages.rows_table, element.pages.sample_table, *ranks} < names
    del element
    gc.collect()
    assert not names & {r["name"] for r in data.run(listed).to_pylist()}


def test_the_live_widget_ships_the_first_page_not_the_rows_a_page_ships(samples_path, duck) -> None:  # noqa: ANN001
    rows = table(ev.Data.from_file(samples_path), SHOWN, page_size=15, max_rows=500)
    for component, name in ((rows, "rows"), (ev.vconcat(rows), "c0_rows")):
        assert component.datasets[name].num_rows == 500  # a standalone page's share
        shipped = live_datasets(component.chart, component.datasets)
        assert shipped[name].to_pylist() == expected(duck, "", None, None, 1, 15)[1]


def test_searched_text_is_found_as_written_wildcards_and_all() -> None:
    values = ["a_b", "axb", "50%", "500", "x\\y", "xy", "ZAB", None]
    data = ev.Data.from_dataframe(pa.table({"id": list(range(len(values))), "v": values}))
    element = table(data, ["v"]).chart
    con = duckdb.connect()
    con.register("t", pa.table({"v": values}))
    for text in ("_", "%", "\\", "a_", "ab", "0%"):
        answer, tables = element.page({"page": 1, "size": 100, "search": text})
        found = [v for (v,) in con.sql("SELECT v FROM t WHERE contains(lower(v), lower(?))", params=[text]).fetchall()]
        assert tables["rows"].column("v").to_pylist() == found and answer["total"] == len(found), text


def test_a_table_too_large_to_copy_is_paged_from_its_source(samples_path, duck, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(table_pages, "MAX_COPIED_VALUES", 100)  # the example samples hold 960 rows
    element = table(ev.Data.from_file(samples_path), SHOWN).chart
    element.pages.prepare()
    for search, sort, page in (("ATLAS", None, 1), ("", ("working_time", "ASC"), 30), ("0.2", ("id", "DESC"), 2)):
        answer, tables = element.page(request(search, None, sort, page, 12))
        assert (answer["total"], tables["rows"].to_pylist()) == expected(duck, search, None, sort, page, 12)
    assert element.pages.tables == frozenset()  # nothing copied, no order held
