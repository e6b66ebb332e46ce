"""ev.table's sort ranks made distinct values first (evalviz.interaction.table_ranks): for columns of every kind a
table shows (mostly distinct and repeated text, floats with NaN, -0.0 and NULL, integers, booleans, dates,
timestamps, decimals, lists and enums, which DuckDB orders itself), each row's rank ascending and descending is its
place in DuckDB's ORDER BY column NULLS LAST, then the tie-breaking columns, then the row's place in the table."""

from __future__ import annotations

import threading

import duckdb
import pytest

import evalviz as ev
from evalviz.interaction import table_pages
from evalviz.interaction.table import table
from evalviz.interaction.table_ranks import tie_order, value_codes

ROWS = 3_000
# Each column's SQL over i (the row's place): repeated or mostly distinct, NULLs, NaN, -0.0 among them
COLUMNS = {
    "url": "CASE WHEN i % 97 = 0 THEN NULL ELSE 'https://x.org/' || (i * 7919 % 2003) END",  # distinct, some twice
    "name": "CASE WHEN i % 11 = 0 THEN NULL ELSE ['b', 'a', 'B', 'é', 'ab', ''][i % 6 + 1] END",
    "score": "CASE WHEN i % 13 = 0 THEN NULL WHEN i % 17 = 0 THEN 'nan'::DOUBLE WHEN i % 19 = 0 THEN -0.0 "
             "WHEN i % 23 = 0 THEN 0.0 ELSE (i * 37 % 2999) / 7.0 - 200 END",  # mostly distinct
    "few": "CASE WHEN i % 5 = 0 THEN 'nan'::DOUBLE WHEN i % 7 = 0 THEN -0.0 ELSE (i % 3) * 0.5 END",
    "n": "CASE WHEN i % 29 = 0 THEN NULL ELSE i % 50 - 25 END",
    "big": "CAST(i * 104729 % 3001 AS BIGINT)",
    "ok": "CASE WHEN i % 3 = 0 THEN NULL ELSE i % 2 = 0 END",
    "day": "DATE '2024-01-01' + CAST(i % 40 AS INTEGER)",
    "at": "TIMESTAMP '2024-01-01' + to_seconds(i * 7 % 2500)",
    "price": "CAST((i % 300) / 4 AS DECIMAL(10, 2))",
    "tags": "CASE WHEN i % 31 = 0 THEN NULL ELSE [i % 4, i % 3] END",
    "level": "CAST(['low', 'high', 'mid'][i % 3 + 1] AS ENUM('mid', 'low', 'high'))",
}


@pytest.fixture(scope="module")
def frame():  # noqa: ANN201
    select = ", ".join(f"{sql} AS {name}" for name, sql in COLUMNS.items())
    return duckdb.sql(f"SELECT {select} FROM range({ROWS}) AS r(i) ORDER BY i").to_arrow_table()


def duckdb_ranks(frame, column: str, tie_break: list[str]) -> dict[str, list[int]]:  # noqa: ANN001
    con = duckdb.connect()
    con.register("f", frame)
    ties = "".join(f', "{c}" ASC NULLS LAST' for c in tie_break if c != column)
    ranks = {}
    for direction in ("asc", "desc"):
        sql = (f"SELECT CAST(row_number() OVER (ORDER BY \"{column}\" {direction} NULLS LAST{ties}, place) - 1 "
               "AS INTEGER) AS k, place FROM (SELECT *, row_number() OVER () AS place FROM f) ORDER BY place")
        ranks[direction] = [k for k, _ in con.sql(sql).fetchall()]
    return ranks


@pytest.mark.parametrize("key", [["name", "n"], ["url"]])
def test_each_columns_ranks_are_its_place_in_duckdbs_order(frame, monkeypatch, key: list[str]) -> None:  # noqa: ANN001
    monkeypatch.setattr(table_pages, "RANK_AFTER_IDLE", 0.0)
    element = table(ev.Data.from_dataframe(frame), list(COLUMNS), key=key).chart
    element.pages.prepare()
    element.page({"page": 1, "size": 5, "search": "x"})  # waits for the copy
    assert element.pages.ranked.result(timeout=120)
    for column in COLUMNS:
        made = element.data.run(f"SELECT * FROM {element.pages.ranks_tables[column]}").to_pydict()
        assert made == duckdb_ranks(frame, column, key), column


