"""Deep pages of a live ev.table sorted by one column not ranked yet (bracketed between two sampled rows, or sorted
otherwise) on inputs found to break them: each page is the rows of DuckDB's ORDER BY column NULLS LAST, the
tie-breaking columns, then the row's place in the table, LIMIT size OFFSET offset; no raw exception."""

from __future__ import annotations

import threading

import duckdb
import pyarrow as pa
import pytest

import evalviz as ev
from evalviz.data.connection import quote_identifier as q
from evalviz.interaction import table_pages
from evalviz.interaction.table import table


@pytest.fixture
def bracketed(monkeypatch) -> list[bool]:  # noqa: ANN001
    """No column gets ranked while the test runs; deep pages start at row 5; one bracketed answer per deep page
    asked, True when the bracket held the page."""
    release = threading.Event()
    make_ranks = table_pages.TablePages._make_ranks
    bracket = table_pages.TablePages._bracketed
    held: list[bool] = []

    def hold(self, cursor) -> None:  # noqa: ANN001
        release.wait(60)
        make_ranks(self, cursor)

    def logged(self, *args):  # noqa: ANN001, ANN202
        rows = bracket(self, *args)
        held.append(rows is not None)
        return rows

    monkeypatch.setattr(table_pages.TablePages, "_make_ranks", hold)
    monkeypatch.setattr(table_pages.TablePages, "_bracketed", logged)
    monkeypatch.setattr(table_pages, "SHALLOW_ROWS", 5)
    monkeypatch.setattr(table_pages, "RANK_WAIT", 0)
    monkeypatch.setattr(table_pages, "BRACKET_SAMPLE", 100)
    yield held
    release.set()


def _live(frame: pa.Table | ev.Data, columns: list[str], key: list[str] | None):  # noqa: ANN202
    data = frame if isinstance(frame, ev.Data) else ev.Data.from_dataframe(frame)
    element = table(data, columns, key=key).chart
    element.page({"page": 1, "size": 3})
    return data, element


def _duckdbs(data: ev.Data, element, column: str, direction: str, page: int, size: int,  # noqa: ANN001
             search: str = "") -> list[dict]:
    """DuckDB's page of the rows holding `search` (case ignored) in a shown column read as text."""
    ties = "".join(f", t.{q(c)} ASC NULLS LAST" for c in element.pages.tie_break if c != column)
    shown = element.pages.columns.shown
    held = " OR ".join(f"contains(lower(CAST(t.{q(c)} AS VARCHAR)), lower(?))" for c in shown)
    return data.run(f"SELECT {element.pages.columns.select_list()} FROM (SELECT *, row_number() OVER () AS "
                    f"__breaker_place FROM this) AS t WHERE ? = '' OR {held} ORDER BY t.{q(column)} "
                    f"{direction} NULLS LAST{ties}, __breaker_place LIMIT {size} OFFSET {(page - 1) * size}",
                    [search] * (len(shown) + 1)).to_pylist()


def _count(data: ev.Data, element, search: str) -> int:  # noqa: ANN001
    return len(_duckdbs(data, element, element.pages.columns.shown[0], "asc", 1, len(data), search))


def _page(element, column: str, direction: str, page: int, size: int,  # noqa: ANN001
          search: str = "") -> tuple[int, list[dict]]:
    answer, tables = element.page({"page": page, "size": size, "search": search,
                                   "sort": [{"column": column, "dir": direction}]})
    return answer["total"], tables["rows"].to_pylist()


@pytest.mark.parametrize(("rows", "page", "size"), [(21, 20, 4), (1, 3, 5), (1001, 50, 1000)])
def test_a_page_past_the_end_is_empty(bracketed, rows: int, page: int, size: int) -> None:  # noqa: ANN001
    frame = duckdb.sql(f"SELECT (i % 4)::VARCHAR AS s, i % 3 AS n FROM range({rows}) AS r(i)").to_arrow_table()
    data, element = _live(frame, ["s", "n"], ["n"])
    assert _page(element, "s", "asc", page, size) == (rows, _duckdbs(data, element, "s", "asc", page, size)) == (
        rows, [])


