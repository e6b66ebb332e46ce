"""ev.table's sort ranks (evalviz.interaction.table_pages): once a live table's copy has its ranks, every page of
every one-column sort, ascending or descending, of the whole table or under a search or a filter, is DuckDB's
page of the same sort (NULLs last either way, ties broken by the other columns ascending, then the table's order),
as it was before the ranks were made and as it is when they do not fit; a whole-table sort is then answered by
the ranks alone, without making a row order."""

from __future__ import annotations

import math
import threading

import duckdb
import pyarrow as pa
import pytest

import evalviz as ev
from evalviz.interaction import table_pages
from evalviz.interaction.selection import Clause
from evalviz.interaction.table import table

SIZE = 4
# Ties on every column, NULLs in every column, rows equal in every shown column, NaN and -0.0 among the floats
FRAME = pa.table({
    "name": ["b", None, "a", "b", "B", "a", None, "c", "b", "a", "é", "b", "a", None, "c", "b", "a", "b"],
    "score": [0.5, 0.5, None, float("nan"), -0.0, 0.0, 2.0, 0.5, None, -1.0, 0.5, 0.5, 0.0, 2.0, 0.5, 0.5, None, 3.0],
    "n": [3, 1, 1, None, 2, 2, 3, 1, None, 2, 2, 3, 1, 3, 1, 3, None, 2],
    "ok": [True, False, None, True, True, False, None, True, False, True, None, True, False, True, True, True, None,
           False],
    "group": ["x", "y", "x", "y", "x", "y", "x", "y", "x", "y", "x", "x", "y", "x", "y", "x", "y", "y"],
})
SHOWN = ["name", "score", "n", "ok", "group"]
SORTS = [(c, d) for c in SHOWN for d in ("asc", "desc")]
COLS = ", ".join(f'"{c}"' for c in SHOWN)


def expected(sort: tuple[str, str], search: str, group: str | None, tie_break: list[str]) -> list[dict]:
    """DuckDB's rows of a state, in order: the sorted column (NULLs last), the tie-breaking ones, the row's place."""
    con = duckdb.connect()
    con.register("f", FRAME)
    column, direction = sort
    keys = ", ".join([f'"{column}" {direction} NULLS LAST', *(f'"{c}" NULLS LAST' for c in tie_break), "place"])
    found = " OR ".join(f'contains(lower(CAST("{c}" AS VARCHAR)), lower(?))' for c in SHOWN)
    sql = (f"SELECT {COLS} FROM (SELECT *, row_number() OVER () AS place FROM f) "
           f"WHERE (? = '' OR {found}) AND (? IS NULL OR \"group\" = ?) ORDER BY {keys}")
    return con.sql(sql, params=[search, *[search] * len(SHOWN), group, group]).to_arrow_table().to_pylist()


def request(sort: tuple[str, str], search: str, group: str | None, page: int) -> dict:
    clauses = [] if group is None else [Clause("g", ("group",), "in", [[group]]).to_dict()]
    return {"page": page, "size": SIZE, "search": search, "sort": [{"column": sort[0], "dir": sort[1]}],
            "filter": {"resolve": "intersect", "clauses": clauses}}


def same(a: list[dict], b: list[dict]) -> bool:
    """Rows equal, NaN equal to NaN and -0.0 told from 0.0."""
    def key(v: object) -> object:
        return ("nan",) if isinstance(v, float) and math.isnan(v) else (v, math.copysign(1, v)) \
            if isinstance(v, float) else v
    return [{k: key(v) for k, v in r.items()} for r in a] == [{k: key(v) for k, v in r.items()} for r in b]


def every_page(element, tie_break: list[str], states: list[tuple[str, str | None]]) -> None:  # noqa: ANN001
    for search, group in states:
        for sort in SORTS:
            rows = expected(sort, search, group, tie_break)
            for page in range(1, max(1, math.ceil(len(rows) / SIZE)) + 1):
                answer, tables = element.page(request(sort, search, group, page))
                assert answer["total"] == len(rows), (sort, search, group, page)
                assert same(tables["rows"].to_pylist(), rows[(page - 1) * SIZE: page * SIZE]), (sort, search, group,
                                                                                                page)