def test_a_deep_page_of_a_column_sorted_under_a_collation_is_duckdbs(frame, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(table_pages, "SHALLOW_ROWS", 5)
    data = ev.Data.from_dataframe(frame)
    data.connection.execute("SET default_collation = 'nocase'")
    try:
        element = table(data, ["name", "n"], key=["n"]).chart
        element.page({"page": 1, "size": 5})
        answer, tables = element.page({"page": 40, "size": 5, "sort": [{"column": "name", "dir": "asc"}]})
        expected = data.run('SELECT name, n FROM (SELECT *, row_number() OVER () AS place FROM this) '
                            'ORDER BY name ASC NULLS LAST, n ASC NULLS LAST, place LIMIT 5 OFFSET 195').to_pylist()
        assert answer["total"] == ROWS and tables["rows"].to_pylist() == expected
        assert "name" in element.pages._ranked
    finally:
        data.connection.execute("RESET default_collation")


BRACKETED = ["url", "score", "few", "n", "ok", "day", "at", "price"]  # the kinds whose deep pages are bracketed


@pytest.mark.parametrize(("column", "direction"), [*((c, "asc") for c in BRACKETED), ("score", "desc"),
                                                   ("few", "desc"), ("url", "desc"), ("tags", "desc")])
def test_a_deep_page_of_a_column_not_ranked_yet_is_duckdbs_without_sorting_every_row(  # noqa: ANN001
        frame, monkeypatch, column: str, direction: str) -> None:
    release = threading.Event()
    make_ranks = table_pages.TablePages._make_ranks

    def held(self, cursor) -> None:  # noqa: ANN001 - no column is ranked while the pages are checked
        release.wait(60)
        make_ranks(self, cursor)

    monkeypatch.setattr(table_pages.TablePages, "_make_ranks", held)
    monkeypatch.setattr(table_pages, "SHALLOW_ROWS", 5)
    monkeypatch.setattr(table_pages, "RANK_WAIT", 0)
    monkeypatch.setattr(table_pages, "BRACKET_SAMPLE", 100)  # one row in 30 sampled
    bracketed = []
    bracket = table_pages.TablePages._bracketed
    monkeypatch.setattr(table_pages.TablePages, "_bracketed",
                        lambda self, *a: bracketed.append(bracket(self, *a)) or bracketed[-1])
    data = ev.Data.from_dataframe(frame)
    element = table(data, [column, "name", "n"] if column != "n" else ["n", "name"], key=["name", "n"]).chart
    element.page({"page": 1, "size": 7})
    places = "(SELECT *, row_number() OVER () AS place FROM this)"
    shown = element.pages.columns.select_list()  # as the table shows them (dates as text)
    ties = "".join(f", t.{c} ASC NULLS LAST" for c in ("name", "n") if c != column)
    try:
        for page in range(2, ROWS // 7 + 2, 23):
            answer, tables = element.page({"page": page, "size": 7, "sort": [{"column": column, "dir": direction}]})
            expected = data.run(f"SELECT {shown} FROM {places} AS t ORDER BY t.{column} {direction} NULLS LAST{ties}, "
                                f"place LIMIT 7 OFFSET {(page - 1) * 7}").to_pylist()
            assert answer["total"] == ROWS and _same(tables["rows"].to_pylist(), expected), page
    finally:
        release.set()
    if column in BRACKETED:  # found between two sampled rows, ties and NULLs too
        assert sum(rows is not None for rows in bracketed) >= len(bracketed) * 0.8
    else:  # lists: DuckDB orders them apart from Arrow, so their pages wait for the ranks (or sort every row)
        assert bracketed and not any(rows is not None for rows in bracketed)
    assert element.pages.ranked.result(timeout=60)


def _same(rows: list[dict], expected: list[dict]) -> bool:
    """Rows equal, NaN equal to NaN."""
    return repr(rows) == repr(expected)


@pytest.mark.parametrize("distinct", [5, 300])  # few combinations: one radix-sorted key; many: a lexicographic sort
def test_the_tie_order_is_duckdbs_order_of_the_tie_breaking_columns(distinct: int) -> None:
    rows = duckdb.sql(f"SELECT CASE WHEN i % 7 = 0 THEN NULL ELSE hash(i) % {distinct} END AS a, "
                      f"hash(i + 1) % {distinct} AS b, CASE WHEN i % 5 = 0 THEN NULL ELSE 'v' || hash(i + 2) % "
                      f"{distinct} END AS c FROM range(5000) AS r(i)").to_arrow_table()
    codes = [value_codes(rows.column(c)) for c in ("a", "b", "c")]
    con = duckdb.connect()
    con.register("f", rows)
    expected = [p for (p,) in con.sql("SELECT place FROM (SELECT *, row_number() OVER () - 1 AS place FROM f) "
                                      "ORDER BY a NULLS LAST, b NULLS LAST, c NULLS LAST, place").fetchall()]
    assert tie_order(codes, rows.num_rows).tolist() == expected