def test_a_deep_page_of_an_empty_table_is_empty(bracketed) -> None:  # noqa: ANN001
    frame = duckdb.sql("SELECT 'a' AS s, 1 AS n FROM range(0)").to_arrow_table()
    _, element = _live(frame, ["s", "n"], ["n"])
    assert _page(element, "s", "desc", 2, 5) == (0, [])


@pytest.mark.parametrize(("column", "key"), [("at", ["n"]), ("n", ["at"])])
def test_a_deep_page_with_a_timestamptz_key_is_duckdbs(bracketed, column: str, key: list[str]) -> None:  # noqa: ANN001
    frame = duckdb.sql("SELECT CAST(TIMESTAMP '2024-01-01' + to_seconds(hash(i) % 5000) AS TIMESTAMPTZ) AS at, "
                       "i % 7 AS n FROM range(300) AS r(i)").to_arrow_table()
    data, element = _live(frame, ["at", "n"], key)
    for page in (3, 30, 55):
        assert _page(element, column, "asc", page, 5) == (300, _duckdbs(data, element, column, "asc", page, 5))


@pytest.mark.parametrize("name", ["__evalviz_row", "__evalviz_place"])
def test_a_column_named_like_evalvizs_own_is_sorted_as_any(bracketed, name: str) -> None:  # noqa: ANN001
    frame = duckdb.sql(f"SELECT 'x' || (i % 3) AS {q(name)}, i % 5 AS n FROM range(200) AS r(i)").to_arrow_table()
    data, element = _live(frame, [name, "n"], ["n"])
    for column in (name, "n"):
        for page in (2, 20, 39):
            assert _page(element, column, "desc", page, 5) == (200, _duckdbs(data, element, column, "desc", page, 5))


def test_a_deep_page_of_a_nanosecond_timestamp_column_is_bracketed(bracketed) -> None:  # noqa: ANN001
    """TIMESTAMP_NS is among the kinds bracketed: its bounds keep their nanoseconds, so the bracket holds the page
    (values apart by nanoseconds only)."""
    at = pa.array([1_700_000_000_000_000_000 + i * 7919 % 300 for i in range(300)], pa.timestamp("ns"))
    frame = pa.table({"at": at, "n": pa.array([i % 7 for i in range(300)])})
    data, element = _live(frame, ["at", "n"], ["n"])
    for page in (3, 30, 55):
        assert _page(element, "at", "asc", page, 5) == (300, _duckdbs(data, element, "at", "asc", page, 5))
    assert bracketed and all(bracketed)


def test_a_ranked_page_of_a_column_collated_nocase_is_duckdbs(monkeypatch) -> None:  # noqa: ANN001
    """A column declared COLLATE NOCASE in its source: DuckDB sorts it ignoring case, and so must its ranks."""
    monkeypatch.setattr(table_pages, "RANK_AFTER_IDLE", 0.0)
    monkeypatch.setattr(table_pages, "SHALLOW_ROWS", 5)
    con = duckdb.connect()
    con.execute("CREATE TABLE t (s VARCHAR COLLATE NOCASE, n INTEGER)")
    con.execute("INSERT INTO t SELECT ['b', 'A', 'a', 'B', 'c', 'C'][i % 6 + 1] || (i % 5), i % 4 "
                "FROM range(300) AS r(i)")
    data = ev.Data.from_sql("SELECT * FROM t", con)
    element = table(data, ["s", "n"], key=["n"]).chart
    element.pages.prepare()
    element.page({"page": 1, "size": 5, "search": "x"})
    assert element.pages.ranked.result(timeout=60)
    for page in (2, 3, 20):
        assert _page(element, "s", "asc", page, 10) == (300, _duckdbs(data, element, "s", "asc", page, 10))