@pytest.mark.parametrize("key", [None, "n"])
def test_every_page_of_every_sort_is_duckdbs_before_and_after_the_ranks(monkeypatch, key: str | None) -> None:
    release = threading.Event()
    make_ranks = table_pages.TablePages._make_ranks

    def held(self, cursor) -> None:  # noqa: ANN001 - the ranks are made once the pages before them were checked
        release.wait(60)
        make_ranks(self, cursor)

    monkeypatch.setattr(table_pages.TablePages, "_make_ranks", held)
    monkeypatch.setattr(table_pages, "SHALLOW_ROWS", SIZE)  # pages past the first read a state's row order
    monkeypatch.setattr(table_pages, "RANK_WAIT", 0)  # a deep page does not wait for the ranks held back
    element = table(ev.Data.from_dataframe(FRAME), SHOWN, key=key, filter_by=ev.Selection.intersect()).chart
    tie_break = [key] if key else SHOWN
    states = [("", None), ("b", None), ("", "y"), ("0.5", "x")]
    every_page(element, tie_break, states)  # while the ranks are being made: rows sorted by their columns
    assert not element.pages.ranked.done()
    release.set()
    assert element.pages.ranked.result(timeout=60)
    every_page(element, tie_break, states)  # by the ranks
    before = element.pages.tables
    answer, _ = element.page(request(("score", "desc"), "", None, 3))
    assert answer["total"] == FRAME.num_rows
    # A deep page of a whole-table sort is read from the ranks alone: no row order is made for it
    assert set(element.pages.ranks_tables.values()) < before and element.pages.tables <= before


def test_a_copy_without_room_for_its_ranks_sorts_its_columns(monkeypatch) -> None:
    # Room for the copy (18 rows x 6 values), not for its 10 ranks a row
    monkeypatch.setattr(table_pages, "MAX_COPIED_VALUES", FRAME.num_rows * (len(SHOWN) + 1))
    element = table(ev.Data.from_dataframe(FRAME), SHOWN, filter_by=ev.Selection.intersect()).chart
    element.pages.prepare()
    assert element.pages.ranked.result(timeout=60) is False
    every_page(element, SHOWN, [("", None), ("a", "y")])
    assert not set(element.pages.ranks_tables.values()) & element.pages.tables


def test_the_ranks_are_made_while_no_page_is_asked(monkeypatch) -> None:
    monkeypatch.setattr(table_pages, "RANK_AFTER_IDLE", 2.0)
    element = table(ev.Data.from_dataframe(FRAME), SHOWN).chart
    sort = ("name", "desc")
    rows = expected(sort, "", None, SHOWN)
    element.page(request(sort, "", None, 1))  # makes the copy, whose ranks then wait for the table left alone
    for _ in range(10):  # a page every 0.1 s: the table is never left alone for 2 s
        answer, tables = element.page(request(sort, "", None, 2))
        assert answer["total"] == len(rows) and same(tables["rows"].to_pylist(), rows[SIZE: 2 * SIZE])
        threading.Event().wait(0.1)
    assert not element.pages.ranked.done()
    assert element.pages.ranked.result(timeout=60)  # once left alone
    answer, tables = element.page(request(sort, "", None, 2))
    assert same(tables["rows"].to_pylist(), rows[SIZE: 2 * SIZE])


@pytest.mark.parametrize("key", [None, "n"])
def test_a_deep_page_of_a_new_sort_is_read_without_a_row_order_of_every_row(monkeypatch, key: str | None) -> None:
    monkeypatch.setattr(table_pages, "SHALLOW_ROWS", SIZE)  # every page past the first is deep
    monkeypatch.setattr(table_pages, "RANK_AFTER_IDLE", 600.0)  # no column is ranked unless a page wants it
    element = table(ev.Data.from_dataframe(FRAME), SHOWN, key=key).chart
    pages = element.pages
    element.page(request(("name", "asc"), "", None, 1))  # the copy, whose ranks wait for a page to want them
    for sort in SORTS:
        rows = expected(sort, "", None, [key] if key else SHOWN)
        # the second page first: it waits for the column's ranks, then every page is DuckDB's
        for page in (2, *range(1, math.ceil(len(rows) / SIZE) + 1)):
            answer, tables = element.page(request(sort, "", None, page))
            assert answer["total"] == len(rows)
            assert same(tables["rows"].to_pylist(), rows[(page - 1) * SIZE: page * SIZE]), (sort, page)
        # read from the rows between two sampled rows (or its ranks made at once): no row order of the whole
        # table was made for it
        assert not any("_order_" in t for t in pages.tables)
    monkeypatch.setattr(table_pages, "RANK_AFTER_IDLE", 0.0)
    pages._wake.set()
    assert pages.ranked.result(timeout=60)
