"""ev.table's kernel search (a live table's copy holds each row's shown columns as one lower-cased text): a row is
kept when any shown column, read as text, contains the searched text, case ignored, as DuckDB says here, including
texts holding the copy's separator (a newline), texts spanning two columns, wildcards, and other letters than
ASCII; the copy's search text never takes a column's name."""

from __future__ import annotations

import datetime

import duckdb
import pyarrow as pa
import pytest

import evalviz as ev
from evalviz.interaction.selection import Clause
from evalviz.interaction.table import table

VALUES = {
    "id": list(range(9)),
    "search": ["École", "line one\nline two", "x", "STRASSE", "50%_off", "a\\b", None, "ÅNGSTRÖM", "x\ny"],
    "n": [1, 15, -3, None, 2024, 7, 0, 10, 11],
    "score": [0.5, 1.0, None, 2.25, -0.125, 1e20, 3.0, 0.05, 7.5],
    "ok": [True, False, None, True, False, True, False, True, None],
    "day": [datetime.date(2024, 1, d) for d in range(1, 10)],
    "group": ["y", "y", "y", "z", "z", "z", "z", "y", "y"],
}
SHOWN = ["search", "n", "score", "ok", "day"]
TEXTS = ["", "x", "X\nY", "x\ny", "line two", "one\nline", "\n", "école", "ÉCOLE", "strasse", "ångström", "%",
         "_", "%_", "\\", "a\\b", "1.0", "0.5", "1e+20", "true", "FALSE", "2024-01-0", "-0.1", "5", "nothing", "y"]


@pytest.fixture(scope="module")
def frame() -> pa.Table:
    return pa.table(VALUES)


def expected_ids(frame: pa.Table, text: str, where: str = "TRUE") -> list[int]:
    """The ids DuckDB keeps: any shown column, cast to text, holds the text, both lower-cased."""
    con = duckdb.connect()
    con.register("f", frame)
    anywhere = " OR ".join(f'position(lower(?) IN lower(CAST("{c}" AS VARCHAR))) > 0' for c in SHOWN)
    sql = f"SELECT id FROM f WHERE ({anywhere} OR ? = '') AND {where} ORDER BY id"
    return [i for (i,) in con.sql(sql, params=[text] * len(SHOWN) + [text]).fetchall()]


@pytest.mark.parametrize("on_copy", [True, False])
def test_search_keeps_the_rows_duckdb_keeps(frame, on_copy: bool) -> None:  # noqa: ANN001
    picked = ev.Selection.intersect()
    element = table(ev.Data.from_dataframe(frame), SHOWN, key="id", filter_by=picked).chart
    # A clause on "group", a column the table neither shows nor copies, makes the page read the source
    clauses = [] if on_copy else [Clause("g", ("group",), "in", [["y"], ["z"]]).to_dict()]
    for text in TEXTS:
        answer, tables = element.page({"page": 1, "size": 100, "search": text,
                                       "filter": {"resolve": "intersect", "clauses": clauses}})
        found = tables["rows"].column("id").to_pylist()
        assert (answer["total"], found) == (len(found), expected_ids(frame, text)), repr(text)
    assert (element.pages.rows_table in element.pages.tables) == on_copy  # which path answered


def test_a_search_then_a_sort_then_a_deep_page_keep_the_searched_rows(frame) -> None:  # noqa: ANN001
    element = table(ev.Data.from_dataframe(frame), SHOWN, key="id", page_size=2).chart
    kept = expected_ids(frame, "e")
    con = duckdb.connect()
    con.register("f", frame)
    by_score = [i for (i,) in con.sql("SELECT id FROM f WHERE id IN (SELECT unnest(?)) "
                                      "ORDER BY score DESC NULLS LAST, id", params=[kept]).fetchall()]
    assert len(by_score) >= 3  # two pages at least
    element.page({"page": 1, "size": 2, "search": "e"})
    for page in (1, 2, 1):
        answer, tables = element.page({"page": page, "size": 2, "search": "e",
                                       "sort": [{"column": "score", "dir": "desc"}]})
        assert answer["total"] == len(kept)
        assert tables["rows"].column("id").to_pylist() == by_score[(page - 1) * 2: page * 2]