def test_a_column_named_rowid_does_not_change_the_row_order(bracketed) -> None:  # noqa: ANN001
    frame = duckdb.sql("SELECT 1000 - i AS rowid, i % 5 AS n FROM range(200) AS r(i)").to_arrow_table()
    data, element = _live(frame, ["rowid", "n"], ["n"])
    for page in (2, 20, 39):
        assert _page(element, "n", "asc", page, 5) == (200, _duckdbs(data, element, "n", "asc", page, 5))


# A column named as DuckDB's rowid pseudo-column (in any case): unique integers, text, repeated values
ROWID_COLUMNS = [("rowid", "1000 - i"), ("rowid", "'r' || (i * 37 % 200)"), ("rowid", "i % 3"),
                 ("ROWID", "500 + i * 37 % 200"), ("RowId", "'r' || (i % 7)")]


def _rowid_frame(name: str, values: str) -> pa.Table:
    return duckdb.sql(f"SELECT {values} AS {q(name)}, i % 5 AS n, 'x' || (i % 4) AS s, [i % 3, i % 2] AS l "
                      "FROM range(200) AS r(i)").to_arrow_table()


@pytest.mark.parametrize(("name", "values"), ROWID_COLUMNS)
def test_a_rowid_column_is_sorted_as_any_before_the_ranks(bracketed, name: str, values: str) -> None:  # noqa: ANN001
    """Shallow and deep pages (bracketed or sorted), of the whole table and under a search, sorted by the rowid
    column or another one: DuckDB's own ORDER BY, ties in the table's order."""
    data, element = _live(_rowid_frame(name, values), [name, "n", "s"], ["n"])
    for search in ("", "X1"):
        total = _count(data, element, search)
        for column in (name, "n", "s"):
            for direction in ("asc", "desc"):
                for page in (1, 2, 10, 39):
                    expected = (total, _duckdbs(data, element, column, direction, page, 5, search))
                    assert _page(element, column, direction, page, 5, search) == expected, (search, column, page)
    assert element.pages.columns.row_column not in element.pages.columns.read
    assert set(_page(element, name, "asc", 1, 5)[1][0]) == {name, "n", "s"}  # the copy's row places are not shown


@pytest.mark.parametrize(("name", "values"), ROWID_COLUMNS)
def test_a_rowid_column_is_sorted_as_any_once_ranked(monkeypatch, name: str, values: str) -> None:  # noqa: ANN001
    """Pages read from the sort ranks (the whole table) or sorted by them (under a search): DuckDB's ORDER BY. The
    list column is coded by DuckDB (Arrow does not order lists as it does)."""
    monkeypatch.setattr(table_pages, "RANK_AFTER_IDLE", 0.0)
    monkeypatch.setattr(table_pages, "SHALLOW_ROWS", 5)
    data = ev.Data.from_dataframe(_rowid_frame(name, values))
    element = table(data, [name, "n", "l"], key=["n", name]).chart
    element.pages.prepare()
    element.page({"page": 1, "size": 5, "search": "x"})
    assert element.pages.ranked.result(timeout=60)
    for search in ("", "1"):
        total = _count(data, element, search)
        for column in (name, "n", "l"):
            for direction in ("asc", "desc"):
                for page in (1, 3, 39):
                    expected = (total, _duckdbs(data, element, column, direction, page, 5, search))
                    assert _page(element, column, direction, page, 5, search) == expected, (search, column, page)


@pytest.mark.parametrize("name", ["Row", "SEARCH", "Place"])
def test_a_column_named_like_the_copys_own_in_another_case_is_sorted_as_any(bracketed, name: str) -> None:  # noqa: ANN001
    frame = duckdb.sql(f"SELECT 'x' || (i % 3) AS {q(name)}, i % 5 AS n FROM range(200) AS r(i)").to_arrow_table()
    data, element = _live(frame, [name, "n"], ["n"])
    for column in (name, "n"):
        for page in (1, 2, 20, 39):
            assert _page(element, column, "desc", page, 5) == (200, _duckdbs(data, element, column, "desc", page, 5))
